"""Every chart is a valid Plotly figure, readable: titles and axis titles, a legend clear of
the axes, whole-number ticks on counts, "no data" instead of an empty frame."""

from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go
import pytest

from dashboards import charts
from dashboards.metrics import FunnelCounts, funnel

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


def test_axes_have_titles_and_legends_sit_clear_of_them():
    for name, figure in every_chart(empty=False).items():
        layout = figure["layout"]
        if name != "funnel":
            assert layout["yaxis"]["title"]["text"], name
        if layout["showlegend"]:
            legend = layout["legend"]
            assert (legend["y"], legend["yanchor"]) == (1.0, "bottom"), name
            assert layout["margin"]["t"] > 40, name


def test_counting_axes_have_no_half_ticks():
    figures = every_chart(empty=False)
    for name in ("new vs existing", "trend", "sources"):
        assert figures[name]["layout"]["yaxis"]["tickformat"] == ",d", name
    # Small counts (up to ten) get one tick per whole number; larger ones Plotly's own.
    assert figures["sources"]["layout"]["yaxis"]["dtick"] == 1
    assert "dtick" not in figures["new vs existing"]["layout"]["yaxis"]  # 40 calls


def test_cycle_and_touches_are_two_charts_each_with_its_unit():
    figures = every_chart(empty=False)
    assert figures["cycle"]["layout"]["xaxis"]["title"]["text"] == "Days to close"
    assert figures["touches"]["layout"]["xaxis"]["title"]["text"] == "Touches"
    assert figures["cycle"]["data"][0]["x"] == [40]
    assert figures["touches"]["data"][0]["x"] == [7]


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
