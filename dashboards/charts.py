"""Plotly figures for the dashboards, built in Python as Plotly's own figure schema and sent
to the page as JSON; static/js/charts.js draws them with the locally served plotly.min.js.

The figures are plain dicts rather than `plotly.graph_objects`: building and validating the
nine figures of a dashboard with graph_objects took about half of the page's 100 ms budget,
for the same JSON. The schema is still Plotly's, and a test builds every chart through
`plotly.graph_objects.Figure` to prove each one is valid (tests/dashboards/test_charts.py).

Every chart has a title and axis titles with units, a legend only where it helps (below
the plot, at the foot of the figure), round ticks (a 1-2-5 step for 3 to 6 ticks,
`nice_step`; whole numbers on axes that count), category labels short enough for a phone
(the full name in the hover), and says "no data" rather than drawing an empty frame. A
few won deals are dots, not a histogram; the forecast's quota is a labelled line. Template
"none" and a small house layout keep the JSON small. The words are translated, and the
numbers and dates follow the active language: Plotly's `separators` ("," for Spanish
decimals), percentages and month names as core/formats.py and Django's formats write them
(docs/architecture.md#chart-layout-rules, docs/i18n.md#numbers-and-dates).
"""

import math
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formats import locale_format, percent, whole
from dashboards.metrics import WEEKDAYS, Funnel

BLUE, GREEN, ORANGE, GREY, RED = "#1d4ed8", "#0f7a4a", "#b45309", "#9aa5b1", "#b42318"
PURPLE = "#7c3aed"
NEW_COLOUR, EXISTING_COLOUR = "#0f7a4a", "#1d4ed8"


def nice_step(top: float, *, steps: int = 5) -> float:
    """The tick step for an axis from 0 to `top`: the smallest 1, 2 or 5 × 10^k that cuts
    it into at most `steps` steps. Consecutive nice steps differ by at most 2.5, so that
    is also more than `steps` / 2.5 steps: 3 to 6 ticks for the default 5 (2,872 → 1,000:
    ticks 0, 1,000, 2,000; 0.991 → 0.2). Nothing to show (0 or less) steps by 1."""
    if top <= 0:
        return 1
    # Start a decade below and go up: float noise in log10 can never skip the right step.
    power = 10.0 ** (math.floor(math.log10(top)) - 1)
    while True:
        for factor in (1, 2, 5):
            step = factor * power
            if top / step <= steps * (1 + 1e-9):
                return float(f"{step:.12g}")
        power *= 10


def _decimals(step: float) -> int:
    """How many decimals a tick needs to show a multiple of `step` exactly."""
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def _percent_of(number: str) -> str:
    """A percentage around a number or a Plotly placeholder, as the active language writes
    it: "%{y:.1f}" → "%{y:.1f} %" (Chinese "%{y:.1f}%")."""
    return locale_format("PERCENT_FORMAT").format(number=number)


def _separators() -> str:
    """Plotly's `separators`, the decimal then the thousands separator of the active
    language: ".," in English and Chinese, ",." in Spanish."""
    return f"{get_format('DECIMAL_SEPARATOR')}{get_format('THOUSAND_SEPARATOR')}"


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, "automargin": True, "gridcolor": "#eef1f5", **extra}


def _values(values, *, integer: bool = False, suffix: str = "") -> dict:
    """An axis from zero with round ticks: a nice step chosen from the largest value (3 to
    6 ticks), thousands grouped, no decimals the step does not need. A count (`integer`)
    never ticks between whole numbers; `suffix` follows each tick (`_percent_of("")`)."""
    top = max((v for v in values if v is not None), default=0)
    step = nice_step(top)
    if integer:
        step = max(step, 1)
    axis = {
        "rangemode": "tozero",
        "tick0": 0,
        "dtick": step,
        "tickformat": ",d" if integer else f",.{_decimals(step)}f",
    }
    if suffix:
        axis["ticksuffix"] = suffix
    return axis


def _counts(values) -> dict:
    """A count axis: from zero, whole numbers only (no 0.5 ticks when counts are small)."""
    return _values(values, integer=True)


# A category label longer than this is cut with an ellipsis (the full name is in the
# hover); a shorter one wraps at its spaces, so that five lead sources fit a phone.
LABEL_CHARS = 16
LABEL_LINE = 10


