"""Every page in Spanish and in Chinese (issue 29, docs/i18n.md): a rep, a manager and an
admin, each with the language chosen on their profile, walk every page they may open (the
permission matrix's URLs, tests/test_permission_matrix.py) and every section of the team
and rep pages; no text on them may still be an English message of the catalogue. Each page
says its language in `<html lang>`, and the main ones pass axe in each language."""

import re
from datetime import timedelta
from decimal import Decimal
from functools import cache

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities import services as activity_services
from activities.services import calendar_feed_open
from api.services import token_create
from capture.models import UnmatchedEvent
from dashboards import alerts
from dashboards.reports.sections import REP_SECTIONS, TEAM_SECTIONS
from imports import services as import_services
from imports.models import ImportJob
from pipeline.models import LeadSource, Opportunity, Product, Prospect, Stage
from quotas import calendar
from quotas.models import Holiday
from tests.factories import (
    ActivityFactory,
    AlertFactory,
    EndpointFactory,
    HolidayFactory,
    ImportJobFactory,
    LeadSourceFactory,
    OpportunityFactory,
    ProductFactory,
    ProspectFactory,
    RepFactory,
    StageChangeFactory,
    TeamTargetFactory,
    default_stages,
    short_of_quota_this_month,
)
from tests.po import catalogue, read
from tests.test_permission_matrix import MATRIX, url_for
from users.models import Team, User
from webhooks import transport
from webhooks.models import Delivery

LANGUAGES = ["es", "zh-hans"]
ROLES = ["rep", "manager", "admin"]

# Named URLs that are not pages a person reads: files, JSON, the API and its docs (Swagger's
# own words), the JavaScript catalogue, the email services' webhooks.
NOT_PAGES = {
    "healthz",
    "javascript-catalog",
    "set_language",
    "activities:calendar_feed",
}
NOT_PAGES_PREFIXES = ("api_v1:", "email_webhook_", "email_inbound_")
# Pieces of a page that htmx asks for and puts into it: no <html lang> of their own, their
# words checked all the same.
FRAGMENTS = {
    "activities:outcome_options",
    "activities:prospect_results",
    "activities:prospect_pick",
    "activities:prospect_clear",
    "activities:prospect_new",
    "activities:next_steps",
}
# axe, in each language, on each persona's main pages (tests/e2e/test_accessibility.py
# checks every page in English).
AXE_PAGES = {
    "activities:my_day",
    "pipeline:board",
    "dashboards:leaderboard",
    "dashboards:team",
    "dashboards:rep",
    "quotas:targets",
    "users:user_list",
    "profile",
}
# Words in English whatever the language, as the catalogues keep them: none yet. A name of
# a product or a code that a translator keeps in English needs no entry (its translation
# equals its msgid); one here needs a reason.
STAYS_ENGLISH: set[str] = set()

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\{\s*\w+\s*\}\}")
_TAG = re.compile(r"<[^>]+>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#x27;": "'", "&nbsp;": " "}


def _as_read(text: str) -> str:
    """A message as a page shows it: tags dropped, entities read, spaces collapsed."""
    text = _TAG.sub("", text)
    for entity, character in _ENTITIES.items():
        text = text.replace(entity, character)
    return " ".join(text.replace("%%", "%").split())


