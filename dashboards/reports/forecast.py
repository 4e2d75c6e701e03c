"""The forecast (docs/metrics.md#forecast-and-pipeline-coverage): for a scope and a period, the open
pipeline expected to close in it, weighted by stage probability, commit and best case, against quota
and won; coverage of what is left at the trailing win rate, and — when it falls short — the new
opportunities, meetings and calls per working day that the gap needs, from the one plan
function. Open deals whose expected close has passed are overdue: listed, counted in no
period until moved. Open deals with no expected close are listed as undated."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext, ngettext, pgettext

from core.formats import money
from dashboards import charts, plans
from dashboards.models import ForecastSnapshot
from dashboards.reports.base import Figure, Report, Table, csv_header
from dashboards.reports.funnel import FunnelReport, period_json, trailing_rates
from dashboards.scope import Member, Scope
from pipeline.models import Opportunity, OpportunityStatus
from quotas import calendar
from quotas import selectors as quota_selectors
from quotas.backsolve import Rates
from quotas.forecast import COMMIT_PROBABILITY, NOTHING, Forecast, Pace, need_pace
from quotas.periods import Period, PeriodKind
from quotas.plan import Plan, plan

LISTED = 50  # overdue and undated deals listed on a page; the count says how many in all
# The amounts among them, whose CSV columns carry the currency.
MONEY_FIELDS = frozenset(
    {"open_pipeline", "weighted", "commit", "best_case", "won", "quota", "remaining"}
    | {"needed_pipeline"}
)
JSON_FIELDS = [
    "open_pipeline",
    "weighted",
    "commit",
    "best_case",
    "won",
    "quota",
    "remaining",
    "coverage",
    "needed_pipeline",
]

WEIGHTED = ExpressionWrapper(
    F("amount") * F("stage__probability") / 100,
    output_field=DecimalField(max_digits=18, decimal_places=4),
)


@dataclass(frozen=True)
class ForecastHistory:
    weeks: list[date]
    # (rep, what the forecast said each week — None before they were kept —, won in the end)
    rows: list[tuple[Member, list[Decimal | None], Decimal]]
    total: list[Decimal]
    won: Decimal


def in_play(scope: Scope, period: Period, today: date):
    """The scope's open deals expected to close in the period and not overdue."""
    start = max(period.start, today)
    if start > period.end:
        return Opportunity.objects.none()
    return scope.opportunities("expected_close_on", start, period.end).filter(
        status=OpportunityStatus.OPEN
    )


