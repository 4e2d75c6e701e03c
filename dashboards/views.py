from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exports import csv_response
from core.http import id_or_404, render_page
from dashboards import selectors
from dashboards import services as alert_services
from dashboards.forms import (
    RATE_FIELDS,
    DashboardPeriodForm,
    WhatIfForm,
    rate_text,
)
from dashboards.models import Alert
from dashboards.reports.alerts import AlertsReport
from dashboards.reports.charts import ChartsReport
from dashboards.reports.forecast import ForecastReport, rep_forecast
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.reports.plan import done_on
from dashboards.reports.team import TeamPage, team_table_sort
from dashboards.scope import Scope
from quotas.forecast import need_pace
from users.access import role_required
from users.models import Role
from users.selectors import reps_readable_by, reps_visible_to


@role_required(Role.MANAGER, Role.ADMIN)
def team_dashboard(request):
    """A manager's home: one team's funnel, trends and reps for a period — the reps who
    were in the team then, each for their days in it — and this month's pace per rep.
    Every figure comes from the same report as `report funnel`."""
    teams = list(selectors.teams_with_rep_counts(request.user))
    today = timezone.localdate()
    if not teams:
        return render(request, "dashboards/team.html", {"teams": teams})
    team = teams[0]
    if request.GET.get("team"):
        team = next((t for t in teams if t.pk == id_or_404(request.GET["team"])), None)
        if team is None:
            raise Http404("No such team.")
    picker = DashboardPeriodForm(request.GET or None)
    sort = team_table_sort(request.GET.get("sort"))
    page = TeamPage(request.user, team, picker.period(today), today, sort=sort)
    if (download := page.download(request.GET)) is not None:
        return csv_response(*download)
    if request.GET.get("part") == "forecast" and request.htmx:
        return render(request, "dashboards/team.html#forecast", _forecast_context(page.forecast))
    context = {
        **_forecast_context(page.forecast, loaded=request.GET.get("part") == "forecast"),
        "teams": teams,
        "team": team,
        "picker": picker,
        "period": page.period,
        "report": page.funnel,
        "rows": page.rep_rows,
        "sort": sort,
        "charts": page.charts.figures,
        "plans": page.plans.reps,
        "engagement": page.engagement,
        "alerts": page.alerts,
        "unassigned": page.unassigned,
        "headings": page.headings,
        "sort_param": request.GET.get("sort") and sort.param,
    }
    return render_page(request, "dashboards/team.html", context, partial="body")


def _forecast_context(report: ForecastReport, *, loaded=True) -> dict:
    """The forecast section: worked out in full when `loaded` (its htmx request, or a page
    asked for with part=forecast); otherwise the page shows a placeholder that loads it,
    so the dashboard itself stays fast."""
    if not loaded:
        return {"forecast": report, "forecast_loaded": False, "show_reps": True}
    forecast = report.calculate()
    return {
        "forecast": forecast,
        "forecast_loaded": True,
        "show_reps": True,
        "forecast_charts": forecast.figures,
        "forecast_gap": _gap_steps(forecast.total.gap_plan),
    }


GAP_STEPS = ("opportunities", "meetings_held", "calls")  # dashboards/_gap_step.html words them


