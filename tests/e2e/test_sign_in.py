import re

from playwright.sync_api import expect


def test_a_rep_signs_in_through_the_form_and_lands_on_my_day(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("Email")).to_be_focused()
    screenshot("login")

    sign_in(rep)

    expect(page).to_have_url(f"{live_server.url}/my-day/")
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My day")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    expect(nav.get_by_role("link", name="Team dashboard")).to_have_count(0)
    expect(page.get_by_role("heading", name="Log an activity")).to_be_visible()
    screenshot("rep-my-day")
    assert console_errors == []


def test_a_wrong_password_is_told_on_the_form(page, live_server, rep, sign_in, screenshot):
    sign_in(rep, password="wrong-password")

    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    screenshot("login-wrong-password")


def test_an_admin_signs_in_and_manages_users_and_teams(
    page, live_server, admin, rep, manager, sign_in, screenshot, console_errors
):
    sign_in(admin)

    expect(page).to_have_url(f"{live_server.url}/settings/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My day")).to_have_count(0)
    for link in ["Team dashboard", "Activity log", "Settings"]:
        expect(nav.get_by_role("link", name=link)).to_be_visible()
    screenshot("admin-settings")

    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("cell", name="Ana García")).to_be_visible()
    page.get_by_label("Search").fill("marta")
    expect(page.get_by_role("cell", name="Ana García")).to_have_count(0)
    expect(page.get_by_role("cell", name="Marta Ruiz")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=marta"))
    screenshot("admin-users-search")

    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Full name").fill("Nuria Prieto")
    page.get_by_label("Email").fill("nuria@example.com")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_text("A sales rep needs a team.")).to_be_visible()
    screenshot("admin-add-user-error")
    page.get_by_label("Team").select_option(label="North")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_text("Nuria Prieto can now sign in")).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Teams", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("North"))).to_contain_text("Marta Ruiz")
    screenshot("admin-teams")
    assert console_errors == []


def test_the_layout_works_at_phone_width(page, live_server, manager, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(manager)

    expect(page).to_have_url(f"{live_server.url}/team/")
    expect(page.get_by_role("link", name="Team dashboard")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    screenshot("manager-team-phone")

    page.get_by_text("M", exact=True).first.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_static_assets_are_served_locally(page, live_server):
    for path in ["/static/plotly/plotly.min.js", "/static/css/salestrack.css"]:
        response = page.request.get(f"{live_server.url}{path}")
        assert response.ok, path
    html = page.request.get(f"{live_server.url}/accounts/login/").text()
    assert "/static/django_htmx/htmx-2.min.js" in html or "htmx" in html
    assert "https://" not in html
