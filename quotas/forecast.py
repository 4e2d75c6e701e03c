"""Forecast and pipeline coverage (docs/metrics.md#forecast-and-pipeline-coverage) as pure math:
will the quota be reached from the pipeline there is? No Django here.

For a scope and a period, over the open opportunities expected to close in it:
open_pipeline (their amounts), weighted (each amount × its stage's probability), commit
(the amounts in stages of 75 % or more); best_case = won + open_pipeline. remaining =
max(quota − won, 0); needed_pipeline = remaining ÷ the scope's trailing win rate; coverage
= open_pipeline ÷ needed_pipeline. Coverage below 1 means that, at the usual (trailing) win
rate, the open pipeline is expected to bring in less than the quota still needs — not that
the quota is out of reach: best case may still exceed it (`outlook`,
docs/metrics.md#what-the-forecast-says). The revenue the pipeline does not cover (remaining −
what the open pipeline is expected to bring at that win rate) is worked back, by the one
plan function, into new opportunities, meetings and calls over the working days left
(`need_pace` says how often).
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from quotas.split import left_to_win

COMMIT_PROBABILITY = 75  # stages at or above this are "commit"
# Coverage below this means the pipeline cannot reach the quota whatever closes
# (docs/metrics.md#forecast-and-pipeline-coverage).
COVERAGE_ENOUGH = 1
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Forecast:
    open_pipeline: Decimal
    weighted: Decimal
    commit: Decimal
    won: Decimal
    quota: Decimal | None
    win_rate: float | None
    # The won revenue that counts against the quota: for a team, only that of the reps who
    # have one (the others' would make the team look closer than it is).
    won_against_quota: Decimal | None = None

    @property
    def best_case(self) -> Decimal:
        return self.won + self.open_pipeline

    @property
    def remaining(self) -> Decimal | None:
        if self.quota is None:
            return None
        won = self.won if self.won_against_quota is None else self.won_against_quota
        return left_to_win(self.quota, won)

    @property
    def needed_pipeline(self) -> Decimal | None:
        """The open pipeline that, at the trailing win rate, would bring what is left."""
        if self.remaining is None or not self.win_rate:
            return None
        return (self.remaining / Decimal(str(self.win_rate))).quantize(CENT)

    @property
    def coverage(self) -> float | None:
        """open_pipeline ÷ needed_pipeline; None when there is nothing to cover or it
        cannot be known (see `why_no_coverage`)."""
        needed = self.needed_pipeline
        if not needed:
            return None
        return float(self.open_pipeline / needed)

    @property
    def short(self) -> bool:
        """The pipeline is known not to cover what is left: coverage under COVERAGE_ENOUGH
        (False when coverage cannot be known)."""
        coverage = self.coverage
        return coverage is not None and coverage < COVERAGE_ENOUGH

    @property
    def why_no_coverage(self) -> str | None:
        if self.quota is None:
            return "no quota"
        if self.remaining == 0:
            return "quota reached"
        if self.win_rate is None:
            return "win rate unknown: no deal won or lost in the last 90 days"
        if not self.win_rate:
            return "no deal won in the last 90 days: no pipeline is enough"
        return None

    @property
    def uncovered(self) -> Decimal | None:
        """The revenue left that the open pipeline is not expected to bring, at the win
        rate: what new opportunities must be found for (0 when covered)."""
        if self.remaining is None or not self.win_rate:
            return None
        expected = self.open_pipeline * Decimal(str(self.win_rate))
        return max(self.remaining - expected, Decimal(0)).quantize(CENT)

    @property
    def committed(self) -> Decimal:
        """Won (against the quota) + commit: what the deals at 75 % or more would make."""
        return self.commit + self._counted

    @property
    def outlook(self) -> "Outlook | None":
        """What the figures say of the quota (docs/metrics.md#what-the-forecast-says); None
        when there is no quota or it is reached."""
        if not self.remaining:
            return None
        if self.best_case < self.quota:
            return Outlook.OUT_OF_REACH
        if self.committed >= self.quota:
            return Outlook.COMMIT_REACHES
        return Outlook.BEST_CASE_REACHES

    @property
    def _counted(self) -> Decimal:
        """What this forecast's won revenue counts against a summed quota."""
        if self.quota is None:
            return Decimal(0)
        return self.won if self.won_against_quota is None else self.won_against_quota

    def __add__(self, other: "Forecast") -> "Forecast":
        """Figures add up (the win rate is the caller's to set: it is not a sum)."""
        quotas = [q for q in (self.quota, other.quota) if q is not None]
        return Forecast(
            open_pipeline=self.open_pipeline + other.open_pipeline,
            weighted=self.weighted + other.weighted,
            commit=self.commit + other.commit,
            won=self.won + other.won,
            quota=sum(quotas, Decimal(0)) if quotas else None,
            win_rate=None,
            won_against_quota=self._counted + other._counted,
        )


NOTHING = Forecast(Decimal(0), Decimal(0), Decimal(0), Decimal(0), None, None)


class Outlook(StrEnum):
    """Whether the quota can still be reached from the pipeline there is."""

    OUT_OF_REACH = "out_of_reach"  # best case (won + every open deal) is below the quota
    COMMIT_REACHES = "commit_reaches"  # won + the deals at 75 % or more reach it
    BEST_CASE_REACHES = "best_case_reaches"  # only more than the committed deals reach it


@dataclass(frozen=True)
class Pace:
    """How often `count` things must happen over `days` working days: `per_day` of them a
    working day (rounded up, the backsolve's rule: docs/metrics.md#the-goal-backsolve) when it is at
    least one a day, else about one `every` so many working days (the interval rounded to the
    nearest day) — never "1 a working day" for 6 in 17 days."""

    count: int
    days: int
    per_day: int | None
    every: int | None


def need_pace(count: int, days: int) -> Pace | None:
    """`need_pace(6, 17)` is about one every 3 days (17 / 6 = 2.8); `need_pace(40, 17)` is 3
    a working day (40 / 17 = 2.35, rounded up). None when there is nothing to do or no day
    left to do it in."""
    if count <= 0 or days <= 0:
        return None
    if count >= days:
        return Pace(count, days, per_day=math.ceil(count / days), every=None)
    interval = Decimal(days) / Decimal(count)
    every = int(interval.to_integral_value(rounding="ROUND_HALF_UP"))
    return Pace(count, days, per_day=None, every=every)
