"""Every chart is a valid Plotly figure, readable: titles and axis titles, a legend below
the plot, round ticks (whole numbers on counts), short category labels, few deals as dots
rather than a histogram, the quota as a line, "no data" instead of an empty frame."""

import math
from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards import charts
from dashboards.metrics import FunnelCounts, funnel
from quotas import periods

START, END, TODAY = date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 18)
COUNTS = FunnelCounts(
    calls=40,
    calls_new=25,
    calls_existing=15,
    connects=12,
    meetings_held=3,
    meetings_held_new=1,
    meetings_held_existing=2,
    emails=4,
    emails_new=4,
    messages=1,
    messages_existing=1,
    opportunities_created=2,
    won=1,
    lost=1,
    revenue_won=Decimal("25000"),
    revenue_by_type={"recurring": Decimal("25000")},
    calls_by_weekday={"Mon": 20, "Tue": 20},
    connects_by_weekday={"Mon": 5, "Tue": 7},
)
DEALS = [
    {
        "closed_on": date(2026, 11, 10),
        "cycle_days": 40,
        "touches": 7,
        "amount": Decimal("25000"),
        "product": "Tracker Pro",
    }
]
SOURCES = [
    {"lead_source": "Referral", "prospects": 3, "opportunities": 2, "won": 1, "revenue": 25000}
]


def every_chart(empty: bool) -> dict[str, dict]:
    counts = FunnelCounts() if empty else COUNTS
    result = funnel(counts)
    deals = [] if empty else DEALS
    return {
        "funnel": charts.funnel_chart(result),
        "new vs existing": charts.new_vs_existing_chart(result),
        "trend": charts.activity_trend_chart(
            {} if empty else {"Calls": {START: 3, START + timedelta(days=1): 2}},
            START,
            END,
            None if empty else 4,
        ),
        "revenue": charts.revenue_run_rate_chart(
            {} if empty else {date(2026, 11, 10): Decimal("25000")},
            START,
            END,
            TODAY,
            None if empty else Decimal("100000"),
        ),
        "weekday": charts.hit_rate_chart(result),
        "sources": charts.lead_source_chart([] if empty else SOURCES),
        "streams": charts.revenue_by_stream_chart(result),
        "products": charts.revenue_by_product_chart(deals),
        "cycle": charts.sales_cycle_chart(deals),
        "touches": charts.touches_chart(deals),
    }


@pytest.mark.parametrize("empty", [False, True], ids=["with data", "no data"])
def test_every_chart_is_a_valid_plotly_figure_with_a_title(empty):
    for name, figure in every_chart(empty).items():
        validated = go.Figure(figure)  # raises on anything outside Plotly's schema
        assert validated.layout.title.text, name
        if empty:
            assert figure["layout"]["annotations"][0]["text"] == "No data for this period"
        else:
            assert figure["data"], name


def test_axes_have_titles_and_legends_sit_below_the_plot():
    for name, figure in every_chart(empty=False).items():
        layout = figure["layout"]
        if name != "funnel":
            assert layout["yaxis"]["title"]["text"], name
        if layout["showlegend"]:
            legend = layout["legend"]
            # At the foot of the figure, under the x axis's title: a legend that wraps to
            # three rows on a phone never reaches the title.
            assert (legend["orientation"], legend["y"], legend["yanchor"]) == ("h", 0, "bottom")
            assert (legend["xref"], legend["yref"]) == ("container", "container"), name
            assert layout["height"] == 340, name


def test_counting_axes_have_no_half_ticks():
    figures = every_chart(empty=False)
    for name in ("new vs existing", "trend", "sources"):
        assert figures[name]["layout"]["yaxis"]["tickformat"] == ",d", name
    # Small counts step by one (never 0.5); larger ones by a round step: 40 calls by 10.
    assert figures["sources"]["layout"]["yaxis"]["dtick"] == 1
    assert figures["new vs existing"]["layout"]["yaxis"]["dtick"] == 10
    assert figures["trend"]["layout"]["yaxis"]["dtick"] == 1  # 3 calls, a target of 4