def short_label(text: str) -> str:
    """A category's tick label: at most LABEL_CHARS characters (cut with "…"), on two lines
    when it has a space and is longer than LABEL_LINE ("Email<br>campaign")."""
    text = str(text)
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1].rstrip() + "…"
    if len(text) <= LABEL_LINE or " " not in text:
        return text
    # Break at the space nearest the middle: two lines of similar length.
    middle = len(text) / 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return f"{text[:cut]}<br>{text[cut + 1 :]}"


def _categories(title: str, names: list[str], **extra) -> dict:
    """A category axis whose ticks are the short labels of `names` (the traces keep the
    full names, which the hover shows). Level labels when they fit, else upright (a
    slanted label's box reaches its neighbour's and the other axis's labels)."""
    return _axis(
        title,
        type="category",
        tickmode="array",
        tickvals=list(names),
        ticktext=[short_label(name) for name in names],
        autotickangles=[0, 90],
        **extra,
    )


def _dates(title: str) -> dict:
    """A date axis. Its first tick can fall on the corner (a quarter starting 1 October,
    ticked "Oct 2026"), so its labels stand a little further off the axis than the other
    axis's "0" reaches."""
    return _axis(title, type="date", ticklabelstandoff=8)


def _layout(
    title: str, *, x: dict | None = None, y: dict | None = None, legend: bool = False, **extra
) -> dict:
    return {
        "template": "none",
        "separators": _separators(),
        "title": {"text": title, "x": 0, "xanchor": "left", "y": 0.97, "font": {"size": 15}},
        "xaxis": x or _axis(""),
        "yaxis": y or _axis("", rangemode="tozero"),
        "showlegend": legend,
        # Below the plot, under the x axis's title, at the bottom of the figure: never on
        # the title, however many rows it wraps to on a phone.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        },
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "height": 340 if legend else 300,
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
                    "text": _("No data for this period"),
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
        (_("Calls"), c.calls),
        (_("Connects"), c.connects),
        (_("Meetings held"), c.meetings_held),
        (_("Opportunities"), c.opportunities_created),
        (_("Won"), c.won),
    ]
    title = _("Funnel: calls to won deals")
    if not c.calls and not c.won:
        return _no_data(title)
    # On the bar a short "112 · 23.4 %" (a phone's bar has no room for more); the hover
    # says of what.
    labels, hovers = [], []
    for index, (name, value) in enumerate(steps):
        if index == 0:
            labels.append(whole(value))
            hovers.append(f"{name}: {whole(value)}")
            continue
        previous = steps[index - 1][1]
        rate = value / previous if previous else None
        labels.append(f"{whole(value)} · {percent(rate)}")
        hovers.append(
            _("%(step)s: %(count)s (%(rate)s of %(previous)s)")
            % {
                "step": name,
                "count": whole(value),
                "rate": percent(rate),
                "previous": steps[index - 1][0].lower(),
            }
        )
    top = max(value for _name, value in steps)
    bar = {
        "type": "bar",
        "y": [name for name, _value in steps],
        "x": [value for _name, value in steps],
        "orientation": "h",
        "marker": {"color": [BLUE, BLUE, GREEN, ORANGE, GREEN]},
        "text": labels,
        "textposition": "auto",
        "cliponaxis": False,
        "customdata": hovers,
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    # Log scale: half a decade of room right of the longest bar for a label outside it.
    x_axis = _axis(
        _("Count (log scale)"),
        type="log",
        dtick=1,
        tickformat=",d",
        range=[-0.1, math.log10(max(top, 1)) + 0.5],
    )
    return _figure(
        [bar],
        _layout(title, x=x_axis, y=_axis("", autorange="reversed")),
    )


def new_vs_existing_chart(result: Funnel) -> dict:
    """Outreach split by new and existing prospects, per kind."""
    c = result.counts
    title = _("New vs existing prospects")
    kinds = [_("Calls"), _("Emails"), _("Meetings held"), _("Messages")]
    new = [c.calls_new, c.emails_new, c.meetings_held_new, c.messages_new]
    existing = [c.calls_existing, c.emails_existing, c.meetings_held_existing, c.messages_existing]
    if not any(new) and not any(existing):
        return _no_data(title)
    traces = [
        {"type": "bar", "name": _("New prospects"), "x": kinds, "y": new},
        {"type": "bar", "name": _("Existing prospects"), "x": kinds, "y": existing},
    ]
    traces[0]["marker"], traces[1]["marker"] = {"color": NEW_COLOUR}, {"color": EXISTING_COLOUR}
    totals = [a + b for a, b in zip(new, existing, strict=True)]
    return _figure(
        traces,
        _layout(
            title,
            x=_categories("", kinds),
            y=_axis(_("Activities"), **_counts(totals)),
            legend=True,
            barmode="stack",
        ),
    )


def _percentages(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(v * 100, 1) for v in values]


def hit_rate_chart(result: Funnel) -> dict:
    """Connects / calls by weekday: which days reach people."""
    title = _("Hit rate by weekday (connects / calls)")
    rates = result.hit_rate_by_weekday
    if all(rate is None for rate in rates.values()):
        return _no_data(title)
    y = _percentages([rates[d] for d in WEEKDAYS])
    bar = {
        "type": "bar",
        # Monday to Friday in the active language, from Django's own catalogue.
        "x": [str(WEEKDAYS_ABBR[index]) for index in range(len(WEEKDAYS))],
        "y": y,
        "marker": {"color": BLUE},
        "text": [percent(rates[d]) for d in WEEKDAYS],
        "textposition": "outside",
        "hovertemplate": f"%{{x}}: {_percent_of('%{y:.1f}')}<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title,
            x=_axis(_("Weekday")),
            y=_axis(_("Hit rate (%)"), **_values(y, suffix=_percent_of(""))),
        ),
    )