def open_pipeline(deals) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Open, weighted and commit per owner, in one query."""
    rows = (
        deals.values("owner_id")
        .order_by()
        .annotate(
            open=Sum("amount"),
            weighted=Sum(WEIGHTED),
            commit=Sum(
                "amount",
                filter=Q(stage__probability__gte=COMMIT_PROBABILITY),
                default=Decimal(0),
            ),
        )
    )
    return {
        r["owner_id"]: (r["open"], Decimal(r["weighted"]).quantize(Decimal("0.01")), r["commit"])
        for r in rows
    }


def rep_forecast(rep, rep_plan: Plan, *, today: date) -> Forecast | None:
    """A rep's own forecast for the period of their plan (My day's targets card): the plan
    has the quota, the won revenue and the win rate, so this costs one query."""
    if rep_plan.period is None:
        return None
    open_, weighted, commit = open_pipeline(in_play(Scope.of_rep(rep), rep_plan.period, today)).get(
        rep.pk, (Decimal(0),) * 3
    )
    return Forecast(
        open_pipeline=open_,
        weighted=weighted,
        commit=commit,
        won=rep_plan.pace.won,
        quota=rep_plan.pace.quota,
        win_rate=rep_plan.rates.win_rate,
    )


@dataclass(frozen=True)
class ForecastRow:
    """One rep's (or the scope's) forecast, and — worked out when asked — the plan for
    what the pipeline does not cover."""

    member: Member | None
    forecast: Forecast
    rates: Rates
    period: Period
    working_days_left: int

    @cached_property
    def gap_plan(self) -> Plan | None:
        """When the pipeline falls short: the uncovered revenue worked back into the
        activity it needs per remaining working day — the plan function the what-if uses."""
        uncovered = self.forecast.uncovered
        if not uncovered or self.working_days_left == 0:
            return None
        return plan(
            period=self.period,
            quota=uncovered,
            won=Decimal(0),
            rates=self.rates,
            working_days_left=self.working_days_left,
            expected=None,
        )

    @property
    def new_opportunities_pace(self) -> Pace | None:
        """The new opportunities the uncovered revenue needs, and how often over the days
        left (docs/metrics.md#what-the-forecast-says)."""
        solved = self.gap_plan.backsolve if self.gap_plan else None
        if solved is None or not solved.required.get("opportunities"):
            return None
        return need_pace(solved.required["opportunities"], self.gap_plan.working_days_left)

    def as_json(self) -> dict:
        f = self.forecast
        data = {
            "open_pipeline": money(f.open_pipeline),
            "weighted": money(f.weighted),
            "commit": money(f.commit),
            "best_case": money(f.best_case),
            "won": money(f.won),
            "quota": money(f.quota),
            "remaining": money(f.remaining),
            "coverage": None if f.coverage is None else round(f.coverage, 6),
            "needed_pipeline": money(f.needed_pipeline),
        }
        if f.why_no_coverage:
            data["coverage_note"] = f.why_no_coverage
        if self.gap_plan and self.gap_plan.backsolve:
            data["to_add"] = {
                name: self.gap_plan.backsolve.required.get(name)
                for name in ("opportunities", "meetings_held", "calls")
            }
            data["to_add_per_working_day"] = {
                name: self.gap_plan.backsolve.per_working_day.get(name)
                for name in ("opportunities", "meetings_held", "calls")
            }
        return data


@dataclass(frozen=True)
class ForecastResult:
    """Every rep the scope counts in the period (as the funnel has them) with their
    forecast. The scope's total, the overdue and undated deals, the months and the history
    are worked out on first read, each in a fixed number of queries: the nightly job
    keeps the reps' rows only, and the page loads the rest in its own request."""

    scope: Scope
    period: Period
    today: date
    members: list[Member]
    rep_plans: dict[int, Plan]
    working_days_left: int
    reps: list[ForecastRow]

    @cached_property
    def by_rep(self) -> dict[int, ForecastRow]:
        return {row.member.pk: row for row in self.reps}

    @cached_property
    def total(self) -> ForecastRow:
        total = sum((row.forecast for row in self.reps), NOTHING)
        rates = self._scope_rates()
        return ForecastRow(
            None,
            Forecast(**{**vars(total), "win_rate": rates.win_rate}),
            rates,
            self.period,
            self.working_days_left,
        )

    def _in_play(self):
        return in_play(self.scope, self.period, self.today)

    def _scope_rates(self) -> Rates:
        """The scope's own trailing-90-day rates: a rep's from their plan; a team's or the
        organisation's from its funnel over the window (its won and lost deals give the
        win rate)."""
        if self.scope.reps is not None and len(self.scope.reps) == 1:
            return self.rep_plans[self.scope.reps[0]].rates
        return trailing_rates(self.scope, today=self.today)

    # Deals a manager should look at ---------------------------------------------------------

    @cached_property
    def overdue(self) -> tuple[int, list[Opportunity]]:
        """Open deals whose expected close has passed, of the reps the scope counts today
        (an open deal moves with its owner): in no period's forecast until moved."""
        deals = self.scope.open_opportunities().filter(expected_close_on__lt=self.today)
        listed = list(
            deals.select_related("owner", "stage", "prospect").order_by("expected_close_on")[
                :LISTED
            ]
        )
        return deals.count(), listed

    @cached_property
    def undated(self) -> tuple[int, list[Opportunity]]:
        """Open deals with no expected close, of the scope's reps: listed, not dropped."""
        deals = Opportunity.objects.filter(
            status=OpportunityStatus.OPEN,
            expected_close_on__isnull=True,
            owner_id__in=[m.pk for m in self.members if m.until is None],
        ).order_by()
        listed = list(
            deals.select_related("owner", "stage", "prospect").order_by("opened_on")[:LISTED]
        )
        return deals.count(), listed

    @cached_property
    def by_month(self) -> list[dict]:
        """Won, commit and weighted by month of the period, beside each month's quota: the
        forecast chart's bars. Three queries."""
        months = []
        day = self.period.start
        while day <= self.period.end:
            month = calendar.period_containing(day, PeriodKind.MONTH)
            months.append(month)
            day = month.end + timedelta(days=1)
        won = {
            row["month"]: row["won"]
            for row in self.scope.opportunities("closed_on", self.period.start, self.period.end)
            .filter(status=OpportunityStatus.WON)
            .annotate(month=TruncMonth("closed_on"))
            .values("month")
            .annotate(won=Sum("amount"))
        }
        open_ = {
            row["month"]: row
            for row in self._in_play()
            .annotate(month=TruncMonth("expected_close_on"))
            .values("month")
            .annotate(
                weighted=Sum(WEIGHTED),
                commit=Sum(
                    "amount",
                    filter=Q(stage__probability__gte=COMMIT_PROBABILITY),
                    default=Decimal(0),
                ),
            )
        }
        quotas = quota_selectors.counted_quotas_by_period(
            {m.pk: m.spans for m in self.members}, months
        )
        result = []
        for month in months:
            row = open_.get(month.start, {})
            known = [q.revenue for q in quotas[month.start].values() if q.known]
            result.append(
                {
                    "month": month,
                    "won": won.get(month.start, Decimal(0)),
                    "commit": row.get("commit", Decimal(0)),
                    "weighted": Decimal(row.get("weighted") or 0).quantize(Decimal("0.01")),
                    "quota": sum(known, Decimal(0)) if known else None,
                }
            )
        return result

    @cached_property
    def history(self) -> "ForecastHistory | None":
        """For a finished month or quarter: what each rep's forecast said each Monday (won
        by then + weighted pipeline), against what they won in the end. One query."""
        if (
            self.period.kind not in (PeriodKind.MONTH, PeriodKind.QUARTER)
            or self.period.end >= self.today
        ):
            return None
        kept = ForecastSnapshot.objects.filter(
            period_kind=self.period.kind,
            period_start=self.period.start,
            rep_id__in=[m.pk for m in self.members],
        ).values_list("rep_id", "as_of", "won", "weighted")
        weeks = sorted({as_of for _, as_of, _, _ in kept})
        said: dict[int, dict[date, Decimal]] = {}
        for rep_id, as_of, won, weighted in kept:
            said.setdefault(rep_id, {})[as_of] = won + weighted
        rows = [
            (
                row.member,
                [said.get(row.member.pk, {}).get(week) for week in weeks],
                row.forecast.won,
            )
            for row in self.reps
        ]
        total = [
            sum((values[i] for _, values, _ in rows if values[i] is not None), Decimal(0))
            for i in range(len(weeks))
        ]
        return ForecastHistory(weeks, rows, total, sum((won for *_, won in rows), Decimal(0)))

    @cached_property
    def figures(self) -> dict[str, dict]:
        """The forecast section's charts: the months, and for a finished period what the
        forecast said each week."""
        figures = {"chart-forecast": charts.forecast_chart(self.by_month)}
        if self.history:
            h = self.history
            figures["chart-forecast-history"] = charts.forecast_history_chart(
                h.weeks, h.total, h.won
            )
        return figures

    # Output ---------------------------------------------------------------------------------

    def rows(self) -> tuple[list[str], list[list]]:
        """Header and rows for the CSV download and `report forecast --format csv`."""
        header = csv_header(["rep", "rep_name", "team", *JSON_FIELDS], MONEY_FIELDS)
        rows = []
        for row in [*self.reps, self.total]:
            data = row.as_json()
            label = row.member.rep.email if row.member else "TOTAL"
            name = row.member.rep.full_name if row.member else ""
            team = str(row.member.team or "") if row.member else ""
            rows.append(
                [label, name, team, *["" if data[k] is None else data[k] for k in JSON_FIELDS]]
            )
        return header, rows

    def table(self) -> Table:
        _header, rows = self.rows()
        count, _ = self.overdue
        period = self.period
        return Table(
            [
                gettext("rep"),
                pgettext("pipeline", "open"),
                gettext("weighted"),
                gettext("commit"),
                gettext("best case"),
                pgettext("revenue", "won"),
                gettext("quota"),
                gettext("coverage"),
            ],
            [
                [
                    row[0],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8] or "—",
                    f"{row[10]:.2f}×" if row[10] != "" else "—",
                ]
                for row in rows
            ],
            title=gettext("Forecast %(period)s (%(start)s to %(end)s, %(days)s working days left)")
            % {
                "period": period.label,
                "start": period.start,
                "end": period.end,
                "days": self.working_days_left,
            }
            + "\n",
            notes=[
                "\n"
                + ngettext(
                    "%(count)s open deal is overdue (expected to close before today).",
                    "%(count)s open deals are overdue (expected to close before today).",
                    count,
                )
                % {"count": count}
            ]
            if count
            else [],
        )

    def as_json(self) -> dict:
        """`report forecast --format json` (docs/contracts.md)."""
        overdue_count, overdue = self.overdue
        undated_count, undated = self.undated
        return {
            "period": period_json(
                self.period, calendar.working_days(self.period.start, self.period.end)
            ),
            "working_days_left": self.working_days_left,
            "reps": [
                {"rep": row.member.rep.email, "team": str(row.member.team or ""), **row.as_json()}
                for row in self.reps
            ],
            "total": self.total.as_json(),
            "overdue": {"count": overdue_count, "deals": [_deal_json(d) for d in overdue]},
            "undated": {"count": undated_count, "deals": [_deal_json(d) for d in undated]},
        }


