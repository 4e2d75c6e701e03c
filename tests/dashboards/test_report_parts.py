"""Oracles for the pieces the reports are built from (docs/mutation.md#the-read-side-on-postgresql):
the sections of the team and rep pages, and a report's `Figure`s. Both run when their module
is imported, before any test: so besides checking the pages' sections as built, these tests
build sections and a report class of their own, where a change to the code shows."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from dashboards.reports.base import Figure, Report
from dashboards.reports.sections import REP_SECTIONS, TEAM_SECTIONS, Section, _sections

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


def _plain(sections: dict[str, Section]) -> list[tuple]:
    """Each section with its label read in English, in the order the tabs show them."""
    with translation.override("en"):
        return [
            (key, s.name, str(s.label), s.template, s.charts, s.table)
            for key, s in sections.items()
        ]


def test_the_team_page_has_six_sections_in_this_order():
    t = "dashboards/sections/team_"
    assert _plain(TEAM_SECTIONS) == [
        ("overview", "overview", "Reps", f"{t}overview.html", (), "funnel"),
        ("funnel", "funnel", "Funnel", f"{t}funnel.html", FUNNEL_CHARTS, "funnel"),
        (
            "activity",
            "activity",
            "Activity and targets",
            f"{t}activity.html",
            ("chart-trend",),
            "plan",
        ),
        ("channels", "channels", "Channels and quality", f"{t}channels.html", CHANNEL_CHARTS, None),
        (
            "pipeline",
            "pipeline",
            "Pipeline and forecast",
            f"{t}pipeline.html",
            PIPELINE_CHARTS,
            "forecast",
        ),
        ("engagement", "engagement", "Engagement", f"{t}engagement.html", (), "engagement"),
    ]


def test_the_rep_page_has_five_sections_in_this_order():
    r = "dashboards/sections/rep_"
    assert _plain(REP_SECTIONS) == [
        ("overview", "overview", "Today", f"{r}overview.html", (), None),
        ("funnel", "funnel", "Funnel", f"{r}funnel.html", FUNNEL_CHARTS, None),
        ("activity", "activity", "Activity", f"{r}activity.html", ("chart-trend",), None),
        ("channels", "channels", "Channels and quality", f"{r}channels.html", CHANNEL_CHARTS, None),
        (
            "pipeline",
            "pipeline",
            "Pipeline and forecast",
            f"{r}pipeline.html",
            PIPELINE_CHARTS,
            "forecast",
        ),
    ]


def test_sections_are_built_from_their_specs_field_by_field():
    built = _sections(
        "shop",
        ("overview", "Front", (), "sales"),
        ("stock", "Stock", ("chart-a", "chart-b"), None),
    )
    assert built == {
        "overview": Section(
            name="overview",
            label="Front",
            template="dashboards/sections/shop_overview.html",
            charts=(),
            table="sales",
        ),
        "stock": Section(
            name="stock",
            label="Stock",
            template="dashboards/sections/shop_stock.html",
            charts=("chart-a", "chart-b"),
            table=None,
        ),
    }
    assert [s.param for s in built.values()] == [None, "stock"]


@dataclass(frozen=True)
class _Result:
    total: int
    reps: list[str]

    def rows(self):
        return ["header"], []


def test_a_figure_reads_its_own_name_or_the_one_it_is_given_from_the_result():
    class Scores(Report[_Result]):
        def _calculate(self):
            return _Result(total=7, reps=["Ana", "Ben"])

        total = Figure()
        rows = Figure("reps")  # the result's `rows` is its CSV: the figure is `reps`

    report = Scores()
    assert report.total == 7
    assert report.rows == ["Ana", "Ben"]
    assert Scores.total.name == "total"
    assert Scores.rows.name == "reps"
    assert isinstance(Scores.__dict__["total"], Figure)
    assert Scores.total is Scores.__dict__["total"]  # on the class: the figure itself


@pytest.mark.django_db
def test_the_reports_figures_are_their_results(rep):
    """The reports' own figures, as the pages read them."""
    from datetime import date

    from dashboards.reports.funnel import FunnelReport
    from dashboards.reports.plan import PlanReport
    from dashboards.scope import Scope
    from quotas.periods import month

    scope = Scope.of_rep(rep)
    funnel = FunnelReport(scope, month(2026, 11), today=date(2026, 11, 18))
    assert funnel.rows == funnel.calculate().reps
    assert funnel.total is funnel.calculate().total
    assert funnel.working_days == 21
    plans = PlanReport(scope, today=date(2026, 11, 18))
    assert plans.rows == plans.calculate().reps
