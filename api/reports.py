"""/api/v1/reports/<name>: the JSON of `manage.py report <name> --format json` for the same
--period/--team/--rep, from the same function (dashboards.reports.by_name), for what the
caller may see on the pages (docs/api.md#reports)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from api.auth import caller
from api.errors import Forbidden, Invalid
from api.schemas import READ_ERRORS
from dashboards.reports.by_name import report_json, report_period
from dashboards.selectors import ReportOutOfScope, report_scope
from quotas.periods import PeriodError
from users.models import Role, Team, User, canonical_email

router = Router(tags=["reports"])


class ScopeQuery(Schema):
    team: str | None = Field(default=None, max_length=100, description="A team's name.")
    rep: str | None = Field(default=None, max_length=254, description="A rep's email.")


class PeriodQuery(ScopeQuery):
    period: str | None = Field(
        default=None,
        max_length=20,
        description="2026-11, 2026-Q3 or 2026-W45; default: this month.",
    )


def _answer(request, name: str, query: ScopeQuery, period_text: str | None):
    viewer = caller(request).user
    today = timezone.localdate()
    try:
        period = report_period(period_text, today=today)
    except PeriodError as error:
        raise Invalid([{"field": "period", "message": str(error)}]) from None
    team = rep = None
    if query.team:
        team = Team.objects.filter(name__iexact=query.team.strip()).first()
        if team is None:
            raise Http404
    if query.rep:
        if name == "leaderboard":
            raise Invalid(
                [{"field": "rep", "message": _("The leaderboard ranks a team or everyone.")}]
            )
        rep = User.objects.filter(email=canonical_email(query.rep), role=Role.REP).first()
        if rep is None:
            raise Http404
    try:
        scope = report_scope(viewer, name, team=team, rep=rep)
    except ReportOutOfScope as refusal:
        if not refusal.visible:
            raise Http404 from None
        raise Forbidden(_("Your role does not read this report for a team.")) from None
    return report_json(name, scope, period, today=today)


RESPONSES = {200: dict, **READ_ERRORS, 422: READ_ERRORS[400]}


@router.get("/reports/funnel", response=RESPONSES)
def funnel(request, query: Query[PeriodQuery]):
    """Every metric of docs/metrics.md for each rep and in total."""
    return _answer(request, "funnel", query, query.period)


@router.get("/reports/leaderboard", response=RESPONSES)
def leaderboard(request, query: Query[PeriodQuery]):
    return _answer(request, "leaderboard", query, query.period)


@router.get("/reports/forecast", response=RESPONSES)
def forecast(request, query: Query[PeriodQuery]):
    return _answer(request, "forecast", query, query.period)


@router.get("/reports/plan", response=RESPONSES)
def plan(request, query: Query[ScopeQuery]):
    """Today's plan of each rep (a plan is for today: no period)."""
    return _answer(request, "plan", query, None)
