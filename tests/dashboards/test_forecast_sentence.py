"""What the forecast says (docs/metrics.md#what-the-forecast-says), with issue 23 §6's
figures: quota 72,437; won 30,000; commit 53,393 (so commit + won 83,393); best case
311,028; a 10 % trailing win rate; 17 working days left in December 2026 (from Wed 9th).

remaining 42,437 · needed 424,370 · coverage 281,028 ÷ 424,370 = 0.66 < 1, yet best case
and commit + won both exceed the quota: the page must not say "cannot reach the quota".
The pipeline is expected to bring 28,102.80, so 14,334.20 is uncovered: 1 deal at the
30,000 average, 10 opportunities at 10 % — over 17 days, about one every 2 working days
(17 ÷ 10 = 1.7), not "1 a working day"."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from quotas.forecast import Forecast, Outlook, need_pace
from tests.factories import OpportunityFactory, ProspectFactory, QuotaFactory, default_stages

TODAY = date(2026, 12, 9)


def deal(rep, stage, amount, *, expected=None, closed=None):
    stages = default_stages()
    return OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        owner=rep,
        stage=stages[stage],
        status=stages[stage].status,
        amount=Decimal(amount),
        opened_on=date(2026, 10, 1),
        expected_close_on=expected,
        closed_on=closed,
    )


@pytest.fixture
def december(rep, freeze_time):
    freeze_time(datetime(2026, 12, 9, 12, tzinfo=UTC))
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
        period_label="2026-12",
        revenue_quota=Decimal("72437"),
    )
    deal(rep, "Won", "30000", closed=date(2026, 12, 1))
    for n in range(9):
        deal(rep, "Lost", "5000", closed=date(2026, 11, 2) + timedelta(days=n))
    deal(rep, "Negotiation", "53393", expected=date(2026, 12, 20))  # 75 %: commit
    deal(rep, "Qualified", "227635", expected=date(2026, 12, 20))
    return rep


def sentence(html: str) -> str:
    found = re.search(
        r'<p class="message message-warning" id="forecast-outlook">(.*?)</p>', html, re.S
    )
    assert found, "no forecast warning on the page"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_the_forecast_does_not_call_a_reachable_quota_out_of_reach(client, manager, december):
    client.force_login(manager)
    response = client.get(f"/reps/{december.pk}/")
    said = sentence(response.text)

    assert "cannot reach" not in said
    assert "would reach the quota (commit + won: €83,393 of €72,437)" in said
    assert "at the usual 10.0 % win rate" in said
    assert "10 new opportunities (about one every 2 working days)" in said
    assert "in the 17 working days left" in said
    assert "1 a working day" not in said


def test_the_forecast_says_out_of_reach_only_when_best_case_is_below_the_quota():
    def forecast(commit, open_, won="30000"):
        return Forecast(
            open_pipeline=Decimal(open_),
            weighted=Decimal(0),
            commit=Decimal(commit),
            won=Decimal(won),
            quota=Decimal("72437"),
            win_rate=0.1,
        )

    assert forecast("53393", "281028").outlook == Outlook.COMMIT_REACHES
    assert forecast("10000", "281028").outlook == Outlook.BEST_CASE_REACHES
    assert forecast("10000", "42436").outlook == Outlook.OUT_OF_REACH  # best case 72,436
    assert forecast("0", "0", won="72437").outlook is None  # reached


@pytest.mark.parametrize(
    ("count", "days", "per_day", "every"),
    [
        (6, 17, None, 3),  # the documented example: 17 / 6 = 2.8
        (10, 17, None, 2),  # 1.7
        (12, 17, None, 1),  # 1.4: about one a day, never "1 a working day" rounded up
        (17, 17, 1, None),
        (40, 17, 3, None),  # 2.35 a day, rounded up as the backsolve does
        (1, 17, None, 17),
    ],
)
def test_the_pace_of_a_need_over_the_days_left(count, days, per_day, every):
    pace = need_pace(count, days)
    assert (pace.per_day, pace.every) == (per_day, every)


def test_no_pace_without_a_need_or_a_day():
    assert need_pace(0, 17) is None
    assert need_pace(5, 0) is None


def test_a_step_of_the_gap_groups_its_thousands():
    from django.template.loader import render_to_string

    from quotas.forecast import need_pace

    text = render_to_string(
        "dashboards/_gap_step.html", {"key": "calls", "pace": need_pace(8100, 17)}
    )
    assert "8,100 calls" in text
    single = render_to_string(
        "dashboards/_gap_step.html", {"key": "opportunities", "pace": need_pace(1, 17)}
    )
    assert "1 new opportunity" in single
