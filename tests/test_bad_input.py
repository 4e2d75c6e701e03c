"""The bad-input corpus (issue #8, docs/operations.md#security-notes): every form and every import
type is fed bad values — negative, zero, huge, future and ancient dates, a wrong outcome for the
kind, an unknown person, markup, spreadsheet formulas, control characters, wrong encoding, a
duplicate header, an empty file, a file over the limit. Each answer names the problem, and
not one row of the application's tables changes.

Each form case starts from a payload that is valid (a test below proves it saves) and spoils
one or two fields, so that the error asserted is the one the bad value caused.
"""

import csv
import html
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from activities.models import Activity
from pipeline.models import Prospect
from tests.factories import (
    TEST_PASSWORD,
    ActivityFactory,
    HolidayFactory,
    LeadSourceFactory,
    OpportunityFactory,
    ProductFactory,
    ProspectFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)

APPS = ("users", "pipeline", "activities", "quotas", "dashboards")
HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
# A week ahead, so that a run crossing midnight still calls it the future.
NEXT_WEEK = (TODAY + timedelta(days=7)).isoformat()

MARKUP = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
NUL = "Ana\x00García"
TOO_LONG = "x" * 2001


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table of ours (history included), to compare before and after."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.app_label in APPS
    }


@pytest.fixture
def world(rep, manager, admin, team):
    """A little of everything, so that edits have something to spoil."""
    stages = default_stages()
    source = LeadSourceFactory(name="Referral")
    ProductFactory(name="Consulting")
    prospect = ProspectFactory(owner=rep, source=source, name="Lucía Pérez")
    opportunity = OpportunityFactory(prospect=prospect, opened_on=date(2026, 2, 2))
    activity = ActivityFactory(rep=rep, date=TODAY, notes="first call")
    HolidayFactory(date=date(2026, 12, 25), name="Christmas Day")
    return {
        "rep": rep,
        "rep_pk": rep.pk,
        "manager": manager,
        "admin": admin,
        "team": team.pk,
        "prospect": prospect.pk,
        "opportunity": opportunity.pk,
        "activity": activity.pk,
        "won": stages["Won"].pk,
        "lost": stages["Lost"].pk,
    }


@dataclass
class Form:
    persona: str
    url: str
    valid: dict
    htmx: bool = False
    follow: bool = False  # answers with a redirect and a message (no form to redisplay)
    prefix: str = ""
    cases: list[tuple[str, dict, str]] = field(default_factory=list)

    def payload(self, world, values: dict) -> dict:
        data = {
            k.format(**world): (v.format(**world) if isinstance(v, str) else v)
            for k, v in values.items()
        }
        if self.prefix:
            prefix = self.prefix.format(**world)
            data = {
                f"{prefix}-{k}" if k not in ("add", "import", "save") else k: v
                for k, v in data.items()
            }
        return data


QUICK_ADD = {
    "kind": "call",
    "outcome": "connected",
    "quantity": "1",
    "date": TODAY.isoformat(),
    "prospect_status": "new",
    "notes": "asked for a demo",
}
PROSPECT = {"name": "Jorge Ruiz", "company": "Acme", "email": "jorge@acme.test", "phone": ""}
OPPORTUNITY = {
    "prospect": "{prospect}",
    "name": "Renewal",
    "amount": "1000.00",
    "revenue_type": "recurring",
    "opened_on": TODAY.isoformat(),
}
USER = {
    "full_name": "Nora Díaz",
    "email": "nora@example.com",
    "role": "rep",
    "team": "{team}",
    "joined_on": TODAY.isoformat(),
}

