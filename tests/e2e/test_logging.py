"""Issue 14, items 1–5: what a rep does on My day, the activity log and the board."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, Kind, Outcome
from pipeline.models import Opportunity, Prospect
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    StageChangeFactory,
    default_stages,
)

PHONE = {"width": 390, "height": 844}


def small_touch_targets(page) -> list[str]:
    """Every control a thumb uses that is under 44 × 44 px (links inside running text and
    the radios and checkboxes behind their labels aside)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              '#main a, #main button, #main input:not([type=hidden]), #main select,'
              + ' #main textarea, #main summary, .chip span, .topbar a, .topbar summary')]
          .filter(e => !e.closest('p, .help, li.muted') || e.closest('.activity-actions, .picked'))
          .filter(e => e.checkVisibility() && !(e.tagName === 'INPUT'
                        && ['radio', 'checkbox'].includes(e.type)))
          .map(e => [e, e.getBoundingClientRect()])
          .filter(([e, r]) => r.width < 44 || r.height < 44)
          .map(([e, r]) => `${e.tagName} ${(e.textContent || e.name || '').trim().slice(0, 30)}`
                           + ` ${Math.round(r.width)}×${Math.round(r.height)}`)"""
    )


def test_prospect_search_narrows_as_you_type_and_works_from_the_keyboard(
    page, live_server, rep, sign_in, screenshot, console_errors, axe
):
    for i in range(10):
        ProspectFactory(owner=rep, name=f"Hu Prospect {i:02}", company="Acme")
    ProspectFactory(owner=rep, name="Hugo Prieto", company="Prieto SL")
    sign_in(rep)
    search = page.get_by_role("combobox", name="Prospect (optional)")
    results = page.locator("#prospect-results")

    search.press_sequentially("Hu")
    # The first ten matches (of eleven), then "+ New prospect “Hu”".
    expect(results.get_by_role("option")).to_have_count(11)
    expect(search).to_have_attribute("aria-expanded", "true")
    axe("my day with the prospect results open")
    screenshot("logging-prospect-results")
    search.press_sequentially("go Pri")
    expect(results.get_by_role("option")).to_have_count(2)  # Hugo Prieto + "+ New …"
    expect(results.get_by_role("option").first).to_contain_text("Hugo Prieto")
    expect(page.get_by_role("status").filter(has_text="1 matching prospect")).to_have_count(1)

    # Arrow keys move through the options; Escape closes; Enter picks.
    search.press("ArrowDown")
    expect(results.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    option_id = results.get_by_role("option").first.get_attribute("id")
    expect(search).to_have_attribute("aria-activedescendant", option_id)
    search.press("Escape")
    expect(results).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")
    expect(search).to_have_value("Hugo Pri")
    search.press("ArrowDown")
    expect(results).to_be_visible()
    search.press("Enter")
    picker = page.locator("#prospect-picker")
    expect(picker).to_contain_text("Hugo Prieto")
    expect(picker).to_contain_text("New prospect")
    # Focus went on to the next field, not to <body>.
    expect(page.get_by_label("Opportunity (optional)")).to_be_focused()

    # aria-controls names an element that exists whenever the combobox is there.
    picker.get_by_role("button", name="Change the prospect").click()
    combo = page.get_by_role("combobox", name="Prospect (optional)")
    expect(combo).to_be_focused()
    controls = combo.get_attribute("aria-controls")
    expect(page.locator(f"#{controls}")).to_have_count(1)
    assert not [e for e in console_errors if "targetError" in e or "htmx" in e], console_errors
    assert console_errors == []


def test_a_missing_prospect_and_a_new_opportunity_are_created_with_the_activity(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    default_stages()  # the browser tests flush the database, stages included
    sign_in(rep)
    search = page.get_by_role("combobox", name="Prospect (optional)")

    # A call with someone new: "+ New prospect" is offered, and created with the call.
    search.press_sequentially("Zoltan Newcomb")
    new_option = page.get_by_role("option", name="+ New prospect “Zoltan Newcomb”")
    expect(new_option).to_be_visible()
    # The answers to every keystroke in, before the keys that pick (a person is slower).
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("option", name=re.compile("new opportunity"))).to_have_count(0)
    search.press("ArrowDown")
    search.press("Enter")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Zoltan Newcomb")
    expect(page.get_by_label("Company (optional)")).to_be_focused()
    page.keyboard.type("Newcomb Freight")
    screenshot("logging-new-prospect")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#quick-add")).to_contain_text(
        "Logged: Call (Connected) " + timezone.localdate().isoformat()
    )
    zoltan = Prospect.objects.get(name="Zoltan Newcomb")
    assert (zoltan.company, zoltan.owner) == ("Newcomb Freight", rep)
    assert Activity.objects.get().prospect == zoltan

    # A meeting with another newcomer opens a new opportunity too, in the same step.
    page.get_by_role("radio", name="Meeting").check()
    expect(page.get_by_label("Outcome")).to_contain_text("Held — positive")
    page.get_by_label("Outcome").select_option("held_positive")
    search = page.get_by_role("combobox", name="Prospect (optional)")
    search.press_sequentially("Vera Quist")
    page.wait_for_load_state("networkidle")
    page.get_by_role("option", name=re.compile("Vera Quist.*new opportunity")).click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Vera Quist")
    expect(page.get_by_label("Open a new opportunity from this meeting")).to_be_checked()
    deal_name = page.get_by_label("Opportunity name")
    expect(deal_name).to_have_value("Vera Quist")  # offered from what was typed
    # Every answer to what was typed in, in before typing on (as a person, slower, would).
    page.wait_for_load_state("networkidle")
    _fill_until_kept(deal_name, "Quist — fleet tracking")
    expect(deal_name).to_have_value("Quist — fleet tracking")
    page.get_by_role("button", name="Log it").click()
    # No amount: said next to the field, and nothing saved (no prospect either).
    amount = page.get_by_label("Amount")
    expect(page.locator("#quick-add")).to_contain_text("Give the amount (0 if unknown).")
    expect(amount).to_be_focused()
    expect(deal_name).to_have_value("Quist — fleet tracking")  # nothing typed is lost
    assert not Prospect.objects.filter(name="Vera Quist").exists()
    amount.fill("18000")
    screenshot("logging-new-opportunity")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#today")).to_contain_text("Vera Quist")
    deal = Opportunity.objects.get()
    assert (deal.name, deal.prospect.name, deal.owner, deal.amount) == (
        "Quist — fleet tracking",
        "Vera Quist",
        rep,
        18000,
    )
    meeting = Activity.objects.get(kind=Kind.MEETING)
    assert (meeting.prospect, meeting.opportunity) == (deal.prospect, deal)
    assert console_errors == []


def test_every_row_of_the_last_seven_days_can_be_edited_with_its_history_one_click_away(
    page, live_server, rep, sign_in, screenshot, console_errors, axe
):
    today = timezone.localdate()
    three_days_ago = today - timedelta(days=3)
    old_day = today - timedelta(days=12)
    ActivityFactory(rep=rep, date=three_days_ago, outcome=Outcome.NO_ANSWER, notes="Try again")
    locked = ActivityFactory(rep=rep, date=old_day, notes="Old call")
    Activity.objects.filter(pk=locked.pk).update(created_at=timezone.now() - timedelta(days=12))
    sign_in(rep)

    # My day: go back three days with the day picker and edit that day's row inline.
    page.get_by_role("navigation", name="Day to show").get_by_role(
        "link", name=re.compile(three_days_ago.strftime("%A %-d %B"))
    ).click()
    day_list = page.locator("#today")
    expect(day_list.get_by_role("heading", level=2)).to_have_text(
        three_days_ago.strftime("%A %-d %B")
    )
    expect(page.get_by_label("Date", exact=True).first).to_have_value(three_days_ago.isoformat())
    day_list.get_by_role("link", name=re.compile("^Edit")).click()
    editing = page.locator(".activity-row.editing")
    expect(editing.locator("input[name$='kind']:checked")).to_be_focused()
    editing.get_by_label("Outcome").select_option("connected")
    editing.get_by_role("button", name="Save").click()
    expect(day_list).to_contain_text("Connected")
    expect(day_list.get_by_role("heading", level=2)).to_be_focused()
    screenshot("logging-day-picker")

    # The activity log: Edit/Delete on rows still in the window, History on every row.
    page.get_by_role("link", name="Activity log", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    old_row = rows.filter(has_text="Old call")
    expect(old_row.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(old_row).to_contain_text("Locked")
    expect(old_row.get_by_role("link", name=re.compile("^History"))).to_have_count(1)
    recent = rows.filter(has_text="Try again")
    screenshot("logging-activity-log")
    axe("the activity log")
    page.set_viewport_size(PHONE)
    assert small_touch_targets(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("logging-activity-log-phone")
    page.set_viewport_size({"width": 1280, "height": 720})
    recent.get_by_role("link", name=re.compile("^History")).click()
    expect(page.get_by_role("heading", name="History of an activity")).to_be_visible()
    changes = page.locator(".history-changes")
    expect(changes).to_contain_text("No answer")
    expect(changes).to_contain_text("Connected")
    expect(page.locator(".history-list")).to_contain_text(rep.full_name)
    screenshot("logging-history")
    axe("the history of an activity")
    page.get_by_role("link", name="← Back").click()

    page.locator("tbody tr").filter(has_text="Try again").get_by_role(
        "link", name=re.compile("^Edit")
    ).click()
    screenshot("logging-edit-from-log")
    page.get_by_label("Notes").fill("Try again on Friday")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/activities/"))
    expect(page.locator("tbody")).to_contain_text("Try again on Friday")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tbody tr").filter(has_text="Try again").get_by_role(
        "button", name=re.compile("^Delete")
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Deleted")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert Activity.objects.filter(rep=rep).count() == 1
    assert console_errors == []


def test_focus_follows_the_rep_and_touch_targets_fit_a_thumb(
    page, live_server, rep, sign_in, screenshot, console_errors, axe
):
    page.set_viewport_size(PHONE)
    sign_in(rep)
    quick_add = page.locator("#quick-add")

    # A validation error: focus on the first field in error, which says why.
    page.get_by_label("How many").fill("0")
    page.get_by_role("button", name="Log it").click()
    how_many = page.get_by_label("How many")
    expect(how_many).to_be_focused()
    expect(how_many).to_have_attribute("aria-invalid", "true")
    expect(quick_add).to_contain_text("greater than or equal to 1")

    # A typed name that was not picked is not dropped silently.
    how_many.fill("1")
    page.get_by_role("radio", name="New prospect").check()
    page.get_by_role("combobox", name="Prospect (optional)").fill("Nadia")
    page.get_by_role("combobox", name="Prospect (optional)").press("Escape")
    page.get_by_role("button", name="Log it").click()
    expect(quick_add).to_contain_text("You typed “Nadia” but picked no prospect")
    assert not Activity.objects.exists()
    page.get_by_role("combobox", name="Prospect (optional)").fill("")

    # After "Log it", focus is back on the kind, ready for the next one.
    page.get_by_role("radio", name="New prospect").check()
    page.get_by_role("button", name="Log it").click()
    expect(quick_add).to_contain_text("Logged")
    expect(page.get_by_role("radio", name="Call")).to_be_focused()

    # A note over the limit says so, with a counter, instead of being cut.
    notes = page.get_by_label("Notes (optional)")
    notes.fill("x" * 2010)
    expect(notes).to_have_value("x" * 2010)
    expect(quick_add).to_contain_text("2010 / 2000 characters: 10 over the limit")
    page.get_by_role("radio", name="Existing prospect").check()
    page.get_by_role("button", name="Log it").click()
    expect(quick_add).to_contain_text("Notes are at most 2000 characters (these have 2010)")
    expect(page.get_by_label("Notes (optional)")).to_be_focused()
    assert Activity.objects.count() == 1

    # The tally: an error takes focus to its field, a save to the tally's heading.
    tally = page.locator("#tally")
    tally.get_by_label("Calls made — new prospect").fill("3")
    tally.get_by_label("… of which connected — new prospect").fill("5")
    tally.get_by_role("button", name="Save tally").click()
    expect(tally.get_by_label("… of which connected — new prospect")).to_be_focused()
    tally.get_by_label("… of which connected — new prospect").fill("2")
    tally.get_by_role("button", name="Save tally").click()
    expect(tally).to_contain_text("Saved the tally: 3 activities.")
    expect(tally.get_by_role("heading", name="Daily tally")).to_be_focused()

    # The tally's date has its own id: one id_date on the page.
    assert page.locator("#id_date").count() == 1
    expect(page.locator("#tally").get_by_label("Date")).to_have_attribute("id", "tally_date")
    assert (
        page.evaluate(
            "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
            " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
        )
        == []
    )

    # Every control a thumb uses on My day is at least 44 × 44 px (inline links in text and
    # the visually hidden skip link aside).
    assert small_touch_targets(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("logging-my-day-phone")
    axe("my day on a phone")
    assert console_errors == []


def test_the_due_list_ticks_off_and_moves_follow_ups_and_meetings(
    page, live_server, rep, sign_in, screenshot, console_errors, axe
):
    today = timezone.localdate()
    acme = ProspectFactory(owner=rep, name="Olga Acme")
    beta = ProspectFactory(owner=rep, name="Bruno Beta")
    ActivityFactory(
        rep=rep,
        date=today - timedelta(days=4),
        prospect=acme,
        follow_up_on=today - timedelta(days=1),
        notes="Send the price list",
    )
    ActivityFactory(
        rep=rep,
        date=today,
        kind=Kind.MEETING,
        outcome=Outcome.SCHEDULED,
        prospect=beta,
    )
    sign_in(rep)
    due = page.locator("#due")
    expect(due.locator(".due-group-overdue")).to_contain_text("Overdue")
    expect(due.locator("#due-follow-up-1, .due-item").first).to_contain_text("Olga Acme")
    expect(due).to_contain_text("Bruno Beta")
    screenshot("logging-due")
    axe("my day with a due list")

    # Move the follow-up to tomorrow: it leaves today's lists (this week still shows it
    # unless tomorrow is next week).
    due.locator(".due-item").filter(has_text="Olga Acme").get_by_role(
        "button", name=re.compile("^Tomorrow")
    ).click()
    expect(due).to_contain_text("Moved to")
    expect(due.get_by_role("heading", level=2)).to_be_focused()
    follow_up = Activity.objects.get(prospect=acme)
    assert follow_up.follow_up_on == today + timedelta(days=1)
    expect(due.locator(".due-group-overdue")).to_have_count(0)

    # The meeting happened and went well: one click.
    due.locator(".due-item").filter(has_text="Bruno Beta").get_by_role(
        "button", name=re.compile("^Positive")
    ).click()
    expect(due).to_contain_text("Meeting: Held — positive.")
    expect(due.locator(".due-item").filter(has_text="Bruno Beta")).to_have_count(0)
    expect(page.locator("#today .totals")).to_contain_text("1 meetings held")
    assert Activity.objects.get(prospect=beta).outcome == Outcome.HELD_POSITIVE

    if (today + timedelta(days=1)).weekday() != 0:  # tomorrow is still this week
        due.locator(".due-item").filter(has_text="Olga Acme").get_by_role(
            "button", name=re.compile("^Done")
        ).click()
        expect(due).to_contain_text("Follow-up done.")
        follow_up.refresh_from_db()
        assert follow_up.follow_up_done_at is not None
    page.set_viewport_size(PHONE)
    screenshot("logging-due-phone")
    assert console_errors == []


def test_board_cards_show_age_in_stage_next_step_and_a_passed_close(
    page, live_server, rep, sign_in, screenshot, console_errors, axe
):
    stages = default_stages()
    today = timezone.localdate()
    late = OpportunityFactory(
        prospect=ProspectFactory(owner=rep, name="Lena Late"),
        name="Late deal",
        opened_on=today - timedelta(days=40),
        expected_close_on=today - timedelta(days=2),
    )
    StageChangeFactory(
        opportunity=late,
        from_stage=None,
        to_stage=stages["Qualified"],
        changed_at=timezone.now() - timedelta(days=9),
    )
    fine = OpportunityFactory(
        prospect=ProspectFactory(owner=rep, name="Fina Fine"),
        name="Fine deal",
        opened_on=today - timedelta(days=3),
        expected_close_on=today + timedelta(days=30),
    )
    ActivityFactory(
        rep=rep,
        date=today,
        prospect=fine.prospect,
        opportunity=fine,
        follow_up_on=today + timedelta(days=2),
    )
    sign_in(rep)
    page.get_by_role("link", name="Pipeline").click()
    late_card = page.locator(f"#deal-{late.pk}")
    fine_card = page.locator(f"#deal-{fine.pk}")
    expect(late_card).to_contain_text("9 days in stage")
    expect(late_card).to_contain_text("Close date passed")
    expect(late_card).to_contain_text("No next step planned")
    expect(fine_card).to_contain_text("3 days in stage")
    expect(fine_card).to_contain_text("Closes")
    expect(fine_card).to_contain_text("Next: follow-up")
    screenshot("logging-board")
    axe("the pipeline board")
    page.set_viewport_size(PHONE)
    screenshot("logging-board-phone")
    assert console_errors == []


def test_a_connected_call_puts_its_duration_and_follow_up_next(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    """Issue 18: after "Connected", the duration and the follow-up date are the next
    fields (Tab from the count), and they are saved with the call."""
    default_stages()
    sign_in(rep)
    duration = page.get_by_label("Duration (minutes)")
    expect(duration).to_be_visible()  # a call is connected unless told otherwise
    page.get_by_label("Outcome").select_option("no_answer")
    expect(duration).to_be_hidden()  # nobody answered: no duration to give
    expect(page.get_by_role("button", name="Add a duration or a follow-up date")).to_be_visible()
    page.get_by_label("Outcome").select_option("connected")
    expect(duration).to_be_visible()
    page.get_by_label("How many").focus()
    page.keyboard.press("Tab")
    expect(duration).to_be_focused()
    page.keyboard.type("25")
    page.keyboard.press("Tab")
    follow_up = timezone.localdate() + timedelta(days=3)
    expect(page.get_by_label("Follow up on")).to_be_focused()
    page.get_by_label("Follow up on").fill(follow_up.isoformat())
    page.get_by_role("radio", name="Existing prospect").check()
    screenshot("logging-connected-call")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#quick-add")).to_contain_text("Logged: Call (Connected)")
    call = Activity.objects.get()
    assert (call.duration_minutes, call.follow_up_on) == (25, follow_up)
    assert console_errors == []


def _fill_until_kept(field, value: str) -> None:
    """Type into a field the page itself filled a moment before. About one run in five on
    a busy machine, the page's own value comes back over Playwright's fill, which no
    person's typing has been seen to hit (the cause is not found yet: see the closing note
    of 2026-12-03). The assertion after it stands."""
    for _ in range(3):
        field.fill(value)
        try:
            expect(field).to_have_value(value, timeout=1000)
            return
        except AssertionError:
            continue


def test_a_manager_corrects_a_locked_row_with_a_reason_kept_in_its_history(
    page, live_server, rep, manager, sign_in, screenshot, console_errors, axe
):
    old_day = timezone.localdate() - timedelta(days=20)
    ActivityFactory(rep=rep, date=old_day, quantity=1, notes="Old call")
    sign_in(manager)

    page.get_by_role("link", name="Activity log", exact=True).click()
    page.locator("tbody tr").filter(has_text="Old call").get_by_role(
        "link", name=re.compile("^Correct")
    ).click()
    expect(page.get_by_role("heading", name="Correct an activity")).to_be_visible()
    expect(page.locator(".message-warning")).to_contain_text("locked for its rep")
    axe("the correction page")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("alert").or_(page.locator(".error")).first).to_contain_text("Say why")
    page.get_by_label("Reason").fill("Three calls, logged as one")
    page.get_by_role("button", name="Save the correction").click()
    expect(page).to_have_url(re.compile(r"/activities/$"))
    row = page.locator("tbody tr").filter(has_text="Old call")
    expect(row.locator("td.num")).to_have_text("3")
    row.get_by_role("link", name=re.compile("^History")).click()
    expect(page.locator(".history-list")).to_contain_text("Reason: Three calls, logged as one")
    screenshot("logging-correction-history")
    assert console_errors == []
