import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from activities.models import Activity
from imports.models import ImportPreset
from pipeline.models import OpportunityStatus
from tests.factories import OpportunityFactory, ProspectFactory, RepFactory, default_stages

IMPORT_FILES = Path(__file__).parent.parent / "imports" / "files"


def test_a_rep_moves_deals_on_the_board(
    page, live_server, rep, sign_in, screenshot, console_errors
):
    stages = default_stages()
    prospect = ProspectFactory(owner=rep, name="Lucía Ortega", company="Ortega SL")
    deal = OpportunityFactory(prospect=prospect, name="Ortega renewal", amount=Decimal("25000"))
    OpportunityFactory(prospect=prospect, name="Ortega add-on", stage=stages["Proposal"])
    sign_in(rep)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline").click()
    board = page.locator("#board")
    qualified = board.get_by_role("region", name="Qualified")
    expect(qualified).to_contain_text("Ortega renewal")
    screenshot("board")

    card = board.locator(f"#deal-{deal.pk}")
    card.get_by_text("Move…").click()
    card.get_by_label("Move Ortega renewal to").select_option(label="Negotiation")
    card.get_by_role("button", name="Move").click()
    expect(board).to_contain_text("Ortega renewal is now in Negotiation")
    expect(board.get_by_role("region", name="Negotiation")).to_contain_text("Ortega renewal")

    # Drag the card to Won with the mouse, in steps as a hand would (grabbed by its amount:
    # the select and the text box in a card do not start a drag).
    board.locator(f"#deal-{deal.pk} .deal-amount").hover()
    page.mouse.down()
    won = board.get_by_role("region", name="Won").bounding_box()
    page.mouse.move(won["x"] + 20, won["y"] + 40, steps=8)
    page.mouse.move(won["x"] + 30, won["y"] + 60, steps=8)
    page.mouse.up()
    expect(board.get_by_role("region", name="Won")).to_contain_text("Ortega renewal")
    deal.refresh_from_db()
    assert deal.status == OpportunityStatus.WON
    screenshot("board-after-moves")

    page.get_by_role("link", name="Ortega renewal").click()
    expect(page.get_by_role("heading", name=re.compile("Ortega renewal"))).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Negotiation → Won")
    screenshot("opportunity-detail")
    assert console_errors == []


