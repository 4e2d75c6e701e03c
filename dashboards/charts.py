"""Plotly figures for the dashboards, built in Python as Plotly's own figure schema and sent
to the page as JSON; static/js/charts.js draws them with the locally served plotly.min.js.

The figures are plain dicts rather than `plotly.graph_objects`: building and validating the
nine figures of a dashboard with graph_objects took about half of the page's 100 ms budget,
for the same JSON. The schema is still Plotly's, and a test builds every chart through
`plotly.graph_objects.Figure` to prove each one is valid (tests/dashboards/test_charts.py).

Every chart has a title and axis titles with units, a legend only where it helps (above
the plot, clear of the axis titles), whole-number ticks on axes that count, and says "no
data" rather than drawing an empty frame. Template "none" and a small house layout keep
the JSON small.
"""

from datetime import date, timedelta
from decimal import Decimal

from core.formats import percent
from dashboards.metrics import WEEKDAYS, Funnel

BLUE, GREEN, ORANGE, GREY, RED = "#1d4ed8", "#0f7a4a", "#b45309", "#9aa5b1", "#b42318"
PURPLE = "#7c3aed"
NEW_COLOUR, EXISTING_COLOUR = "#0f7a4a", "#1d4ed8"


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, "automargin": True, "gridcolor": "#eef1f5", **extra}


def _counts(values) -> dict:
    """A count axis: from zero, whole numbers only (no 0.5 ticks when counts are small)."""
    top = max((v for v in values if v is not None), default=0)
    axis = {"rangemode": "tozero", "tickformat": ",d"}
    if top <= 10:
        axis["dtick"] = 1
    return axis


def _layout(
    title: str, *, x: dict | None = None, y: dict | None = None, legend: bool = False, **extra
) -> dict:
    return {
        "template": "none",
        "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.97, "font": {"size": 15}},
        "xaxis": x or _axis(""),
        "yaxis": y or _axis("", rangemode="tozero"),
        "showlegend": legend,
        # Above the plot, under the title: never on top of an axis title.
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
        "margin": {"l": 10, "r": 10, "t": 64 if legend else 40, "b": 10},
        "height": 300,
        "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#1f2933"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        **extra,
    }


def _figure(traces: list[dict], layout: dict) -> dict:
    return {"data": traces, "layout": layout}


def _no_data(title: str) -> dict:
    return _figure(
        [],
        _layout(
            title,
            x={"visible": False},
            y={"visible": False},
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
        ),
    )


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
        labels.append(f"{value:,} ({percent(rate)} of {steps[index - 1][0].lower()})")
    bar = {
        "type": "bar",
        "y": [name for name, _ in steps],
        "x": [value for _, value in steps],
        "orientation": "h",
        "marker": {"color": [BLUE, BLUE, GREEN, ORANGE, GREEN]},
        "text": labels,
        "textposition": "auto",
        "hovertemplate": "%{y}: %{x:,}<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title,
            x=_axis("Count (log scale)", type="log", dtick=1),
            y=_axis("", autorange="reversed"),
        ),
    )


def new_vs_existing_chart(result: Funnel) -> dict:
    """Outreach split by new and existing prospects, per kind."""
    c = result.counts
    title = "New vs existing prospects"
    kinds = ["Calls", "Emails", "Meetings held", "Messages"]
    new = [c.calls_new, c.emails_new, c.meetings_held_new, c.messages_new]
    existing = [c.calls_existing, c.emails_existing, c.meetings_held_existing, c.messages_existing]
    if not any(new) and not any(existing):
        return _no_data(title)
    traces = [
        {"type": "bar", "name": "New prospects", "x": kinds, "y": new},
        {"type": "bar", "name": "Existing prospects", "x": kinds, "y": existing},
    ]
    traces[0]["marker"], traces[1]["marker"] = {"color": NEW_COLOUR}, {"color": EXISTING_COLOUR}
    totals = [a + b for a, b in zip(new, existing, strict=True)]
    return _figure(
        traces,
        _layout(
            title,
            y=_axis("Activities", **_counts(totals)),
            legend=True,
            barmode="stack",
        ),
    )


