"""One factory per model. Tests build their data here, never by hand-written INSERTs."""

from datetime import date
from decimal import Decimal

import factory

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.rollups import rollups_apply, touches_refresh
from dashboards.models import Alert, AlertKind
from imports.models import ImportJob
from pipeline.models import (
    LeadSource,
    Opportunity,
    Product,
    Prospect,
    RevenueType,
    Stage,
    StageChange,
)
from quotas.models import Holiday, Quota, TeamTarget
from users.models import Role, Team, TeamMembership, User

TEST_PASSWORD = "correct-horse-battery"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    region = "Madrid"

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.REP
    team = factory.Maybe(
        factory.LazyAttribute(lambda user: user.role == Role.REP),
        yes_declaration=factory.SubFactory(TeamFactory),
        no_declaration=None,
    )
    joined_on = date(2024, 1, 1)
    password = factory.django.Password(TEST_PASSWORD)


class RepFactory(UserFactory):
    """A rep in a team since the day they joined (their first TeamMembership, as
    users.services.user_create opens it)."""

    role = Role.REP

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create and self.team_id and extracted is not False:
            TeamMembershipFactory(rep=self, team=self.team, start=self.joined_on)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    rep = factory.SubFactory("tests.factories.RepFactory", membership=False)
    team = factory.SelfAttribute("rep.team")
    start = factory.SelfAttribute("rep.joined_on")
    end = None


class ManagerFactory(UserFactory):
    role = Role.MANAGER

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.managed_teams.set(extracted)


class AdminFactory(UserFactory):
    role = Role.ADMIN


# Pipeline ---------------------------------------------------------------------------------


class LeadSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadSource
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Source {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Product {n}")


class StageFactory(factory.django.DjangoModelFactory):
    """The default stages come from a migration; this finds them by name (tests that flush
    the database, such as the browser tests, get them re-created)."""

    class Meta:
        model = Stage
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: 100 + n)
    probability = 10


def default_stages() -> dict[str, Stage]:
    """The six default stages of docs/architecture.md#the-domain-model, by name."""
    specs = [
        ("Qualified", 10, 10, False, False),
        ("Meeting/Demo", 20, 20, False, False),
        ("Proposal", 30, 50, False, False),
        ("Negotiation", 40, 75, False, False),
        ("Won", 50, 100, True, False),
        ("Lost", 60, 0, False, True),
    ]
    return {
        name: StageFactory(name=name, order=order, probability=p, is_won=won, is_lost=lost)
        for name, order, p, won, lost in specs
    }


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    name = factory.Faker("name")
    company = factory.Faker("company")
    email = factory.Sequence(lambda n: f"prospect{n}@customer.example")
    owner = factory.SubFactory(RepFactory)
    source = factory.SubFactory(LeadSourceFactory, name="Referral")
    created_on = date(2026, 1, 5)


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An open opportunity in the first stage. Close one with pipeline.services, or pass
    stage=…, status=…, closed_on=… together."""

    class Meta:
        model = Opportunity

    prospect = factory.SubFactory(ProspectFactory)
    owner = factory.SelfAttribute("prospect.owner")
    name = factory.Sequence(lambda n: f"Deal {n}")
    amount = Decimal("25000.00")
    revenue_type = RevenueType.RECURRING
    stage = factory.LazyFunction(lambda: default_stages()["Qualified"])
    status = factory.LazyAttribute(lambda o: o.stage.status)
    opened_on = date(2026, 2, 2)
    lost_reason = factory.LazyAttribute(lambda o: "Price" if o.stage.is_lost else "")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        opportunity = super()._create(model_class, *args, **kwargs)
        touches_refresh(opportunity_ids=[opportunity.pk])  # as the pipeline's close does
        return opportunity


class StageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageChange

    opportunity = factory.SubFactory(OpportunityFactory)
    from_stage = factory.LazyFunction(lambda: default_stages()["Qualified"])
    to_stage = factory.LazyFunction(lambda: default_stages()["Proposal"])
    changed_by = factory.SelfAttribute("opportunity.owner")


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity row as stored, with the rollups and touches before close that every
    writer keeps (activities.rollups), as the services would."""

    class Meta:
        model = Activity

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        activity = super()._create(model_class, *args, **kwargs)
        rollups_apply([(+1, activity)])
        touches_refresh(
            prospect_ids=[activity.prospect_id], opportunity_ids=[activity.opportunity_id]
        )
        return activity

    rep = factory.SubFactory(RepFactory)
    date = date(2026, 3, 2)
    kind = Kind.CALL
    outcome = Outcome.CONNECTED
    prospect_status = ProspectStatus.NEW
    quantity = 1
    source = Source.FORM


