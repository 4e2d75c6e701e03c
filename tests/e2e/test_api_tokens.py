"""Settings → API tokens in a browser, the token used from outside, and the API's docs page
under the site's CSP (docs/api.md)."""

from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, Source


def test_a_rep_creates_a_token_uses_it_and_revokes_it(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    sign_in(rep)
    page.goto(f"{live_server.url}/settings/api-tokens/")
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_label("Name")).to_be_focused()
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()

    shown = page.get_by_label("Token")
    expect(shown).to_be_visible()
    raw = shown.input_value()
    assert raw.startswith("st_")
    expect(page.get_by_role("cell", name="laptop", exact=True)).to_be_visible()
    screenshot("api-tokens-created")

    answer = page.request.post(
        f"{live_server.url}/api/v1/activities",
        headers={"Authorization": f"Bearer {raw}"},
        data={
            "date": str(timezone.localdate()),
            "kind": "call",
            "outcome": "connected",
            "prospect_status": "new",
        },
    )
    assert answer.status == 201
    assert Activity.objects.get().source == Source.API

    page.goto(f"{live_server.url}/settings/api-tokens/")
    expect(page.get_by_label("Token")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke laptop").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Revoked the token"
    )
    expect(page.get_by_role("button", name="Revoke laptop")).to_have_count(0)
    screenshot("api-tokens-revoked")
    refused = page.request.get(
        f"{live_server.url}/api/v1/activities", headers={"Authorization": f"Bearer {raw}"}
    )
    assert refused.status == 401
    assert console_errors == []


def test_the_docs_page_renders_from_our_static_files_under_the_csp(
    page, live_server, sign_in, rep, screenshot, console_errors
):
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("SalesTrack API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/activities").first).to_be_visible()
    screenshot("api-docs")
    assert [u for u in outside if not u.startswith("data:")] == []
    assert console_errors == []
