"""Alerts store their kind and figures and are put into words when read, in the reader's
language (docs/contracts.md#stored-sentences): an alert written in English last night
reads in Spanish today."""

import importlib
import json
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.utils import translation

from dashboards import alerts, services
from dashboards.models import Alert, AlertKind
from quotas.models import Quota
from tests.factories import ActivityFactory, AlertFactory, EndpointFactory, RepFactory
from webhooks.models import Delivery, Event

MONDAY = date(2026, 11, 16)
migration = importlib.import_module("dashboards.migrations.0006_alert_params")


@pytest.fixture
def idle_rep(team):
    """Idle since Wednesday 11 November and behind on November's quota: two alerts."""
    rep = RepFactory(team=team, full_name="Diego Torres", joined_on=date(2026, 1, 1))
    ActivityFactory(rep=rep, date=date(2026, 11, 11), quantity=5)
    Quota.objects.create(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        period_label="2026-11",
        revenue_quota=Decimal("50000"),
    )
    return rep


@pytest.fixture
def tagged_catalogue(monkeypatch):
    """A stand-in Spanish catalogue (the project's are empty yet): every sentence looked up
    while Spanish is active comes back tagged, so a test sees that the words were looked up
    in the reader's language when read, not kept from when they were written."""

    def tagged(text):
        return f"[es] {text}" if translation.get_language() == "es" else text

    monkeypatch.setattr(alerts, "gettext", tagged)
    monkeypatch.setattr(alerts, "ngettext", lambda one, many, n: tagged(one if n == 1 else many))


def test_the_nightly_job_stores_the_kind_and_figures(idle_rep):
    services.alerts_recompute(as_of=MONDAY)
    idle = Alert.objects.get(kind=AlertKind.NO_ACTIVITY)
    assert idle.params == {"name": "Diego Torres", "idle_days": 2, "last_logged": "2026-11-11"}
    behind = Alert.objects.get(kind=AlertKind.BELOW_PACE)
    assert behind.params["month"] == "2026-11-01"
    assert behind.params["attainment"] == 0.0
    # The message kept for files and the API is the sentence in the site's language.
    assert idle.message == idle.sentence
    assert behind.message == "Diego Torres is at 0\u00a0% of quota with 52\u00a0% of November gone."


def test_an_alert_written_in_english_reads_in_spanish_today(idle_rep, tagged_catalogue):
    services.alerts_recompute(as_of=MONDAY)  # last night, in English
    idle = Alert.objects.get(kind=AlertKind.NO_ACTIVITY)
    behind = Alert.objects.get(kind=AlertKind.BELOW_PACE)
    english = "Diego Torres has logged no activity for 2 working days (since Wed 11 Nov)."
    assert idle.message == english
    with translation.override("es"):
        read = Alert.objects.get(pk=idle.pk).sentence
        # The sentence is looked up now, and the date written with Django's Spanish names.
        assert read == (
            "[es] Diego Torres has logged no activity for 2 working days (since mié 11 Nov)."
        )
        assert "noviembre" in Alert.objects.get(pk=behind.pk).sentence
    assert Alert.objects.get(pk=idle.pk).sentence == english  # and in English again


def test_the_sentence_follows_the_figures_not_the_stored_message(team):
    alert = AlertFactory(
        kind=AlertKind.NO_ACTIVITY,
        params={"name": "Ana García", "idle_days": 4, "last_logged": None},
        message="Ana García has logged no activity for 2 working days (yet).",
    )
    assert alert.sentence == "Ana García has logged no activity for 4 working days (yet)."
    alert.params["idle_days"] = 5
    assert alert.sentence == "Ana García has logged no activity for 5 working days (yet)."
    assert str(alert) == alert.sentence


def test_a_row_without_figures_reads_its_stored_message(db):
    alert = AlertFactory(params={}, message="No activity for 2 working days.")
    with translation.override("es"):
        assert alert.sentence == "No activity for 2 working days."


def test_a_refresh_in_a_spanish_request_still_stores_the_sites_language(idle_rep, tagged_catalogue):
    """A backfill by a rep reading Spanish refreshes alerts inside their request: the stored
    message (and the webhook) stays in the site's language; pages put it into words again."""
    hook = EndpointFactory(url="https://hooks.example.com/all")
    with translation.override("es"):
        services.alerts_recompute(as_of=MONDAY)
    idle = Alert.objects.get(kind=AlertKind.NO_ACTIVITY)
    english = "Diego Torres has logged no activity for 2 working days (since Wed 11 Nov)."
    assert idle.message == english
    bodies = [
        json.loads(d.payload)
        for d in Delivery.objects.filter(endpoint=hook, event=Event.ALERT_CREATED)
    ]
    [body] = [b for b in bodies if b["data"]["kind"] == AlertKind.NO_ACTIVITY]
    assert body["text"] == f"Alert: {english}"
    assert body["data"]["sentence"] == english
    assert body["data"]["params"] == idle.params