@pytest.mark.parametrize(
    ("top", "step"),
    [
        (0, 1),  # nothing to show: a step of one
        (1, 0.2),  # 0, 0.2 … 1: six ticks
        (5, 1),
        (7, 2),  # 0, 2, 4, 6
        (10, 2),
        (99, 20),  # 0, 20 … 80
        (2872, 1000),  # not 2,872 / 5,745: 0, 1,000, 2,000
        (5745, 2000),
        (0.991, 0.2),  # 0 %, 20 % … 80 %, not 33 % / 66.1 % / 99.1 %
        (99.1, 20),
        (25000, 5000),
    ],
)
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(top, step):
    assert charts.nice_step(top) == step


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_nice_step_gives_three_to_six_ticks(top):
    step = charts.nice_step(top)
    ticks = math.floor(top / step * (1 + 1e-9)) + 1  # 0, step, 2 step … up to top
    assert 3 <= ticks <= 6
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert round(mantissa, 9) in (1, 2, 5)


def test_value_axes_tick_at_round_steps_with_the_decimals_they_need():
    assert charts._values([2872.4, 5745.0]) == {
        "rangemode": "tozero",
        "tick0": 0,
        "dtick": 2000,
        "tickformat": ",.0f",
    }
    assert charts._values([0.991])["tickformat"] == ",.1f"  # 0.2 steps
    assert charts._values([0.04])["tickformat"] == ",.2f"  # 0.01 steps
    rates = charts._values([33.0, 66.1, 99.1], suffix=" %")
    assert (rates["dtick"], rates["tickformat"], rates["ticksuffix"]) == (20, ",.0f", " %")
    counts = charts._counts([1])
    assert (counts["dtick"], counts["tickformat"]) == (1, ",d")  # not 0.2 of a call


def test_money_and_rate_axes_are_rounded():
    figures = every_chart(empty=False)
    revenue = figures["revenue"]["layout"]["yaxis"]  # 25,000 won, a quota of 100,000
    assert (revenue["dtick"], revenue["tickformat"]) == (20000, ",.0f")
    weekday = figures["weekday"]["layout"]["yaxis"]  # 25 % and 35 %
    assert (weekday["dtick"], weekday["ticksuffix"]) == (10, "\u00a0%")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Referral", "Referral"),
        ("Inbound web", "Inbound<br>web"),
        ("Email campaign", "Email<br>campaign"),
        ("Chen Jie", "Chen Jie"),  # ten characters or fewer stay on one line
        ("Luis Fernández", "Luis<br>Fernández"),
        ("Partner referral programme (EMEA)", "Partner<br>referra…"),  # 16 with the "…"
        ("Supercalifragilistic", "Supercalifragil…"),
    ],
)
def test_long_category_labels_wrap_or_are_cut(name, label):
    assert charts.short_label(name) == label


def test_lead_sources_are_labelled_short_with_the_full_name_in_the_hover():
    rows = [
        {**SOURCES[0], "lead_source": "Partner referral programme (EMEA)"},
        {**SOURCES[0], "lead_source": "Event"},
    ]
    figure = charts.lead_source_chart(rows)
    x = figure["layout"]["xaxis"]
    assert x["tickvals"] == ["Partner referral programme (EMEA)", "Event"]
    assert x["ticktext"] == ["Partner<br>referra…", "Event"]
    assert x["autotickangles"] == [0, 90]  # level, or upright: never a slant that collides
    assert figure["data"][0]["x"] == ["Partner referral programme (EMEA)", "Event"]
    assert figure["data"][0]["hovertemplate"] == "%{x}: %{y:,} prospects<extra></extra>"
    go.Figure(figure)


def test_cycle_and_touches_are_two_charts_each_with_its_unit():
    figures = every_chart(empty=False)
    assert figures["cycle"]["layout"]["xaxis"]["title"]["text"] == "Days to close"
    assert figures["touches"]["layout"]["xaxis"]["title"]["text"] == "Touches"
    assert figures["cycle"]["data"][0]["x"] == [40]
    assert figures["touches"]["data"][0]["x"] == [7]


def deals_with(cycles: list[int]) -> list[dict]:
    return [{**DEALS[0], "cycle_days": days, "touches": 3} for days in cycles]


def test_one_won_deal_is_a_dot_on_a_scale_not_a_full_width_block():
    figure = charts.sales_cycle_chart(DEALS)  # one deal, 40 days
    (trace,) = figure["data"]
    assert (trace["type"], trace["mode"], trace["x"], trace["y"]) == (
        "scatter",
        "markers",
        [40],
        [1],
    )
    x, y = figure["layout"]["xaxis"], figure["layout"]["yaxis"]
    assert (x["range"], x["dtick"], x["tickformat"]) == ([-5, 50], 10, ",d")  # 0, 10 … 50
    assert (y["range"], y["dtick"]) == ([0, 1.5], 1)  # ticks 0 and 1, not "20 20 20"
    go.Figure(figure)