# The corpus of a name, of a count and of a date, reused by every form that has one.
NAME_CASES = [
    ("markup", {"name": MARKUP}, "Leave out &lt; and &gt;"),
    ("formula", {"name": FORMULA}, "cannot start with ="),
    ("empty", {"name": ""}, "This field is required."),
    ("only spaces", {"name": "   "}, "This field is required."),
    ("NUL byte", {"name": NUL}, "Null characters are not allowed."),
    ("too long", {"name": TOO_LONG}, "at most"),
]
ACTIVITY_CASES = [
    ("negative quantity", {"quantity": "-1"}, "greater than or equal to 1"),
    ("zero quantity", {"quantity": "0"}, "greater than or equal to 1"),
    ("huge quantity", {"quantity": "501"}, "less than or equal to 500"),
    ("absurd quantity", {"quantity": "9" * 30}, "less than or equal to 500"),
    ("quantity not a number", {"quantity": "ten"}, "Enter a whole number."),
    ("fractional quantity", {"quantity": "1.5"}, "Enter a whole number."),
    ("future date", {"date": NEXT_WEEK}, "in the future"),
    ("ancient date", {"date": "1926-03-02"}, "joined on 2024-01-01; pick that day or later."),
    ("impossible date", {"date": "2026-02-30"}, "Enter a valid date."),
    ("no date", {"date": ""}, "This field is required."),
    ("wrong outcome for the kind", {"outcome": "sent"}, "Pick an outcome of a call."),
    ("unknown outcome", {"outcome": "teleported"}, "Select a valid choice."),
    ("unknown kind", {"kind": "fax"}, "Select a valid choice."),
    ("negative duration", {"duration_minutes": "-5"}, "greater than or equal to 0"),
    ("duration over a day", {"duration_minutes": "1441"}, "less than or equal to 1440"),
    ("follow-up before the day", {"follow_up_on": "2020-01-01"}, "comes after the activity"),
    ("someone else's prospect", {"prospect": "999999"}, "Select a valid choice."),
    ("NUL byte in notes", {"notes": NUL}, "Null characters are not allowed."),
    ("notes too long", {"notes": TOO_LONG}, "at most 2000 characters"),
]

