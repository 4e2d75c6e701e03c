"""Spanish: Django's es formats, with thousands grouped by a point, 1.234,56 (Django groups
them with a space), and short month names in dates, "7 dic 2026"."""

from django.conf.locale.es.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
DATE_FORMAT = r"j b Y"  # 7 dic 2026
MONTH_DAY_FORMAT = r"j b"  # 7 dic
DATETIME_FORMAT = r"j b Y, H:i"  # 7 dic 2026, 14:05

# A no-break space (U+00A0) between the number and its sign: "4,4 %" and "1.234,56 €" never
# break across two lines (docs/i18n.md#numbers-and-dates).
PERCENT_FORMAT = "{number}\u00a0%"  # 4,4 %
MONEY_FORMAT = "{number}\u00a0{symbol}"  # 1.234,56 €
SHORT_YEAR_MONTH_FORMAT = r"b Y"  # dic 2026, a chart's month
DATE_RANGE_FORMATS = {
    "month": ("j", "–", "j b Y"),  # 3–21 nov 2026
    "year": ("j b", " – ", "j b Y"),  # 28 nov – 5 dic 2026
    "years": ("j b Y", " – ", "j b Y"),  # 28 dic 2026 – 3 ene 2027
}
# The pages' date patterns, keyed by how English writes them (core/dates.py `dated`).
DATE_PATTERNS = {
    "j M Y": "j b Y",  # 7 dic 2026
    "j M": "j b",  # 7 dic
    "D j": "D j",  # lun 7
    "D j M": "D j b",  # lun 7 dic
    "D j M Y": "D j b Y",  # lun 7 dic 2026
    "l j M": "l j b",  # lunes 7 dic
    "l j F": r"l j \d\e F",  # lunes 7 de diciembre
    "l j F Y": r"l j \d\e F \d\e Y",  # lunes 7 de diciembre de 2026
    "j F Y": r"j \d\e F \d\e Y",  # 7 de diciembre de 2026
    "j M, H:i": "j b, H:i",  # 7 dic, 14:05
    "j M Y H:i": "j b Y, H:i",
    "j M Y, H:i": "j b Y, H:i",  # 7 dic 2026, 14:05
    "j M Y, H:i:s": "j b Y, H:i:s",
    "D j M Y, H:i": "D j b Y, H:i",  # lun 7 dic 2026, 14:05
}
