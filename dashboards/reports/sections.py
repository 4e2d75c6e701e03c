"""The sections of the team page and of a rep page, chosen here and nowhere else
(docs/architecture.md#the-team-page-and-its-sections): each section's name (its
`?section=` in the URL), its tab's label, the charts it draws and the table its CSV link
downloads. The first screen is the `overview`; every other section is loaded when its tab
is opened. Templates only lay a section out (`template`); pages (`TeamPage`, `RepPage`)
work out what the open section reads, and nothing more."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from quotas.forecast import need_pace

OVERVIEW = "overview"


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    template: str  # the section's layout, included in the page's tab panel
    charts: tuple[str, ...] = ()  # ids of the ChartsReport figures it draws
    table: str | None = None  # the `table=` of its CSV download, if it has a table

    @property
    def is_overview(self) -> bool:
        return self.name == OVERVIEW

    @property
    def param(self) -> str | None:
        """Its `section=` value: none for the overview, whose URL is the page's own."""
        return None if self.is_overview else self.name


def _sections(page: str, *specs) -> dict[str, Section]:
    return {
        name: Section(name, label, f"dashboards/sections/{page}_{name}.html", charts, table)
        for name, label, charts, table in specs
    }


FUNNEL_CHARTS = (
    "chart-funnel",
    "chart-new-existing",
    "chart-weekday",
    "chart-cycle",
    "chart-touches",
)
CHANNEL_CHARTS = (
    "chart-sources",
    "chart-streams",
    "chart-email-reps",
    "chart-email-trend",
    "chart-call-quality",
)
PIPELINE_CHARTS = ("chart-revenue", "chart-products")

TEAM_SECTIONS = _sections(
    "team",
    (OVERVIEW, _("Reps"), (), "funnel"),
    ("funnel", _("Funnel"), FUNNEL_CHARTS, "funnel"),
    ("activity", _("Activity and targets"), ("chart-trend",), "plan"),
    ("channels", _("Channels and quality"), CHANNEL_CHARTS, None),
    ("pipeline", _("Pipeline and forecast"), PIPELINE_CHARTS, "forecast"),
    ("engagement", _("Engagement"), (), "engagement"),
)

REP_SECTIONS = _sections(
    "rep",
    (OVERVIEW, _("Today"), (), None),
    ("funnel", _("Funnel"), FUNNEL_CHARTS, None),
    ("activity", _("Activity"), ("chart-trend",), None),
    ("channels", _("Channels and quality"), CHANNEL_CHARTS, None),
    ("pipeline", _("Pipeline and forecast"), PIPELINE_CHARTS, "forecast"),
)


def section_named(sections: dict[str, Section], name: str | None) -> Section:
    """The section a `section=` parameter asks for; anything else is the overview, never an
    error (a link from an older page still opens)."""
    return sections.get((name or "").strip(), sections[OVERVIEW])


# What the forecast's one line says is missing (dashboards/_forecast_outlook.html words it).

GAP_STEPS = ("opportunities", "meetings_held", "calls")

RATE_LABELS = {
    "avg_deal_size": _("average deal size"),
    "win_rate": _("win rate"),
    "meeting_to_opportunity_rate": _("meetings → opportunities rate"),
    "call_to_meeting_rate": _("calls → meetings rate"),
    "emails_per_meeting": _("emails per meeting"),
    "messages_per_meeting": _("messages per meeting"),
}


def gap_steps(plan) -> dict | None:
    """What the revenue the pipeline does not cover takes, in the words of the forecast's
    warning: each known count with how often it must happen over the working days left
    (docs/metrics.md#what-the-forecast-says), and the rates that are not known."""
    solved = plan.backsolve if plan else None
    if solved is None:
        return None
    steps = [
        (key, need_pace(solved.required[key], plan.working_days_left))
        for key in GAP_STEPS
        if solved.required.get(key)
    ]
    return {"steps": steps, "unknown": [RATE_LABELS.get(n, n) for n in solved.unknown_rates]}
