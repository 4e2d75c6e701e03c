"""The worked examples of docs/metrics.md read in each language as it writes numbers
(docs/i18n.md#numbers-and-dates): the same figures, Spanish `66,7 %` and `12.346 €` (a
no-break space between the number and its sign),
Chinese `66.7%` and `€12,346`, on the pages a manager and a rep read."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from quotas import calendar
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    default_stages,
)

EN, ES, ZH = "en-gb", "es", "zh-hans"


def _text(response) -> str:
    """The page's words as read: tags dropped, runs of plain spaces made one; a no-break
    space stays one (U+00A0), so that a figure that must not break says so."""
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", "\xa0")
    return re.sub(r"[ \t\n\r\f\v]+", " ", text).strip()


def _figure(number: str, text: str) -> bool:
    """`number` stands whole in `text`: no digit, nor a separator and a digit, either side
    ("1,000," ends a figure; "21,000" does not hold "1,000")."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?!\d|[.,]\d)", text) is not None


@pytest.fixture
def fifteen_deals_through_sixty_contacts(rep):
    """docs/metrics.md#worked-examples: 15 unique opportunities, 10 won and 5 lost, reached
    through 60 contacts, this month (win rate 66.7 %, per contact 16.7 %). Each won deal is
    1,234.56 (12,345.60 won), against a quota of 100,000 (12.3 %)."""
    stages = default_stages()
    today = timezone.localdate()
    month = calendar.period_containing(today, "month")
    QuotaFactory(rep=rep, period=month, revenue_quota=Decimal("100000"))
    ActivityFactory(rep=rep, date=today, kind="call", outcome="connected", quantity=60)
    for n, stage in enumerate(["Won"] * 10 + ["Lost"] * 5):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            name=f"Example deal {n}",
            amount=Decimal("1234.56"),
            stage=stages[stage],
            status=stages[stage].status,
            opened_on=month.start,
            closed_on=today,
        )
    return month


# language → (win rate, per contact, quota attainment, revenue won, a deal's amount, the quota)
FIGURES = {
    EN: ("66.7\u00a0%", "16.7\u00a0%", "12.3\u00a0%", "€12,346", "€1,234.56", "€100,000"),
    # Spanish writes a no-break space (U+00A0) between the number and its sign.
    ES: (
        "66,7\u00a0%",
        "16,7\u00a0%",
        "12,3\u00a0%",
        "12.346\u00a0€",
        "1.234,56\u00a0€",
        "100.000\u00a0€",
    ),
    ZH: ("66.7%", "16.7%", "12.3%", "€12,346", "€1,234.56", "€100,000"),
}


@pytest.mark.parametrize("language", [EN, ES, ZH])
def test_the_team_page_writes_the_win_rate_example_in_the_managers_language(
    client, manager, rep, fifteen_deals_through_sixty_contacts, language
):
    win_rate, per_contact, attainment, won, _, quota = FIGURES[language]
    manager.language = language
    manager.save(update_fields=["language"])
    client.force_login(manager)

    page = _text(client.get("/team/"))

    assert win_rate in page
    assert per_contact in page
    assert won in page
    assert quota in page
    assert attainment in page
    others = {figure for lang, figures in FIGURES.items() if lang != language for figure in figures}
    assert not {figure for figure in others if figure in page} - set(FIGURES[language])


@pytest.mark.parametrize("language", [EN, ES, ZH])
def test_a_reps_pages_write_the_example_in_the_reps_language(
    client, rep, fifteen_deals_through_sixty_contacts, language
):
    win_rate, per_contact, _, won, deal, _ = FIGURES[language]
    rep.language = language
    rep.save(update_fields=["language"])
    client.force_login(rep)

    rep_page = _text(client.get(f"/reps/{rep.pk}/"))
    deals = _text(client.get("/opportunities/?status=won"))

    assert win_rate in rep_page
    assert per_contact in rep_page
    assert won in rep_page
    assert deal in deals


def _backsolve_example_what_if(client, rep, language) -> str:
    """The what-if of docs/metrics.md#the-goal-backsolve's example, as `rep` reads it."""
    rep.language = language
    rep.save(update_fields=["language"])
    client.force_login(rep)
    return _text(
        client.get(
            "/what-if/",
            {
                "target_deals": 50,
                "win_rate": "1/3",
                "meeting_to_opportunity_rate": "1",
                "call_to_meeting_rate": "15%",
                "working_days": 21,
            },
        )
    )


# docs/metrics.md#the-goal-backsolve: 50 deals in 21 working days, calls → meetings 15 %,
# meetings → opportunities 1, win rate 1/3: 150 meetings, 1 000 calls, 48 calls a day.
@pytest.mark.parametrize(("language", "calls"), [(EN, "1,000"), (ES, "1.000"), (ZH, "1,000")])
def test_the_what_if_writes_the_backsolve_example_in_the_reps_language(
    client, rep, language, calls
):
    page = _backsolve_example_what_if(client, rep, language)

    # 1 000 calls in all, 48 a working day, 150 meetings: each figure whole, not "1000".
    assert _figure(calls, page), page[-400:]
    assert "1000" not in page
    assert _figure("48", page)
    assert _figure("150", page)


@pytest.mark.parametrize(
    ("quota", "won", "win_rate"),
    [
        (None, 0, 0.5),
        (Decimal(100), Decimal(120), 0.5),
        (Decimal(100), 0, None),
        (Decimal(100), 0, 0.0),
    ],
    ids=["no quota", "quota reached", "win rate unknown", "no deal won"],
)
def test_why_a_forecast_has_no_coverage_reads_in_the_readers_language(quota, won, win_rate):
    """The JSON keeps the note as it is; a page says it in the reader's language."""
    from django.template import Context, Template
    from django.utils import translation

    from quotas.forecast import Forecast

    note = Forecast(Decimal(5), Decimal(1), Decimal(0), Decimal(won), quota, win_rate)
    note = note.why_no_coverage
    template = Template("{% load metrics %}{{ note|coverage_note }}")
    said = {}
    for language in (EN, ES, ZH):
        with translation.override(language):
            said[language] = template.render(Context({"note": note}))

    assert said[EN] == note
    assert said[ES] != note
    assert said[ZH] != note
    assert not re.search(r"[A-Za-z]", said[ZH])


# The what-if's summary lists the daily steps as each language writes a list: "、" between
# Chinese items and "。" at the end, ", " and "." in English and Spanish.
@pytest.mark.parametrize(
    ("language", "summary"),
    [
        (
            EN,
            "Over 21 working days: 50 deals, 150 opportunities, 150 meetings held, 1,000 calls, "
            "— emails, — messages.",
        ),
        (
            ES,
            "En 21 días laborables: 50 ventas, 150 oportunidades, 150 citas realizadas, "
            "1.000 llamadas, — correos, — mensajes.",
        ),
        (ZH, "在21个工作日内：赢单50、交易150、已举行会面150、电话1,000、邮件—、消息—。"),
    ],
)
def test_the_what_ifs_summary_lists_the_steps_as_the_language_writes_a_list(
    client, rep, language, summary
):
    page = _backsolve_example_what_if(client, rep, language)
    assert summary in page, page[-600:]
