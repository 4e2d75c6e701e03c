"""Spanish: Django's es formats, with thousands grouped by a point, 1.234,56 (Django groups
them with a space), and short month names in dates, "7 dic 2026"."""

from django.conf.locale.es.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
DATE_FORMAT = r"j b Y"  # 7 dic 2026
MONTH_DAY_FORMAT = r"j b"  # 7 dic
DATETIME_FORMAT = r"j b Y, H:i"  # 7 dic 2026, 14:05

PERCENT_FORMAT = "{number} %"  # 4,4 %
MONEY_FORMAT = "{number} {symbol}"  # 1.234,56 €
SHORT_YEAR_MONTH_FORMAT = r"b Y"  # dic 2026, a chart's month
DATE_RANGE_FORMATS = {
    "month": ("j", "–", "j b Y"),  # 3–21 nov 2026
    "year": ("j b", " – ", "j b Y"),  # 28 nov – 5 dic 2026
    "years": ("j b Y", " – ", "j b Y"),  # 28 dic 2026 – 3 ene 2027
}
