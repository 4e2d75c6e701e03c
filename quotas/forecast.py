"""Forecast and pipeline coverage (docs/metrics.md#forecast-and-pipeline-coverage) as pure math:
will the quota be reached from the pipeline there is? No Django here.

For a scope and a period, over the open opportunities expected to close in it:
open_pipeline (their amounts), weighted (each amount × its stage's probability), commit
(the amounts in stages of 75 % or more); best_case = won + open_pipeline. remaining =
max(quota − won, 0); needed_pipeline = remaining ÷ the scope's trailing win rate; coverage
= open_pipeline ÷ needed_pipeline. Coverage below 1 means the quota cannot be reached from
this pipeline whatever closes: the revenue the pipeline does not cover (remaining − what
the open pipeline is expected to bring at that win rate) is worked back, by the one plan
function, into new opportunities, meetings and calls per working day.
"""

from dataclasses import dataclass
from decimal import Decimal

from quotas.split import left_to_win

COMMIT_PROBABILITY = 75  # stages at or above this are "commit"
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