def test_the_alerts_card_renders_in_the_readers_language(idle_rep, tagged_catalogue):
    services.alerts_recompute(as_of=MONDAY)
    shown = list(Alert.objects.order_by("kind"))
    html = render_to_string("dashboards/_alerts.html", {"alerts": shown, "can_dismiss": False})
    assert "(since Wed 11 Nov)." in html
    with translation.override("es"):
        html = render_to_string("dashboards/_alerts.html", {"alerts": shown, "can_dismiss": False})
    assert "[es] Diego Torres has logged no activity" in html
    assert "(since mié 11 Nov)." in html
    assert "Wed 11 Nov" not in html


def test_the_reports_json_carries_the_kind_figures_and_message(idle_rep):
    from dashboards.reports.alerts import AlertsReport
    from dashboards.scope import Scope

    services.alerts_recompute(as_of=MONDAY)
    with translation.override("es"):
        data = AlertsReport(Scope.organisation()).calculate().as_json()
    idle = next(a for a in data["alerts"] if a["kind"] == AlertKind.NO_ACTIVITY)
    assert idle == {
        "as_of": "2026-11-16",
        "rep": idle_rep.email,
        "kind": "no_activity",
        "params": {"name": "Diego Torres", "idle_days": 2, "last_logged": "2026-11-11"},
        "message": "Diego Torres has logged no activity for 2 working days (since Wed 11 Nov).",
    }


# The data migration: the figures of the alerts written before, read back out of their
# English sentence (written then with a plain space before "%"; said again now with a
# no-break one, docs/i18n.md#numbers-and-dates).


def _said_now(legacy: str) -> str:
    return legacy.replace(" %", "\u00a0%")


LEGACY = [
    (AlertKind.BELOW_PACE, "Ana García is at 41 % of quota with 60 % of November gone."),
    (AlertKind.BELOW_PACE, "Luis is at 12 % of quota with 62 % of 2026-Q4 gone."),
    (
        AlertKind.NO_ACTIVITY,
        "Diego Torres has logged no activity for 2 working days (since Wed 11 Nov).",
    ),
    (AlertKind.NO_ACTIVITY, "Ana has logged no activity for 3 working days (yet)."),
    (
        AlertKind.CONVERSION_DROP,
        "Ana's calls → meetings rate fell to 6.2 % from 12.5 % over the last 90 days.",
    ),
    (
        AlertKind.EMAIL_BOUNCES,
        "20.0 % of Ana García's 40 emails of the last 30 days bounced: "
        "check the list they come from.",
    ),
    (
        AlertKind.REPLY_DROP,
        "Ana García's email reply rate fell to 3.1 % over the last 30 days, "
        "from 15.9 % over the last 90.",
    ),
]


@pytest.mark.parametrize(("kind", "message"), LEGACY)
def test_the_migration_reads_each_kinds_figures_back(kind, message):
    params = migration.params_from_message(kind, message, MONDAY)
    assert params is not None
    assert alerts.sentence(kind, params) == _said_now(message)  # the same words again


def test_the_migration_fills_the_figures_of_legacy_rows(db, tagged_catalogue):
    # One rep each: one alert per rep, kind and day.
    legacy = [
        AlertFactory(kind=kind, as_of=MONDAY, message=message, params={})
        for kind, message in LEGACY
    ]
    behind = legacy[0]
    odd = AlertFactory(kind=AlertKind.NO_ACTIVITY, message="Someone said something.", params={})
    migration.fill_params(apps, None)
    behind.refresh_from_db()
    assert behind.params == {
        "name": "Ana García",
        "attainment": 0.41,
        "expected": 0.6,
        "month": "2026-11-01",
    }
    for alert in legacy:
        alert.refresh_from_db()
        assert alert.params
        assert alert.sentence == _said_now(alert.message)
    idle = Alert.objects.get(pk=legacy[2].pk)
    assert idle.params == {"name": "Diego Torres", "idle_days": 2, "last_logged": "2026-11-11"}
    with translation.override("es"):
        assert "noviembre" in Alert.objects.get(pk=behind.pk).sentence
    odd.refresh_from_db()
    assert odd.params == {}
    assert odd.sentence == "Someone said something."


def test_a_legacy_date_across_new_year_is_last_years():
    params = migration.params_from_message(
        AlertKind.NO_ACTIVITY,
        "Ana has logged no activity for 3 working days (since Wed 30 Dec).",
        date(2027, 1, 4),
    )
    assert params["last_logged"] == "2026-12-30"
    assert (
        migration.params_from_message(
            AlertKind.NO_ACTIVITY,
            "Ana has logged no activity for 3 working days (since Thu 30 Dec).",  # no such day
            date(2027, 1, 4),
        )
        is None
    )