def _period_field(name, default):
    return factory.LazyAttribute(lambda o: getattr(o.period, name) if o.period else default)


class TeamTargetFactory(factory.django.DjangoModelFactory):
    """A team's revenue target for a period: pass `period=` (a quotas.periods.Period)."""

    class Meta:
        model = TeamTarget

    class Params:
        period = None

    team = factory.SubFactory(TeamFactory)
    period_kind = _period_field("kind", "month")
    period_start = _period_field("start", date(2026, 3, 1))
    period_end = _period_field("end", date(2026, 3, 31))
    period_label = _period_field("label", "2026-03")
    revenue_target = Decimal("100000")


class QuotaFactory(factory.django.DjangoModelFactory):
    """A rep's quota for a period: pass `period=` (a quotas.periods.Period), or the fields."""

    class Meta:
        model = Quota

    class Params:
        period = None

    rep = factory.SubFactory(RepFactory)
    period_kind = _period_field("kind", "month")
    period_start = _period_field("start", date(2026, 3, 1))
    period_end = _period_field("end", date(2026, 3, 31))
    period_label = _period_field("label", "2026-03")
    revenue_quota = Decimal("50000")


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    date = date(2026, 12, 25)
    name = "Christmas"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    rep = factory.SubFactory(RepFactory)
    kind = AlertKind.NO_ACTIVITY
    as_of = date(2026, 3, 2)
    message = "No activity for 2 working days."


class ImportJobFactory(factory.django.DjangoModelFactory):
    """An upload's job row (its staged file is the test's to write, if it needs one)."""

    class Meta:
        model = ImportJob

    kind = "activities"
    file_name = "week.csv"
    created_by = factory.SubFactory(ManagerFactory)


# Outbound webhooks ---------------------------------------------------------------------------
from webhooks.models import Endpoint, Event  # noqa: E402  (factories are added at the end)


class EndpointFactory(factory.django.DjangoModelFactory):
    """A registered URL, subscribed to every event (its secret known to the test)."""

    class Meta:
        model = Endpoint

    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    events = factory.LazyFunction(lambda: list(Event.values))
    secret = factory.Sequence(lambda n: f"whsec_test_{n}")
    created_by = factory.SubFactory(AdminFactory)


def short_of_quota_this_month(rep: User):
    """A rep this month: quota 100,000, won 30,000, lost 5,000 (a 50 % win rate) and 20,000
    open closing in the month. The 70,000 left at 50 % needs 140,000 of pipeline: the 20,000
    open covers 0.14× of it, and even the best case (50,000) misses the quota. The month."""
    from datetime import timedelta

    from django.utils import timezone

    from quotas import calendar

    stages = default_stages()
    today = timezone.localdate()
    month = calendar.period_containing(today, "month")
    QuotaFactory(
        rep=rep,
        period_kind="month",
        period_start=month.start,
        period_end=month.end,
        period_label=month.label,
        revenue_quota=Decimal("100000"),
    )
    for stage, amount in (("Won", "30000"), ("Lost", "5000")):
        OpportunityFactory(
            prospect=ProspectFactory(owner=rep),
            amount=Decimal(amount),
            stage=stages[stage],
            status=stages[stage].status,
            opened_on=today - timedelta(days=30),
            closed_on=today,
        )
    OpportunityFactory(
        prospect=ProspectFactory(owner=rep),
        amount=Decimal("20000"),
        stage=stages["Negotiation"],
        opened_on=today - timedelta(days=10),
        expected_close_on=month.end,
    )
    return month
