from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from pipeline import services as pipeline_services
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    RepFactory,
    default_stages,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def today():
    return timezone.localdate()


def quick_add(client, **fields):
    data = {
        "kind": Kind.CALL,
        "outcome": Outcome.CONNECTED,
        "quantity": 1,
        "date": timezone.localdate().isoformat(),
        "prospect_status": ProspectStatus.NEW,
    } | fields
    return client.post("/my-day/log/", data, headers=HTMX)


def test_quick_add_logs_a_row_and_answers_with_a_fresh_form_and_the_day(client, rep):
    client.force_login(rep)
    response = quick_add(client, notes="Asked for a demo")

    activity = Activity.objects.get()
    assert (activity.rep, activity.kind, activity.notes) == (rep, Kind.CALL, "Asked for a demo")
    assert 'id="quick-add"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "Asked for a demo" in response.text
    assert "Logged: Call (Connected)" in response.text


def test_quick_add_with_a_picked_prospect_derives_new(client, rep):
    prospect = ProspectFactory(owner=rep)
    client.force_login(rep)
    quick_add(client, prospect=prospect.pk, prospect_status="")
    assert Activity.objects.get().prospect_status == ProspectStatus.NEW


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"quantity": "-4"}, "Ensure this value is greater than or equal to 1."),
        ({"quantity": "501"}, "Ensure this value is less than or equal to 500."),
        ({"quantity": "lots"}, "Enter a whole number."),
        ({"outcome": Outcome.SENT}, "Pick an outcome of a call."),
        ({"date": "2026-13-01"}, "Enter a valid date."),
        ({"prospect_status": ""}, "Say whether this was a new or an existing prospect."),
    ],
)
def test_quick_add_shows_bad_input_next_to_the_field_and_saves_nothing(
    client, rep, fields, message
):
    client.force_login(rep)
    response = quick_add(client, **fields)
    assert message in response.text
    assert not Activity.objects.exists()


def test_a_future_date_is_refused_on_the_form(client, rep, today):
    client.force_login(rep)
    response = quick_add(client, date=(today + timedelta(days=2)).isoformat())
    assert "only a scheduled meeting can be" in response.text
    assert not Activity.objects.exists()


