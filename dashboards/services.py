"""Writes of the read side: each rep's plan snapshot, the alerts, and the nightly job that
checks the rollups and writes both. Set-based: a fixed number of queries for any number of
reps, so the whole organisation takes seconds."""

import logging
import time
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities.models import DailyRollup
from activities.rollups import rollups_check
from dashboards import alerts as alert_rules
from dashboards.metrics import FunnelCounts, funnel
from dashboards.models import Alert, AlertKind, ForecastSnapshot, MetricsRun, PlanSnapshot
from dashboards.plans import compute_plans
from dashboards.reports.forecast import ForecastReport
from dashboards.scope import Scope, funnel_counts_by_rep
from quotas import calendar, periods
from quotas import selectors as quota_selectors
from quotas.periods import PeriodKind, trailing_window
from quotas.plan import pace
from users.models import Role, User
from webhooks import services as webhooks
from webhooks.models import Event

logger = logging.getLogger(__name__)

# The nightly job checks the rollups of the last 100 days (every period a page shows by
# default, and the trailing window) and of any older day written since the last run; the
# weekly check (Sunday night) goes through the whole history.
NIGHTLY_CHECK_DAYS = 100


def _active_reps(rep_ids: Iterable[int] | None) -> list[int]:
    reps = User.objects.filter(role=Role.REP, is_active=True)
    if rep_ids is not None:
        reps = reps.filter(pk__in=list(rep_ids))
    return list(reps.order_by("pk").values_list("pk", flat=True))


SNAPSHOT_FIELDS = [
    "period_kind",
    "period_start",
    "period_end",
    "period_label",
    "quota",
    "won",
    "expected",
    "working_days_left",
    "rates",
    "required",
    "per_working_day",
    "unknown_rates",
    "computed_at",
]


def _rates_json(rates) -> dict:
    return {
        name: (str(value) if name == "avg_deal_size" and value is not None else value)
        for name, value in vars(rates).items()
    }


def plans_refresh(*, as_of: date | None = None, rep_ids: Iterable[int] | None = None) -> int:
    """Write today's plan snapshot of every active rep (or of `rep_ids`), in one upsert.
    Running it twice writes the same rows. Returns how many it wrote."""
    as_of = as_of or timezone.localdate()
    ids = _active_reps(rep_ids)
    if not ids:
        return 0
    now = timezone.now()
    rows = []
    for pk, result in compute_plans(ids, as_of).items():
        period, solved = result.period, result.backsolve
        rows.append(
            PlanSnapshot(
                rep_id=pk,
                as_of=as_of,
                period_kind=period.kind if period else "",
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                period_label=period.label if period else "",
                quota=result.pace.quota if result.pace else None,
                won=result.pace.won if result.pace else Decimal(0),
                expected=result.pace.expected if result.pace else None,
                working_days_left=result.working_days_left,
                rates=_rates_json(result.rates),
                required=solved.required if solved else {},
                per_working_day=solved.per_working_day if solved else {},
                unknown_rates=solved.unknown_rates if solved else [],
                computed_at=now,
            )
        )
    with transaction.atomic():
        PlanSnapshot.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["rep", "as_of"],
            update_fields=SNAPSHOT_FIELDS,
        )
    return len(rows)


