"""The README's screenshots: seed the demo into a throwaway database, serve it with
`manage.py runserver` on a free local port, sign in as a rep, a manager and an admin in
Debian's Chromium (Playwright), save a few small PNGs under docs/screenshots/, stop the
server.

    make screenshots                                  # a throwaway SQLite database
    DATABASE_URL=postgres://… make screenshots        # a database of your own: seed_demo
                                                      # rebuilds its demo organisation

Never `playwright install`: the browser is Debian's Chromium (`apt-get install chromium`),
and nothing here needs the network. Celery runs eagerly (REDIS_URL is ignored).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "salestrack-demo"
WIDTH, HEIGHT, MAX_HEIGHT = 1280, 800, 1300
PHONE_WIDTH, PHONE_HEIGHT, PHONE_MAX_HEIGHT = 390, 844, 2600
# 90 days rather than the default 60: the demo's deals take 15–70 days to close, and with
# 60 days of history a team can have won nothing in the 30 days its demo quota grows from,
# which leaves its reps with a quota of 0.
DEMO_ARGS = ["--days", "90"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"runserver stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"runserver did not answer on {url} within {seconds:.0f} s")


def sign_in(page: Page, url: str, email: str) -> None:
    """Sign in by the fields' names: the page is in the browser's language."""
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state("networkidle")


def charts_drawn(page: Page) -> None:
    """Every chart on the page has its Plotly SVG (charts.js draws them after load)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].every(el => el.querySelector('.main-svg'))"
    )


def save(
    page: Page,
    name: str,
    *,
    down_to: str = "main",
    from_: str | None = None,
    max_height: int = MAX_HEIGHT,
) -> None:
    """The page from its top (or from the first element matching `from_`) to the bottom
    of the first element matching `down_to`, at most `max_height` pixels: small files,
    nothing cut mid-card. Boxes are measured in the page, however far it is scrolled."""
    scrolled = page.evaluate("window.scrollY")
    top = 0
    if from_:
        top = max(0, round(page.locator(from_).first.bounding_box()["y"] + scrolled - 16))
    box = page.locator(down_to).first.bounding_box()
    height = min(max_height, round(box["y"] + scrolled + box["height"] + 24) - top)
    width = page.viewport_size["width"]
    path = OUT / f"{name}.png"
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": top, "width": width, "height": height},
        animations="disabled",
        caret="hide",
    )
    print(f"  {path.relative_to(ROOT)}  {width}×{height}  {path.stat().st_size / 1024:.0f} KB")


def my_day(page: Page, url: str, suffix: str = "") -> None:
    """A rep's home: log an activity, what is due, today's targets worked back from the
    quota."""
    sign_in(page, url, "ana@demo.salestrack.test")
    page.goto(f"{url}/my-day/")
    page.wait_for_load_state("networkidle")
    save(page, f"my-day{suffix}", down_to="#quick-add")


def team_dashboard(page: Page, url: str, suffix: str = "") -> None:
    """A manager's home, its first screen: revenue against quota with pace, the forecast's
    line, who needs help, the tabs of the other sections and the rep table."""
    sign_in(page, url, "marta@demo.salestrack.test")
    page.goto(f"{url}/team/")
    page.wait_for_load_state("networkidle")
    save(page, f"team-dashboard{suffix}", down_to="#section-panel", max_height=1500)


def team_dashboard_phone(page: Page, url: str) -> None:
    """The same first screen on a 390 px phone: the tab bar scrolls sideways."""
    page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    sign_in(page, url, "marta@demo.salestrack.test")
    page.goto(f"{url}/team/")
    page.wait_for_load_state("networkidle")
    save(page, "team-dashboard-phone", down_to="#section-panel", max_height=PHONE_MAX_HEIGHT)


def team_funnel(page: Page, url: str) -> None:
    """A section a tab away: the funnel's charts, loaded when its tab is opened."""
    sign_in(page, url, "marta@demo.salestrack.test")
    page.goto(f"{url}/team/")
    page.get_by_role("tab", name="Funnel").click()
    page.wait_for_selector("#chart-funnel")
    page.wait_for_load_state("networkidle")
    charts_drawn(page)
    save(page, "team-funnel", from_=".section-tabs", down_to=".chart-card:nth-child(2)")


def leaderboard(page: Page, url: str) -> None:
    """A rep's leaderboard: their team, outcomes first, their own row highlighted."""
    sign_in(page, url, "ana@demo.salestrack.test")
    page.goto(f"{url}/leaderboard/")
    page.wait_for_load_state("networkidle")
    save(page, "leaderboard", down_to="#board")


def target_page(page: Page, url: str) -> None:
    """An admin sets North's target for the next quarter and sees the realism check."""
    sign_in(page, url, "admin@demo.salestrack.test")
    page.goto(f"{url}/settings/targets/")
    page.get_by_label("Team").select_option(label="North")
    page.get_by_role("button", name="Set a target").click()
    page.wait_for_load_state("networkidle")
    save(page, "target-plan", down_to="#plan")


def in_language(shot, language: str, locale: str):
    """`shot` as a browser set to `locale` sees it (the demo people follow their browser's
    language, docs/i18n.md#choosing-the-language), saved with `-language` after its name."""

    def run(page: Page, url: str) -> None:
        shot(page, url, suffix=f"-{language}")

    run.locale = locale
    return run


SHOTS = [my_day, team_dashboard, team_dashboard_phone, team_funnel, leaderboard, target_page]
# My day and the team page in Spanish and in Chinese (issue 29; Chinese needs a CJK font:
# Debian's fonts-noto-cjk).
SHOTS += [
    in_language(shot, language, locale)
    for language, locale in (("es", "es-ES"), ("zh-hans", "zh-CN"))
    for shot in (my_day, team_dashboard)
]


@contextmanager
def serving(env: dict, log_path: Path):
    """`manage.py runserver` on a free local port for the length of the block; its log is
    printed if the block fails."""
    url = f"http://127.0.0.1:{free_port()}"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", url.removeprefix("http://"), "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(url, server)
            yield url
        except BaseException:
            log.flush()
            print(log_path.read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="salestrack-screenshots-") as tmp:
        env = {**os.environ, "DEBUG": "true", "IMPORT_STAGING_DIR": f"{tmp}/imports"}
        env.pop("REDIS_URL", None)
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/demo.sqlite3")
        print(f"Seeding the demo into {env['DATABASE_URL']}")
        manage("migrate", "--noinput", "-v0", env=env)
        manage("seed_demo", *DEMO_ARGS, env=env)
        with serving(env, Path(tmp) / "runserver.log") as url, sync_playwright() as playwright:
            print(f"Serving on {url}; saving screenshots:")
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for shot in SHOTS:
                context = browser.new_context(
                    viewport={"width": WIDTH, "height": HEIGHT},
                    device_scale_factor=1,
                    locale=getattr(shot, "locale", "en-GB"),
                )
                shot(context.new_page(), url)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