def _rate_bars(name: str, values: list[float | None], labels: list[str], colour: str) -> dict:
    return {
        "type": "bar",
        "name": name,
        "x": labels,
        "y": _percentages(values),
        "marker": {"color": colour},
        "customdata": [percent(v) for v in values],
        "hovertemplate": f"%{{x}}: %{{customdata}} {name.lower()}<extra></extra>",
    }


EMAIL_RATES = (
    (gettext_lazy("Open rate"), "email_open_rate", BLUE),
    (gettext_lazy("Reply rate"), "email_reply_rate", GREEN),
    (gettext_lazy("Bounce rate"), "email_bounce_rate", RED),
    (gettext_lazy("Unsubscribe rate"), "email_unsubscribe_rate", PURPLE),
    (gettext_lazy("Message reply rate"), "message_reply_rate", ORANGE),
)
EMAIL_ONLY_RATES = EMAIL_RATES[:4]  # the weekly trend is the emails'


def email_effectiveness_chart(rows: list[tuple[str, Funnel]]) -> dict:
    """Per rep: email open, reply, bounce and unsubscribe rates (over delivered emails, the
    bounce rate over every email) and the message reply rate. A rep with no email has no
    bar, not 0."""
    title = _("Email and message effectiveness by rep")
    if not any(result.counts.emails or result.counts.messages for _name, result in rows):
        return _no_data(title)
    labels = [name for name, _result in rows]
    traces = [
        _rate_bars(str(label), [getattr(result, key) for _name, result in rows], labels, colour)
        for label, key, colour in EMAIL_RATES
    ]
    return _figure(
        traces,
        _layout(
            title,
            x=_categories(_("Rep"), labels),
            y=_axis(
                _("Rate (%)"),
                **_values([y for t in traces for y in t["y"]], suffix=_percent_of("")),
            ),
            legend=True,
            barmode="group",
        ),
    )


def email_trend_chart(weeks: list[tuple[date, Funnel]]) -> dict:
    """The scope's email open, reply, bounce and unsubscribe rates week by week."""
    title = _("Email effectiveness by week")
    if not any(result.counts.emails for _week, result in weeks):
        return _no_data(title)
    # "Week of 16 Nov" on a category axis: a date axis ticks hours when there is one week.
    labels = [date_format(week, "MONTH_DAY_FORMAT") for week, _result in weeks]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": str(label),
            "x": labels,
            "y": _percentages([getattr(r, key) for _week, r in weeks]),
            "line": {"color": colour},
            "hovertemplate": _("week of %(week)s: %(rate)s %(name)s")
            % {"week": "%{x}", "rate": _percent_of("%{y:.1f}"), "name": str(label).lower()}
            + "<extra></extra>",
        }
        for label, key, colour in EMAIL_ONLY_RATES
    ]
    return _figure(
        traces,
        _layout(
            title,
            # Half a category of room each side: a line's first point and label stay off
            # the corners.
            x=_axis(
                _("Week starting"),
                type="category",
                range=[-0.5, len(labels) - 0.5],
                autotickangles=[0, 90],
            ),
            y=_axis(
                _("Rate (%)"),
                **_values([y for t in traces for y in t["y"]], suffix=_percent_of("")),
            ),
            legend=True,
        ),
    )