def hit_rate_chart(result: Funnel) -> dict:
    """Connects / calls by weekday: which days reach people."""
    title = "Hit rate by weekday (connects / calls)"
    rates = result.hit_rate_by_weekday
    if all(rate is None for rate in rates.values()):
        return _no_data(title)
    bar = {
        "type": "bar",
        "x": list(WEEKDAYS),
        "y": [None if rates[d] is None else round(rates[d] * 100, 1) for d in WEEKDAYS],
        "marker": {"color": BLUE},
        "text": [percent(rates[d]) for d in WEEKDAYS],
        "textposition": "outside",
        "hovertemplate": "%{x}: %{y:.1f} %<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title, x=_axis("Weekday"), y=_axis("Hit rate (%)", rangemode="tozero", ticksuffix=" %")
        ),
    )


def _rate_bars(name: str, values: list[float | None], labels: list[str], colour: str) -> dict:
    return {
        "type": "bar",
        "name": name,
        "x": labels,
        "y": [None if v is None else round(v * 100, 1) for v in values],
        "marker": {"color": colour},
        "customdata": [percent(v) for v in values],
        "hovertemplate": f"%{{x}}: %{{customdata}} {name.lower()}<extra></extra>",
    }


EMAIL_RATES = (
    ("Open rate", "email_open_rate", BLUE),
    ("Reply rate", "email_reply_rate", GREEN),
    ("Bounce rate", "email_bounce_rate", RED),
    ("Message reply rate", "message_reply_rate", ORANGE),
)


def email_effectiveness_chart(rows: list[tuple[str, Funnel]]) -> dict:
    """Per rep: email open, reply and bounce rates (over delivered emails, the bounce rate
    over every email) and the message reply rate. A rep with no email has no bar, not 0."""
    title = "Email and message effectiveness by rep"
    if not any(result.counts.emails or result.counts.messages for _name, result in rows):
        return _no_data(title)
    labels = [name for name, _result in rows]
    traces = [
        _rate_bars(label, [getattr(result, key) for _name, result in rows], labels, colour)
        for label, key, colour in EMAIL_RATES
    ]
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Rep", type="category"),
            y=_axis("Rate (%)", rangemode="tozero", ticksuffix=" %"),
            legend=True,
            barmode="group",
        ),
    )


def email_trend_chart(weeks: list[tuple[date, Funnel]]) -> dict:
    """The scope's email open, reply and bounce rates week by week."""
    title = "Email effectiveness by week"
    if not any(result.counts.emails for _week, result in weeks):
        return _no_data(title)
    # "Week of 16 Nov" on a category axis: a date axis ticks hours when there is one week.
    labels = [f"{week:%d %b}".lstrip("0") for week, _result in weeks]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": label,
            "x": labels,
            "y": [
                None if getattr(r, key) is None else round(getattr(r, key) * 100, 1)
                for _week, r in weeks
            ],
            "line": {"color": colour},
            "hovertemplate": f"week of %{{x}}: %{{y:.1f}} % {label.lower()}<extra></extra>",
        }
        for label, key, colour in EMAIL_RATES[:3]
    ]
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Week starting", type="category"),
            y=_axis("Rate (%)", rangemode="tozero", ticksuffix=" %"),
            legend=True,
        ),
    )


def call_quality_chart(rows: list[tuple[str, Funnel]]) -> dict:
    """Per rep: the average length of a connected call (over the calls with a duration)
    and the share of connected calls that ended with a follow-up date."""
    title = "Call quality by rep"
    if not any(result.counts.connects for _name, result in rows):
        return _no_data(title)
    labels = [name for name, _result in rows]
    minutes = [result.avg_call_minutes for _name, result in rows]
    follow = [result.follow_up_rate for _name, result in rows]
    traces = [
        {
            "type": "bar",
            "name": "Minutes per connected call",
            "x": labels,
            "y": [None if m is None else round(m, 1) for m in minutes],
            "marker": {"color": BLUE},
            "hovertemplate": "%{x}: %{y:.1f} minutes a call<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Follow-up rate",
            "x": labels,
            "y": [None if f is None else round(f * 100, 1) for f in follow],
            "yaxis": "y2",
            "marker": {"color": GREEN, "size": 11, "symbol": "diamond"},
            "hovertemplate": "%{x}: %{y:.1f} % of connects followed up<extra></extra>",
        },
    ]
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Rep", type="category"),
            y=_axis("Minutes per connected call", rangemode="tozero"),
            yaxis2=_axis(
                "Follow-up rate (%)",
                overlaying="y",
                side="right",
                rangemode="tozero",
                range=[0, 105],
                ticksuffix=" %",
                showgrid=False,
            ),
            legend=True,
        ),
    )


