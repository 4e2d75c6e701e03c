"""quotas/forecast.py, the pure forecast math (docs/metrics.md#forecast-and-pipeline-coverage), on
hand-computed figures."""

from decimal import Decimal

from quotas.forecast import NOTHING, Forecast


def ana() -> Forecast:
    """Quota 100 000, won 30 000; open 30 000 (weighted 16 000, commit 20 000); 50 %."""
    return Forecast(
        open_pipeline=Decimal("30000"),
        weighted=Decimal("16000"),
        commit=Decimal("20000"),
        won=Decimal("30000"),
        quota=Decimal("100000"),
        win_rate=0.5,
    )


def test_a_reps_figures():
    f = ana()
    assert f.best_case == Decimal("60000")
    assert f.remaining == Decimal("70000")
    assert f.needed_pipeline == Decimal("140000.00")
    assert round(f.coverage, 6) == 0.214286
    # The open 30 000 brings 15 000 at 50 %: 55 000 is left to find.
    assert f.uncovered == Decimal("55000.00")
    assert f.why_no_coverage is None


def test_what_cannot_be_known_says_why():
    no_quota = Forecast(Decimal(5), Decimal(1), Decimal(0), Decimal(0), None, 0.5)
    assert (no_quota.remaining, no_quota.needed_pipeline, no_quota.coverage) == (None, None, None)
    assert no_quota.why_no_coverage == "no quota"
    assert no_quota.uncovered is None
    reached = Forecast(Decimal(5), Decimal(1), Decimal(0), Decimal(120), Decimal(100), 0.5)
    assert (reached.remaining, reached.coverage, reached.why_no_coverage) == (
        0,
        None,
        "quota reached",
    )
    assert reached.uncovered == 0
    unknown = Forecast(Decimal(5), Decimal(1), Decimal(0), Decimal(0), Decimal(100), None)
    assert unknown.needed_pipeline is None
    assert unknown.why_no_coverage.startswith("win rate unknown")
    never = Forecast(Decimal(5), Decimal(1), Decimal(0), Decimal(0), Decimal(100), 0.0)
    assert (never.needed_pipeline, never.uncovered) == (None, None)
    assert never.why_no_coverage.startswith("no deal won")


def test_a_covered_pipeline_leaves_nothing_uncovered():
    f = Forecast(Decimal(300), Decimal(0), Decimal(0), Decimal(0), Decimal(100), 0.5)
    assert (f.needed_pipeline, f.coverage, f.uncovered) == (Decimal("200.00"), 1.5, 0)


def test_a_team_adds_up_and_counts_won_only_against_quotas_there_are():
    """Diego has no quota: his 10 000 won does not bring the team closer to Ana's."""
    diego = Forecast(Decimal(5000), Decimal(3750), Decimal(5000), Decimal(10000), None, 0.4)
    team = NOTHING + ana() + diego
    assert (team.open_pipeline, team.weighted, team.commit) == (
        Decimal(35000),
        Decimal(19750),
        Decimal(25000),
    )
    assert (team.won, team.quota, team.win_rate) == (Decimal(40000), Decimal(100000), None)
    assert team.remaining == Decimal(70000)  # 100 000 − Ana's 30 000, not − 40 000
    assert team.best_case == Decimal(75000)
    nobody = NOTHING + diego
    assert (nobody.quota, nobody.remaining) == (None, None)
