"""How big the team page and a rep page are on their first load (BENCHMARKS.md, "The team
page's first screen"): on the demo organisation already seeded into DATABASE_URL
(`manage.py seed_demo`), as the demo's manager (marta, North) and for its rep Ana.

- height: `document.documentElement.scrollHeight` in Debian's Chromium (Playwright) at
  1280 × 800 and 390 × 844, once the page and what it loads at once have settled;
- bytes: the page's HTML plus every htmx request the page makes by itself on load (no
  click), as Django sends them (uncompressed), recorded in the browser;
- queries: the same requests replayed through Django's test client under
  `CaptureQueriesContext` (the session and user lookups included).

    source .env.helper && .venv/bin/python scripts/measure_pages.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salestrack.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from screenshots import CHROMIUM, CHROMIUM_ARGS, serving, sign_in  # noqa: E402

from users.models import User  # noqa: E402

MANAGER, REP = "marta@demo.salestrack.test", "ana@demo.salestrack.test"
WIDTHS = ((1280, 800), (390, 844))


def first_load(page, url):
    """The page's own HTML and the htmx requests it makes on load: [(path, bytes)]."""
    loads = []

    def record(response):
        request = response.request
        if request.resource_type == "document" or request.headers.get("hx-request"):
            loads.append((response.url, len(response.body())))

    page.on("response", record)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.remove_listener("response", record)
    return loads


def main():
    ana = User.objects.get(email=REP)
    paths = {"team page": "/team/", "rep page (Ana)": f"/reps/{ana.pk}/"}
    env = {**os.environ}
    results = {}
    with serving(env, Path("/tmp") / "measure-runserver.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name, path in paths.items():
            for width, height in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, url, MANAGER)
                loads = first_load(page, url + path)
                results.setdefault(name, {})[f"height_{width}"] = page.evaluate(
                    "document.documentElement.scrollHeight"
                )
                if shots := os.environ.get("MEASURE_SCREENSHOTS"):
                    slug = path.strip("/").replace("/", "-")
                    page.screenshot(path=f"{shots}/{slug}-{width}.png", full_page=True)
                results[name]["loads"] = [(u.removeprefix(url), size) for u, size in loads]
                context.close()
        browser.close()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=MANAGER))
    for name, data in results.items():
        queries = 0
        for i, (path, _size) in enumerate(data["loads"]):
            headers = {"HX-Request": "true"} if i else {}
            client.get(path, headers=headers)  # warm: no first-request cost in the count
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            queries += len(captured)
        data["queries"] = queries
        data["bytes"] = sum(size for _path, size in data["loads"])
        print(
            f"{name}: height {data['height_1280']:,} px at 1280, {data['height_390']:,} px at"
            f" 390; first load {data['bytes']:,} bytes in {len(data['loads'])} request(s),"
            f" {queries} queries"
        )
        for path, size in data["loads"]:
            print(f"    {size:>9,} B  {path}")


if __name__ == "__main__":
    main()