def _gap_steps(plan) -> dict | None:
    """What the revenue the pipeline does not cover takes, in the words of the forecast's
    warning: each known count with how often it must happen over the working days left
    (docs/metrics.md#what-the-forecast-says), and the rates that are not known."""
    solved = plan.backsolve if plan else None
    if solved is None:
        return None
    steps = [
        (key, need_pace(solved.required[key], plan.working_days_left))
        for key in GAP_STEPS
        if solved.required.get(key)
    ]
    return {"steps": steps, "unknown": [RATE_LABELS.get(n, n) for n in solved.unknown_rates]}


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def rep_detail(request, pk):
    """One rep's dashboard: the same charts, their daily targets against today's activity,
    recent activity and open opportunities. Reps see their own; a manager any rep who was
    ever in their teams, counted for the days they were (docs/metrics.md#scope-over-time);
    today's targets only of the reps in their teams now."""
    rep = get_object_or_404(reps_readable_by(request.user).select_related("team"), pk=pk)
    today = timezone.localdate()
    picker = DashboardPeriodForm(request.GET or None)
    period = picker.period(today)
    scope = selectors.rep_page_scope(request.user, rep)
    current = selectors.acts_for_today(request.user, rep, scope)
    funnel = FunnelReport(scope, period, today=today)
    forecast = ForecastReport(scope, period, today=today, funnel=funnel)
    plan = selectors.plan_for(rep, today=today)
    done = done_on([rep.pk], today)[rep.pk]
    daily_target = (
        plan.backsolve.per_working_day.get("calls") if current and plan.backsolve else None
    )
    if request.GET.get("format") == "csv" and request.GET.get("table") == "forecast":
        name = f"{rep.full_name}-{period.label}-forecast.csv".replace(" ", "-")
        return csv_response(name, *forecast.calculate().rows())
    charts = ChartsReport(funnel, daily_target=daily_target).calculate()
    if request.GET.get("format") == "csv" and request.GET.get("chart") in charts:
        return _chart_csv(request.GET["chart"], charts, f"{rep.full_name}-{period.label}")
    report = funnel.calculate()
    context = {
        **_forecast_context(forecast),
        "show_reps": False,
        "subject": rep,
        "picker": picker,
        "period": period,
        "report": report,
        "pace": report.paces.get(rep.pk),
        "member": next((m for m in report.members if m.pk == rep.pk), None),
        "current": current,
        "plan": plan,
        "rows": _plan_rows(plan, done),
        "charts": charts.figures,
        "recent": selectors.recent_activity(request.user, rep),
        "open_deals": selectors.open_opportunities(request.user, rep),
    }
    return render_page(request, "dashboards/rep.html", context, partial="body")


def _chart_csv(chart_id, charts, name):
    header, rows = charts.rows(chart_id)
    filename = f"{name}-{chart_id.removeprefix('chart-')}.csv".replace(" ", "-")
    return csv_response(filename, header, rows)


@require_POST
@role_required(Role.MANAGER, Role.ADMIN)
def alert_dismiss(request, pk):
    """A manager has seen to an alert about one of their reps."""
    reps = reps_visible_to(request.user)
    alert = get_object_or_404(Alert, pk=pk, rep__in=reps.values("pk"))
    alert_services.alert_dismiss(by=request.user, alert=alert)
    if request.htmx:
        return HttpResponse("")
    return redirect("dashboards:team")


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def leaderboard(request):
    """Outcomes first (revenue, attainment, won deals, win rate), activity second; the
    viewer's own row highlighted. Same ranking and rows as `report leaderboard`."""
    teams = list(selectors.teams_with_rep_counts(request.user))
    team = None
    if request.GET.get("team"):
        team = next((t for t in teams if t.pk == id_or_404(request.GET["team"])), None)
        if team is None:
            raise Http404("No such team.")
    picker = DashboardPeriodForm(request.GET or None)
    today = timezone.localdate()
    period = picker.period(today)
    scope = selectors.leaderboard_scope(request.user, team)
    board = LeaderboardReport(scope, period, today=today).calculate()
    if request.GET.get("format") == "csv":
        return csv_response(f"leaderboard-{period.label}.csv", *board.rows())
    context = {
        "teams": teams,
        "team": team,
        "picker": picker,
        "period": period,
        "standings": board.standings,
    }
    return render_page(request, "dashboards/leaderboard.html", context, partial="board")


# A rep's daily targets and the what-if ---------------------------------------------------------

PLAN_ROWS = [
    ("calls", "Calls"),
    ("emails", "Emails"),
    ("messages", "Messages"),
    ("meetings_held", "Meetings held"),
    ("opportunities", "Opportunities"),
]


RATE_LABELS = {
    "avg_deal_size": "average deal size",
    "win_rate": "win rate",
    "meeting_to_opportunity_rate": "meetings → opportunities rate",
    "call_to_meeting_rate": "calls → meetings rate",
    "emails_per_meeting": "emails per meeting",
    "messages_per_meeting": "messages per meeting",
}


def _plan_rows(plan, done):
    """(label, done today, needed today, percent for the bar) for each activity."""
    if plan.backsolve is None:
        return []
    rows = []
    for key, label in PLAN_ROWS:
        needed = plan.backsolve.per_working_day.get(key)
        done_today = done.get(key, 0)
        bar = None if not needed else min(100, round(100 * done_today / needed))
        rows.append((label, done_today, needed, bar))
    return rows


