"""Simplified Chinese: Django's zh_Hans formats (2026年12月7日), with thousands grouped by
a comma, 1,234.56, as Chinese business writing does (Django groups nothing)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
MONTH_DAY_FORMAT = "n月j日"  # 12月7日

PERCENT_FORMAT = "{number}%"  # 4.4%
MONEY_FORMAT = "{symbol}{number}"  # €1,234.56
SHORT_YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月, a chart's month
DATE_RANGE_FORMATS = {
    "month": ("Y年n月j日", "–", "j日"),  # 2026年11月3日–21日
    "year": ("Y年n月j日", " – ", "n月j日"),  # 2026年11月28日 – 12月5日
    "years": ("Y年n月j日", " – ", "Y年n月j日"),  # 2026年12月28日 – 2027年1月3日
}
# The pages' date patterns, keyed by how English writes them (core/dates.py `dated`).
DATE_PATTERNS = {
    "j M Y": "Y年n月j日",  # 2026年12月7日
    "j M": "n月j日",  # 12月7日
    "D j": "j日 D",
    "D j M": "n月j日 D",
    "D j M Y": "Y年n月j日 D",
    "l j M": "n月j日 l",
    "l j F": "n月j日 l",
    "l j F Y": "Y年n月j日 l",
    "j F Y": "Y年n月j日",
    "j M, H:i": "n月j日 H:i",
    "j M Y H:i": "Y年n月j日 H:i",
    "j M Y, H:i": "Y年n月j日 H:i",  # 2026年12月7日 14:05
    "j M Y, H:i:s": "Y年n月j日 H:i:s",
    "D j M Y, H:i": "Y年n月j日 D H:i",
}