FORMS = {
    "quick add": Form("rep", "/my-day/log/", QUICK_ADD, htmx=True, cases=ACTIVITY_CASES),
    # A prospect (and for a meeting, a deal) created with the activity: all or nothing.
    "quick add, new prospect": Form(
        "rep",
        "/my-day/log/",
        {**QUICK_ADD, "prospect_status": "", "new_prospect_name": "Zoltan Newcomb"},
        htmx=True,
        cases=[
            (label, {"new_prospect_name": value["name"]}, message)
            for label, value, message in NAME_CASES
            if value["name"].strip()  # an empty name is no new prospect at all
        ]
        + [
            ("company markup", {"new_prospect_company": MARKUP}, "Leave out &lt; and &gt;"),
            ("future date", {"date": NEXT_WEEK}, "in the future"),
        ],
    ),
    "quick add, new deal": Form(
        "rep",
        "/my-day/log/",
        {
            **QUICK_ADD,
            "kind": "meeting",
            "outcome": "held_positive",
            "prospect_status": "",
            "new_prospect_name": "Vera Quist",
            "new_opportunity": "on",
            "new_opportunity_name": "Fleet tracking",
            "new_opportunity_amount": "18000",
            "new_opportunity_revenue_type": "recurring",
        },
        htmx=True,
        cases=[
            ("negative amount", {"new_opportunity_amount": "-1"}, "greater than or equal to 0"),
            ("huge amount", {"new_opportunity_amount": "9" * 20}, "no more than 14 digits"),
            ("amount not a number", {"new_opportunity_amount": "lots"}, "Enter a number."),
            ("no amount", {"new_opportunity_amount": ""}, "Give the amount (0 if unknown)."),
            ("no deal name", {"new_opportunity_name": ""}, "Name the opportunity."),
            ("deal name markup", {"new_opportunity_name": MARKUP}, "Leave out &lt; and &gt;"),
            ("unknown revenue type", {"new_opportunity_revenue_type": "barter"}, "valid choice"),
            (
                "close before it opens",
                {"new_opportunity_expected_close_on": "2020-01-01"},
                "comes after the deal opens",
            ),
            ("a deal from a call", {"kind": "call", "outcome": "connected"}, "from a meeting"),
        ],
    ),
    "activity edit": Form(
        "rep",
        "/my-day/activities/{activity}/edit/",
        QUICK_ADD,
        htmx=True,
        prefix="edit-{activity}",
        cases=ACTIVITY_CASES,
    ),
    "tally": Form(
        "rep",
        "/my-day/tally/",
        {"date": TODAY.isoformat(), "calls_new": "10", "connected_new": "3"},
        htmx=True,
        cases=[
            ("negative count", {"calls_new": "-3"}, "greater than or equal to 0"),
            ("huge count", {"emails_existing": "100000"}, "less than or equal to 500"),
            ("count not a number", {"calls_new": "lots"}, "Enter a whole number."),
            ("more connected than calls", {"connected_new": "11"}, "More than the 10 calls"),
            ("future date", {"date": NEXT_WEEK}, "in the future"),
            (
                "ancient date",
                {"date": "1926-03-02"},
                "joined on 2024-01-01; pick that day or later.",
            ),
            (
                "nothing to log",
                {"calls_new": "", "connected_new": ""},
                "Enter at least one count above zero.",
            ),
        ],
    ),
    "prospect new": Form(
        "rep",
        "/prospects/new/",
        PROSPECT,
        cases=[
            *NAME_CASES,
            ("markup in company", {"company": MARKUP}, "Leave out &lt; and &gt;"),
            ("formula in company", {"company": FORMULA}, "cannot start with ="),
            ("bad email", {"email": "jorge@"}, "Enter a valid email address."),
            ("formula as phone", {"phone": "=1+1"}, "Type a phone number"),
            ("letters as phone", {"phone": "call me"}, "Type a phone number"),
            ("unknown lead source", {"source": "999999"}, "Select a valid choice."),
        ],
    ),
    "prospect edit": Form("rep", "/prospects/{prospect}/edit/", PROSPECT, cases=NAME_CASES[:4]),
    "opportunity new": Form(
        "rep",
        "/opportunities/new/",
        OPPORTUNITY,
        cases=[
            *NAME_CASES[:3],
            ("negative amount", {"amount": "-1"}, "greater than or equal to 0"),
            ("huge amount", {"amount": "1" * 16}, "no more than 14 digits"),
            ("amount not a number", {"amount": "lots"}, "Enter a number."),
            ("amount NaN", {"amount": "NaN"}, "Enter a number."),
            ("amount Infinity", {"amount": "Infinity"}, "Enter a number."),
            ("comma decimal", {"amount": "1000,50"}, "Enter a number."),
            ("future opening", {"opened_on": NEXT_WEEK}, "cannot open in the future"),
            ("ancient opening", {"opened_on": "1926-03-02"}, "before 2000"),
            (
                "close before opening",
                {"expected_close_on": "2025-01-01"},
                "The expected close comes after it opened.",
            ),
            ("unknown revenue type", {"revenue_type": "barter"}, "Select a valid choice."),
            ("another team's prospect", {"prospect": "999999"}, "Select a valid choice."),
        ],
    ),
    "opportunity edit": Form(
        "rep",
        "/opportunities/{opportunity}/edit/",
        OPPORTUNITY,
        cases=[
            ("markup", {"name": MARKUP}, "Leave out &lt; and &gt;"),
            ("negative amount", {"amount": "-0.01"}, "greater than or equal to 0"),
            ("ancient opening", {"opened_on": "0001-01-01"}, "before 2000"),
        ],
    ),
    "opportunity move": Form(
        "rep",
        "/opportunities/{opportunity}/move/",
        {"stage": "{won}", "closed_on": TODAY.isoformat()},
        follow=True,
        cases=[
            ("close in the future", {"closed_on": NEXT_WEEK}, "cannot close in the future"),
            ("close before it opened", {"closed_on": "2026-01-01"}, "before it opened"),
            ("ancient close", {"closed_on": "1926-01-01"}, "before 2000"),
            ("lost without a reason", {"stage": "{lost}"}, "Say why it was lost."),
            ("unknown stage", {"stage": "999999"}, "Select a valid choice."),
            (
                "NUL in the reason",
                {"stage": "{lost}", "lost_reason": NUL},
                "Null characters are not allowed.",
            ),
        ],
    ),
    "lead source": Form(
        "admin",
        "/settings/pipeline/sources/new/",
        {"name": "Trade fair", "is_active": "on"},
        cases=[
            *NAME_CASES,
            ("duplicate", {"name": "referral"}, "already"),
        ],
    ),
    "product": Form(
        "admin",
        "/settings/pipeline/products/new/",
        {"name": "Training", "is_active": "on"},
        cases=[*NAME_CASES[:3], ("duplicate", {"name": "CONSULTING"}, "already")],
    ),
    "stage": Form(
        "admin",
        "/settings/pipeline/stages/new/",
        {"name": "Demo", "order": "25", "probability": "40", "kind": "open"},
        cases=[
            *NAME_CASES[:3],
            ("negative probability", {"probability": "-1"}, "greater than or equal to 0"),
            ("probability over 100", {"probability": "101"}, "less than or equal to 100"),
            ("negative order", {"order": "-1"}, "greater than or equal to 0"),
            ("huge order", {"order": "99999"}, "less than or equal to 32767"),
            ("order taken", {"order": "10"}, "Stage with this Order already exists."),
        ],
    ),
    "holiday": Form(
        "admin",
        "/settings/holidays/",
        {"add": "1", "date": "2026-12-31", "name": "New Year's Eve"},
        prefix="add",
        cases=[
            *NAME_CASES[:3],
            ("ancient day", {"date": "1926-12-31"}, "before 2000"),
            ("impossible day", {"date": "2026-13-01"}, "Enter a valid date."),
            ("duplicate day", {"date": "2026-12-25"}, "already"),
        ],
    ),
    "holiday list": Form(
        "admin",
        "/settings/holidays/",
        {"import": "1", "text": "2026-12-31 New Year's Eve"},
        prefix="import",
        cases=[
            ("no date", {"text": "Christmas"}, "line 1"),
            ("impossible date", {"text": "2026-02-30 Nope"}, "line 1"),
            ("markup", {"text": f"2026-12-31 {MARKUP}"}, "Leave out &lt; and &gt;"),
            ("formula", {"text": f"2026-12-31 {FORMULA}"}, "cannot start with ="),
            ("ancient", {"text": "1926-12-31 Old"}, "before 2000"),
            (
                "a good line and a bad one",
                {"text": "2026-12-31 New Year's Eve\n2026-99-01 Bad"},
                "line 2",
            ),
        ],
    ),
    "user new": Form(
        "admin",
        "/settings/users/new/",
        USER,
        cases=[
            ("markup", {"full_name": MARKUP}, "Leave out &lt; and &gt;"),
            ("formula", {"full_name": FORMULA}, "cannot start with ="),
            ("bad email", {"email": "nora.example.com"}, "Enter a valid email address."),
            ("duplicate email", {"email": "ANA@example.com"}, "Another user already has"),
            ("rep without a team", {"team": ""}, "A sales rep needs a team."),
            ("unknown team", {"team": "999999"}, "Select a valid choice."),
            ("unknown role", {"role": "boss"}, "Select a valid choice."),
            ("ancient joining", {"joined_on": "1926-01-01"}, "before 2000"),
        ],
    ),
    "team new": Form(
        "admin",
        "/settings/teams/new/",
        {"name": "East", "region": "Valencia"},
        cases=[
            *NAME_CASES[:3],
            ("duplicate", {"name": "north"}, "There is already a team with this name."),
            ("markup in region", {"region": MARKUP}, "Leave out &lt; and &gt;"),
        ],
    ),
    "target plan": Form(
        "admin",
        "/settings/targets/plan/",
        {
            "team": "{team}",
            "period": "2026-12",
            "basis_revenue": "100000",
            "growth_pct": "10",
            "avg_deal_size": "25000",
            "weight_{rep_pk}": "1",
            "save": "1",
        },
        cases=[
            ("negative basis", {"basis_revenue": "-1"}, "greater than or equal to 0"),
            ("growth below -100 %", {"growth_pct": "-101"}, "greater than or equal to -100"),
            ("zero deal size", {"avg_deal_size": "0"}, "greater than or equal to 0.01"),
            ("negative weight", {"weight_{rep_pk}": "-1"}, "greater than or equal to 0"),
            ("every weight zero", {"weight_{rep_pk}": "0"}, "weight above zero"),
            ("no target at all", {"growth_pct": ""}, "Give a growth % or an absolute target."),
            ("bad period", {"period": "2026-13"}, "there is no month 13"),
        ],
    ),
    "password change": Form(
        "rep",
        "/accounts/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
        cases=[
            ("wrong old password", {"old_password": "nope"}, "incorrectly"),
            ("mismatch", {"new_password2": "something else"}, "didn’t match"),
            ("too short", {"new_password1": "abc", "new_password2": "abc"}, "too short"),
        ],
    ),
}