def alerts_recompute(*, as_of: date | None = None, rep_ids: list[int] | None = None) -> int:
    """Write today's alerts for every active rep, or for `rep_ids` only
    (docs/architecture.md#the-domain-model): below pace on this month's quota, no activity for two
    working days, a calls → meetings rate 30 % below the rep's own trailing 90 days, over 10 % of
    the last 30 days' emails bounced, an email reply rate at half the trailing 90 days' or less.
    Set-based, and idempotent: the day's alerts are upserted and the ones that no longer hold
    removed; a dismissal stays dismissed."""
    as_of = as_of or timezone.localdate()
    reps = User.objects.filter(role=Role.REP, is_active=True).select_related("team")
    if rep_ids is not None:
        reps = reps.filter(pk__in=rep_ids)
    people = list(reps)
    ids = [rep.pk for rep in people]
    scope = Scope.of_reps(ids)
    month = calendar.period_containing(as_of, PeriodKind.MONTH)
    quotas = quota_selectors.quotas_for(ids, month)
    expected = calendar.progress(month, as_of).expected
    this_month = funnel_counts_by_rep(scope, month.start, as_of)
    window = trailing_window(as_of)
    trailing = funnel_counts_by_rep(scope, window.start, window.end)
    last_30_days = funnel_counts_by_rep(scope, as_of - timedelta(days=29), as_of)
    last_logged = _last_logged(ids, as_of)
    lookback = as_of - timedelta(days=60)
    holidays = calendar.holidays_between(lookback, as_of)
    # (rep, kind) → the alert's figures; its words come when it is read.
    found: dict[tuple[int, str], dict] = {}
    for rep in people:
        name = rep.full_name
        now = funnel(this_month.get(rep.pk, FunnelCounts()))
        quota = quotas[rep.pk]
        if quota.known:
            standing = pace(quota.revenue, now.counts.revenue_won, expected)
            if params := alert_rules.below_pace_params(
                name, standing.attainment, expected, month.start
            ):
                found[(rep.pk, AlertKind.BELOW_PACE)] = params
        last = last_logged.get(rep.pk)
        since = max(d for d in (last, rep.joined_on - timedelta(days=1), lookback) if d)
        idle = periods.working_days(since + timedelta(days=1), as_of - timedelta(days=1), holidays)
        if params := alert_rules.no_activity_params(name, last, idle):
            found[(rep.pk, AlertKind.NO_ACTIVITY)] = params
        before = funnel(trailing.get(rep.pk, FunnelCounts()))
        if params := alert_rules.conversion_drop_params(
            name,
            now.call_to_meeting_rate,
            before.call_to_meeting_rate,
            now.counts.calls,
            before.counts.meetings_held,
        ):
            found[(rep.pk, AlertKind.CONVERSION_DROP)] = params
        recent = funnel(last_30_days.get(rep.pk, FunnelCounts()))
        if params := alert_rules.email_bounces_params(
            name, recent.email_bounce_rate, recent.counts.emails
        ):
            found[(rep.pk, AlertKind.EMAIL_BOUNCES)] = params
        if params := alert_rules.reply_drop_params(
            name,
            recent.email_reply_rate,
            before.email_reply_rate,
            recent.delivered_emails,
            before.counts.emails_replied,
        ):
            found[(rep.pk, AlertKind.REPLY_DROP)] = params
    # The message in the site's language, whoever's request runs this
    # (docs/contracts.md#stored-sentences).
    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            Alert(
                rep_id=rep_id,
                kind=kind,
                as_of=as_of,
                params=params,
                message=alert_rules.sentence(kind, params),
            )
            for (rep_id, kind), params in found.items()
        ]
    with transaction.atomic():
        standing = set(
            Alert.objects.filter(as_of=as_of, rep_id__in=ids).values_list("rep_id", "kind")
        )
        alerts = Alert.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["rep", "kind", "as_of"],
            update_fields=["params", "message"],
        )
        _publish_new_alerts(
            [alert for alert in alerts if (alert.rep_id, alert.kind) not in standing],
            {rep.pk: rep for rep in people},
        )
        stale = Alert.objects.filter(as_of=as_of)
        if rep_ids is not None:
            stale = stale.filter(rep_id__in=rep_ids)
        for rep_id, kind in found:
            stale = stale.exclude(rep_id=rep_id, kind=kind)
        stale.delete()
    return len(found)