class English:
    """The catalogue's English messages that a language writes otherwise, to look for on its
    pages: each as the exact text (`plain`) or, with values, a pattern where each value is
    any text. A message whose English is also some translation in that language is left out
    (a page may show it rightly), and so is one with no word outside its values
    ("%(a)s – %(b)s"). The messages with markup ("<strong>%(n)s</strong> calls") are kept
    apart: only they are looked for in an element's whole text, the others in text nodes."""

    def __init__(self, language: str):
        messages = [m for d in ("django", "djangojs") for m in read(catalogue(language, d))]
        translations = {_as_read(text) for m in messages for text in m.translations if text}
        found = {False: (set(), set()), True: (set(), set())}  # markup → (plain, patterns)
        for message in messages:
            if all(_as_read(t) == _as_read(message.msgid) for t in message.translations):
                continue  # kept in English by the translator (a product's name, a code)
            for form in filter(None, (message.msgid, message.msgid_plural)):
                english = _as_read(form)
                words = _PLACEHOLDER.sub("", english)
                if not re.search(r"[A-Za-z]{2}", words) or english in translations:
                    continue
                if english in STAYS_ENGLISH:
                    continue
                plain, patterns = found[bool(_TAG.search(form))]
                if _PLACEHOLDER.search(english):
                    pieces = _PLACEHOLDER.split(english)
                    patterns.add(".+?".join(re.escape(piece) for piece in pieces))
                else:
                    plain.add(english)
        self.in_text = (frozenset(found[False][0]), _one_pattern(found[False][1]))
        self.in_markup = (frozenset(found[True][0]), _one_pattern(found[True][1]))

    @staticmethod
    def _matches(text, plain, pattern) -> bool:
        return text in plain or (pattern is not None and pattern.fullmatch(text) is not None)

    def left_in(self, texts: list[str], wholes: list[str], data: set[str]) -> list[str]:
        found = []
        for kind, strings in ((self.in_text, texts), (self.in_markup, wholes)):
            for text in strings:
                if text in data or not re.search(r"[A-Za-z]{2}", text):
                    continue
                if self._matches(text, *kind):
                    found.append(text)
        return found


def _one_pattern(patterns: set[str]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns))) if patterns else None


@cache
def english_messages(language: str) -> English:
    return English(language)


# Every string a person may read on the page but machine text (code: a CSV's column names),
# each text node, each element's whole text
# (a message may hold markup: "<strong>3</strong> calls"), the title, and the attributes
# read aloud or shown on hover and in empty fields.
TEXTS_JS = """() => {
  const texts = new Set([document.title]), wholes = new Set();
  const squash = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const skip = (el) =>
    !el || el.closest("script, style, template, noscript, code, kbd, samp, .modebar");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!skip(node.parentElement)) texts.add(squash(node.textContent));
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (skip(el)) continue;
    if (el.children.length) {
      const whole = squash(el.textContent);
      if (whole.length <= 300) wholes.add(whole);
    }
    for (const name of ["placeholder", "title", "aria-label", "alt"]) {
      if (el.hasAttribute(name)) texts.add(squash(el.getAttribute(name)));
    }
    if (el.matches("input[type=submit], input[type=button]")) texts.add(squash(el.value));
  }
  texts.delete("");
  return [[...texts], [...wholes]];
}"""


def english_on(page, language: str, data_values: set[str]) -> list[str]:
    texts, wholes = page.evaluate(TEXTS_JS)
    return english_messages(language).left_in(texts, wholes, data_values)


def data_values() -> set[str]:
    """What the organisation typed, shown as it was typed in every language: names of
    people, teams, prospects, deals, stages, sources, products and holidays, the columns of
    an uploaded file."""
    values = set()
    for model, fields in (
        (User, ["full_name", "email"]),
        (Team, ["name", "region"]),
        (Prospect, ["name", "company"]),
        (Opportunity, ["name"]),
        (Stage, ["name"]),
        (LeadSource, ["name"]),
        (Product, ["name"]),
    ):
        for row in model.objects.values_list(*fields):
            values.update(str(value) for value in row if value)
    values.update(Holiday.objects.values_list("name", flat=True))
    # The columns of an uploaded file, offered on the matching page as the file names them.
    for header in ImportJob.objects.values_list("header", flat=True):
        values.update(header or [])
    return values


