"""Splitting a team target into quotas, and measuring attainment and pace. Pure math: no
database here; the one sentence it writes (the realism check) is in the reader's language."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.formats import percent
from quotas.backsolve import ceil_count

CENT = Decimal("0.01")


def split_by_weights(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, to the cent, so that the parts add up to
    exactly the total (largest remainder: the cents lost to rounding go to the parts that
    lost most, earliest first on ties)."""
    total = Decimal(total)
    weights = [Decimal(w) for w in weights]
    if not weights:
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("at least one weight must be above zero")
    exact = [total * w / weight_sum for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    cents_left = int(((total - sum(parts)) / CENT).to_integral_value())
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:cents_left]:
        parts[i] += CENT
    return parts


def prorate(total: Decimal, part_days: list[int], base_days: int) -> list[Decimal]:
    """A rep's quota over their memberships in a period, by working days (docs/metrics.md
    #quotas-over-a-move): part i is total × part_days[i] / base_days to the cent. The
    running total is what is rounded (each part is the difference of two rounded running
    totals), so every part is within a cent of its share and never negative, and when the
    parts cover the whole base (the rep was in a team to the period's end) the last one
    takes the remainder: they add up to the total exactly. When they cover less (the rep
    left), the days after they left count for nobody."""
    total = Decimal(total)
    if not part_days:
        return []
    if any(days < 0 for days in part_days) or sum(part_days) > base_days:
        raise ValueError("the parts are working days inside the base")
    if base_days == 0:  # no working day at all: the quota stays whole with the last part
        return [Decimal(0)] * (len(part_days) - 1) + [total.quantize(CENT, ROUND_HALF_UP)]
    parts, done, before = [], 0, Decimal(0)
    for days in part_days:
        done += days
        running = (total * done / base_days).quantize(CENT, ROUND_HALF_UP)
        parts.append(running - before)
        before = running
    return parts


def deals_for(revenue: Decimal, avg_deal_size: Decimal | None) -> int | None:
    """Whole deals needed to book `revenue` at this average size (None if unknown)."""
    if not avg_deal_size:
        return None
    return ceil_count(Decimal(revenue) / Decimal(avg_deal_size))


def left_to_win(quota: Decimal, won: Decimal) -> Decimal:
    """What is left of a quota after the revenue won: never below zero."""
    return max(Decimal(quota) - Decimal(won), Decimal(0))


def attainment(won: Decimal, quota: Decimal) -> float | None:
    """Revenue won / quota; no data without a quota."""
    if not quota:
        return None
    return float(Decimal(won) / Decimal(quota))


def expected_attainment(elapsed_working_days: int, total_working_days: int) -> float | None:
    """Where linear progress over the period's working days would be by now."""
    if not total_working_days:
        return None
    return min(1.0, elapsed_working_days / total_working_days)


def on_pace(actual: float | None, expected: float | None) -> bool | None:
    if actual is None or expected is None:
        return None
    return actual >= expected


REALISTIC_SHARE = (0.70, 0.80)


def realism_share(met: list[bool]) -> float | None:
    """The share of reps who would have met their quota."""
    if not met:
        return None
    return sum(met) / len(met)


def realism_warning(share: float | None, period_label: str) -> str | None:
    """The seeds' rule of thumb: 70–80 % of reps should be able to meet quota."""
    if share is None:
        return None
    low, high = REALISTIC_SHARE
    values = {
        "share": percent(share),
        "period": period_label,
        "low": percent(low, digits=0),
        "high": percent(high, digits=0),
    }
    if share < low:
        return (
            _(
                "Only %(share)s of reps would have met these quotas in %(period)s — the rule "
                "of thumb is %(low)s–%(high)s. These quotas may be out of reach."
            )
            % values
        )
    if share > high:
        return (
            _(
                "%(share)s of reps would have met these quotas in %(period)s — above the "
                "%(low)s–%(high)s rule of thumb. These quotas may be too easy."
            )
            % values
        )
    return None