def call_quality_chart(rows: list[tuple[str, Funnel]]) -> dict:
    """Per rep: the average length of a connected call (over the calls with a duration)
    and the share of connected calls that ended with a follow-up date."""
    title = _("Call quality by rep")
    if not any(result.counts.connects for _name, result in rows):
        return _no_data(title)
    labels = [name for name, _result in rows]
    minutes = [
        None if m is None else round(m, 1) for m in (r.avg_call_minutes for _name, r in rows)
    ]
    traces = [
        {
            "type": "bar",
            "name": _("Minutes per connected call"),
            "x": labels,
            "y": minutes,
            "marker": {"color": BLUE},
            "hovertemplate": _("%(rep)s: %(minutes)s minutes a call")
            % {"rep": "%{x}", "minutes": "%{y:.1f}"}
            + "<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Follow-up rate"),
            "x": labels,
            "y": _percentages([result.follow_up_rate for _name, result in rows]),
            "yaxis": "y2",
            "marker": {"color": GREEN, "size": 11, "symbol": "diamond"},
            "hovertemplate": _("%(rep)s: %(rate)s of connects followed up")
            % {"rep": "%{x}", "rate": _percent_of("%{y:.1f}")}
            + "<extra></extra>",
        },
    ]
    return _figure(
        traces,
        _layout(
            title,
            x=_categories(_("Rep"), labels),
            y=_axis(_("Minutes per connected call"), **_values(minutes)),
            yaxis2=_axis(
                _("Follow-up rate (%)"),
                overlaying="y",
                side="right",
                showgrid=False,
                **{**_values([100], suffix=_percent_of("")), "range": [0, 105]},
            ),
            legend=True,
        ),
    )


def activity_trend_chart(
    series: dict[str, dict[date, int]], start: date, end: date, daily_calls_target: int | None
) -> dict:
    """Activity per day by kind, with the team's daily call target as a line."""
    title = _("Activity per day")
    if not any(series.values()):
        return _no_data(title)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    labels = [day.isoformat() for day in days]
    kinds = (
        ("Calls", _("Calls"), BLUE),
        ("Emails", _("Emails"), PURPLE),
        ("Meetings", _("Meetings"), GREEN),
        ("Messages", _("Messages"), ORANGE),
    )
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [series.get(kind, {}).get(d, 0) for d in days],
            "marker": {"color": colour},
        }
        for kind, name, colour in kinds
    ]
    totals = [sum(trace["y"][i] for trace in traces) for i in range(len(days))]
    if daily_calls_target:
        traces.append(
            {
                "type": "scatter",
                "name": _("Daily calls target"),
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
            x=_dates(_("Day")),
            y=_axis(_("Activities per day"), **_counts(totals)),
            legend=True,
            barmode="stack",
        ),
    )


def revenue_run_rate_chart(
    daily_won: dict[date, Decimal], start: date, end: date, today: date, quota: Decimal | None
) -> dict:
    """Revenue won so far, cumulative, against a straight line to the quota."""
    title = _("Revenue won vs the line to quota")
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
            "name": _("Won so far"),
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
                "name": _("Linear to quota"),
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
            x=_dates(_("Day")),
            y=_axis(_("Revenue won"), **_values([*running, float(quota or 0)])),
            legend=True,
        ),
    )


def lead_source_chart(rows: list[dict]) -> dict:
    """Prospects, opportunities and won deals per lead source, and the revenue they brought
    (on its own axis, on the right)."""
    title = _("Lead source yield")
    if not rows:
        return _no_data(title)
    names = [row["lead_source"] for row in rows]
    counts = [
        (_("Prospects"), "prospects", GREY),
        (_("Opportunities"), "opportunities", BLUE),
        (_("Won"), "won", GREEN),
    ]
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": names,
            "y": [r[key] for r in rows],
            "marker": {"color": colour},
            "offsetgroup": key,
            "hovertemplate": f"%{{x}}: %{{y:,}} {label.lower()}<extra></extra>",
        }
        for label, key, colour in counts
    ]
    revenue = [float(r["revenue"] or 0) for r in rows]
    traces.append(
        {
            "type": "scatter",
            "name": _("Revenue won"),
            "x": names,
            "y": revenue,
            "mode": "markers",
            "marker": {"color": ORANGE, "size": 11, "symbol": "diamond"},
            "yaxis": "y2",
            "hovertemplate": _("%(source)s: %(amount)s won")
            % {"source": "%{x}", "amount": "%{y:,.0f}"}
            + "<extra></extra>",
        }
    )
    every_count = [r[key] for r in rows for _label, key, _colour in counts]
    return _figure(
        traces,
        _layout(
            title,
            x=_categories(_("Lead source"), names),
            y=_axis(_("Count"), **_counts(every_count)),
            legend=True,
            barmode="group",
            yaxis2=_axis(
                _("Revenue won"),
                overlaying="y",
                side="right",
                showgrid=False,
                **_values(revenue),
            ),
        ),
    )