@pytest.fixture
def a_lived_in_organisation(rep, manager, admin, team, other_team_rep):
    """Enough of everything that each page draws its tables, charts, lists and forms: Ana
    short of her quota this month with a teammate, a month of calls, emails, meetings and
    messages, follow-ups due and a meeting booked, a deal with stage moves, a locked row
    with a history, an alert of every kind, a target, a holiday, a token, a webhook with
    deliveries, events not matched, an import with errors and one waiting for its columns."""
    stages = default_stages()
    today = timezone.localdate()
    month = short_of_quota_this_month(rep)
    luis = RepFactory(team=team, full_name="Luis Gil", email="luis@example.com")
    TeamTargetFactory(team=team, period=month, revenue_target=Decimal("150000"))
    source = LeadSourceFactory(name="Trade show")
    product = ProductFactory(name="Analytics suite")
    prospect = ProspectFactory(owner=rep, name="Lena Park", company="Acme", source=source)
    deal = OpportunityFactory(
        prospect=prospect,
        name="Acme renewal",
        amount=Decimal("1234.56"),
        product=product,
        stage=stages["Proposal"],
        opened_on=today - timedelta(days=12),
        expected_close_on=month.end,
    )
    StageChangeFactory(
        opportunity=deal, from_stage=stages["Qualified"], to_stage=stages["Proposal"]
    )
    for person, calls in ((rep, 30), (luis, 18)):
        for offset in range(0, 12):
            day = today - timedelta(days=offset)
            ActivityFactory(
                rep=person,
                date=day,
                kind="call",
                outcome="connected",
                quantity=calls // 6,
                prospect=prospect if person == rep else None,
            )
            ActivityFactory(rep=person, date=day, kind="call", outcome="no_answer", quantity=calls)
            ActivityFactory(rep=person, date=day, kind="email", outcome="sent", quantity=5)
            ActivityFactory(rep=person, date=day, kind="email", outcome="replied", quantity=1)
            ActivityFactory(rep=person, date=day, kind="message", outcome="sent", quantity=2)
        ActivityFactory(rep=person, date=today, kind="meeting", outcome="held_positive", quantity=2)
    # Due: a follow-up overdue, one today, a meeting booked for next week.
    ActivityFactory(
        rep=rep,
        date=today - timedelta(days=3),
        prospect=prospect,
        follow_up_on=today - timedelta(days=1),
        duration_minutes=12,
    )
    ActivityFactory(rep=rep, date=today, prospect=prospect, follow_up_on=today)
    ActivityFactory(
        rep=rep,
        date=today + timedelta(days=5),
        kind="meeting",
        outcome="scheduled",
        prospect=prospect,
    )
    # A row with a history (changed today), and one before the edit window (locked).
    changed = ActivityFactory(
        rep=rep, date=today, kind="call", outcome="no_answer", prospect=prospect
    )
    activity_services.activity_update(
        by=rep, activity=changed, outcome="connected", duration_minutes=7
    )
    ActivityFactory(
        rep=rep, date=today - timedelta(days=20), kind="email", outcome="bounced", prospect=prospect
    )
    for kind, params in (
        ("below_pace", alerts.below_pace_params(rep.full_name, 0.3, 0.45, month.start)),
        ("no_activity", alerts.no_activity_params(luis.full_name, today - timedelta(days=4), 2)),
        ("conversion_drop", alerts.conversion_drop_params(rep.full_name, 0.05, 0.2, 80, 9)),
        ("email_bounces", alerts.email_bounces_params(luis.full_name, 0.15, 40)),
        ("reply_drop", alerts.reply_drop_params(rep.full_name, 0.04, 0.2, 30, 8)),
    ):
        AlertFactory(
            rep=rep if luis.full_name not in params["name"] else luis,
            kind=kind,
            as_of=today,
            params=params,
            message="-",
        )
    HolidayFactory(date=month.end, name="Fiesta del equipo")
    token = token_create(by=None, user=rep, name="laptop").token
    token_create(by=None, user=admin, name="dialer")
    UnmatchedEvent.objects.create(
        channel="email", reason="unknown_rep", key="m-1", payload={"rep": "nobody@example.com"}
    )
    UnmatchedEvent.objects.create(
        channel="call", reason="unknown_recipient", key="c-1", payload={"to": "+34600000000"}
    )
    # The endpoint first: the import's finish is delivered to it (below, refused).
    endpoint = EndpointFactory(url="https://hooks.example.com/salestrack", created_by=admin)
    import_job = import_services.import_queue(
        by=manager,
        kind="activities",
        create_missing=False,
        file_name="week.csv",
        chunks=[
            b"date,rep_email,kind,outcome,prospect_status,quantity,notes\n"
            b"2026-03-02,nobody@example.com,call,sent,new,-3,\n"
        ],
    )
    import_services.import_check(job_id=import_job.pk)
    # Its finish, refused, as a worker in English stores it (our reason: read in each
    # language on Settings → Webhooks).
    Delivery.objects.filter(endpoint=endpoint, event="import.finished").update(
        attempts=1, last_reason=transport.describe(ConnectionRefusedError()).to_json()
    )
    Delivery.objects.create(
        endpoint=endpoint,
        event="opportunity.won",
        payload="{}",
        attempts=2,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
        last_status_code=500,
        last_answer="Internal Server Error",
    )
    Delivery.objects.create(
        endpoint=endpoint, event="alert.created", payload="{}", status="delivered", attempts=1
    )
    mapping_job = ImportJobFactory(
        kind="activities",
        file_name="pipedrive.csv",
        created_by=manager,
        status="mapping",
        header=["Subject", "Type", "Due date"],
    )
    return {
        "ana": rep,
        "team": team,
        "prospect": prospect,
        "opportunity": deal,
        "activity": changed,
        "source": source,
        "stage": stages["Proposal"],
        "product": product,
        "holiday": Holiday.objects.get(name="Fiesta del equipo"),
        "token": token,
        "calendar_feed": calendar_feed_open(by=rep),
        "endpoint": endpoint,
        "alert": None,
        "import_job": import_job,
        "mapping_job": mapping_job,
    }


