"""A service's message with values keeps its message id when stored (an import's row error,
core.reasons.reasons_of): its values are params, a day is stored as an ISO date and written
as the reader writes dates, and a choice's label inside a sentence ("a call") is said in
the reader's language (docs/i18n.md#stored-sentences). English reads as before."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from activities import services
from activities.models import Kind, Outcome, ProspectStatus
from core.reasons import Day, reasons_of, said
from imports.framework import run_import
from tests.factories import ActivityFactory
from tests.import_files import ACTIVITY_HEADER, activity_line, csv_bytes
from users import services as user_services

EN, ES, ZH = "en-gb", "es", "zh-hans"


def _stored(error: ValidationError) -> dict:
    """The reasons as an import stores them, after a round trip through JSON's types."""
    return {column: reason.to_json() for column, reason in reasons_of(error)}


def _said_in(language: str, stored: dict) -> str:
    with translation.override(language):
        return said(stored)


@pytest.fixture
def _monday_7_december(freeze_time):
    freeze_time(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # the window starts on 30 November


@pytest.mark.usefixtures("_monday_7_december")
def test_the_edit_windows_day_is_stored_as_a_date_and_read_in_the_readers_words(rep):
    with translation.override(EN), pytest.raises(ValidationError) as raised:
        services.activity_log(
            by=rep,
            rep=rep,
            date=date(2026, 11, 20),
            kind=Kind.CALL,
            outcome=Outcome.CONNECTED,
            prospect_status=ProspectStatus.NEW,
        )
    stored = _stored(raised.value)
    assert stored["date"]["message"].startswith("Activity dated before %(start)s is locked")
    assert stored["date"]["params"] == {"start": {"date": "2026-11-30", "pattern": "j F Y"}}
    assert _said_in(EN, stored["date"]).startswith(
        "Activity dated before 30 November 2026 is locked: reps log, move and change activity"
    )
    assert _said_in(ES, stored["date"]).startswith(
        "La actividad con fecha anterior al 30 de noviembre de 2026 está bloqueada: los vendedores"
    )
    assert _said_in(ZH, stored["date"]).startswith(
        "2026年11月30日之前的活动已锁定：销售代表可记录、移动和修改从该日起的活动。"
    )


@pytest.mark.usefixtures("_monday_7_december")
def test_a_form_says_the_edit_windows_day_in_its_readers_words(rep):
    # A page's request raises the error in its reader's language: the day is written so too.
    old = ActivityFactory(rep=rep, date=date(2026, 11, 20))
    for language, words in {
        EN: "Activity dated before 30 November 2026 is locked",
        ES: "La actividad con fecha anterior al 30 de noviembre de 2026 está bloqueada",
        ZH: "2026年11月30日之前的活动已锁定",
    }.items():
        with translation.override(language), pytest.raises(ValidationError) as raised:
            services.activity_delete(by=rep, activity=old)
        with translation.override(language):
            assert " ".join(raised.value.messages).startswith(words), language


def test_the_reasons_length_limit_keeps_its_numbers_as_values(manager, rep):
    old = ActivityFactory(rep=rep, date=date(2024, 3, 1))
    with translation.override(EN), pytest.raises(ValidationError) as raised:
        services.activity_update(by=manager, activity=old, quantity=2, reason="x" * 120)
    stored = _stored(raised.value)
    assert stored["reason"] == {
        "message": "Keep the reason to %(limit)d characters (it has %(length)d).",
        "params": {"limit": 100, "length": 120},
    }
    assert _said_in(EN, stored["reason"]) == "Keep the reason to 100 characters (it has 120)."
    assert _said_in(ES, stored["reason"]) == (
        "El motivo puede tener como máximo 100 caracteres (tiene 120)."
    )
    assert _said_in(ZH, stored["reason"]) == "原因请控制在100个字符以内（当前为120个）。"


def test_an_activity_kind_inside_an_imports_error_is_said_in_the_readers_language(rep):
    data = csv_bytes(ACTIVITY_HEADER, activity_line(kind="meeting", outcome="connected"))
    report = run_import("activities", data, by=None)
    [error] = report.errors
    assert error["column"] == "outcome"
    assert error["params"]["kind"] == {"message": "Meeting", "lower": True}
    said_in = {
        EN: "line 2, column outcome: “connected” is not an outcome of a meeting: use one of ",
        ES: "línea 2, columna outcome: «connected» no es un resultado del tipo «cita»: "
        "usa uno de estos: ",
        ZH: "第2行，第outcome列：“connected”不是会面的结果：请使用以下之一：",
    }
    for language, words in said_in.items():
        with translation.override(language):
            [message] = report.messages
            assert message.startswith(words), (language, message)


def test_a_users_service_keeps_its_message_id_and_its_iso_day(admin, rep, other_team):
    # The day a rep joined reads as ISO in every language, as it always has.
    with translation.override(EN), pytest.raises(ValidationError) as raised:
        user_services.user_update(
            by=admin, user=rep, team=other_team, effective_on=date(2023, 12, 31)
        )
    stored = _stored(raised.value)
    assert stored["effective_on"] == {
        "message": "%(user)s joined on %(day)s; pick that day or later.",
        "params": {"user": "Ana García", "day": "2024-01-01"},
    }
    assert _said_in(EN, stored["effective_on"]) == (
        "Ana García joined on 2024-01-01; pick that day or later."
    )
    assert _said_in(ES, stored["effective_on"]) == (
        "Ana García se incorporó el 2024-01-01; elige ese día o uno posterior."
    )
    assert _said_in(ZH, stored["effective_on"]) == (
        "Ana García于2024-01-01加入；请选择该日期或之后的日期。"
    )


def test_a_day_keeps_its_pattern_through_a_copy_and_is_said_in_the_readers_words():
    import copy
    import pickle

    day = Day(date(2026, 11, 30), "j F Y")
    for kept in (copy.deepcopy(day), pickle.loads(pickle.dumps(day))):
        assert (kept, kept.pattern) == (day, "j F Y")
    assert f"{day:%Y-%m-%d}" == "2026-11-30"
    said_in = {EN: "30 November 2026", ES: "30 de noviembre de 2026", ZH: "2026年11月30日"}
    for language, words in said_in.items():
        with translation.override(language):
            assert str(day) == words
            assert said(day.to_json()) == words
    with translation.override(ES):
        assert str(Day(date(2026, 11, 30))) == "30 nov 2026"  # "j M Y" unless told