CASES = [
    pytest.param(name, label, bad, expected, id=f"{name}: {label}")
    for name, form in FORMS.items()
    for label, bad, expected in form.cases
]


def _shown_errors(response) -> list[str]:
    """The error messages on the page, for a failing assertion to show."""
    return re.findall(
        r'class="(?:errorlist|error|form-errors|message message-error)[^"]*"[^>]*>(.*?)</',
        response.text,
        re.S,
    )


def _post(client, world, form: Form, values: dict):
    url = form.url.format(**world)
    data = form.payload(world, values)
    return client.post(url, data, headers=HTMX if form.htmx else {}, follow=form.follow)


@pytest.mark.parametrize("name", list(FORMS))
def test_each_form_saves_its_valid_payload(client, world, name):
    """The corpus spoils a valid payload, so the valid one must save: otherwise a case could
    pass on an error that has nothing to do with its bad value."""
    form = FORMS[name]
    client.force_login(world[form.persona])
    before = database_state()
    response = _post(client, world, form, form.valid)
    assert response.status_code in (200, 302), response.status_code
    assert database_state() != before, f"{name}: the valid payload saved nothing"
    assert _shown_errors(response) == []


@pytest.mark.parametrize(("name", "label", "bad", "expected"), CASES)
def test_a_bad_value_gets_a_clear_message_and_changes_nothing(
    client, world, name, label, bad, expected
):
    form = FORMS[name]
    client.force_login(world[form.persona])
    before = database_state()
    response = _post(client, world, form, {**form.valid, **bad})
    assert response.status_code == 200, f"{label}: answered {response.status_code}"
    assert expected in response.text, f"{label}: not “{expected}” but {_shown_errors(response)}"
    assert database_state() == before, f"{label}: rows changed"