def activity_trend_chart(
    series: dict[str, dict[date, int]], start: date, end: date, daily_calls_target: int | None
) -> dict:
    """Activity per day by kind, with the team's daily call target as a line."""
    title = "Activity per day"
    if not any(series.values()):
        return _no_data(title)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    labels = [day.isoformat() for day in days]
    colours = {"Calls": BLUE, "Emails": PURPLE, "Meetings": GREEN, "Messages": ORANGE}
    traces = [
        {
            "type": "bar",
            "name": kind,
            "x": labels,
            "y": [series.get(kind, {}).get(d, 0) for d in days],
            "marker": {"color": colours[kind]},
        }
        for kind in ("Calls", "Emails", "Meetings", "Messages")
    ]
    totals = [sum(trace["y"][i] for trace in traces) for i in range(len(days))]
    if daily_calls_target:
        traces.append(
            {
                "type": "scatter",
                "name": "Daily calls target",
                "x": labels,
                "y": [daily_calls_target] * len(days),
                "mode": "lines",
                "line": {"color": RED, "dash": "dash"},
            }
        )
        totals.append(daily_calls_target)
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Day", type="date"),
            y=_axis("Activities per day", **_counts(totals)),
            legend=True,
            barmode="stack",
        ),
    )


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
        {
            "type": "scatter",
            "name": "Won so far",
            "x": [day.isoformat() for day in days],
            "y": running,
            "mode": "lines",
            "line": {"color": GREEN, "width": 3},
        }
    ]
    if quota:
        traces.append(
            {
                "type": "scatter",
                "name": "Linear to quota",
                "x": [start.isoformat(), end.isoformat()],
                "y": [0, float(quota)],
                "mode": "lines",
                "line": {"color": GREY, "dash": "dash"},
            }
        )
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Day", type="date"),
            y=_axis("Revenue won", rangemode="tozero", tickformat=",.0f"),
            legend=True,
        ),
    )


def lead_source_chart(rows: list[dict]) -> dict:
    """Prospects, opportunities and won deals per lead source, and the revenue they brought
    (on its own axis, on the right)."""
    title = "Lead source yield"
    if not rows:
        return _no_data(title)
    names = [row["lead_source"] for row in rows]
    counts = [
        ("Prospects", "prospects", GREY),
        ("Opportunities", "opportunities", BLUE),
        ("Won", "won", GREEN),
    ]
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": names,
            "y": [r[key] for r in rows],
            "marker": {"color": colour},
            "offsetgroup": key,
        }
        for label, key, colour in counts
    ]
    traces.append(
        {
            "type": "scatter",
            "name": "Revenue won",
            "x": names,
            "y": [float(r["revenue"] or 0) for r in rows],
            "mode": "markers",
            "marker": {"color": ORANGE, "size": 11, "symbol": "diamond"},
            "yaxis": "y2",
            "hovertemplate": "%{x}: %{y:,.0f} won<extra></extra>",
        }
    )
    every_count = [r[key] for r in rows for _, key, _ in counts]
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Lead source"),
            y=_axis("Prospects, opportunities, deals", **_counts(every_count)),
            legend=True,
            barmode="group",
            yaxis2={
                "title": {"text": "Revenue won"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "tickformat": ",.0f",
                "showgrid": False,
                "automargin": True,
            },
        ),
    )


def revenue_by_stream_chart(result: Funnel) -> dict:
    title = "Revenue won by stream"
    streams = result.counts.revenue_by_type
    if not streams:
        return _no_data(title)
    names = {"recurring": "Recurring", "one_time": "One-time", "contract": "Contract"}
    keys = sorted(streams)
    bar = {
        "type": "bar",
        "x": [names.get(k, k) for k in keys],
        "y": [float(streams[k]) for k in keys],
        "marker": {"color": GREEN},
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title,
            x=_axis("Revenue stream"),
            y=_axis("Revenue won", rangemode="tozero", tickformat=",.0f"),
        ),
    )


