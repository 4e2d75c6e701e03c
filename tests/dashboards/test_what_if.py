"""Issue 14, item 6: the what-if shows every rate as a percentage with one decimal, starts
from the exact rates behind them, and answers a bad value with a message that names the
field and says why — never a 500."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards.forms import WhatIfForm, rate_text
from quotas import calendar
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    default_stages,
)


@pytest.fixture
def history(rep):
    """Last 90 days: 458 calls and 20 meetings held (4.366… % calls → meetings), 10
    opportunities (50 %), 4 won of 5 closed (80 %); a 100,000 quota this month."""
    today = timezone.localdate()
    period = calendar.period_containing(today, "month")
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=period.start,
        period_end=period.end,
        period_label=period.label,
        revenue_quota=Decimal("100000"),
    )
    stages = default_stages()
    earlier = today - timedelta(days=40)
    ActivityFactory(rep=rep, date=earlier, kind="call", outcome="no_answer", quantity=458)
    ActivityFactory(rep=rep, date=earlier, kind="meeting", outcome="held_neutral", quantity=20)
    prospect = ProspectFactory(owner=rep)
    for i in range(10):
        status = "won" if i < 4 else ("lost" if i == 4 else "open")
        stage = {"won": stages["Won"], "lost": stages["Lost"], "open": stages["Proposal"]}[status]
        OpportunityFactory(
            prospect=prospect,
            amount=Decimal("10000"),
            stage=stage,
            status=status,
            opened_on=earlier,
            closed_on=earlier + timedelta(days=1) if status != "open" else None,
        )
    return rep


def test_a_rate_reads_as_a_percentage_with_one_decimal():
    assert rate_text(0.043668122270742356) == "4.4\u00a0%"
    assert rate_text(1 / 3) == "33.3\u00a0%"
    assert rate_text(0.15) == "15.0\u00a0%"
    assert rate_text(None) is None


def test_the_what_if_shows_the_reps_rates_as_percentages_not_raw_floats(client, history):
    client.force_login(history)
    page = client.get("/what-if/")
    form = page.context["form"]
    assert form["call_to_meeting_rate"].value() == "4.4\u00a0%"
    assert form["win_rate"].value() == "80.0\u00a0%"
    assert form["meeting_to_opportunity_rate"].value() == "50.0\u00a0%"
    assert 'value="4.4\u00a0%"' in page.text
    assert "0.0436" not in page.text


def test_an_untouched_rounded_rate_stands_for_the_exact_one(client, history):
    """Sending the form back as shown answers the current plan to the call: "4.4 %" left as
    it was is 20/458, not 0.044."""
    client.force_login(history)
    shown = client.get("/what-if/").context["form"]
    params = {name: shown[name].value() for name in WhatIfForm.base_fields}
    params = {k: v for k, v in params.items() if v is not None}
    answer = client.get("/what-if/", params)
    assert answer.context["form"].errors == {}
    now_then = {label: (now, then) for label, now, then, _ in answer.context["comparison"]}
    assert now_then["Calls"][0] is not None
    assert now_then["Calls"][0] == now_then["Calls"][1]
    # Typing the rate anew ("4.4%") is taken as typed: 0.044 exactly.
    form = WhatIfForm(
        {**params, "call_to_meeting_rate": "4.5%"}, exact_rates={"call_to_meeting_rate": 20 / 458}
    )
    assert form.is_valid()
    assert form.cleaned_data["call_to_meeting_rate"] == pytest.approx(0.045)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("win_rate", "150%", "Win rate: “150%” is not a rate between 0.01 % and 100 %"),
        ("win_rate", "0", "Win rate: “0” is not a rate between 0.01 % and 100 %"),
        ("call_to_meeting_rate", "lots", "Calls → meetings: “lots” is not a rate: write 15%"),
        ("meeting_to_opportunity_rate", "1/0", "Meetings → opportunities: “1/0” is not a rate"),
        ("working_days", "0", "Working days left: ensure this value is greater than or equal to 1"),
        ("working_days", "many", "Working days left: enter a whole number."),
        ("avg_deal_size", "-3", "Average deal size: ensure this value is greater than or equal"),
        ("emails_per_meeting", "nan", "Emails per meeting held: enter a number."),
        ("target_revenue", "1e999", "Revenue still to win: "),
    ],
)
def test_a_bad_value_is_named_next_to_its_field_not_a_500(client, history, field, value, message):
    client.force_login(history)
    response = client.get("/what-if/", {"target_deals": "5", field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    text = html.unescape(response.text)
    notes = (
        f'<div class="field-notes" id="id_{field}_notes"><p class="error">{errors[field][0]}</p>'
    )
    assert notes in text
    assert f'aria-describedby="id_{field}_notes"' in text
    assert response.context["result"] is None


def test_typing_a_bad_rate_answers_htmx_with_the_message_for_beside_the_field(client, history):
    """The htmx answer replaces the result and, out of band, each field's notes: the
    message lands next to the field while the input being typed in stays as it is."""
    client.force_login(history)
    response = client.get(
        "/what-if/", {"target_deals": "5", "win_rate": "150%"}, headers={"HX-Request": "true"}
    )
    text = html.unescape(response.text)
    assert "<html" not in text
    assert 'id="id_win_rate_notes" hx-swap-oob="true"><p class="error">Win rate: “150%”' in text
    assert 'id="id_call_to_meeting_rate_notes" hx-swap-oob="true"></div>' in text
    assert 'name="win_rate"' not in text


def test_a_current_rate_above_100_percent_can_be_sent_back_untouched():
    """3 opportunities from 2 meetings is 150 %: nobody may type it, but the form that
    shows it must still work out."""
    exact = {"meeting_to_opportunity_rate": 1.5}
    form = WhatIfForm(
        {"target_deals": "5", "meeting_to_opportunity_rate": "150.0\u00a0%"}, exact_rates=exact
    )
    assert form.is_valid()
    assert form.cleaned_data["meeting_to_opportunity_rate"] == 1.5
    typed = WhatIfForm(
        {"target_deals": "5", "meeting_to_opportunity_rate": "160%"}, exact_rates=exact
    )
    assert typed.errors["meeting_to_opportunity_rate"] == [
        "Meetings → opportunities: “160%” is not a rate between 0.01 % and 100 %"
    ]


def test_the_what_if_starts_from_the_exact_rates(client, rep):
    """Shown rounded since issue 14; tests/dashboards/test_what_if.py checks an untouched
    rounded rate still stands for the exact one."""
    from dashboards.forms import WhatIfForm

    form = WhatIfForm(
        {"target_deals": "5", "win_rate": "33.3\u00a0%"}, exact_rates={"win_rate": 1 / 3}
    )
    assert form.is_valid()
    assert form.cleaned_data["win_rate"] == 1 / 3


@pytest.mark.parametrize("typed", ["33.3\u00a0%", "33.3 %", "33.3%", " 33.3 \u00a0% "])
def test_a_rate_sent_back_reads_with_any_space_before_its_sign(typed):
    """The what-if shows "33.3\u00a0%" (a no-break space); sent back untouched, or with a
    plain space or none, it is the rate shown (docs/i18n.md#numbers-and-dates)."""
    form = WhatIfForm({"target_deals": "5", "win_rate": typed}, exact_rates={"win_rate": 1 / 3})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["win_rate"] == 1 / 3
    fresh = WhatIfForm({"target_deals": "5", "win_rate": typed.replace("33.3", "4.4")})
    assert fresh.is_valid(), fresh.errors
    assert fresh.cleaned_data["win_rate"] == pytest.approx(0.044)