def test_quick_add_without_javascript_redirects_back_to_my_day(client, rep, today):
    client.force_login(rep)
    response = client.post(
        "/my-day/log/",
        {
            "kind": Kind.EMAIL,
            "outcome": Outcome.SENT,
            "quantity": 2,
            "date": today.isoformat(),
            "prospect_status": ProspectStatus.EXISTING,
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get().quantity == 2


def test_my_day_defaults_to_today_and_the_last_kind_used(client, rep, today):
    ActivityFactory(rep=rep, kind=Kind.EMAIL, outcome=Outcome.SENT, date=today)
    client.force_login(rep)
    form = client.get("/my-day/").context["form"]
    assert form.initial["kind"] == Kind.EMAIL
    assert form.initial["date"] == today


def test_outcome_options_follow_the_kind(client, rep):
    client.force_login(rep)
    text = client.get("/my-day/outcomes/", {"kind": "meeting"}).text
    assert "Held — positive" in text
    assert "Voicemail" not in text


def test_prospect_search_finds_only_the_teams_prospects(client, rep, other_team_rep):
    ProspectFactory(owner=rep, name="Acme Ana", company="Acme")
    ProspectFactory(owner=other_team_rep, name="Acme Wang", company="Acme")
    client.force_login(rep)
    text = client.get("/my-day/prospects/", {"q": "acme"}).text
    assert "Acme Ana" in text
    assert "Acme Wang" not in text


def test_picking_a_prospect_shows_whether_it_is_new_or_existing(client, rep, today):
    fresh = ProspectFactory(owner=rep)
    known = ProspectFactory(owner=rep)
    ActivityFactory(rep=rep, prospect=known, date=today - timedelta(days=3))
    client.force_login(rep)
    assert "New prospect" in client.get(f"/my-day/prospects/{fresh.pk}/").text
    assert "Existing prospect" in client.get(f"/my-day/prospects/{known.pk}/").text


def test_picking_another_teams_prospect_is_not_found(client, rep, other_team_rep):
    theirs = ProspectFactory(owner=other_team_rep)
    client.force_login(rep)
    assert client.get(f"/my-day/prospects/{theirs.pk}/").status_code == 404


def test_the_tally_saves_a_day_split_new_and_existing(client, rep, today):
    client.force_login(rep)
    response = client.post(
        "/my-day/tally/",
        {
            "date": today.isoformat(),
            "calls_new": 30,
            "connected_new": 8,
            "calls_existing": 10,
            "connected_existing": 4,
            "emails_existing": 6,
            "meetings_new": 2,
            "positive_new": 1,
        },
        headers=HTMX,
    )
    assert "Saved the tally: 48 activities." in response.text
    rows = {
        (a.kind, a.outcome, a.prospect_status): a.quantity
        for a in Activity.objects.filter(source=Source.TALLY)
    }
    assert rows == {
        (Kind.CALL, Outcome.CONNECTED, "new"): 8,
        (Kind.CALL, Outcome.NO_ANSWER, "new"): 22,
        (Kind.CALL, Outcome.CONNECTED, "existing"): 4,
        (Kind.CALL, Outcome.NO_ANSWER, "existing"): 6,
        (Kind.EMAIL, Outcome.SENT, "existing"): 6,
        (Kind.MEETING, Outcome.HELD_POSITIVE, "new"): 1,
        (Kind.MEETING, Outcome.HELD_NEUTRAL, "new"): 1,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"calls_new": 5, "connected_new": 9}, "More than the 5 calls entered"),
        ({"emails_new": -2}, "Ensure this value is greater than or equal to 0."),
        ({"emails_new": 600}, "Ensure this value is less than or equal to 500."),
        ({}, "Enter at least one count above zero."),
    ],
)
def test_a_bad_tally_says_why_and_saves_nothing(client, rep, today, fields, message):
    client.force_login(rep)
    response = client.post("/my-day/tally/", {"date": today.isoformat(), **fields}, headers=HTMX)
    assert message in response.text
    assert not Activity.objects.exists()


def test_inline_edit_and_delete_of_todays_activity(client, rep, today):
    activity = ActivityFactory(rep=rep, date=today, quantity=1)
    client.force_login(rep)
    form = client.get(f"/my-day/activities/{activity.pk}/edit/", headers=HTMX)
    assert f'id="activity-{activity.pk}"' in form.text
    prefix = f"edit-{activity.pk}"
    saved = client.post(
        f"/my-day/activities/{activity.pk}/edit/",
        {
            f"{prefix}-kind": Kind.CALL,
            f"{prefix}-outcome": Outcome.VOICEMAIL,
            f"{prefix}-quantity": 4,
            f"{prefix}-date": today.isoformat(),
            f"{prefix}-prospect_status": ProspectStatus.NEW,
        },
        headers=HTMX,
    )
    assert saved.headers["HX-Retarget"] == "#today"
    activity.refresh_from_db()
    assert (activity.outcome, activity.quantity) == (Outcome.VOICEMAIL, 4)

    client.post(f"/my-day/activities/{activity.pk}/delete/", headers=HTMX)
    assert not Activity.objects.exists()


def test_another_reps_activity_is_not_found(client, rep, team, today):
    theirs = ActivityFactory(rep=RepFactory(team=team), date=today)
    client.force_login(rep)
    assert client.get(f"/my-day/activities/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/my-day/activities/{theirs.pk}/delete/").status_code == 404
    assert Activity.objects.filter(pk=theirs.pk).exists()


