"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Never `playwright install`: the network is closed, and Debian's Chromium is the browser.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Locator

from tests.conftest import CHROMIUM
from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are
# still synchronous, so Django's async-safety guard must stand aside in these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).parent / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


# A person cannot act on a page before it is drawn; Playwright can: it fills a field the
# moment the HTML holds it, before htmx and static/js have run (they are deferred, behind
# the JavaScript catalogue), and the change then never reaches the server. So every action
# first waits, as a person would, for the page's `load` (at once when it has passed).
ACTIONS = (
    "check",
    "click",
    "dblclick",
    "fill",
    "press",
    "press_sequentially",
    "select_option",
    "set_checked",
    "set_input_files",
    "uncheck",
)


@pytest.fixture(autouse=True)
def _act_once_the_page_has_loaded(monkeypatch):
    for name in ACTIONS:
        action = getattr(Locator, name)

        def after_load(locator, *args, _action=action, **kwargs):
            locator.page.wait_for_load_state("load")
            return _action(locator, *args, **kwargs)

        monkeypatch.setattr(Locator, name, after_load)


@pytest.fixture
def console_errors(page):
    """Every console error and uncaught exception on the page, CSP violations included."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(user, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in_as


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists so that it stops
    (and lets go of its connection) before the test database is dropped."""
    return live_server


@pytest.fixture
def browser_context_args(browser_context_args, request):
    """A test that asks for `axe` gets a context that bypasses the CSP: axe-core is injected
    as a script of its own, which our CSP (rightly) refuses. Every other test keeps the CSP,
    so a stray inline script still fails them."""
    if "axe" in request.fixturenames:
        return {**browser_context_args, "bypass_csp": True}
    return browser_context_args


@pytest.fixture
def axe(page):
    """`axe(name)` runs axe-core on the page as it is now and fails on any critical or
    serious violation, naming each one and where it is."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(name):
        results = checker.run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(", ".join(node["target"]) for node in v["nodes"])
            for v in bad
        )
        assert not bad, f"axe on {name}:\n{report}"
        return results

    return check