def pages_of(role: str, objects: dict) -> list[tuple[str, str]]:
    """(name, URL) of every page `role` may open, as the permission matrix says, then the
    sections of the team and rep pages and a target's plan."""
    pages = []
    for name, (target, expected) in sorted(MATRIX.items()):
        if name in NOT_PAGES or name.startswith(NOT_PAGES_PREFIXES):
            continue
        if not isinstance(expected, dict) or expected.get(role) != 200:
            continue
        pages.append((name, url_for(name, target, objects)))
    names = {name for name, _ in pages}
    if "dashboards:team" in names:
        pages += [
            ("dashboards:team", f"/team/?section={s}") for s in TEAM_SECTIONS if s != "overview"
        ]
    if "dashboards:rep" in names:
        rep_page = url_for("dashboards:rep", "ana", objects)
        pages += [
            ("dashboards:rep", f"{rep_page}?section={s}") for s in REP_SECTIONS if s != "overview"
        ]
    if "quotas:target_plan" in names:
        quarter = calendar.period_containing(timezone.localdate(), "quarter")
        following = calendar.period_containing(quarter.end + timedelta(days=1), "quarter")
        pages.append(
            (
                "quotas:target_plan",
                f"/settings/targets/plan/?team={objects['team'].pk}&period={following.label}",
            )
        )
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_reads_in_the_persons_language(
    page, live_server, request, a_lived_in_organisation, sign_in, axe, language
):
    objects = a_lived_in_organisation
    values = data_values()
    english, visited = [], set()
    for role in ROLES:
        person = request.getfixturevalue(role)
        person.language = language
        person.save(update_fields=["language"])
        page.context.clear_cookies()
        sign_in(person)
        # A page that an earlier, less entitled role has read is not read again: the same
        # template in the same language (a manager's and an admin's team page).
        for name, url in pages_of(role, objects):
            if url in visited and name not in AXE_PAGES:
                continue
            response = page.goto(live_server.url + url)
            assert response.status == 200, f"{role} {url}: {response.status}"
            # Sections that htmx fetches once the page is in place: read them too.
            page.wait_for_function("() => !document.querySelector('.htmx-request')")
            visited.add(url)
            if name not in FRAGMENTS:
                assert page.locator("html").get_attribute("lang") == language, f"{role} {url}"
            english += [f"{role} {url}: {text!r}" for text in english_on(page, language, values)]
            if name in AXE_PAGES and "section=" not in url:
                expect(page.locator("main h1").first).to_be_visible()
                axe(f"{url} in {language} as the {role}")
    assert len(visited) > 60, len(visited)
    assert not english, f"{len(english)} English texts in {language}:\n" + "\n".join(english)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_before_signing_in_read_in_the_chosen_language(page, live_server, axe, language):
    """The sign-in page's switcher sets the language for the sign-in and password pages."""
    page.goto(f"{live_server.url}/accounts/login/")
    name = {"es": "Español", "zh-hans": "简体中文"}[language]
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    english = []
    for name in ("login", "password_reset", "password_reset_done", "password_reset_complete"):
        url = reverse(name)
        page.goto(live_server.url + url)
        assert page.locator("html").get_attribute("lang") == language, url
        english += [f"{url}: {text!r}" for text in english_on(page, language, set())]
    invalid_link = reverse(
        "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"}
    )
    page.goto(live_server.url + invalid_link)
    english += [f"{invalid_link}: {text!r}" for text in english_on(page, language, set())]
    page.goto(f"{live_server.url}/accounts/login/")
    axe(f"sign in in {language}")
    assert not english, "\n".join(english)