def test_a_manager_imports_a_csv_through_the_page(
    page, live_server, manager, rep, sign_in, screenshot, tmp_path, console_errors
):
    bad = tmp_path / "week.csv"
    bad.write_text(
        "date,rep_email,kind,outcome,prospect_status,quantity,notes\n"
        "2026-03-02,ana@example.com,call,connected,new,12,\n"
        "2026-03-02,ana@example.com,call,sent,new,3,\n"
        "2026-03-03,ana@example.com,email,sent,existing,0,\n",
        encoding="utf-8",
    )
    sign_in(manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.get_by_label("What the file holds").select_option("activities")
    page.get_by_label("CSV file", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    report = page.locator("#import-job")
    expect(report).to_contain_text("2 errors in 3 rows: nothing was imported.")
    expect(report).to_contain_text("line 3, column outcome")
    expect(report).to_contain_text("line 4, column quantity")
    screenshot("import-report-errors")

    good = tmp_path / "week-fixed.csv"
    good.write_text(
        "date,rep_email,kind,outcome,prospect_status,quantity,notes\n"
        "2026-03-02,ana@example.com,call,connected,new,12,\n"
        "2026-03-03,ana@example.com,email,sent,existing,4,follow-ups\n",
        encoding="utf-8",
    )
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("What the file holds").select_option("activities")
    page.get_by_label("CSV file", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(report).to_contain_text("2 rows: 2 would be created")
    screenshot("import-report-ready")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(report).to_contain_text("2 rows: 2 were created")
    expect(report.get_by_role("heading")).to_have_text("Imported")
    # Both uploads wait on the upload page, with what became of them.
    page.get_by_role("link", name="Upload another file").click()
    uploads = page.get_by_role("region", name="Your recent uploads")
    expect(uploads.get_by_role("row")).to_have_count(3)  # the header and two uploads
    expect(uploads.get_by_role("row").nth(1)).to_contain_text("Imported")
    expect(uploads.get_by_role("row").nth(2)).to_contain_text("Has errors")
    screenshot("import-upload-page")
    assert Activity.objects.filter(rep=rep).count() == 2
    assert console_errors == []


def test_a_manager_brings_a_pipedrive_export_through_the_mapping_step(
    page, live_server, manager, team, sign_in, screenshot, console_errors
):
    for name in ("Maria Lopez", "Jon Park", "Aisha Khan"):
        RepFactory(
            team=team,
            full_name=name,
            email=f"{name.lower().replace(' ', '.')}@example.com",
            joined_on=date(2024, 1, 1),
        )
    sign_in(manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.get_by_label("What the file holds").select_option("activities")
    page.get_by_label("CSV file", exact=True).set_input_files(
        str(IMPORT_FILES / "pipedrive_activities.csv")
    )
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Match the columns of pipedrive_activities.csv"
    )
    expect(page.get_by_text("This looks like a Pipedrive export")).to_be_visible()
    expect(page.locator("#id_column__rep_email")).to_have_value("Activity - Assigned to user")
    # The owners are matched to the reps by name; their "Lunch" is one of our meetings.
    values = page.get_by_role("group", name="rep_email")
    expect(values.get_by_label("Maria Lopez")).to_have_value("maria.lopez@example.com")
    expect(page.get_by_role("group", name="kind").get_by_label("Lunch")).to_have_value("meeting")
    screenshot("import-mapping")
    # Their people and deals are not in SalesTrack yet: leave them out, say who is new.
    page.locator("#id_column__prospect_external_id").select_option("")
    page.locator("#id_column__opportunity_external_id").select_option("")
    page.locator("#id_constant__prospect_status").fill("existing")
    page.get_by_label("Save this matching for the next file, named").fill("Pipedrive weekly")
    page.get_by_role("button", name="Check the file with this matching").click()

    report = page.locator("#import-job")
    expect(report.get_by_role("heading")).to_have_text("Ready to import")
    expect(report).to_contain_text("7 rows: 7 would be created")
    page.get_by_role("button", name="Import 7 rows").click()
    expect(report.get_by_role("heading")).to_have_text("Imported")
    assert Activity.objects.filter(rep__team=team).count() == 7
    assert ImportPreset.objects.get().name == "Pipedrive weekly"
    assert console_errors == []


def test_the_job_page_follows_the_worker_until_the_report(
    page, live_server, manager, sign_in, screenshot, console_errors
):
    """The page asks every second (htmx) while a worker checks the file, then shows the
    report and stops asking."""
    from imports import services
    from imports.models import ImportJob

    job = ImportJob.objects.create(
        kind="activities",
        file_name="two-years.csv",
        file_size=7_300_000,
        created_by=manager,
        status=ImportJob.Status.CHECKING,
    )
    progress = services._progress_keeper(job)
    progress("checking", 20_000, 100_000)
    sign_in(manager)
    page.goto(f"{live_server.url}/import/{job.token}/")
    section = page.locator("#import-job")
    expect(section.get_by_text("Checked 20,000 of 100,000 rows")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "20000")
    screenshot("import-job-progress")

    progress("checking", 80_000, 100_000)
    expect(section.get_by_text("Checked 80,000 of 100,000 rows")).to_be_visible()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKED,
        rows=100_000,
        created=100_000,
        summary="100000 rows: 100000 would be created, 0 would be updated, 0 unchanged.",
    )
    expect(section.get_by_role("heading")).to_have_text("Ready to import")
    expect(section.get_by_role("button", name="Import 100,000 rows")).to_be_visible()
    assert section.get_attribute("hx-get") is None  # it stopped asking
    assert console_errors == []