def _publish_new_alerts(alerts: list[Alert], reps: dict[int, User]) -> None:
    """`alert.created` for each alert the day did not have yet (docs/api.md#webhook-events): a
    recompute that finds the same alert again sends nothing. The receiver has no language of
    its own: `sentence` and `text` are in the site's, the kind and `params` are for programs
    (docs/contracts.md#stored-sentences)."""
    items = []
    with translation.override(settings.LANGUAGE_CODE):
        for alert in alerts:
            rep = reps[alert.rep_id]
            data = {
                "id": alert.pk,
                "kind": alert.kind,
                "as_of": alert.as_of,
                "rep": {"id": rep.pk, "email": rep.email, "name": rep.full_name},
                "team": {"id": rep.team_id, "name": rep.team.name} if rep.team_id else None,
                "params": alert.params,
                "sentence": alert.message,
            }
            items.append((data, gettext("Alert: %(sentence)s") % {"sentence": alert.message}))
    webhooks.publish_many(event=Event.ALERT_CREATED, items=items)


FORECAST_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER)
FORECAST_FIELDS = ["period_end", "open_pipeline", "weighted", "commit", "won", "quota"]


def forecasts_keep(*, as_of: date) -> int:
    """Keep the forecast as it stands today of every rep's month and quarter
    (docs/metrics.md#forecast-and-pipeline-coverage: the nightly job does so each Monday), so that a
    finished period can show forecast against what was won. Upserted: running it twice on a day
    writes the same rows; a later change (a stage's probability edited, say) rewrites no week
    already kept."""
    rows = []
    for kind in FORECAST_KINDS:
        period = calendar.period_containing(as_of, kind)
        for row in ForecastReport(Scope.organisation(), period, today=as_of).calculate().reps:
            f = row.forecast
            rows.append(
                ForecastSnapshot(
                    rep_id=row.member.pk,
                    period_kind=kind,
                    period_start=period.start,
                    period_end=period.end,
                    as_of=as_of,
                    open_pipeline=f.open_pipeline,
                    weighted=f.weighted,
                    commit=f.commit,
                    won=f.won,
                    quota=f.quota,
                )
            )
    with transaction.atomic():
        ForecastSnapshot.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["rep", "period_kind", "period_start", "as_of"],
            update_fields=FORECAST_FIELDS,
        )
    return len(rows)


class _QueryCounter:
    """Counts the SQL statements run inside `connection.execute_wrapper(counter)`, so the
    nightly run records its queries (docs/operations.md) without the test framework."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def nightly_recompute(*, as_of: date | None = None) -> MetricsRun:
    """The nightly job: check the rollups, then write every rep's plan and the day's
    alerts (and on Mondays keep the week's forecast), each step whole or not at all
    (running it again finishes the job)."""
    as_of = as_of or timezone.localdate()
    run = MetricsRun.objects.create(as_of=as_of, started_at=timezone.now())
    started = time.perf_counter()
    last_run = MetricsRun.objects.exclude(pk=run.pk).order_by("-started_at").first()
    queries = _QueryCounter()
    with connection.execute_wrapper(queries):
        # The first run ever checks the whole history.
        run.rollup_drift = rollups_check(
            start=as_of - timedelta(days=NIGHTLY_CHECK_DAYS) if last_run else None,
            written_since=last_run.started_at if last_run else None,
        )
        run.snapshots = plans_refresh(as_of=as_of)
        alerts_recompute(as_of=as_of)
        if as_of.weekday() == 0:  # Mondays: keep the week's forecast
            run.forecasts = forecasts_keep(as_of=as_of)
    run.finished_at = timezone.now()
    run.duration_ms = round((time.perf_counter() - started) * 1000)
    run.queries = queries.count
    run.save(update_fields=["finished_at", "duration_ms", "snapshots", "queries", "rollup_drift"])
    return run


def alert_dismiss(*, by: User, alert: Alert) -> Alert:
    alert.dismissed_at = timezone.now()
    alert.dismissed_by = by
    alert.save(update_fields=["dismissed_at", "dismissed_by"])
    return alert


def _last_logged(rep_ids: list[int], before: date) -> dict[int, date]:
    """Each rep's last day with any activity before `before`, from the rollups."""
    rows = (
        DailyRollup.objects.filter(rep_id__in=rep_ids, day__lt=before)
        .order_by()
        .values("rep_id")
        .annotate(last=Max("day"))
        .values_list("rep_id", "last")
    )
    return dict(rows)