def revenue_by_stream_chart(result: Funnel) -> dict:
    title = _("Revenue won by stream")
    streams = result.counts.revenue_by_type
    if not streams:
        return _no_data(title)
    names = {"recurring": _("Recurring"), "one_time": _("One-time"), "contract": _("Contract")}
    keys = sorted(streams)
    y = [float(streams[k]) for k in keys]
    bar = {
        "type": "bar",
        "x": [names.get(k, k) for k in keys],
        "y": y,
        "marker": {"color": GREEN},
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title,
            x=_axis(_("Revenue stream")),
            y=_axis(_("Revenue won"), **_values(y)),
        ),
    )


# Fewer won deals than this, or fewer distinct values, and the distribution charts show
# each value as a dot at its count of deals rather than a histogram, whose bins would be
# one full-width block.
HISTOGRAM_MIN_DEALS = 8
HISTOGRAM_MIN_VALUES = 5


def _distribution(title: str, values: list[int], unit: str, colour: str) -> dict:
    """How many won deals took each number of days (or touches). With few deals or few
    distinct values, a dot per value at its count; otherwise a histogram of round bins.
    Either way the CSV has one row per value and its count of deals."""
    if not values:
        return _no_data(title)
    counts = Counter(values)
    hover = _("%(value)s %(unit)s: %(count)s won deals") % {
        "value": "%{x}",
        "unit": unit,
        "count": "%{y}",
    }
    if len(values) < HISTOGRAM_MIN_DEALS or len(counts) < HISTOGRAM_MIN_VALUES:
        xs = sorted(counts)
        step = max(1, nice_step(xs[-1]))
        trace = {
            "type": "scatter",
            "mode": "markers",
            "name": unit,
            "x": xs,
            "y": [counts[x] for x in xs],
            "marker": {"color": colour, "size": 12},
            "cliponaxis": False,
            "hovertemplate": hover + "<extra></extra>",
        }
        # From zero (days and touches are never negative) to a step past the largest, so
        # a single deal is a dot on a scale rather than a lone tick; half a step of room
        # on the left keeps the first tick's label off the other axis's "0".
        x_range = [-step / 2, (xs[-1] // step + 1) * step]
        top = max(counts.values())
        y_axis = _axis(_("Won deals"), **_counts([top]), range=[0, top + 0.5])
    else:
        size = max(1, nice_step(max(values) - min(values), steps=12))
        first = min(values) // size * size
        bins = Counter((v - first) // size for v in values)
        end = first + (max(bins) + 1) * size
        trace = {
            "type": "histogram",
            "name": unit,
            "x": values,
            "xbins": {"start": first, "end": end, "size": size},
            "marker": {"color": colour, "line": {"color": "#ffffff", "width": 1}},
            "hovertemplate": hover + "<extra></extra>",
        }
        step = max(nice_step(end), size)
        x_range = [first - size / 2, end + size / 2]
        y_axis = _axis(_("Won deals"), **_counts(bins.values()))
    return _figure(
        [trace],
        _layout(
            title,
            x=_axis(
                unit.capitalize(),
                range=x_range,
                tick0=0,
                dtick=step,
                tickformat=",d",
                zeroline=False,
            ),
            y=y_axis,
        ),
    )


def sales_cycle_chart(deals: list[dict]) -> dict:
    """How long won deals took from opening to close, in days."""
    return _distribution(
        _("Won deals: sales cycle"), [d["cycle_days"] for d in deals], _("days to close"), BLUE
    )


def touches_chart(deals: list[dict]) -> dict:
    """How many touches (activities on the deal or its prospect) won deals needed."""
    return _distribution(
        _("Won deals: touches before close"), [d["touches"] for d in deals], _("touches"), ORANGE
    )


def revenue_by_product_chart(deals: list[dict]) -> dict:
    title = _("Revenue won by product")
    if not deals:
        return _no_data(title)
    totals: dict[str, Decimal] = {}
    for deal in deals:
        totals[deal["product"]] = totals.get(deal["product"], Decimal(0)) + deal["amount"]
    names = sorted(totals, key=lambda name: -totals[name])
    y = [float(totals[n]) for n in names]
    bar = {
        "type": "bar",
        "x": names,
        "y": y,
        "marker": {"color": GREEN},
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return _figure(
        [bar],
        _layout(
            title,
            x=_categories(_("Product"), names),
            y=_axis(_("Revenue won"), **_values(y)),
        ),
    )


def forecast_chart(months: list[dict]) -> dict:
    """By month of the period: revenue won, the commit (deals in stages of 75 % or more)
    and the weighted pipeline expected to close, against each month's quota: a red line
    across the month's bars, labelled with the amount."""
    title = _("Forecast against quota")
    if not any(m["won"] or m["commit"] or m["weighted"] or m["quota"] for m in months):
        return _no_data(title)
    # "Nov 2026", on a category axis: Plotly would read "2026-11" as a date and tick hours.
    labels = [
        date_format(m["month"].start, locale_format("SHORT_YEAR_MONTH_FORMAT")) for m in months
    ]
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
            (_("Won"), "won", GREEN),
            (_("Commit"), "commit", BLUE),
            (_("Weighted pipeline"), "weighted", "#93b4f5"),
        )
    ]
    shapes, annotations = [], []
    # One month's label on one line; beside other months' on two (a phone's month is some
    # 60 px wide), and only where the quota changes: a year of equal quotas is one label.
    separator = " " if len(months) == 1 else "<br>"
    labelled = None
    for index, month in enumerate(months):
        if month["quota"] is None:
            continue
        quota = float(month["quota"])
        # A category's bars sit at its index ± 0.4 (Plotly's default gap): the line spans
        # the whole group, whatever the bars' heights.
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "y",
                "x0": index - 0.45,
                "x1": index + 0.45,
                "y0": quota,
                "y1": quota,
                "line": {"color": RED, "width": 3, "dash": "dash"},
            }
        )
        if quota == labelled:
            continue
        labelled = quota
        annotations.append(
            {
                "text": _("Quota%(separator)s%(amount)s")
                % {"separator": separator, "amount": whole(month["quota"])},
                "xref": "x",
                "yref": "y",
                "x": index,
                "y": quota,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": RED, "size": 12},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    values = [float(m[key]) for m in months for key in ("won", "commit", "weighted")]
    top = max([*values, *(float(m["quota"]) for m in months if m["quota"] is not None)])
    # Room above the tallest bar or quota line for the quota's label (two lines: more).
    room = 1.15 if len(months) == 1 else 1.3
    y = {**_values([top]), "range": [0, round(top * room, 2) or 1]}
    return _figure(
        traces,
        _layout(
            title,
            x=_axis(_("Month"), type="category"),
            y=_axis(_("Revenue"), **y),
            legend=True,
            barmode="group",
            shapes=shapes,
            annotations=annotations,
        ),
    )


def forecast_history_chart(weeks: list[date], forecast: list, won: Decimal) -> dict:
    """A finished period: what the forecast said each Monday (won by then + the weighted
    pipeline), against what was won in the end."""
    title = _("Forecast each Monday against what was won")
    if not weeks:
        return _no_data(title)
    labels = [week.isoformat() for week in weeks]
    said = [None if value is None else float(value) for value in forecast]
    traces = [
        {
            "type": "scatter",
            "name": _("Forecast (won + weighted)"),
            "x": labels,
            "y": said,
            "mode": "lines+markers",
            "line": {"color": BLUE},
        },
        {
            "type": "scatter",
            "name": _("Won in the end"),
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
            x=_dates(_("Forecast made on")),
            y=_axis(_("Revenue"), **_values([*said, float(won)])),
            legend=True,
        ),
    )


def figure_rows(figure: dict) -> tuple[list[str], list[list]]:
    """A chart's numbers as CSV rows: one row per point of each trace, so that what the
    chart shows can be checked or reused in a spreadsheet. A histogram's rows are each
    value and how many times it occurs (its bins are only how it is drawn)."""
    header = ["series", "x", "y"]
    rows = []
    for trace in figure.get("data", []):
        name = trace.get("name") or figure["layout"]["title"]["text"]
        xs, ys = trace.get("x") or [], trace.get("y") or []
        if trace.get("orientation") == "h":
            xs, ys = ys, xs
        if trace.get("type") == "histogram":
            counts = Counter(xs)
            rows += [[name, x, counts[x]] for x in sorted(counts)]
            continue
        rows += [[name, x, y] for x, y in zip(xs, ys, strict=False)]
    return header, rows
