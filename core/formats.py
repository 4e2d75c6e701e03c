"""How numbers read, for people and for files: one formatter each for a ratio as a
percentage, a whole amount, money for files, money for people with its currency, and a
file's money column. Pure, no Django; every app and page uses these."""

from decimal import ROUND_HALF_UP, Decimal

from core.currencies import SYMBOLS


def percent(value: float | None, *, digits: int = 1) -> str:
    """A ratio for people: 0.6667 → "66.7 %", None → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f} %"


def whole(value) -> str:
    """An amount or a count for people, to the unit with thousands grouped: 25000.5 →
    "25,001", no data → "—"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def money(value: Decimal | None) -> str | None:
    """Money for JSON and CSV: a decimal string with two places, "25000.00"."""
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def amount(value, currency: str, *, places: int = 0) -> str:
    """Money for people, thousands grouped, with its currency (docs/contracts.md#currency):
    25000.5 in EUR → "€25,001", in CHF → "25,001 CHF", -300 in USD → "−$300"; with
    `places=2` (a deal's own amount) "€25,000.50"; no data → "—"."""
    if value is None or value == "":
        return "—"
    step = Decimal(1).scaleb(-places)
    written = f"{Decimal(value).quantize(step, rounding=ROUND_HALF_UP):,}"
    sign, digits = ("−", written[1:]) if written.startswith("-") else ("", written)
    if symbol := SYMBOLS.get(currency):
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency}"


def money_column(name: str, currency: str) -> str:
    """A money column's header in a CSV download: the name with the currency's code,
    "revenue_won" in EUR → "revenue_won_eur" (docs/contracts.md#currency)."""
    return f"{name}_{currency.lower()}"