def _distribution(title: str, values: list[int], unit: str, colour: str) -> dict:
    """How many won deals took each number of days (or touches): one bar per bin."""
    if not values:
        return _no_data(title)
    histogram = {
        "type": "histogram",
        "name": unit,
        "x": values,
        "marker": {"color": colour},
        "nbinsx": 15,
        "hovertemplate": f"%{{x}} {unit}: %{{y}} won deals<extra></extra>",
    }
    return _figure(
        [histogram],
        _layout(
            title,
            x=_axis(unit.capitalize(), tickformat=",d"),
            y=_axis("Won deals", rangemode="tozero", tickformat=",d", dtick=1)
            if len(values) <= 10
            else _axis("Won deals", rangemode="tozero", tickformat=",d"),
        ),
    )


def sales_cycle_chart(deals: list[dict]) -> dict:
    """How long won deals took from opening to close, in days."""
    return _distribution(
        "Won deals: sales cycle", [d["cycle_days"] for d in deals], "days to close", BLUE
    )


def touches_chart(deals: list[dict]) -> dict:
    """How many touches (activities on the deal or its prospect) won deals needed."""
    return _distribution(
        "Won deals: touches before close", [d["touches"] for d in deals], "touches", ORANGE
    )


def revenue_by_product_chart(deals: list[dict]) -> dict:
    title = "Revenue won by product"
    if not deals:
        return _no_data(title)
    totals: dict[str, Decimal] = {}
    for deal in deals:
        totals[deal["product"]] = totals.get(deal["product"], Decimal(0)) + deal["amount"]
    names = sorted(totals, key=lambda name: -totals[name])
    bar = {
        "type": "bar",
        "x": names,
        "y": [float(totals[n]) for n in names],
        "marker": {"color": GREEN},
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title,
            x=_axis("Product"),
            y=_axis("Revenue won", rangemode="tozero", tickformat=",.0f"),
        ),
    )


def forecast_chart(months: list[dict]) -> dict:
    """By month of the period: revenue won, the commit (deals in stages of 75 % or more)
    and the weighted pipeline expected to close, against each month's quota."""
    title = "Forecast: won, commit and weighted pipeline against quota"
    if not any(m["won"] or m["commit"] or m["weighted"] or m["quota"] for m in months):
        return _no_data(title)
    # "Nov 2026", on a category axis: Plotly would read "2026-11" as a date and tick hours.
    labels = [m["month"].start.strftime("%b %Y") for m in months]
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [float(m[key]) for m in months],
            "marker": {"color": colour},
            "hovertemplate": f"%{{x}}: %{{y:,.0f}} {name.lower()}<extra></extra>",
        }
        for name, key, colour in (
            ("Won", "won", GREEN),
            ("Commit", "commit", BLUE),
            ("Weighted pipeline", "weighted", "#93b4f5"),
        )
    ]
    if any(m["quota"] is not None for m in months):
        traces.append(
            {
                "type": "scatter",
                "name": "Quota",
                "x": labels,
                "y": [None if m["quota"] is None else float(m["quota"]) for m in months],
                "mode": "lines+markers",
                "line": {"color": RED, "dash": "dash"},
            }
        )
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Month", type="category"),
            y=_axis("Revenue", rangemode="tozero", tickformat=",.0f"),
            legend=True,
            barmode="group",
        ),
    )


def forecast_history_chart(weeks: list[date], forecast: list, won: Decimal) -> dict:
    """A finished period: what the forecast said each Monday (won by then + the weighted
    pipeline), against what was won in the end."""
    title = "Forecast each Monday against what was won"
    if not weeks:
        return _no_data(title)
    labels = [week.isoformat() for week in weeks]
    traces = [
        {
            "type": "scatter",
            "name": "Forecast (won + weighted)",
            "x": labels,
            "y": [None if value is None else float(value) for value in forecast],
            "mode": "lines+markers",
            "line": {"color": BLUE},
        },
        {
            "type": "scatter",
            "name": "Won in the end",
            "x": [labels[0], labels[-1]],
            "y": [float(won), float(won)],
            "mode": "lines",
            "line": {"color": GREEN, "dash": "dash"},
        },
    ]
    return _figure(
        traces,
        _layout(
            title,
            x=_axis("Forecast made on", type="date"),
            y=_axis("Revenue", rangemode="tozero", tickformat=",.0f"),
            legend=True,
        ),
    )


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