@role_required(Role.REP)
def my_targets(request):
    """Today's targets on My day (loaded there with htmx, refreshed after each log): the
    plan from the rep's snapshot, against what today's rollup says they did."""
    today = timezone.localdate()
    plan = selectors.plan_for(request.user, today=today)
    done = done_on([request.user.pk], today)[request.user.pk]
    unknown = plan.backsolve.unknown_rates if plan.backsolve else []
    last_day, last_totals = selectors.last_working_day_totals(request.user, today=today)
    context = {
        "plan": plan,
        "last_day": last_day,
        "last_totals": last_totals,
        "alerts": AlertsReport(Scope.of_rep(request.user)).calculate(),
        "rows": _plan_rows(plan, done),
        "unknown": [RATE_LABELS.get(name, name) for name in unknown],
        "forecast": rep_forecast(request.user, plan, today=today),
    }
    return render_page(request, "dashboards/my_targets.html", context, partial="targets")


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def what_if(request):
    """Change any rate or the target and see the daily activity it takes, beside the current
    plan. A rep plans for themselves; managers for their teams' reps; admins for anyone."""
    reps = reps_visible_to(request.user).filter(is_active=True).order_by("full_name")
    rep_id = request.GET.get("rep") or (request.user.pk if request.user.role == Role.REP else None)
    rep = get_object_or_404(reps, pk=id_or_404(rep_id)) if rep_id else None
    if rep is None:
        return render(request, "dashboards/what_if.html", {"reps": reps, "rep": None})
    today = timezone.localdate()
    plan = selectors.plan_for(rep, today=today)
    current = {
        "target_revenue": plan.remaining,
        "avg_deal_size": plan.rates.avg_deal_size,
        **{name: rate_text(getattr(plan.rates, name)) for name in RATE_FIELDS},
        "emails_per_meeting": _per_meeting_text(plan.rates.emails_per_meeting),
        "messages_per_meeting": _per_meeting_text(plan.rates.messages_per_meeting),
        "working_days": plan.working_days_left or None,
    }
    has_input = any(key in request.GET for key in WhatIfForm.base_fields)
    form = WhatIfForm(
        request.GET if has_input else None,
        initial=current,
        exact_rates={name: getattr(plan.rates, name) for name in RATE_FIELDS},
    )
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = selectors.what_if(
            plan,
            rates={
                "win_rate": data["win_rate"],
                "meeting_to_opportunity_rate": data["meeting_to_opportunity_rate"],
                "call_to_meeting_rate": data["call_to_meeting_rate"],
                "emails_per_meeting": _float_or_none(data["emails_per_meeting"]),
                "messages_per_meeting": _float_or_none(data["messages_per_meeting"]),
                "avg_deal_size": data["avg_deal_size"],
            },
            target_revenue=data["target_revenue"],
            target_deals=data["target_deals"],
            working_days=data["working_days"],
        )
    current_days = plan.backsolve.per_working_day if plan.backsolve else {}
    comparison = [
        (
            label,
            current_days.get(step),
            result.per_working_day.get(step) if result else None,
            result.required.get(step) if result else None,
        )
        for step, label in STEP_LABELS
    ]
    # Ask for every rate the plan cannot know, all at once, next to its field.
    unknown = selectors.unknown_rates(plan, result)
    for name in unknown:
        if name in form.fields:
            form.fields[name].help_text = "Not known from the last 90 days: type a value."
    context = {
        "reps": reps if request.user.role != Role.REP else None,
        "rep": rep,
        "plan": plan,
        "form": form,
        "result": result,
        "comparison": comparison,
        "unknown": [RATE_LABELS.get(n, n) for n in unknown],
    }
    return render_page(request, "dashboards/what_if.html", context, partial="result")


STEP_LABELS = [
    ("deals", "Deals"),
    ("opportunities", "Opportunities"),
    ("meetings_held", "Meetings held"),
    ("calls", "Calls"),
    ("emails", "Emails"),
    ("messages", "Messages"),
]


def _per_meeting_text(volume):
    return None if volume is None else f"{volume:.3f}".rstrip("0").rstrip(".")


def _float_or_none(value):
    return None if value is None else float(value)
