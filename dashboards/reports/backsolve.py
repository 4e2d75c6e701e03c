"""The goal backsolve as a report (docs/metrics.md#the-goal-backsolve): a target worked back
through a scope's trailing rates — or rates given explicitly — into what it takes, in all
and per working day. `report backsolve` prints it; the what-if page uses the same math."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from core.formats import money
from dashboards.reports.base import Report, Table
from dashboards.reports.funnel import trailing_rates
from dashboards.scope import Scope
from quotas import calendar
from quotas.backsolve import RATE_NAMES, STEPS, Backsolve, Rates, Target, backsolve
from quotas.periods import Period

# Rates a backsolve can be given beyond the three conversion rates.
EXTRA_RATES = ("emails_per_meeting", "messages_per_meeting")
RATES_SHOWN = (*RATE_NAMES, *EXTRA_RATES, "avg_deal_size")


@dataclass(frozen=True)
class BacksolveResult:
    scope: Scope
    target: Target
    rates_used: Rates
    working_days: int
    result: Backsolve

    def as_json(self) -> dict:
        result = self.result
        return {
            "inputs": {
                "target_revenue": money(result.target_revenue),
                "target_deals": self.target.deals,
                "basis_revenue": money(self.target.basis_revenue),
                "growth_pct": None
                if self.target.growth_pct is None
                else float(self.target.growth_pct),
                "gap": money(result.gap),
                "working_days": self.working_days,
                "scope": _scope_name(self.scope),
                "rates": {name: _rate_json(name, self.rates_used) for name in RATES_SHOWN},
            },
            "required": result.required,
            "per_working_day": result.per_working_day,
            "unknown_rates": result.unknown_rates,
        }

    def rows(self) -> tuple[list[str], list[list]]:
        """Each step, what it takes in all and per working day (— where a rate is unknown)."""
        rows = [
            [
                name.replace("_", " "),
                _count(self.result.required[name]),
                _count(self.result.per_working_day[name]),
            ]
            for name in STEPS
        ]
        return ["step", "required", "per_working_day"], rows

    def table(self) -> Table:
        result = self.result
        lines = []
        if result.target_revenue is not None:
            lines.append(
                gettext("Target revenue %(amount)s") % {"amount": money(result.target_revenue)}
            )
        if result.gap is not None:
            lines.append(
                "  "
                + gettext("%(gap)s above the basis of %(basis)s")
                % {"gap": money(result.gap), "basis": money(self.target.basis_revenue)}
            )
        lines.append(gettext("Working days: %(days)s") % {"days": self.working_days})
        notes = []
        if result.unknown_rates:
            notes.append(
                "\n"
                + gettext("Unknown (no data; give them as options): %(rates)s")
                % {"rates": ", ".join(result.unknown_rates)}
            )
        return Table(
            [gettext("step"), gettext("required"), gettext("per working day")],
            self.rows()[1],
            title="\n".join(lines) + "\n",
            notes=notes,
        )


class BacksolveReport(Report[BacksolveResult]):
    """`target` worked back over `working_days` (by default those left in `period`, or all
    of them when it is over) at the scope's trailing 90-day rates, each replaced by the one
    given in `rates`."""

    def __init__(
        self,
        scope: Scope,
        period: Period,
        *,
        today: date,
        target: Target,
        rates: dict | None = None,
        working_days: int | None = None,
    ):
        self.scope, self.period, self.today = scope, period, today
        self.target, self.rates, self.working_days = target, rates or {}, working_days

    def _calculate(self) -> BacksolveResult:
        days = self.working_days
        if days is None:
            left = calendar.progress(self.period, self.today).left
            days = left or calendar.working_days(self.period.start, self.period.end)
        rates = trailing_rates(self.scope, today=self.today).replace(**self.rates)
        return BacksolveResult(
            self.scope, self.target, rates, days, backsolve(self.target, rates, working_days=days)
        )


def _scope_name(scope: Scope) -> str:
    """How the command line names a scope: a rep's email, a team's name, the organisation."""
    if scope.rep is not None:
        return scope.rep.email
    return scope.label if scope.teams else "organisation"


def _rate_json(name: str, rates: Rates):
    value = getattr(rates, name)
    if name == "avg_deal_size":
        return money(value)
    return None if value is None else round(value, 6)


def _count(value: int | None):
    return "—" if value is None else value
