"""Plotly figures for the dashboards, built in Python (plotly.graph_objects) and sent to the
page as JSON; static/js/charts.js draws them with the locally served plotly.min.js.

Every chart has a title and axis titles with units, says "no data" rather than drawing an
empty frame, and uses template "none" with a small house layout to keep the JSON small.
"""

import json
from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go

from dashboards.metrics import WEEKDAYS, Funnel

BLUE, GREEN, ORANGE, GREY, RED = "#1d4ed8", "#0f7a4a", "#b45309", "#9aa5b1", "#b42318"
NEW_COLOUR, EXISTING_COLOUR = "#0f7a4a", "#1d4ed8"


def _layout(title: str, *, x_title: str = "", y_title: str = "", legend: bool = False):
    return {
        "template": "none",
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "xaxis": {"title": {"text": x_title}, "automargin": True, "gridcolor": "#eef1f5"},
        "yaxis": {
            "title": {"text": y_title},
            "automargin": True,
            "gridcolor": "#eef1f5",
            "rangemode": "tozero",
        },
        "showlegend": legend,
        "legend": {"orientation": "h", "y": -0.25},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "height": 300,
        "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#1f2933"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }


def _no_data(title: str) -> dict:
    figure = go.Figure(layout=_layout(title))
    figure.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": "No data for this period",
                "showarrow": False,
                "font": {"size": 14, "color": "#616e7c"},
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
            }
        ],
    )
    return _as_json(figure)


def _as_json(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def funnel_chart(result: Funnel) -> dict:
    """Calls → connects → meetings held → opportunities → won, with each step's conversion
    from the one before (and what dropped off)."""
    c = result.counts
    steps = [
        ("Calls", c.calls),
        ("Connects", c.connects),
        ("Meetings held", c.meetings_held),
        ("Opportunities", c.opportunities_created),
        ("Won", c.won),
    ]
    title = "Funnel: calls to won deals"
    if not c.calls and not c.won:
        return _no_data(title)
    labels = []
    for index, (_name, value) in enumerate(steps):
        if index == 0:
            labels.append(f"{value:,}")
            continue
        previous = steps[index - 1][1]
        rate = value / previous if previous else None
        labels.append(f"{value:,} ({_pct(rate)} of {steps[index - 1][0].lower()})")
    figure = go.Figure(
        go.Bar(
            y=[name for name, _ in steps],
            x=[value for _, value in steps],
            orientation="h",
            marker_color=[BLUE, BLUE, GREEN, ORANGE, GREEN],
            text=labels,
            textposition="auto",
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        ),
        layout=_layout(title, x_title="Count (log scale)"),
    )
    figure.update_xaxes(type="log", dtick=1)
    figure.update_yaxes(autorange="reversed")
    return _as_json(figure)


def new_vs_existing_chart(result: Funnel) -> dict:
    """Outreach split by new and existing prospects, per kind."""
    c = result.counts
    title = "New vs existing prospects"
    kinds = ["Calls", "Emails", "Meetings held", "Messages"]
    new = [c.calls_new, c.emails_new, c.meetings_held_new, c.messages_new]
    existing = [c.calls_existing, c.emails_existing, c.meetings_held_existing, c.messages_existing]
    if not any(new) and not any(existing):
        return _no_data(title)
    figure = go.Figure(
        [
            go.Bar(name="New prospects", x=kinds, y=new, marker_color=NEW_COLOUR),
            go.Bar(name="Existing prospects", x=kinds, y=existing, marker_color=EXISTING_COLOUR),
        ],
        layout=_layout(title, y_title="Activities", legend=True),
    )
    figure.update_layout(barmode="stack")
    return _as_json(figure)


def hit_rate_chart(result: Funnel) -> dict:
    """Connects / calls by weekday: which days reach people."""
    title = "Hit rate by weekday (connects / calls)"
    rates = result.hit_rate_by_weekday
    if all(rate is None for rate in rates.values()):
        return _no_data(title)
    values = [None if rates[d] is None else round(rates[d] * 100, 1) for d in WEEKDAYS]
    figure = go.Figure(
        go.Bar(
            x=list(WEEKDAYS),
            y=values,
            marker_color=BLUE,
            text=[_pct(rates[d]) for d in WEEKDAYS],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1f} %<extra></extra>",
        ),
        layout=_layout(title, x_title="Weekday", y_title="Hit rate (%)"),
    )
    return _as_json(figure)


def activity_trend_chart(
    series: dict[str, dict[date, int]], start: date, end: date, daily_calls_target: int | None
) -> dict:
    """Activity per day by kind, with the team's daily call target as a line."""
    title = "Activity per day"
    if not any(series.values()):
        return _no_data(title)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    colours = {"Calls": BLUE, "Emails": "#7c3aed", "Meetings": GREEN, "Messages": ORANGE}
    traces = [
        go.Bar(
            name=kind,
            x=days,
            y=[series.get(kind, {}).get(d, 0) for d in days],
            marker_color=colours.get(kind, GREY),
        )
        for kind in ("Calls", "Emails", "Meetings", "Messages")
    ]
    if daily_calls_target:
        traces.append(
            go.Scatter(
                name="Daily calls target",
                x=days,
                y=[daily_calls_target] * len(days),
                mode="lines",
                line={"color": RED, "dash": "dash"},
            )
        )
    figure = go.Figure(
        traces, layout=_layout(title, x_title="Day", y_title="Activities", legend=True)
    )
    figure.update_layout(barmode="stack")
    return _as_json(figure)


