"""How numbers read, for people and for files: one formatter each for a ratio as a
percentage, a whole amount, money for files, money for people with its currency, and a
file's money column.

The formatters for people follow the active language through Django's localisation
(docs/i18n.md#numbers-and-dates): 1234.56 reads "1,234.56" in English and Chinese and
"1.234,56" in Spanish, a percentage "4.4 %", "4,4 %" or "4.4%" (a no-break space, U+00A0,
between the number and "%" or a currency's code, in every language). The ones for files
(`money`, `money_column`) never do: CSV, JSON and the API stay machine-formatted whatever
the language."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language

from core.currencies import SYMBOLS

# English's patterns, for a language whose format module leaves one out.
_DEFAULTS = {
    "PERCENT_FORMAT": "{number}\u00a0%",
    "MONEY_FORMAT": "{symbol}{number}",
    "SHORT_YEAR_MONTH_FORMAT": "M Y",
    # A page's date patterns, written as English's (the key) and mapped to the language's own
    # order and words (docs/i18n.md#numbers-and-dates): "j M Y" reads "7 Dec 2026",
    # "7 dic 2026", "2026年12月7日". A pattern a language leaves out is used as written.
    "DATE_PATTERNS": {},
    "DATE_RANGE_FORMATS": {
        "month": ("j", "–", "j M Y"),
        "year": ("j M", " – ", "j M Y"),
        "years": ("j M Y", " – ", "j M Y"),
    },
}


def locale_format(name: str):
    """One of SalesTrack's own patterns (PERCENT_FORMAT, MONEY_FORMAT,
    SHORT_YEAR_MONTH_FORMAT, DATE_RANGE_FORMATS) for the active language, from its module
    in salestrack/formats/, else English's."""
    for module in formats.get_format_modules(get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    return _DEFAULTS[name]


def date_pattern(pattern: str) -> str:
    """The active language's version of an English date pattern ("j M Y", "D j M", …)."""
    return locale_format("DATE_PATTERNS").get(pattern, pattern)


def _number(value: Decimal, *, grouped: bool = True) -> str:
    """A decimal already rounded to what is shown, with the active language's separators."""
    return str(formats.number_format(value, force_grouping=grouped))


def percent(value: float | None, *, digits: int = 1) -> str:
    """A ratio for people: 0.6667 → "66.7 %" ("66,7 %" in Spanish, "66.7%" in Chinese),
    None → "—"."""
    if value is None:
        return "—"
    number = _number(Decimal(f"{value * 100:.{digits}f}"), grouped=False)
    return locale_format("PERCENT_FORMAT").format(number=number)


def whole(value) -> str:
    """An amount or a count for people, to the unit with thousands grouped: 25000.5 →
    "25,001" ("25.001" in Spanish), no data → "—"."""
    if value is None or value == "":
        return "—"
    return _number(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(value: Decimal | None) -> str | None:
    """Money for JSON and CSV: a decimal string with two places, "25000.00", whatever the
    language."""
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def amount(value, currency: str, *, places: int = 0) -> str:
    """Money for people, thousands grouped, with its currency (docs/contracts.md#currency):
    25000.5 in EUR → "€25,001", in CHF → "25,001 CHF", -300 in USD → "−$300"; with
    `places=2` (a deal's own amount) "€25,000.50"; no data → "—". The symbol is the
    currency's, where it goes and the separators the language's: "25.001 €" in Spanish."""
    if value is None or value == "":
        return "—"
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    number = _number(abs(rounded))
    if symbol := SYMBOLS.get(currency):
        return sign + locale_format("MONEY_FORMAT").format(symbol=symbol, number=number)
    # A no-break space (U+00A0), so that "25,001 CHF" never breaks across two lines.
    return f"{sign}{number}\u00a0{currency}"


def money_column(name: str, currency: str) -> str:
    """A money column's header in a CSV download: the name with the currency's code,
    "revenue_won" in EUR → "revenue_won_eur" (docs/contracts.md#currency)."""
    return f"{name}_{currency.lower()}"
