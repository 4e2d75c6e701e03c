"""How numbers read, for people and for files: one formatter each for a ratio as a
percentage, a whole amount, and money. Pure, no Django; every app and page uses these."""

from decimal import ROUND_HALF_UP, Decimal


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