def test_few_deals_are_dots_at_each_value_with_its_count():
    figure = charts.sales_cycle_chart(deals_with([12, 40, 12, 5]))
    (trace,) = figure["data"]
    assert (trace["type"], trace["x"], trace["y"]) == ("scatter", [5, 12, 40], [1, 2, 1])
    assert trace["hovertemplate"] == "%{x} days to close: %{y} won deals<extra></extra>"
    assert figure["layout"]["yaxis"]["range"] == [0, 2.5]


@pytest.mark.parametrize(
    ("cycles", "kind"),
    [
        # Eight distinct values; seven deals (N-1), eight (N) and nine (N+1).
        ([3, 9, 14, 22, 30, 47, 58], "scatter"),
        ([3, 9, 14, 22, 30, 47, 58, 64], "histogram"),
        ([3, 9, 14, 22, 30, 47, 58, 64, 90], "histogram"),
        # Ten deals; four distinct values (N-1), five (N) and six (N+1).
        ([3, 3, 3, 9, 9, 14, 14, 22, 22, 22], "scatter"),
        ([3, 3, 3, 9, 9, 14, 14, 22, 22, 30], "histogram"),
        ([3, 3, 3, 9, 9, 14, 14, 22, 30, 47], "histogram"),
    ],
)
def test_a_histogram_needs_enough_deals_and_enough_distinct_values(cycles, kind):
    assert (charts.HISTOGRAM_MIN_DEALS, charts.HISTOGRAM_MIN_VALUES) == (8, 5)
    figure = charts.sales_cycle_chart(deals_with(cycles))
    assert figure["data"][0]["type"] == kind
    go.Figure(figure)


def test_a_histogram_has_round_bins_and_whole_counts():
    figure = charts.sales_cycle_chart(deals_with([3, 9, 14, 22, 30, 31, 47, 58, 64, 90]))
    (trace,) = figure["data"]
    # 87 days from first to last: bins of ten from 0 to 100.
    assert trace["xbins"] == {"start": 0, "end": 100, "size": 10}
    x, y = figure["layout"]["xaxis"], figure["layout"]["yaxis"]
    assert (x["range"], x["dtick"]) == ([-5, 105], 20)
    assert (y["dtick"], y["tickformat"]) == (1, ",d")  # at most two deals in a bin


def test_the_distribution_csvs_carry_each_value_and_its_count_of_deals():
    dots = charts.sales_cycle_chart(deals_with([12, 40, 12, 5]))
    assert charts.figure_rows(dots) == (
        ["series", "x", "y"],
        [["days to close", 5, 1], ["days to close", 12, 2], ["days to close", 40, 1]],
    )
    histogram = charts.touches_chart(
        [{**DEALS[0], "touches": t} for t in (4, 2, 9, 4, 7, 12, 2, 4, 15)]
    )
    assert histogram["data"][0]["type"] == "histogram"
    assert charts.figure_rows(histogram) == (
        ["series", "x", "y"],
        [
            ["touches", 2, 2],
            ["touches", 4, 3],
            ["touches", 7, 1],
            ["touches", 9, 1],
            ["touches", 12, 1],
            ["touches", 15, 1],
        ],
    )


def month(number: int, won: str, commit: str, weighted: str, quota: str | None) -> dict:
    return {
        "month": periods.month(2026, number),
        "won": Decimal(won),
        "commit": Decimal(commit),
        "weighted": Decimal(weighted),
        "quota": None if quota is None else Decimal(quota),
    }


