"""British English, the source language: Django's en_GB formats, with a day and a month
written as the pages always have, "7 Dec", and a moment to the minute, "7 Dec 2026, 14:05"."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

MONTH_DAY_FORMAT = "j M"  # 7 Dec
DATETIME_FORMAT = "j M Y, H:i"  # 7 Dec 2026, 14:05

PERCENT_FORMAT = "{number}\u00a0%"  # 4.4 %, a no-break space: never broken across lines
MONEY_FORMAT = "{symbol}{number}"  # €1,234.56
SHORT_YEAR_MONTH_FORMAT = "M Y"  # Dec 2026, a chart's month
DATE_RANGE_FORMATS = {
    "month": ("j", "–", "j M Y"),  # 3–21 Nov 2026
    "year": ("j M", " – ", "j M Y"),  # 28 Nov – 5 Dec 2026
    "years": ("j M Y", " – ", "j M Y"),  # 28 Dec 2026 – 3 Jan 2027
}