# Free text is stored as typed — shown escaped, exported guarded ----------------------------


def test_markup_and_formulas_in_notes_are_kept_as_text_shown_escaped_and_exported_guarded(
    client, rep
):
    client.force_login(rep)
    for notes in (MARKUP, FORMULA):
        client.post("/my-day/log/", {**QUICK_ADD, "notes": notes}, headers=HTMX)
    assert sorted(Activity.objects.values_list("notes", flat=True)) == sorted([MARKUP, FORMULA])

    page = client.get("/activities/").text
    assert MARKUP not in page
    assert html.escape(MARKUP) in page

    export = client.get("/activities/", {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "'=cmd|" in text
    assert "\n=cmd" not in text
    assert ",=cmd" not in text


# GET forms: a bad query string is a message, never a 500 -----------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "expected"),
    [
        ("manager", "/team/?range=custom&start=2026-11-30&end=2026-11-01", "ends before it starts"),
        ("manager", "/team/?range=custom&start=1900-01-01&end=2026-11-01", "at most two years"),
        ("manager", "/team/?range=custom&start=2026-99-01&end=2026-11-01", "Enter a valid date."),
        ("manager", "/team/?range=forever", "Select a valid choice."),
        ("rep", "/what-if/?target_revenue=-5", "greater than or equal to 0"),
        ("rep", "/what-if/?target_deals=5&win_rate=150%25", "is not a rate between 0"),
        ("rep", "/what-if/?target_deals=5&win_rate=lots", "is not a rate: write 15%, 0.15"),
        ("rep", "/what-if/?target_deals=5&working_days=0", "greater than or equal to 1"),
        ("rep", "/activities/?start=2026-11-30&end=2026-11-01", "The end comes before the start."),
        ("rep", "/activities/?kind=fax", "Select a valid choice."),
        ("admin", "/settings/targets/plan/?team=1&period=someday", "is not a period: write"),
    ],
)
def test_a_bad_query_string_gets_a_message_not_an_error(client, world, persona, url, expected):
    client.force_login(world[persona])
    before = database_state()
    response = client.get(url)
    assert response.status_code == 200
    assert expected in html.unescape(response.text)
    assert database_state() == before


@pytest.mark.parametrize(
    ("persona", "url", "expected"),
    [
        # Each answered 500 before (OverflowError; date out of range).
        ("rep", "/what-if/?target_deals=100000&win_rate=1e-320", "between 0.01 % and 100 %"),
        ("admin", "/settings/targets/plan/?team={team}&period=FY9999", "outside the years"),
        ("admin", "/settings/targets/plan/?team={team}&period=0000-01", "outside the years"),
        ("admin", "/settings/targets/plan/?team={team}&period=0001-Q1", "outside the years"),
        ("manager", "/team/?range=custom&start=0001-01-01&end=0001-12-31", "outside the years"),
        ("manager", "/leaderboard/?range=custom&start=9999-01-01&end=9999-12-31", "outside"),
    ],
)
def test_the_inputs_that_crashed_get_a_message(client, world, persona, url, expected):
    client.force_login(world[persona])
    response = client.get(url.format(team=world["team"]))
    assert response.status_code == 200
    assert expected in html.unescape(response.text)


# Every query parameter any page reads, and values at the edges of what a parser takes.
QUERY_PARAMETERS = [
    "range", "start", "end", "period", "sort", "format", "chart", "q", "page", "kind",
    "outcome", "status", "role", "date", "target_revenue", "target_deals", "avg_deal_size",
    "win_rate", "meeting_to_opportunity_rate", "call_to_meeting_rate", "emails_per_meeting",
    "messages_per_meeting", "working_days", "basis_revenue", "growth_pct", "revenue_target",
    "stage", "owner", "source",
]  # fmt: skip
ID_PARAMETERS = ["team", "rep", "prospect", "opportunity"]
EDGE_VALUES = [
    "1e-320", "-1", "0", "1e999", "9" * 40, "nan", "-inf", "FY9999", "0000-01", "0001-Q1",
    "0001-01-01", "9999-12-31", "<x>", "\x00", "custom", "",
]  # fmt: skip


def _get_pages():
    from tests.test_permission_matrix import MATRIX

    for name, (target, expected) in sorted(MATRIX.items()):
        if target != "" or not isinstance(expected, dict):
            continue
        persona = next((p for p in ("rep", "manager", "admin") if expected.get(p) == 200), None)
        if persona:
            yield name, persona


@pytest.mark.parametrize(("name", "persona"), list(_get_pages()))
def test_no_query_string_makes_a_page_answer_500(client, world, name, persona):
    from django.urls import reverse

    client.force_login(world[persona])
    url = reverse(name)
    for value in EDGE_VALUES:
        for params in (
            dict.fromkeys(QUERY_PARAMETERS, value),
            {"range": "custom", "start": value, "end": value},
            dict.fromkeys(ID_PARAMETERS, value),
        ):
            response = client.get(url, params)
            assert response.status_code < 500, (url, params)


# Imports: the command and the upload page ---------------------------------------------------

HEADERS = {
    "users": "email,full_name,role,team,joined_on",
    "prospects": "external_id,name,company,email,phone,lead_source,owner_email,created_on",
    "opportunities": (
        "external_id,name,owner_email,prospect_external_id,amount,revenue_type,stage,"
        "opened_on,expected_close_on,closed_on,lead_source,product"
    ),
    "activities": (
        "date,rep_email,kind,outcome,prospect_status,quantity,duration_minutes,"
        "prospect_external_id,opportunity_external_id,notes"
    ),
}
VALID_ROWS = {
    "users": "nora@example.com,Nora Díaz,rep,North,2026-01-05",
    "prospects": (
        "P-9,Jorge Ruiz,Acme,jorge@acme.test,+34 600 123 456,Referral,ana@example.com,2026-03-01"
    ),
    "opportunities": (
        "O-9,Renewal,ana@example.com,P-1,1000.00,recurring,Qualified,2026-03-02,,,Referral,"
    ),
    "activities": "2026-03-02,ana@example.com,call,connected,new,2,,,,asked for a demo",
}


# A second row must not clash with the first on its identity.
SECOND = {
    "users": {"email": "nina@example.com"},
    "prospects": {"external_id": "P-10"},
    "opportunities": {"external_id": "O-10"},
    "activities": {"quantity": "3"},
}


def _row(kind: str, **cells) -> str:
    """A second valid row of `kind`, with some cells replaced."""
    names = HEADERS[kind].split(",")
    row = dict(zip(names, next(csv.reader([VALID_ROWS[kind]])), strict=True))
    row |= SECOND[kind] | cells
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([row[name] for name in names])
    return out.getvalue()


def _file(header: str, *rows: str) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


ROW_CASES = {
    "users": [
        ("markup in the name", {"full_name": MARKUP}, "column full_name: Leave out < and >"),
        ("formula in the name", {"full_name": FORMULA}, "column full_name: A name cannot start"),
        ("NUL in the name", {"full_name": NUL}, "column full_name: contains a control"),
        ("bad email", {"email": "nora@"}, "column email"),
        ("unknown role", {"role": "boss"}, "column role"),
        ("unknown team", {"team": "Atlantis"}, "column team: unknown team"),
        ("ancient joining", {"joined_on": "1926-01-05"}, "column joined_on: 1926-01-05 is before"),
        ("impossible date", {"joined_on": "2026-02-30"}, "column joined_on"),
    ],
    "prospects": [
        ("markup in the name", {"name": MARKUP}, "column name: Leave out < and >"),
        ("formula in the company", {"company": FORMULA}, "column company: A name cannot start"),
        ("formula as phone", {"phone": "=1+1"}, "column phone: Type a phone number"),
        ("unknown owner", {"owner_email": "ghost@example.com"}, "column owner_email"),
        ("unknown lead source", {"lead_source": "Carrier pigeon"}, "column lead_source"),
        ("ancient creation", {"created_on": "1926-03-01"}, "column created_on"),
        ("future creation", {"created_on": "2099-01-01"}, "column created_on"),
        ("NUL in the id", {"external_id": "P\x009"}, "column external_id: contains a control"),
    ],
    "opportunities": [
        ("negative amount", {"amount": "-5"}, "column amount"),
        ("huge amount", {"amount": "1" * 20}, "column amount"),
        ("comma decimal", {"amount": "1000,50"}, "column amount"),
        ("amount NaN", {"amount": "NaN"}, "column amount"),
        ("formula in the name", {"name": FORMULA}, "column name: A name cannot start"),
        ("unknown owner", {"owner_email": "ghost@example.com"}, "column owner_email"),
        ("unknown prospect", {"prospect_external_id": "P-404"}, "column prospect_external_id"),
        ("unknown stage", {"stage": "Maybe"}, "column stage"),
        ("future opening", {"opened_on": "2099-01-01"}, "column opened_on"),
        ("ancient opening", {"opened_on": "1926-03-02"}, "column opened_on"),
        ("closed before it opened", {"stage": "Won", "closed_on": "2026-01-01"}, "before it"),
        ("unknown revenue type", {"revenue_type": "barter"}, "column revenue_type"),
    ],
    "activities": [
        ("negative quantity", {"quantity": "-1"}, "column quantity"),
        ("zero quantity", {"quantity": "0"}, "column quantity"),
        ("huge quantity", {"quantity": "100000"}, "column quantity"),
        ("future date", {"date": "2099-03-02"}, "column date"),
        ("ancient date", {"date": "1926-03-02"}, "column date"),
        ("wrong outcome for the kind", {"outcome": "sent"}, "column outcome"),
        ("unknown rep", {"rep_email": "ghost@example.com"}, "column rep_email"),
        ("negative duration", {"duration_minutes": "-5"}, "column duration_minutes"),
        ("NUL in the notes", {"notes": NUL}, "column notes: contains a control"),
        ("unknown prospect", {"prospect_external_id": "P-404"}, "column prospect_external_id"),
    ],
}


def _file_case(kind: str, case: str) -> bytes:
    header, row = HEADERS[kind], VALID_ROWS[kind]
    first = header.split(",")[0]
    return {
        "duplicate header": _file(f"{header},{first}", f"{row},x"),
        "missing column": _file(header.split(",", 1)[1], row.split(",", 1)[1]),
        "extra column": _file(f"{header},secret", f"{row},x"),
        "empty file": b"",
        "only blank lines": b"\n\n  \n",
        "a short row": _file(header, "a,b"),
        "10 MB of garbage": bytes(range(256)) * (10 * 1024 * 4 + 1),
    }[case]


FILE_CASES = {
    "duplicate header": "appears 2 times",
    "missing column": "missing",
    "extra column": "column secret: unknown column",
    "empty file": "the file is empty",
    "only blank lines": "the file is empty",
    "a short row": "line 2, column -: has 2 cells",
    "10 MB of garbage": "this is not a CSV text file",
}


@pytest.fixture
def import_world(world):
    Prospect.objects.filter(pk=world["prospect"]).update(external_id="P-1")
    return world


def _command(kind: str, content: bytes, tmp_path) -> str:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as failure:
        call_command("import_csv", kind, str(path), stderr=(errors := io.StringIO()))
    assert failure.value.returncode == 1
    return errors.getvalue() + str(failure.value)


@pytest.mark.parametrize("kind", list(HEADERS))
def test_each_import_takes_its_valid_row(import_world, tmp_path, kind):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(_file(HEADERS[kind], VALID_ROWS[kind]))
    call_command("import_csv", kind, str(path), stdout=(out := io.StringIO()))
    assert "1 were created" in out.getvalue()


@pytest.mark.parametrize(
    ("kind", "label", "cells", "expected"),
    [
        pytest.param(kind, label, cells, expected, id=f"{kind}: {label}")
        for kind, cases in ROW_CASES.items()
        for label, cells, expected in cases
    ],
)
def test_a_bad_row_rejects_the_whole_file_with_its_line_and_column(
    import_world, tmp_path, kind, label, cells, expected
):
    before = database_state()
    # A good row first: the bad one must take it down with it.
    content = _file(HEADERS[kind], VALID_ROWS[kind], _row(kind, **cells))
    errors = _command(kind, content, tmp_path)
    assert "line 3, " in errors, errors
    assert expected in errors, errors
    assert database_state() == before


@pytest.mark.parametrize(
    ("kind", "case"), [(kind, case) for kind in HEADERS for case in FILE_CASES]
)
def test_a_bad_file_is_refused_whole_by_the_command(import_world, tmp_path, kind, case):
    before = database_state()
    errors = _command(kind, _file_case(kind, case), tmp_path)
    assert FILE_CASES[case] in errors, errors
    assert database_state() == before


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_a_bad_file_is_refused_by_the_upload_page(client, import_world, case, upload_import):
    client.force_login(import_world["admin"])
    before = database_state()
    response = upload_import(_file_case("prospects", case), kind="prospects", name="bad.csv")
    assert response.status_code == 200
    expected = {
        "10 MB of garbage": "the limit is 10 MB",
        "empty file": "The submitted file is empty.",
    }.get(case, FILE_CASES[case])
    assert expected in html.unescape(response.text)
    if case in ("10 MB of garbage", "empty file"):
        assert "job" not in response.context  # refused by the form, never stored
    else:
        assert response.context["job"].status == "rejected"
    assert database_state() == before


# Every CSV download guards formula cells ----------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def formula_named_rep(db):
    """Names from before names were validated (factories skip full_clean)."""
    team = TeamFactory(name=EVIL)
    rep = RepFactory(team=team, full_name=EVIL, joined_on=date(2026, 1, 1))
    ActivityFactory(rep=rep, date=TODAY, notes="+1 555 0100")
    return rep


@pytest.mark.parametrize(
    ("url", "guarded"),
    [
        ("/team/?team={team}&format=csv", "'" + EVIL),  # the team column
        ("/leaderboard/?format=csv", "'" + EVIL),
        ("/activities/?format=csv", "'+1 555 0100"),  # the notes
    ],
)
def test_every_csv_download_guards_formula_cells(client, admin, formula_named_rep, url, guarded):
    client.force_login(admin)
    response = client.get(url.format(team=formula_named_rep.team_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
    assert guarded in cells, cells


def test_the_report_command_guards_formula_cells_in_csv(formula_named_rep):
    out = io.StringIO()
    call_command(
        "report", "leaderboard", "--period", f"{TODAY:%Y-%m}", "--format", "csv", stdout=out
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + EVIL in cells
    assert EVIL not in cells
