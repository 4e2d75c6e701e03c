"""One small team, worked by hand, for the oracles of the reports' tables, JSON and CSV
(tests/dashboards/test_report_tables.py). Every figure those tests expect follows from the
rows below; the arithmetic is written beside each expected value there.

Team North, November 2026 (21 working days: 2–6, 9–13, 16–20, 23–27 and 30), today
Wednesday 18 November: 13 working days gone counting today, 9 left counting today. The
trailing 90-day window runs from 21 August to 18 November.

Ana García (ana@example.com), quota 15,000 for November:
- 3 Nov: 4 calls connected (prospect PA1), 8 calls unanswered (PA3)
- 4 Nov: 2 meetings held (PA2); 18 Nov (today): 1 meeting held (PA2)
- A1 (PA1): opened 5 Nov, won 12 Nov, 12,000 — 7 days from open to close
- A2 (PA2): opened 6 Nov, open in Negotiation (75 %), expected 25 Nov, 20,000
- A3 (PA3): opened 3 Aug (before the window), lost 10 Nov, 5,000
Ben Okafor (ben@example.com), quota 30,000 for November:
- 5 Oct: 1 call connected (PB1); 10 Nov: 4 calls unanswered (PB1)
- 18 Nov (today): 1 call unanswered (PB2)
- B1 (PB1): opened 10 Aug (before the window), open in Proposal (50 %), expected 10 Nov:
  overdue
- B2 (PB2): opened 9 Nov, open in Qualified (10 %), expected 27 Nov, 10,000
Cleo Díaz (cleo@example.com): no quota, nothing logged.
"""

from datetime import date
from decimal import Decimal

from quotas.periods import month
from tests.factories import (
    ActivityFactory,
    OpportunityFactory,
    ProspectFactory,
    QuotaFactory,
    RepFactory,
    TeamFactory,
    default_stages,
)

TODAY = date(2026, 11, 18)
NOVEMBER = month(2026, 11)
OCTOBER = month(2026, 10)


def build_north():
    """The team and its three reps (see the module's docstring), as a dict by first name."""
    stages = default_stages()
    north = TeamFactory(name="North", region="Madrid")
    ana = RepFactory(email="ana@example.com", full_name="Ana García", team=north)
    ben = RepFactory(email="ben@example.com", full_name="Ben Okafor", team=north)
    cleo = RepFactory(email="cleo@example.com", full_name="Cleo Díaz", team=north)
    QuotaFactory(rep=ana, period=NOVEMBER, revenue_quota=Decimal("15000"))
    QuotaFactory(rep=ben, period=NOVEMBER, revenue_quota=Decimal("30000"))

    pa1, pa2, pa3 = (ProspectFactory(owner=ana, name=f"PA{i}") for i in (1, 2, 3))
    pb1, pb2 = (ProspectFactory(owner=ben, name=f"PB{i}") for i in (1, 2))

    def log(rep, day, kind, outcome, prospect, quantity=1):
        ActivityFactory(
            rep=rep, date=day, kind=kind, outcome=outcome, prospect=prospect, quantity=quantity
        )

    log(ana, date(2026, 11, 3), "call", "connected", pa1, 4)
    log(ana, date(2026, 11, 3), "call", "no_answer", pa3, 8)
    log(ana, date(2026, 11, 4), "meeting", "held_positive", pa2, 2)
    log(ana, TODAY, "meeting", "held_positive", pa2)
    log(ben, date(2026, 10, 5), "call", "connected", pb1)
    log(ben, date(2026, 11, 10), "call", "no_answer", pb1, 4)
    log(ben, TODAY, "call", "no_answer", pb2)

    def deal(prospect, name, amount, stage, opened, **dates):
        OpportunityFactory(
            prospect=prospect,
            name=name,
            amount=Decimal(amount),
            stage=stages[stage],
            status=stages[stage].status,
            opened_on=opened,
            **dates,
        )

    deal(pa1, "A1", "12000", "Won", date(2026, 11, 5), closed_on=date(2026, 11, 12))
    deal(pa2, "A2", "20000", "Negotiation", date(2026, 11, 6), expected_close_on=date(2026, 11, 25))
    deal(pa3, "A3", "5000", "Lost", date(2026, 8, 3), closed_on=date(2026, 11, 10))
    deal(pb1, "B1", "8000", "Proposal", date(2026, 8, 10), expected_close_on=date(2026, 11, 10))
    deal(pb2, "B2", "10000", "Qualified", date(2026, 11, 9), expected_close_on=date(2026, 11, 27))
    return {"team": north, "ana": ana, "ben": ben, "cleo": cleo}
