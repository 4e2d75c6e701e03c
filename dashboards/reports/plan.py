"""Today's plan: each rep's quota, pace and the activity their plan asks for per working
day (the nightly snapshot, docs/metrics.md#the-goal-backsolve), against what they did today."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext, pgettext

from activities.models import DailyRollup
from core.formats import money, percent, whole
from dashboards import plans
from dashboards.reports.base import Figure, Report, Table, csv_header
from dashboards.scope import Member, Scope
from pipeline.models import Opportunity, OpportunityStatus
from quotas.plan import Pace, Plan, pace

# The activities a plan asks for each working day, as the columns name them.
STEPS = ("calls", "emails", "messages", "meetings_held", "opportunities")


@dataclass(frozen=True)
class PlanRow:
    member: Member
    plan: Plan
    done_today: dict[str, int]

    @property
    def rep(self):
        return self.member.rep

    @property
    def pace(self) -> Pace:
        return self.plan.pace or pace(None, Decimal(0), None)

    @property
    def per_day(self) -> dict:
        return self.plan.backsolve.per_working_day if self.plan.backsolve else {}

    def as_json(self) -> dict:
        return {
            "rep": self.rep.email,
            "team": str(self.member.team or ""),
            "period": self.plan.period.label if self.plan.period else None,
            **self.pace.as_json(),
            "won": money(self.pace.won),
            "working_days_left": self.plan.working_days_left,
            "per_working_day": {step: self.per_day.get(step) for step in STEPS},
            "done_today": {step: self.done_today.get(step, 0) for step in STEPS},
        }


@dataclass(frozen=True)
class Plans:
    today: date
    reps: list[PlanRow]

    def rows(self) -> tuple[list[str], list[list]]:
        """Header and rows for the team page's plan CSV and `report plan --format csv`."""
        header = csv_header(
            [
                "rep",
                "rep_email",
                "team",
                "period",
                "quota",
                "won",
                "quota_attainment",
                "expected_attainment",
                "on_pace",
                "working_days_left",
                *(f"{step}_per_day" for step in STEPS),
                *(f"{step}_today" for step in STEPS),
            ],
            {"quota", "won"},
        )
        rows = []
        for row in self.reps:
            data = row.as_json()
            on_pace = data["on_pace"]
            rows.append(
                [
                    row.rep.full_name,
                    row.rep.email,
                    data["team"],
                    data["period"] or "",
                    data["quota"] or "",
                    data["won"],
                    "" if data["quota_attainment"] is None else data["quota_attainment"],
                    "" if data["expected_attainment"] is None else data["expected_attainment"],
                    "" if on_pace is None else ("yes" if on_pace else "no"),
                    data["working_days_left"],
                    *("" if v is None else v for v in data["per_working_day"].values()),
                    *data["done_today"].values(),
                ]
            )
        return header, rows

    def table(self) -> Table:
        """The plans as people read them, for the command line: each rep's pace and what
        today asks of them."""
        header = [
            gettext("rep"),
            gettext("quota"),
            pgettext("revenue", "won"),
            gettext("attainment"),
            gettext("pace"),
            gettext("calls/day"),
            gettext("meetings/day"),
            gettext("done today"),
        ]
        rows = [
            [
                row.rep.full_name,
                whole(row.pace.quota),
                whole(row.pace.won),
                percent(row.pace.attainment),
                {True: gettext("on pace"), False: gettext("below pace")}.get(
                    row.pace.on_pace, gettext("no quota")
                ),
                _count(row.per_day.get("calls")),
                _count(row.per_day.get("meetings_held")),
                gettext("%(calls)s, %(meetings)s")
                % {
                    "calls": ngettext("%(count)s call", "%(count)s calls", row.done_today["calls"])
                    % {"count": row.done_today["calls"]},
                    "meetings": ngettext(
                        "%(count)s meeting", "%(count)s meetings", row.done_today["meetings_held"]
                    )
                    % {"count": row.done_today["meetings_held"]},
                },
            ]
            for row in self.reps
        ]
        return Table(
            header,
            rows,
            title=gettext("Plans for %(day)s (this period's quota, per working day left)")
            % {"day": self.today}
            + "\n",
        )

    def as_json(self) -> dict:
        return {"as_of": self.today.isoformat(), "rows": [row.as_json() for row in self.reps]}


class PlanReport(Report[Plans]):
    """Every active rep the scope counts today, by name, with their plan and today's
    activity, in a fixed number of queries whatever the number of reps: the members, the
    snapshots, the day's rollups and deals (a rep without a snapshot yet is planned on the
    spot, as My day would). A plan is today's: no period."""

    def __init__(self, scope: Scope, *, today: date):
        self.scope, self.today = scope, today

    def _calculate(self) -> Plans:
        members = [m for m in self.scope.members(self.today, self.today) if m.rep.is_active]
        ids = [m.pk for m in members]
        planned = plans.plans_for(ids, today=self.today)
        done = done_on(ids, self.today)
        return Plans(self.today, [PlanRow(m, planned[m.pk], done[m.pk]) for m in members])

    rows = Figure("reps")


def done_on(rep_ids: list[int], day: date) -> dict[int, dict[str, int]]:
    """What each rep did on a day: their daily rollup and the deals they opened and won
    that day (two queries)."""
    done = {
        pk: dict.fromkeys(
            ["calls", "emails", "messages", "meetings_held", "opportunities", "deals"], 0
        )
        for pk in rep_ids
    }
    rollups = DailyRollup.objects.filter(rep_id__in=rep_ids, day=day).values(
        "rep_id", "calls", "emails", "messages", "meetings_held"
    )
    for row in rollups:
        done[row.pop("rep_id")].update(row)
    deals = (
        Opportunity.objects.filter(Q(opened_on=day) | Q(closed_on=day), owner_id__in=rep_ids)
        .order_by()
        .values("owner_id")
        .annotate(
            opportunities=Count("pk", filter=Q(opened_on=day)),
            deals=Count("pk", filter=Q(closed_on=day, status=OpportunityStatus.WON)),
        )
    )
    for row in deals:
        done[row.pop("owner_id")].update(row)
    return done


def _count(value) -> str:
    return "—" if value is None else str(value)
