"""core/widgets.py writes the common widgets in Python: each must be byte for byte what
Django's widget template of the same name writes, for every state a form is shown in
(empty, filled, bound with errors, odd characters), in every language."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from activities.forms import ActivityForm, TallyForm
from core.widgets import PLAIN_WIDGETS, WRITERS
from tests.factories import OpportunityFactory

TEMPLATES = DjangoTemplates()  # Django's own renderer, every widget a template


def both_ways(form):
    """Every widget of the form (and every option of its radios, as My day writes them with
    `radio.tag`) written by PLAIN_WIDGETS and by the templates."""
    pairs = []
    for renderer in (PLAIN_WIDGETS, TEMPLATES):
        form.renderer = renderer
        written = []
        for bound in form:
            written.append(str(bound))
            if isinstance(bound.field.widget, forms.RadioSelect):
                written += [radio.tag() for radio in bound]
                written += [radio.tag(wrap_label=True) for radio in bound]
        pairs.append(written)
    return pairs


class Odd(forms.Form):
    """Values the widgets must escape or leave out, and attributes of every kind."""

    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": 'say "hi" & <go>'}))
    flag = forms.BooleanField(required=False)
    many = forms.MultipleChoiceField(
        choices=[("a", "<A>"), ("b", mark_safe("<b>B</b>"))], required=False
    )
    grouped = forms.ChoiceField(choices=[("Group <1>", [(1, "one"), (2, "two")]), (3, "three")])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "disabled": False}))
    safe = forms.CharField(widget=forms.HiddenInput(attrs={"data-x": mark_safe("&amp;")}))
    radios = forms.ChoiceField(choices=[("x", "X & Y")], widget=forms.RadioSelect)


@pytest.mark.parametrize("language", ["en-gb", "es", "zh-hans"])
def test_the_quick_adds_widgets_are_what_the_templates_write(rep, language):
    today = timezone.localdate()
    OpportunityFactory.create_batch(2, owner=rep, name='Acme <"big"> & co')
    with translation.override(language):
        forms_shown = [
            ActivityForm(rep=rep, initial={"kind": "call", "date": today}),
            ActivityForm(rep=rep),  # no kind: the outcomes grouped by kind
            ActivityForm(
                {
                    "kind": "meeting",
                    "outcome": "sent",
                    "quantity": "0",
                    "date": "not a day",
                    "notes": "<script>x</script> & “quotes”",
                    "new_opportunity": "on",
                    "new_opportunity_amount": "-1",
                    "new_prospect_name": 'Zed "Z" <Co>',
                },
                rep=rep,
            ),
            TallyForm(initial={"date": today}),
            TallyForm({"date": "", "calls_new": "x", "connected_new": "3"}),
        ]
        for form in forms_shown:
            form.is_bound and form.is_valid()
            plain, templates = both_ways(form)
            assert plain == templates
            assert any("<select" in html for html in plain) == isinstance(form, ActivityForm)


def test_odd_values_attributes_and_groups_are_what_the_templates_write():
    data = {
        "text": '"><script>',
        "flag": "on",
        "many": ["a", "b"],
        "grouped": "2",
        "note": "a\n<b>",
        "safe": "1",
    }
    for form in (Odd(), Odd(initial={"text": 5, "note": Decimal("1.50")}), Odd(data)):
        form.is_bound and form.is_valid()
        plain, templates = both_ways(form)
        assert plain == templates
    assert plain[0] == (
        '<input type="text" name="text" value="&quot;&gt;&lt;script&gt;" '
        'placeholder="say &quot;hi&quot; &amp; &lt;go&gt;" required id="id_text">'
    )


def test_every_written_template_is_one_django_has():
    for name in WRITERS:
        assert TEMPLATES.get_template(name) is not None


def test_a_date_and_an_empty_value_are_written_as_the_templates_write():
    field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    for value in (date(2026, 12, 7), None, ""):
        written = [
            field.widget.render("day", value, attrs={"id": "id_day"}, renderer=renderer)
            for renderer in (PLAIN_WIDGETS, TEMPLATES)
        ]
        assert written[0] == written[1]
    assert (
        field.widget.render("day", date(2026, 12, 7), renderer=PLAIN_WIDGETS)
        == '<input type="date" name="day" value="2026-12-07">'
    )