# Text that overflows its box on a phone: an element whose content is wider than it is,
# unless it scrolls on purpose (the tab bar, wide tables, charts).
OVERFLOWING_JS = """() => [...document.querySelectorAll("body *")]
  .filter((el) => {
    if (!el.checkVisibility()) return false;
    if (el.closest(".table-wrap, .section-tabs, .chart, svg")) return false;
    const style = getComputedStyle(el);
    if (["auto", "scroll"].includes(style.overflowX) || style.textOverflow === "ellipsis") {
      return false;
    }
    return el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 1;  // 1 px: screen readers'

  })
  .map((el) => {
    const what = `${el.tagName.toLowerCase()}.${el.className}`;
    const text = el.textContent.trim().slice(0, 60);
    return `${what} ${el.scrollWidth} > ${el.clientWidth} px: ${text}`;
  })
"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_no_text_runs_out_of_the_page(
    page, live_server, manager, rep, a_lived_in_organisation, sign_in, screenshot, language
):
    """Spanish strings run longer than English, Chinese ones wrap anywhere: at 390 px the
    navigation, My day and the team page and its sections stay inside the screen."""
    page.set_viewport_size({"width": 390, "height": 844})
    for person, urls in (
        (rep, ["/my-day/", "/leaderboard/"]),
        (manager, ["/team/", *[f"/team/?section={s}" for s in TEAM_SECTIONS if s != "overview"]]),
    ):
        person.language = language
        person.save(update_fields=["language"])
        page.context.clear_cookies()
        sign_in(person)
        for url in urls:
            page.goto(live_server.url + url)
            page.wait_for_function("() => !document.querySelector('.htmx-request')")
            name = url.strip("/").replace("/?section=", "-") or "home"
            screenshot(f"phone-{language}-{name}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
            overflowing = page.evaluate(OVERFLOWING_JS)
            assert overflowing == [], f"{url}: " + "\n".join(overflowing)


def test_on_a_phone_the_navigation_is_one_row_that_shows_where_you_are(
    page, live_server, manager, sign_in
):
    """Seven Spanish links wrapped into four rows above every page; now they scroll sideways
    in one, and the page's own link is scrolled into view."""
    manager.language = "es"
    manager.save(update_fields=["language"])
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(manager)
    page.goto(f"{live_server.url}/activities/")
    nav = page.get_by_role("navigation", name="Principal")
    links = nav.get_by_role("link")
    expect(links.first).to_be_visible()
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all())}
    assert len(tops) == 1, tops
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_text("Registro de actividad")
    shown, box = nav.bounding_box(), current.bounding_box()
    assert shown["x"] <= box["x"]
    assert box["x"] + box["width"] <= shown["x"] + shown["width"]
