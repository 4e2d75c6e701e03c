"""Prospect engagement by rep (docs/metrics.md): each rep's prospects engaged, cooling or cold
today, and the touches since each last answered — the team page's engagement table."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.utils.translation import gettext

from dashboards.metrics import ratio
from dashboards.reports.base import Report, Table
from dashboards.reports.funnel import FunnelReport
from dashboards.scope import Member, Scope
from pipeline.engagement import Engagement, engagement_filter
from pipeline.models import Prospect
from quotas.periods import Period

COLUMNS = [*(state.value for state in Engagement), "unanswered", "cold_unanswered", "cold_share"]


@dataclass(frozen=True)
class EngagementResult:
    today: date
    reps: list[tuple[Member, dict]]

    def __iter__(self):
        return iter(self.reps)

    def rows(self) -> tuple[list[str], list[list]]:
        rows = [
            [
                m.rep.email,
                m.rep.full_name,
                str(m.team or ""),
                *("" if c[k] is None else c[k] for k in COLUMNS),
            ]
            for m, c in self.reps
        ]
        return ["rep", "rep_name", "team", *COLUMNS], rows

    def table(self) -> Table:
        header, rows = self.rows()
        return Table(
            header,
            rows,
            title=gettext("Prospect engagement on %(day)s") % {"day": self.today} + "\n",
            text_columns=3,
        )

    def as_json(self) -> dict:
        return {
            "as_of": self.today.isoformat(),
            "rows": [
                {"rep": m.rep.email, "team": str(m.team or ""), **counts} for m, counts in self.reps
            ],
        }


class EngagementReport(Report[EngagementResult]):
    """The engagement today of the prospects of each rep the scope counts in the period
    (the funnel's reps, sharing its members' query when given it). One query."""

    def __init__(
        self, scope: Scope, period: Period, *, today: date, funnel: FunnelReport | None = None
    ):
        self.scope, self.period, self.today = scope, period, today
        self.funnel = funnel

    def _calculate(self) -> EngagementResult:
        if self.funnel is not None:
            members = self.funnel.calculate().members
        else:
            members = self.scope.members(self.period.start, self.period.end)
        counts = engagement_by_rep([m.pk for m in members], self.today)
        return EngagementResult(self.today, list(zip(members, counts.values(), strict=True)))


def engagement_by_rep(rep_ids: list[int], today: date) -> dict[int, dict]:
    """Each rep's prospects by engagement today (pipeline.engagement), their touches since
    each prospect last answered, and how many of those went to prospects that are cold
    today — the seeds' "persistent versus irritating" line. One query, on the facts every
    activity write stores on the prospect: never the activity log."""
    cold = engagement_filter(Engagement.COLD, today)
    states = {
        state.value: Count("pk", filter=engagement_filter(state, today)) for state in Engagement
    }
    result = {pk: dict.fromkeys([*states, "unanswered", "cold_unanswered"], 0) for pk in rep_ids}
    for row in (
        Prospect.objects.filter(owner_id__in=rep_ids)
        .order_by()
        .values("owner_id")
        .annotate(
            **states,
            unanswered=Sum("touches_since_response", default=0),
            cold_unanswered=Sum("touches_since_response", filter=cold, default=0),
        )
    ):
        result[row.pop("owner_id")].update(row)
    for counts in result.values():
        counts["cold_share"] = ratio(counts["cold_unanswered"], counts["unanswered"])
    return result