def revenue_run_rate_chart(
    daily_won: dict[date, Decimal], start: date, end: date, today: date, quota: Decimal | None
) -> dict:
    """Revenue won so far, cumulative, against a straight line to the quota."""
    title = "Revenue won vs the line to quota"
    if not daily_won and not quota:
        return _no_data(title)
    days = [start + timedelta(days=n) for n in range((min(end, today) - start).days + 1)]
    running, total = [], Decimal(0)
    for day in days:
        total += daily_won.get(day, Decimal(0))
        running.append(float(total))
    traces = [
        go.Scatter(
            name="Won so far", x=days, y=running, mode="lines", line={"color": GREEN, "width": 3}
        )
    ]
    if quota:
        traces.append(
            go.Scatter(
                name="Linear to quota",
                x=[start, end],
                y=[0, float(quota)],
                mode="lines",
                line={"color": GREY, "dash": "dash"},
            )
        )
    figure = go.Figure(traces, layout=_layout(title, x_title="Day", y_title="Revenue", legend=True))
    return _as_json(figure)


def lead_source_chart(rows: list[dict]) -> dict:
    title = "Lead source yield"
    if not rows:
        return _no_data(title)
    names = [row["lead_source"] for row in rows]
    figure = go.Figure(
        [
            go.Bar(name="Prospects", x=names, y=[r["prospects"] for r in rows], marker_color=GREY),
            go.Bar(
                name="Opportunities",
                x=names,
                y=[r["opportunities"] for r in rows],
                marker_color=BLUE,
            ),
            go.Bar(name="Won", x=names, y=[r["won"] for r in rows], marker_color=GREEN),
        ],
        layout=_layout(title, x_title="Lead source", y_title="Count", legend=True),
    )
    figure.update_layout(barmode="group")
    return _as_json(figure)


def revenue_by_stream_chart(result: Funnel) -> dict:
    title = "Revenue won by stream"
    streams = result.counts.revenue_by_type
    if not streams:
        return _no_data(title)
    names = {"recurring": "Recurring", "one_time": "One-time", "contract": "Contract"}
    keys = sorted(streams)
    figure = go.Figure(
        go.Bar(
            x=[names.get(k, k) for k in keys],
            y=[float(streams[k]) for k in keys],
            marker_color=GREEN,
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        ),
        layout=_layout(title, x_title="Revenue stream", y_title="Revenue won"),
    )
    return _as_json(figure)


def cycle_and_touches_chart(deals: list[dict]) -> dict:
    """How long won deals took, and how many touches they needed."""
    title = "Won deals: sales cycle and touches"
    if not deals:
        return _no_data(title)
    figure = go.Figure(
        [
            go.Histogram(
                name="Sales cycle (days)",
                x=[d["cycle_days"] for d in deals],
                marker_color=BLUE,
                opacity=0.8,
                nbinsx=15,
            ),
            go.Histogram(
                name="Touches before close",
                x=[d["touches"] for d in deals],
                marker_color=ORANGE,
                opacity=0.6,
                nbinsx=15,
            ),
        ],
        layout=_layout(title, x_title="Days, or touches", y_title="Won deals", legend=True),
    )
    figure.update_layout(barmode="overlay")
    return _as_json(figure)


def revenue_by_product_chart(deals: list[dict]) -> dict:
    title = "Revenue won by product"
    if not deals:
        return _no_data(title)
    totals: dict[str, Decimal] = {}
    for deal in deals:
        totals[deal["product"]] = totals.get(deal["product"], Decimal(0)) + deal["amount"]
    names = sorted(totals, key=lambda name: -totals[name])
    figure = go.Figure(
        go.Bar(
            x=names,
            y=[float(totals[n]) for n in names],
            marker_color=GREEN,
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        ),
        layout=_layout(title, x_title="Product", y_title="Revenue won"),
    )
    return _as_json(figure)


def figure_rows(figure: dict) -> tuple[list[str], list[list]]:
    """A chart's numbers as CSV rows: one row per point of each trace, so that what the
    chart shows can be checked or reused in a spreadsheet."""
    header = ["series", "x", "y"]
    rows = []
    for trace in figure.get("data", []):
        name = trace.get("name") or figure["layout"]["title"]["text"]
        xs, ys = trace.get("x") or [], trace.get("y") or []
        if trace.get("orientation") == "h":
            xs, ys = ys, xs
        if trace.get("type") == "histogram":
            rows += [[name, x, ""] for x in xs]
            continue
        rows += [[name, x, y] for x, y in zip(xs, ys, strict=False)]
    return header, rows