class ForecastReport(Report[ForecastResult]):
    """The forecast of `scope` for `period`. Built on the period's FunnelReport when the
    page has one (its reps, won revenue and quotas), the rows cost two queries more: the
    open pipeline and the reps' plans (their win rates)."""

    def __init__(
        self, scope: Scope, period: Period, *, today: date, funnel: FunnelReport | None = None
    ):
        self.scope, self.period, self.today = scope, period, today
        self.funnel = funnel or FunnelReport(scope, period, today=today)

    def _calculate(self) -> ForecastResult:
        funnel = self.funnel.calculate()
        members = funnel.members
        pipeline = open_pipeline(in_play(self.scope, self.period, self.today))
        rep_plans = plans.plans_for([m.pk for m in members], today=self.today)
        left = calendar.progress(self.period, self.today).left
        rows = []
        for member in members:
            open_, weighted, commit = pipeline.get(member.pk, (Decimal(0),) * 3)
            rates = rep_plans[member.pk].rates
            forecast = Forecast(
                open_pipeline=open_,
                weighted=weighted,
                commit=commit,
                won=funnel.counts[member.pk].revenue_won,
                quota=funnel.quotas[member.pk].revenue,
                win_rate=rates.win_rate,
            )
            rows.append(ForecastRow(member, forecast, rates, self.period, left))
        return ForecastResult(self.scope, self.period, self.today, members, rep_plans, left, rows)

    # A figure of the result, for a caller that reads one.
    members = Figure()
    rows = Figure("reps")
    by_rep = Figure()
    working_days_left = Figure()
    total = Figure()
    overdue = Figure()
    undated = Figure()
    by_month = Figure()
    history = Figure()


def _deal_json(deal: Opportunity) -> dict:
    return {
        "name": deal.name,
        "rep": deal.owner.email,
        "stage": deal.stage.name,
        "amount": money(deal.amount),
        "expected_close_on": deal.expected_close_on.isoformat() if deal.expected_close_on else None,
    }