def test_the_forecast_draws_each_months_quota_as_a_labelled_line_across_its_bars():
    figure = charts.forecast_chart(
        [month(10, "9000", "2000", "1500", "12000"), month(11, "3000", "6000", "4000", None)]
    )
    go.Figure(figure)
    layout = figure["layout"]
    assert [t["name"] for t in figure["data"]] == ["Won", "Commit", "Weighted pipeline"]
    (line,) = layout["shapes"]  # November has no quota: no line
    assert (line["type"], line["x0"], line["x1"], line["y0"], line["y1"]) == (
        "line",
        -0.45,
        0.45,
        12000.0,
        12000.0,
    )
    (label,) = layout["annotations"]
    # Two months side by side: the label on two lines, narrow enough for a phone.
    assert (label["text"], label["x"], label["y"], label["yanchor"]) == (
        "Quota<br>12,000",
        0,
        12000.0,
        "bottom",
    )
    # Room over the quota (the tallest thing drawn) for its label; ticks at 0, 5,000, 10,000.
    assert layout["yaxis"]["range"] == [0, 15600.0]
    assert (layout["yaxis"]["dtick"], layout["yaxis"]["tickformat"]) == (5000, ",.0f")


def test_one_months_quota_reads_on_one_line():
    figure = charts.forecast_chart([month(12, "9000", "2000", "1500", "12000")])
    assert figure["layout"]["annotations"][0]["text"] == "Quota 12,000"
    assert figure["layout"]["yaxis"]["range"] == [0, 13800.0]


def test_an_unchanged_quota_is_labelled_once_and_a_new_one_again():
    figure = charts.forecast_chart(
        [
            month(10, "9000", "0", "0", "12000"),
            month(11, "9000", "0", "0", "12000"),
            month(12, "9000", "0", "0", "15000"),
        ]
    )
    assert [s["x0"] for s in figure["layout"]["shapes"]] == [-0.45, 0.55, 1.55]
    labels = [(a["x"], a["text"]) for a in figure["layout"]["annotations"]]
    assert labels == [(0, "Quota<br>12,000"), (2, "Quota<br>15,000")]


def test_a_forecast_with_no_quota_draws_no_line():
    figure = charts.forecast_chart([month(10, "9000", "2000", "1500", None)])
    assert figure["layout"]["shapes"] == []
    assert figure["layout"]["annotations"] == []
    assert figure["layout"]["yaxis"]["range"] == [0, 10350.0]


def test_lead_source_yield_shows_revenue_beside_the_counts():
    figure = every_chart(empty=False)["sources"]
    revenue = next(t for t in figure["data"] if t["name"] == "Revenue won")
    assert (revenue["y"], revenue["yaxis"]) == ([25000.0], "y2")
    assert figure["layout"]["yaxis2"]["title"]["text"] == "Revenue won"


def test_a_charts_numbers_download_as_rows():
    header, rows = charts.figure_rows(every_chart(empty=False)["sources"])
    assert header == ["series", "x", "y"]
    assert ["Won", "Referral", 1] in rows
    assert ["Revenue won", "Referral", 25000.0] in rows


def test_the_forecast_history_is_valid_with_round_ticks_and_date_labels_off_the_corner():
    weeks = [date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)]
    figure = charts.forecast_history_chart(
        weeks, [Decimal("41000"), None, Decimal("52500")], Decimal("48000")
    )
    go.Figure(figure)
    y, x = figure["layout"]["yaxis"], figure["layout"]["xaxis"]
    assert (y["dtick"], y["tickformat"]) == (20000, ",.0f")  # 0, 20,000, 40,000
    assert (x["type"], x["ticklabelstandoff"]) == ("date", 8)
    assert figure["data"][0]["y"] == [41000.0, None, 52500.0]


def test_the_email_charts_show_the_unsubscribe_rate():
    """20 emails, 2 bounced, 18 delivered, 3 unsubscribed: 16.7 % unsubscribed."""
    counts = FunnelCounts(emails=20, emails_bounced=2, emails_opened=9, emails_unsubscribed=3)
    by_rep = charts.email_effectiveness_chart([("Ana García", funnel(counts))])
    names = [trace["name"] for trace in by_rep["data"]]
    assert names == [
        "Open rate",
        "Reply rate",
        "Bounce rate",
        "Unsubscribe rate",
        "Message reply rate",
    ]
    unsubscribed = by_rep["data"][3]
    assert unsubscribed["customdata"] == ["16.7\u00a0%"]
    assert ["Unsubscribe rate", "Ana García", unsubscribed["y"][0]] in charts.figure_rows(by_rep)[1]
    assert round(unsubscribed["y"][0], 1) == 16.7

    trend = charts.email_trend_chart([(date(2026, 11, 16), funnel(counts))])
    assert [trace["name"] for trace in trend["data"]][-1] == "Unsubscribe rate"
    assert round(trend["data"][-1]["y"][0], 1) == 16.7