def test_my_day_query_count_does_not_grow_with_rows(
    client, rep, today, django_assert_max_num_queries
):
    """Nine queries whatever the day's rows and the Due list hold: the session, the user with
    their team (the account menu says it), and My day's seven (the day's totals and its
    count of rows in one) — none a row or an item (issue 28, BENCHMARKS.md "Issue 28: My
    day and the log POST")."""
    prospects = ProspectFactory.create_batch(10, owner=rep)
    for i in range(60):
        ActivityFactory(rep=rep, date=today, prospect=prospects[i % 10], quantity=1 + i % 3)
    deal = OpportunityFactory(owner=rep, name="Fleet renewal")
    for i in range(12):  # follow-ups due this week, with and without a prospect or a deal
        ActivityFactory(
            rep=rep,
            date=today - timedelta(days=1),
            follow_up_on=today,
            prospect=prospects[i] if i < 10 else None,
            opportunity=deal if i % 2 else None,
            notes=f"Call back {i}",
        )
    ActivityFactory(
        rep=rep,
        date=today,
        kind=Kind.MEETING,
        outcome=Outcome.SCHEDULED,
        prospect=prospects[0],
        opportunity=deal,
    )
    client.force_login(rep)
    with django_assert_max_num_queries(9):
        response = client.get("/my-day/")
    assert response.text.count('class="activity-row"') == 25
    assert "Show all 61 rows of the day" in response.text
    assert response.text.count('class="due-item') == 13
    assert f'Done<span class="visually-hidden">: follow up {prospects[3].name}</span>' in (
        response.text
    )
    assert "follow up call on " in response.text  # the two without a prospect
    assert f"meeting with {prospects[0].name}</span>" in response.text
    assert f"· {rep.team.name}</p>" in response.text  # the account menu
    with django_assert_max_num_queries(9):
        everything = client.get("/my-day/", {"rows": "all"}, headers={"HX-Target": "today"})
    assert everything.text.count('class="activity-row"') == 61


def test_activity_log_filters_paginates_and_scopes(client, manager, rep, other_team_rep, today):
    ActivityFactory.create_batch(55, rep=rep, date=today, kind=Kind.CALL)
    ActivityFactory(rep=rep, date=today, kind=Kind.EMAIL, outcome=Outcome.SENT)
    ActivityFactory(rep=other_team_rep, date=today, notes="other team")
    client.force_login(manager)

    page = client.get("/activities/")
    assert page.context["page"].paginator.count == 56
    assert "other team" not in page.text
    emails = client.get("/activities/", {"kind": "email"})
    assert emails.context["page"].paginator.count == 1


