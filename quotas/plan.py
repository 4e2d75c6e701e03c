"""A rep's quota for any period, their pace against it, and the plan that works what is
left of it back into daily activity. Pure: no Django here. Each rule is written once and
every page, the nightly snapshot and `report` use it.

- Quota (docs/metrics.md#quotas-and-targets): the quota set for the period; where none is,
  the sum of the quotas of the shorter periods inside it, when every one of them has one
  (a quarter with three monthly quotas); with only some set, there is no quota and the
  missing periods are named. A week's is its working days' share of its month or months
  (docs/metrics.md#week-quotas).
- Progress (`PeriodProgress`): how far a day is into a period, in working days — the one
  place the elapsed share, the days left and the expected attainment are computed.
- Pace: attainment against where linear progress over working days would be by now.
- Plan: the quota left after the revenue won so far, worked back with the rep's rates
  into activity per remaining working day (the goal backsolve of
  docs/metrics.md#the-goal-backsolve).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from quotas.backsolve import Backsolve, Rates, Target, backsolve
from quotas.periods import PLANNED_KINDS, Period, working_days
from quotas.split import attainment, expected_attainment, left_to_win, on_pace, prorate


@dataclass(frozen=True)
class PeriodProgress:
    """How far `today` is into `period`, in working days (Monday–Friday minus `holidays`,
    those of the period at least), today included in both what is gone and what is left.
    Pace, the alerts, the plans and the forecast all read it (docs/metrics.md#metrics)."""

    period: Period
    today: date
    holidays: frozenset[date] = frozenset()

    @property
    def total(self) -> int:
        """The period's working days."""
        return working_days(self.period.start, self.period.end, self.holidays)

    @property
    def elapsed(self) -> int:
        """Working days from the start through today (0 before it, all after it)."""
        return working_days(self.period.start, min(self.today, self.period.end), self.holidays)

    @property
    def left(self) -> int:
        """Working days from today (or the start, if it is ahead) to the end."""
        return working_days(max(self.today, self.period.start), self.period.end, self.holidays)

    @property
    def expected(self) -> float | None:
        """Where linear progress would be by the end of today (None: no working day)."""
        return expected_attainment(self.elapsed, self.total)


# The periods a rep's plan can follow, shortest first: the first with a quota wins.
PLAN_KINDS = PLANNED_KINDS


@dataclass(frozen=True)
class QuotaAmount:
    revenue: Decimal | None
    deals: int | None = None
    missing: tuple[str, ...] = ()  # shorter periods without a quota, when some have one

    @property
    def known(self) -> bool:
        return self.revenue is not None


NO_QUOTA = QuotaAmount(None)


def resolve_quota(
    period: Period,
    set_quotas: dict[tuple[str, object], tuple[Decimal, int | None]],
    parts: Callable[[Period], list[Period]],
) -> QuotaAmount:
    """The quota of `period` from the quotas set for one rep, keyed (kind, start) →
    (revenue, deals); `parts(period)` gives the shorter periods that make it up."""
    found = set_quotas.get((period.kind, period.start))
    if found is not None:
        return QuotaAmount(found[0], found[1])
    pieces = parts(period)
    if not pieces:
        return NO_QUOTA
    amounts = [resolve_quota(piece, set_quotas, parts) for piece in pieces]
    if all(a.known for a in amounts):
        deals = [a.deals for a in amounts]
        return QuotaAmount(
            sum((a.revenue for a in amounts), Decimal(0)),
            None if None in deals else sum(deals),
        )
    if not any(a.known or a.missing for a in amounts):
        return NO_QUOTA
    return QuotaAmount(
        None, missing=tuple(p.label for p, a in zip(pieces, amounts, strict=True) if not a.known)
    )


def week_quota(
    week: Period, months: list[tuple[Period, QuotaAmount]], holidays=frozenset()
) -> QuotaAmount:
    """The quota of an ISO week (docs/metrics.md#week-quotas): the share of each month it
    lies in (one, or two for a week that straddles them) that its working days in that month
    are of the month's working days, added up. Each share is cut from the month's running
    total (`prorate` over the working days before the week and in it), so the weeks of a
    month add up to its quota to the cent. A month the week has no working day in does not
    count; one it has working days in without a quota leaves the week without one (named
    in `missing` when the other month has one). `months` are the months the week touches,
    each with its quota; the deals quota is not split."""
    shares, missing = [], []
    for month, quota in months:
        start, end = max(week.start, month.start), min(week.end, month.end)
        days = working_days(start, end, holidays)
        if days == 0:
            continue
        if not quota.known:
            missing.append(month.label)
            continue
        before = working_days(month.start, start - timedelta(days=1), holidays)
        base = working_days(month.start, month.end, holidays)
        shares.append(prorate(quota.revenue, [before, days], base)[1])
    if missing:
        return QuotaAmount(None, missing=tuple(missing)) if shares else NO_QUOTA
    if not shares:  # no working day in the week: nothing to sell for, if there is a quota
        return (
            QuotaAmount(Decimal("0.00")) if months and all(q.known for _, q in months) else NO_QUOTA
        )
    return QuotaAmount(sum(shares, Decimal(0)))


@dataclass(frozen=True)
class Span:
    """One of a rep's memberships: first and last day (None while it lasts), and whether
    the scope being counted counts it (a team's report counts its own memberships)."""

    start: date
    end: date | None
    counted: bool = True


def quota_in_spans(
    quota: QuotaAmount, spans: list[Span], period: Period, holidays=frozenset()
) -> QuotaAmount:
    """The part of a rep's quota for `period` that a scope counts (docs/metrics.md
    #quotas-over-a-move): the quota is prorated by working days over the rep's
    memberships in the period, from their first day in it (a rep who joined mid-period
    was set a quota for their days) to its end; the scope counts the parts of the
    memberships it counts. A rep who moved counts in each team for their days there, the
    parts adding up to the quota exactly; a rep who left counts up to their last day.
    Without memberships (`spans` empty) the quota is counted whole."""
    if not quota.known or not spans:
        return quota
    inside = [
        (max(s.start, period.start), min(s.end or period.end, period.end), s.counted)
        for s in sorted(spans, key=lambda s: s.start)
        if s.start <= period.end and (s.end is None or s.end >= period.start)
    ]
    if not inside:
        return QuotaAmount(Decimal(0))
    base = working_days(inside[0][0], period.end, holidays)
    parts = prorate(
        quota.revenue, [working_days(start, end, holidays) for start, end, _ in inside], base
    )
    counted = sum((part for part, (*_, c) in zip(parts, inside, strict=True) if c), Decimal(0))
    whole = counted == quota.revenue
    return QuotaAmount(counted, quota.deals if whole else None)


@dataclass(frozen=True)
class Pace:
    quota: Decimal | None
    won: Decimal
    attainment: float | None
    expected: float | None
    on_pace: bool | None

    def as_json(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 6)

        return {
            "quota": None if self.quota is None else f"{Decimal(self.quota):.2f}",
            "quota_attainment": rounded(self.attainment),
            "expected_attainment": rounded(self.expected),
            "on_pace": self.on_pace,
        }


def pace(quota: Decimal | None, won: Decimal, expected: float | None) -> Pace:
    """Attainment against quota, beside where linear progress would be (`expected`)."""
    if quota is None:
        return Pace(None, won, None, None, None)
    actual = attainment(won, quota)
    return Pace(quota, won, actual, expected, on_pace(actual, expected))


@dataclass(frozen=True)
class Plan:
    """What a rep needs per remaining working day to make their quota. Without a quota,
    period, pace, remaining and backsolve are None."""

    period: Period | None
    pace: Pace | None
    remaining: Decimal | None
    working_days_left: int
    rates: Rates
    backsolve: Backsolve | None


def plan(
    *,
    period: Period | None,
    quota: Decimal | None,
    won: Decimal,
    rates: Rates,
    working_days_left: int,
    expected: float | None,
) -> Plan:
    """The one plan function (docs/metrics.md#the-goal-backsolve): the quota left, worked back with
    `rates`."""
    if period is None or quota is None:
        return Plan(None, None, None, working_days_left, rates, None)
    remaining = left_to_win(quota, won)
    result = backsolve(Target(revenue=remaining), rates, working_days=max(working_days_left, 1))
    return Plan(
        period=period,
        pace=pace(quota, won, expected),
        remaining=remaining,
        working_days_left=working_days_left,
        rates=rates,
        backsolve=result,
    )
