"""Goal backsolve (docs/metrics.md#the-goal-backsolve) as pure math: from a target to the daily
activity that reaches it. No Django here.

deals = ceil(revenue_target / avg_deal_size) → opportunities = deals / win_rate →
meetings held = opportunities / meeting_to_opportunity_rate → calls = meetings /
call_to_meeting_rate, emails and messages = meetings × that channel's volume per meeting →
per working day = ceil(required / working days).

Every required count rounds up, from the previous step's rounded-up count (you need whole
opportunities), after rounding to 6 decimals so that float noise (150.0000000001) never
adds one. A step whose rate is unknown is reported, not guessed, and so is everything
after it.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

RATE_NAMES = ("win_rate", "meeting_to_opportunity_rate", "call_to_meeting_rate")
NOISE_DECIMALS = 6
# The smallest rate worth planning with (1 in 10 000). Smaller ones are typing mistakes, and
# dividing by them (1e-320) overflows a float.
MIN_RATE = 0.0001
MAX_RATE_TEXT = 40


class RateError(ValueError):
    """A rate that is not a number from MIN_RATE to 1."""


def parse_rate(text: str) -> float:
    """A rate as people write it: "0.15", "15%" or "1/3", from 0.01 % to 100 %."""
    # Every space goes, the no-break ones a Spanish "4,4 %" is written with too.
    raw = "".join(str(text).split())
    shown = raw if len(raw) <= MAX_RATE_TEXT else raw[:MAX_RATE_TEXT] + "…"
    try:
        if len(raw) > MAX_RATE_TEXT:
            raise ValueError
        if raw.endswith("%"):
            value = float(raw[:-1]) / 100
        elif "/" in raw:
            value = float(Fraction(raw))
        else:
            value = float(raw)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise RateError(
            _("“%(text)s” is not a rate: write 15%%, 0.15 or 1/3") % {"text": shown}
        ) from None
    if not math.isfinite(value) or not MIN_RATE <= value <= 1:
        raise RateError(_("“%(text)s” is not a rate between 0.01 %% and 100 %%") % {"text": shown})
    return value


def ceil_count(value) -> int:
    """Round a required count up, after rounding away float noise at 6 decimals."""
    return math.ceil(round(float(value), NOISE_DECIMALS))


@dataclass(frozen=True)
class Rates:
    """Conversion rates of a scope (its trailing 90 days, or typed in a what-if). None is
    "unknown". Channel mixes are volumes per meeting held."""

    win_rate: float | None = None
    meeting_to_opportunity_rate: float | None = None
    call_to_meeting_rate: float | None = None
    emails_per_meeting: float | None = None
    messages_per_meeting: float | None = None
    avg_deal_size: Decimal | None = None

    def replace(self, **changes) -> "Rates":
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update({k: v for k, v in changes.items() if v is not None})
        return Rates(**values)


@dataclass(frozen=True)
class Target:
    revenue: Decimal | None = None
    deals: int | None = None
    basis_revenue: Decimal | None = None
    growth_pct: Decimal | None = None

    @property
    def resolved_revenue(self) -> Decimal | None:
        """The revenue to reach: given outright, or the basis grown by growth_pct."""
        if self.revenue is not None:
            return Decimal(self.revenue)
        if self.basis_revenue is not None and self.growth_pct is not None:
            return Decimal(self.basis_revenue) * (1 + Decimal(self.growth_pct) / 100)
        return None

    @property
    def gap(self) -> Decimal | None:
        """How far the target is above the basis (the growth still to find)."""
        revenue = self.resolved_revenue
        if revenue is None or self.basis_revenue is None:
            return None
        return revenue - Decimal(self.basis_revenue)


STEPS = ("deals", "opportunities", "meetings_held", "calls", "emails", "messages")


@dataclass
class Backsolve:
    target: Target
    rates: Rates
    working_days: int
    target_revenue: Decimal | None = None
    gap: Decimal | None = None
    required: dict[str, int | None] = field(default_factory=dict)
    per_working_day: dict[str, int | None] = field(default_factory=dict)
    unknown_rates: list[str] = field(default_factory=list)


def backsolve(target: Target, rates: Rates, *, working_days: int) -> Backsolve:
    """Work a target back into required counts, in total and per working day."""
    if working_days < 0:
        raise ValueError("working_days cannot be negative")
    result = Backsolve(target=target, rates=rates, working_days=working_days)
    result.target_revenue = target.resolved_revenue
    result.gap = target.gap
    unknown = result.unknown_rates

    # Every rate the plan needs and does not know is named, even past the first unknown
    # step (a rep with no history is asked for all of them at once); the counts after the
    # first unknown step stay None.
    def step(previous: int | None, rate: float | None, name: str) -> int | None:
        if not rate:
            unknown.append(name)
            return None
        if previous is None:
            return None
        return ceil_count(Fraction(previous) / Fraction(rate))

    if target.deals is not None:
        deals = int(target.deals)
    elif result.target_revenue is not None:
        if rates.avg_deal_size:
            deals = ceil_count(Fraction(result.target_revenue) / Fraction(rates.avg_deal_size))
        else:
            deals = None
            unknown.append("avg_deal_size")
    else:
        raise ValueError("a target needs deals, revenue, or a basis revenue and growth %")
    deals = max(deals, 0) if deals is not None else None

    opportunities = step(deals, rates.win_rate, "win_rate")
    meetings = step(opportunities, rates.meeting_to_opportunity_rate, "meeting_to_opportunity_rate")
    calls = step(meetings, rates.call_to_meeting_rate, "call_to_meeting_rate")

    def channel(per_meeting: float | None, name: str) -> int | None:
        if per_meeting is None:
            unknown.append(name)
            return None
        if meetings is None:
            return None
        return ceil_count(Fraction(meetings) * Fraction(per_meeting))

    emails = channel(rates.emails_per_meeting, "emails_per_meeting")
    messages = channel(rates.messages_per_meeting, "messages_per_meeting")
    result.required = dict(
        zip(STEPS, (deals, opportunities, meetings, calls, emails, messages), strict=True)
    )
    result.per_working_day = {
        name: (
            ceil_count(Fraction(count) / working_days)
            if count is not None and working_days
            else None
        )
        for name, count in result.required.items()
    }
    return result
