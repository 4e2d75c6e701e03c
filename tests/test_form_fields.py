"""The field markup every form shares, written once in templates/includes/field.html (and
form_fields.html, a whole form with it): the label names the widget, the help text and the
errors carry the ids that Django's aria-describedby points the widget at, and the pages
that render their fields one by one (My day, editing an activity, the filters, the
import's matching) keep those links."""

import re
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import timezone

from activities.models import Activity
from tests.factories import ActivityFactory

HTMX = {"HX-Request": "true"}
FILES = Path(__file__).parent / "imports" / "files"


class SampleForm(forms.Form):
    name = forms.CharField(max_length=5, help_text="Short <em>names</em> only.")
    notes = forms.CharField(required=False, help_text="Up to 10 characters.")
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def squash(html):
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def field(bound, **options):
    return squash(render_to_string("includes/field.html", {"field": bound, **options}))


def test_a_field_is_its_label_widget_help_and_errors():
    form = SampleForm({"name": "far too long", "token": "t"})
    html = field(form["name"])
    assert html.startswith('<div class="field field-invalid"><label for="id_name">Name</label>')
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<p class="help" id="id_name_helptext">Short <em>names</em> only.</p>' in html
    assert '<p class="error" id="id_name_error">Ensure this value has at most 5' in html
    # Without errors: no error paragraph, no field-invalid.
    assert field(SampleForm()["name"]).startswith('<div class="field"><label for="id_name">')
    assert 'class="error"' not in field(SampleForm()["name"])


def test_a_checkbox_comes_before_its_label():
    html = field(SampleForm()["agree"])
    assert html.startswith('<div class="field field-checkbox"><input type="checkbox"')
    assert html.endswith('<label for="id_agree">I agree</label></div>')


def test_the_options_label_optional_class_counter_and_hidden_errors():
    form = SampleForm({"name": "far too long"})
    html = field(form["name"], label="Called", optional=True, field_class="field-small")
    assert html.startswith('<div class="field field-invalid field-small"><label for="id_name">')
    assert '>Called <span class="muted small">(optional)</span></label>' in html
    counter = field(form["notes"], counter=True)
    assert (
        '<p class="help counter" id="id_notes_helptext" data-counter-for="id_notes">'
        "Up to 10 characters.</p>"
    ) in counter
    quiet = field(form["name"], hide_errors=True)
    assert quiet.startswith('<div class="field"><label for="id_name">Name</label>')
    assert "at most 5" not in quiet


def test_form_fields_renders_the_whole_form_with_it():
    form = SampleForm({"name": "ok", "agree": "on", "token": "t"})
    html = squash(render_to_string("includes/form_fields.html", {"form": form}))
    assert html.startswith(
        '<div class="form-errors" role="alert"><p>Something about the whole form.</p></div>'
    )
    assert '<input type="hidden" name="token" value="t" id="id_token">' in html
    expected = "".join(field(form[name]) for name in ("name", "notes", "agree"))
    assert html.endswith(expected)


# Pages: every id that a label or an aria-describedby names is on the page ----------------


def assert_links_resolve(response, *expected_ids, described=True):
    """Each label's `for` and (with `described`) each aria-describedby id is on the page."""
    assert response.status_code == 200
    html = response.content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    named = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
    for value in re.findall(r'aria-describedby="([^"]+)"', html) if described else ():
        named.update(value.split())
    assert named, "nothing to check"
    assert named <= ids, f"named but not on the page: {sorted(named - ids)}"
    assert set(expected_ids) <= named, sorted(set(expected_ids) - named)
    return html


def test_my_day_and_its_errors_keep_their_labels_and_descriptions(client, rep):
    client.force_login(rep)
    page = assert_links_resolve(client.get("/my-day/"), "id_notes_helptext", "id_quantity")
    assert '<label for="id_quantity">How many</label>' in page
    assert '<label for="id_new_opportunity_expected_close_on">Expected close <span' in page
    assert 'class="help counter" id="id_notes_helptext" data-counter-for="id_notes"' in page
    bad = {
        "kind": "call",
        "outcome": "connected",
        "quantity": "0",
        "date": "someday",
        "duration_minutes": "-1",
        "notes": "x" * 2001,
    }
    response = client.post("/my-day/log/", bad, headers=HTMX)
    html = assert_links_resolve(response, "id_quantity_error", "id_date_error", "id_notes_error")
    wrappers = [set(c.split()) for c in re.findall(r'<div class="(field\b[^"]*)">', html)]
    assert {"field", "field-small", "field-invalid"} in wrappers
    assert 'aria-invalid="true"' in html
    assert not Activity.objects.exists()
    new = client.get("/my-day/prospects/new/", {"q": "Nadia"}, headers=HTMX)
    html = assert_links_resolve(new, "id_new_prospect_name")
    assert '<label for="id_new_prospect_name">Name</label>' in html
    tally = client.post("/my-day/tally/", {"date": "never"}, headers=HTMX)
    assert_links_resolve(tally, "tally_date_error")


def test_editing_an_activity_keeps_its_labels_and_descriptions(client, rep):
    activity = ActivityFactory(rep=rep, date=timezone.localdate(), notes="hello")
    client.force_login(rep)
    url = f"/my-day/activities/{activity.pk}/edit/"
    prefix = f"id_edit-{activity.pk}-"
    page = assert_links_resolve(client.get(url), f"{prefix}notes_helptext", f"{prefix}outcome")
    assert f'<label for="{prefix}notes">Notes</label>' in page
    assert f'<label for="{prefix}quantity">How many</label>' in page
    bad = {"kind": "call", "outcome": "connected", "quantity": "501", "date": "x"}
    bad = {f"edit-{activity.pk}-{name}": value for name, value in bad.items()}
    response = client.post(url, bad)
    assert_links_resolve(response, f"{prefix}quantity_error", f"{prefix}date_error")


def test_the_activity_log_filters_say_their_errors_under_them(client, rep):
    client.force_login(rep)
    response = client.get(
        "/activities/", {"kind": "fax", "start": "2026-11-30", "end": "2026-11-01"}
    )
    html = assert_links_resolve(response, "id_kind_error", "id_end_error")
    assert "Select a valid choice. fax" in html
    assert '<label for="id_rep">' not in html  # a rep filters only their own


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("rep", "/prospects/?engagement=bogus"),
        ("rep", "/opportunities/?status=bogus"),
        ("admin", "/settings/users/?role=bogus"),
        ("manager", "/team/?range=forever"),
        ("manager", "/leaderboard/?range=forever"),
    ],
)
def test_a_filter_bar_says_nothing_under_its_fields(client, request, persona, url):
    """The lists ignore a bad filter and the dashboards say it once, in their body. (Django
    still points the widget's aria-describedby at an error paragraph, as it did before.)"""
    client.force_login(request.getfixturevalue(persona))
    html = assert_links_resolve(client.get(url), described=False)
    assert 'class="error"' not in html
    assert "field-invalid" not in html
    assert html.count("Select a valid choice") <= 1


def test_the_import_matching_labels_every_field(client, manager, upload_import):
    client.force_login(manager)
    page = upload_import((FILES / "pipedrive_activities.csv").read_bytes(), name="p.csv")
    html = assert_links_resolve(page, "id_date_format", "id_preset_name_helptext")
    assert '<div class="field field-inline"><label for="id_value__' in squash(html)