def test_activity_log_csv_has_the_filtered_rows_in_the_import_format(client, rep, today):
    ActivityFactory(rep=rep, date=today, kind=Kind.EMAIL, outcome=Outcome.SENT, notes="=2+2")
    ActivityFactory(rep=rep, date=today, kind=Kind.CALL)
    client.force_login(rep)
    response = client.get("/activities/", {"kind": "email", "format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert lines[0] == (
        "date,rep_email,rep_name,kind,outcome,prospect_status,quantity,duration_minutes,"
        "prospect_external_id,opportunity_external_id,notes"
    )
    assert len(lines) == 2
    # The rep by email (what an import matches) and by the full name people read.
    assert lines[1].startswith(f"{today.isoformat()},{rep.email},{rep.full_name},email,sent,")
    assert lines[1].endswith(",'=2+2")


def test_activity_log_query_count_does_not_grow_with_rows(
    client, admin, team, today, django_assert_max_num_queries
):
    reps = RepFactory.create_batch(10, team=team)
    for i in range(60):
        ActivityFactory(rep=reps[i % 10], date=today, prospect=ProspectFactory(owner=reps[0]))
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get("/activities/")
    assert response.status_code == 200


IMPORT_CSV = (
    b"date,rep_email,kind,outcome,prospect_status,quantity\n"
    b"2026-03-02,ana@example.com,call,connected,new,5\n"
)


def test_a_manager_checks_then_confirms_an_import(client, manager, rep, upload_import):
    client.force_login(manager)
    checked = upload_import(IMPORT_CSV)
    assert "1 row: 1 would be created" in checked.text
    assert "Import 1 row" in checked.text
    assert not Activity.objects.exists()

    token = checked.context["job"].token
    confirmed = client.post("/import/confirm/", {"token": token}, follow=True)
    assert "1 row: 1 were created" in confirmed.text
    assert Activity.objects.get().quantity == 5
    again = client.post("/import/confirm/", {"token": token}, follow=True)
    assert "day.csv is already imported; nothing changed." in again.text
    assert Activity.objects.count() == 1
    # The upload page lists it, for whoever comes back later.
    listed = client.get("/import/")
    assert [job.token for job in listed.context["jobs"]] == [token]
    assert "Imported" in listed.text


def test_the_import_page_lists_every_bad_row(client, manager, rep, upload_import):
    client.force_login(manager)
    response = upload_import(IMPORT_CSV + b"2026-03-02,ana@example.com,call,sent,new,0\n")
    assert "line 3, column outcome" in response.text
    assert "line 3, column quantity" in response.text
    assert response.context["job"].status == "rejected"
    assert "Import 1 row" not in response.text


def test_a_too_large_file_is_refused(client, manager, settings, upload_import):
    settings.IMPORT_MAX_BYTES = 1_048_576
    client.force_login(manager)
    response = upload_import(IMPORT_CSV + b"x" * 1_200_000)
    assert "The file is 1.1 MB; the limit is 1 MB." in response.text
    assert not Activity.objects.exists()


def test_managers_cannot_choose_to_import_users(client, manager, upload_import):
    client.force_login(manager)
    assert "Users (admins only)" not in client.get("/import/").text
    response = upload_import(b"email,full_name,role,team\n", kind="users")
    assert "Select a valid choice" in response.text


def test_reps_cannot_import(client, rep):
    client.force_login(rep)
    assert client.get("/import/").status_code == 403


def test_the_upload_page_offers_create_missing_to_admins_only(client, manager, admin, rep):
    client.force_login(manager)
    assert "Create unknown" not in client.get("/import/").text
    client.force_login(admin)
    assert "Create unknown" in client.get("/import/").text


# Issue 14: logging ---------------------------------------------------------------------------


def test_prospect_results_offer_a_new_prospect_and_for_a_meeting_a_new_deal(client, rep):
    ProspectFactory(owner=rep, name="Hugo Prieto")
    client.force_login(rep)
    found = client.get("/my-day/prospects/", {"q": "hugo prieto"})
    assert 'role="option"' in found.text
    assert "+ New prospect" not in found.text  # that exact name exists
    missing = client.get("/my-day/prospects/", {"q": "  Zoltan   Newcomb ", "kind": "call"})
    assert "+ New prospect “Zoltan Newcomb”" in missing.text
    assert "new opportunity" not in missing.text
    assert "No prospect of your team matches" in missing.text
    meeting = client.get("/my-day/prospects/", {"q": "Zoltan", "kind": "meeting"})
    assert "+ New prospect “Zoltan” and a new opportunity" in meeting.text


def test_quick_add_creates_the_missing_prospect_with_the_activity(client, rep):
    client.force_login(rep)
    response = quick_add(
        client, prospect_status="", new_prospect_name="Zoltan Newcomb", new_prospect_company="NF"
    )
    assert "Logged: Call (Connected)" in response.text
    activity = Activity.objects.get()
    assert (activity.prospect.name, activity.prospect.company) == ("Zoltan Newcomb", "NF")


def test_a_bad_new_prospect_is_answered_next_to_its_field_and_saves_nothing(client, rep):
    client.force_login(rep)
    response = quick_add(client, prospect_status="", new_prospect_name="=cmd|' /C calc'!A0")
    assert 'id="id_new_prospect_name_error"' in response.text
    assert "cannot start with =" in response.text
    assert not Activity.objects.exists()


def test_a_typed_but_unpicked_prospect_is_not_dropped(client, rep):
    client.force_login(rep)
    response = quick_add(client, q="Nadia")
    assert "You typed “Nadia” but picked no prospect" in response.text
    assert not Activity.objects.exists()


def test_the_tally_has_its_own_ids_and_notes_have_a_counter_not_a_maxlength(client, rep):
    client.force_login(rep)
    page = client.get("/my-day/").text
    assert page.count('id="id_date"') == 1
    assert 'id="tally_date"' in page
    assert 'maxlength="2000"' not in page
    assert 'data-max-length="2000"' in page
    assert 'aria-describedby="id_notes_helptext"' in page


def test_my_day_shows_one_of_the_last_seven_days(client, rep, today):
    ActivityFactory(rep=rep, date=today - timedelta(days=3), notes="three days ago")
    ActivityFactory(rep=rep, date=today - timedelta(days=9), notes="nine days ago")
    client.force_login(rep)
    back = client.get("/my-day/", {"day": (today - timedelta(days=3)).isoformat()})
    assert "three days ago" in back.text
    assert back.context["form"].initial["date"] == today - timedelta(days=3)
    too_far = client.get("/my-day/", {"day": (today - timedelta(days=9)).isoformat()})
    assert too_far.context["day"] == today
    assert "nine days ago" not in too_far.text
    assert client.get("/my-day/", {"day": "yesterday"}).context["day"] == today


def test_the_log_offers_edit_and_delete_only_within_the_window(client, rep, manager, today):
    recent = ActivityFactory(rep=rep, date=today)
    old = ActivityFactory(rep=rep, date=today - timedelta(days=20))
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    client.force_login(rep)
    page = client.get("/activities/").text
    assert f"/my-day/activities/{recent.pk}/edit/" in page
    assert f"/my-day/activities/{old.pk}/edit/" not in page
    assert f"/activities/{old.pk}/history/" in page
    client.force_login(manager)
    page = client.get("/activities/").text
    assert "/edit/" not in page
    assert f"/activities/{recent.pk}/history/" in page


def test_an_edit_from_the_log_goes_back_to_it_and_never_off_site(client, rep, today):
    activity = ActivityFactory(rep=rep, date=today)
    client.force_login(rep)
    prefix = f"edit-{activity.pk}"
    data = {
        f"{prefix}-kind": Kind.CALL,
        f"{prefix}-outcome": Outcome.VOICEMAIL,
        f"{prefix}-quantity": 1,
        f"{prefix}-date": today.isoformat(),
        f"{prefix}-prospect_status": ProspectStatus.NEW,
    }
    url = f"/my-day/activities/{activity.pk}/edit/"
    back = client.post(url, data | {"next": "/activities/?kind=call"})
    assert back.url == "/activities/?kind=call"
    elsewhere = client.post(url, data | {"next": "https://evil.example/"})
    assert elsewhere.url == "/my-day/"


def test_deleting_from_the_log_sends_the_browser_back_to_it(client, rep, today):
    activity = ActivityFactory(rep=rep, date=today)
    client.force_login(rep)
    response = client.post(
        f"/my-day/activities/{activity.pk}/delete/", {"next": "/activities/"}, headers=HTMX
    )
    assert response.headers["HX-Redirect"] == "/activities/"
    assert not Activity.objects.exists()


def test_the_history_page_names_each_change(client, rep, other_team_manager, today):
    from activities import services

    activity = ActivityFactory(rep=rep, date=today)
    services.activity_update(by=rep, activity=activity, outcome=Outcome.VOICEMAIL)
    client.force_login(rep)
    page = client.get(f"/activities/{activity.pk}/history/", {"next": "/activities/"})
    assert "Voicemail" in page.text
    assert 'href="/activities/"' in page.text
    client.force_login(other_team_manager)
    assert client.get(f"/activities/{activity.pk}/history/").status_code == 404


def test_the_due_buttons_tick_off_and_move(client, rep, today):
    follow_up = ActivityFactory(rep=rep, date=today, follow_up_on=today)
    meeting = ActivityFactory(rep=rep, date=today, kind=Kind.MEETING, outcome=Outcome.SCHEDULED)
    client.force_login(rep)
    page = client.get("/my-day/").text
    assert f'id="due-follow-up-{follow_up.pk}"' in page
    assert f'id="due-meeting-{meeting.pk}"' in page

    moved = client.post(
        f"/my-day/due/{follow_up.pk}/move/",
        {"what": "follow-up", "to": (today + timedelta(days=1)).isoformat()},
        headers=HTMX,
    )
    assert "Moved to" in moved.text
    assert 'id="today"' in moved.text  # the day list comes along, out of band
    held = client.post(
        f"/my-day/due/{meeting.pk}/done/",
        {"what": "meeting", "outcome": Outcome.NO_SHOW},
        headers=HTMX,
    )
    assert "Meeting: No-show." in held.text
    assert Activity.objects.get(pk=meeting.pk).outcome == Outcome.NO_SHOW
    refused = client.post(f"/my-day/due/{follow_up.pk}/move/", {"to": "soon"}, headers=HTMX)
    assert "Pick the day to move it to." in refused.text
    past = client.post(
        f"/my-day/due/{follow_up.pk}/move/",
        {"to": (today - timedelta(days=1)).isoformat()},
        headers=HTMX,
    )
    assert "today or later" in past.text


def test_next_steps_answer_each_card_out_of_band(client, rep, today):
    from tests.factories import OpportunityFactory

    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    quiet = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    theirs = OpportunityFactory()
    ActivityFactory(rep=rep, opportunity=deal, date=today, follow_up_on=today)
    ActivityFactory(rep=theirs.owner, opportunity=theirs, date=today, follow_up_on=today)
    client.force_login(rep)
    response = client.get("/activities/next-steps/", {"ids": f"{deal.pk},{quiet.pk},x"})
    assert f'id="next-step-{deal.pk}" hx-swap-oob="true"' in response.text
    assert "Next: follow-up" in response.text
    assert "No next step planned" in response.text
    other = client.get("/activities/next-steps/", {"ids": str(theirs.pk)})
    assert "Next:" not in other.text  # another rep's deal: nothing of theirs shows


def test_an_activity_on_a_deal_that_closed_since_can_still_be_edited(client, rep):
    stages = default_stages()
    deal = OpportunityFactory(prospect=ProspectFactory(owner=rep))
    today = timezone.localdate()
    activity = ActivityFactory(rep=rep, date=today, prospect=deal.prospect, opportunity=deal)
    pipeline_services.opportunity_move(by=rep, opportunity=deal, stage=stages["Won"])
    client.force_login(rep)
    prefix = f"edit-{activity.pk}"
    client.post(
        f"/my-day/activities/{activity.pk}/edit/",
        {
            f"{prefix}-kind": "call",
            f"{prefix}-outcome": "connected",
            f"{prefix}-quantity": 2,
            f"{prefix}-date": today.isoformat(),
            f"{prefix}-prospect": deal.prospect_id,
            f"{prefix}-opportunity": deal.pk,
            f"{prefix}-prospect_status": "new",
        },
    )
    activity.refresh_from_db()
    assert activity.quantity == 2


def test_logging_answers_in_one_render_and_a_handful_of_queries(
    client, rep, today, django_assert_max_num_queries
):
    """The log POST (the most frequent request) renders its answer once — the new row, the
    totals and the form out of band — and reads only the day's totals and the deal <select>
    after the write; a log for another day than the one shown does not send that day's
    list again (issue 28, BENCHMARKS.md "Issue 28: My day and the log POST")."""
    ActivityFactory.create_batch(3, rep=rep, date=today)
    OpportunityFactory.create_batch(3, owner=rep)
    client.force_login(rep)
    # 5 of them the write (BEGIN, the row, its history, the rollup, COMMIT: no savepoint),
    # the day's totals and rows in one
    with django_assert_max_num_queries(9):
        response = quick_add(client, day=today.isoformat())
    assert response.text.count('hx-swap-oob="afterbegin:#today-list"') == 1
    assert 'id="today-totals" aria-label="Today\'s totals" hx-swap-oob="true"' in response.text
    assert 'id="today-list"' not in response.text
    assert response.text.count('id="quick-add"') == 1

    back = (today - timedelta(days=2)).isoformat()
    with django_assert_max_num_queries(9):  # was 18: My day's whole context again
        response = quick_add(client, date=back, day=today.isoformat())
    assert Activity.objects.filter(rep=rep, date=back).count() == 1
    assert 'id="quick-add"' in response.text
    assert 'id="today"' not in response.text
    assert 'id="due"' not in response.text  # no follow-up, no meeting, no prospect touched
    assert "activity-logged" in response.headers["HX-Trigger"]
