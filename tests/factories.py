"""One factory per model. Tests build their data here, never by hand-written INSERTs."""

from datetime import date

import factory

from salestrack.users.models import Role, Team, User

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
    role = Role.REP


class ManagerFactory(UserFactory):
    role = Role.MANAGER

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.managed_teams.set(extracted)


class AdminFactory(UserFactory):
    role = Role.ADMIN
