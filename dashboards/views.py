from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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
from dashboards.reports.forecast import rep_forecast
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.reports.plan import done_on
from dashboards.reports.rep import RepPage, plan_rows
from dashboards.reports.sections import RATE_LABELS, REP_SECTIONS, TEAM_SECTIONS, section_named
from dashboards.reports.team import TeamPage, team_table_sort
from dashboards.scope import Scope
from users.access import role_required
from users.models import Role
from users.selectors import reps_readable_by, reps_visible_to


@role_required(Role.MANAGER, Role.ADMIN)
def team_dashboard(request):
    """A manager's home: one team for a period — the reps who were in the team then, each
    for their days in it. The first screen answers "are we on track and who needs help";
    every other section (`?section=`, chosen in dashboards/reports/sections.py) is loaded
    when its tab is opened. Every figure comes from the same report as `report funnel`."""
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
    section = section_named(TEAM_SECTIONS, request.GET.get("section"))
    page = TeamPage(request.user, team, picker.period(today), today, sort=sort, section=section)
    if (download := page.download(request.GET)) is not None:
        return csv_response(*download)
    context = {
        "page": page,
        "teams": teams,
        "team": team,
        "picker": picker,
        "period": page.period,
        "report": page.funnel,
        "rows": page.rep_rows,
        "headings": page.headings,
        "sort": sort,
        "sort_param": request.GET.get("sort") and sort.param,
        "forecast": page.forecast,
        "charts": page.figures,
    }
    return render(request, _page_template(request, "dashboards/team.html"), context)


def _page_template(request, template: str) -> str:
    """A tab's htmx request gets the open section (`#section`, its panel and the tab bar),
    the period picker's and the sort links' the page's body (`#body`), and anything else —
    a link, a reload, htmx restoring its history — the whole page with that tab open."""
    if not request.htmx or request.htmx.history_restore_request:
        return template
    return f"{template}#{'section' if request.htmx.target == SECTIONS else 'body'}"


SECTIONS = "sections"  # the id of the tab bar and panel a tab's hx-target names


@role_required(Role.REP, Role.MANAGER, Role.ADMIN)
def rep_detail(request, pk):
    """One rep's dashboard: their pace, forecast line, alerts and today's targets against
    their activity first; the charts, activity and pipeline in sections loaded on demand.
    Reps see their own; a manager any rep who was ever in their teams, counted for the
    days they were (docs/metrics.md#scope-over-time); today's targets only of the reps in
    their teams now."""
    rep = get_object_or_404(reps_readable_by(request.user).select_related("team"), pk=pk)
    today = timezone.localdate()
    picker = DashboardPeriodForm(request.GET or None)
    section = section_named(REP_SECTIONS, request.GET.get("section"))
    page = RepPage(request.user, rep, picker.period(today), today, section=section)
    if (download := page.download(request.GET)) is not None:
        return csv_response(*download)
    context = {
        "page": page,
        "subject": rep,
        "picker": picker,
        "period": page.period,
        "report": page.funnel,
        "forecast": page.forecast,
        "charts": page.figures,
    }
    return render(request, _page_template(request, "dashboards/rep.html"), context)


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
        "rows": plan_rows(plan, done),
        "unknown": [RATE_LABELS.get(name, name) for name in unknown],
        "forecast": rep_forecast(request.user, plan, today=today),
        "week": selectors.week_pace(request.user, today=today),
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
            form.fields[name].help_text = gettext("Not known from the last 90 days: type a value.")
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
    ("deals", _("Deals")),
    ("opportunities", _("Opportunities")),
    ("meetings_held", _("Meetings held")),
    ("calls", _("Calls")),
    ("emails", _("Emails")),
    ("messages", _("Messages")),
]


def _per_meeting_text(volume):
    return None if volume is None else f"{volume:.3f}".rstrip("0").rstrip(".")


def _float_or_none(value):
    return None if value is None else float(value)
