"""The leaderboard: outcomes first — revenue won, attainment, won deals, win rate — then
activity; the same ranking on the page, in its CSV and in `report leaderboard`."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils.translation import gettext, pgettext

from core.formats import amount, money, percent, whole
from dashboards.metrics import Funnel, as_json
from dashboards.reports.base import Figure, Report, Table, csv_header
from dashboards.reports.funnel import FunnelReport, period_json
from dashboards.scope import Member, Scope
from quotas.periods import Period
from quotas.plan import Pace
from users import organisation

# The CSV's columns: the JSON's, with the rep's full name beside their email.
COLUMNS = [
    "rank",
    "rep",
    "rep_name",
    "team",
    "revenue_won",
    "quota_attainment",
    "won",
    "win_rate",
    "calls",
    "meetings_held",
    "opportunities_created",
]


@dataclass(frozen=True)
class Standing:
    rank: int
    member: Member
    result: Funnel
    pace: Pace

    @cached_property
    def cells(self) -> dict:
        """The row as the page shows it, formatted once here rather than cell by cell in
        the template (the board has a row per rep of the organisation)."""
        counts = self.result.counts
        return {
            "revenue_won": amount(counts.revenue_won, organisation.currency()),
            "quota_attainment": percent(self.pace.attainment),
            "won": whole(counts.won),
            "win_rate": percent(self.result.win_rate),
            "opportunities_created": whole(counts.opportunities_created),
            "meetings_held": whole(counts.meetings_held),
            "calls": whole(counts.calls),
        }

    def as_json(self) -> dict:
        counts = self.result.counts
        return {
            "rank": self.rank,
            "rep": self.member.rep.email,
            "team": str(self.member.team or ""),
            "revenue_won": money(counts.revenue_won),
            "quota_attainment": self.pace.as_json()["quota_attainment"],
            "won": counts.won,
            "win_rate": as_json(self.result)["win_rate"],
            "calls": counts.calls,
            "meetings_held": counts.meetings_held,
            "opportunities_created": counts.opportunities_created,
        }


@dataclass(frozen=True)
class Leaderboard:
    period: Period
    working_days: int
    standings: list[Standing]

    def rows(self) -> tuple[list[str], list[list]]:
        """Header and rows for the CSV download and `report leaderboard --format csv`."""
        rows = []
        for standing in self.standings:
            data = {**standing.as_json(), "rep_name": standing.member.rep.full_name}
            rows.append(["" if data[k] is None else data[k] for k in COLUMNS])
        return csv_header(COLUMNS, {"revenue_won"}), rows

    def table(self) -> Table:
        """`report leaderboard`'s text table: the JSON's values, with the win rate as a
        percentage."""
        header = [
            "#",
            gettext("rep"),
            gettext("team"),
            gettext("revenue won"),
            pgettext("deals", "won"),
            gettext("win rate"),
            gettext("calls"),
            gettext("mtgs held"),
            gettext("opps"),
        ]
        rows = []
        for standing in self.standings:
            row = standing.as_json()
            rows.append(
                [
                    row["rank"],
                    row["rep"],
                    row["team"],
                    row["revenue_won"],
                    row["won"],
                    percent(row["win_rate"]),
                    row["calls"],
                    row["meetings_held"],
                    row["opportunities_created"],
                ]
            )
        period = self.period
        return Table(
            header,
            rows,
            title=gettext("Leaderboard %(period)s (%(start)s to %(end)s)")
            % {"period": period.label, "start": period.start, "end": period.end}
            + "\n",
            text_columns=3,
        )

    def as_json(self) -> dict:
        return {
            "period": period_json(self.period, self.working_days),
            "rows": [standing.as_json() for standing in self.standings],
        }


class LeaderboardReport(Report[Leaderboard]):
    """Reps ranked by revenue won, then win rate (no data last), then name: the funnel's
    queries and its quotas'."""

    def __init__(self, scope: Scope, period: Period, *, today: date):
        self.scope, self.period, self.today = scope, period, today

    def _calculate(self) -> Leaderboard:
        result = FunnelReport(self.scope, self.period, today=self.today).calculate()
        ranked = sorted(
            result.reps,
            key=lambda row: (
                -row[1].counts.revenue_won,
                -(row[1].win_rate if row[1].win_rate is not None else -1),
                row[0].rep.full_name,
            ),
        )
        standings = [
            Standing(rank, member, funnel, result.paces[member.pk])
            for rank, (member, funnel) in enumerate(ranked, start=1)
        ]
        return Leaderboard(self.period, result.working_days, standings)

    standings = Figure()
