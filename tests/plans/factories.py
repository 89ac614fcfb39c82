import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role
from brokers.models import BrokerProfile, Engagement, EngagementStatus, Interest
from plans.models import Budget, Plan, PlanLine
from providers.models import Listing, ListingStatus, Organization
from tests.brokers.factories import make_listed
from tests.factories import UserFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Canterbury Arts Trust {n}")
    verified_at = factory.LazyFunction(timezone.now)


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Watercolour painting group {n}")
    description = "A friendly weekly art class for beginners."
    category = "art_class"
    cost = Decimal("12.50")
    cost_unit = "session"
    area = "canterbury"
    postcode = "CT1 2AB"
    contact_email = "hello@example.org"
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    last_reviewed_on = factory.LazyFunction(timezone.localdate)


class BrokerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokerProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, role=Role.BROKER)
    display_name = factory.SelfAttribute("user.name")


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    client = factory.SubFactory(UserFactory, role=Role.CLIENT)
    broker = factory.SubFactory(UserFactory, role=Role.BROKER)
    status = EngagementStatus.ACTIVE
    accepted_at = factory.LazyFunction(timezone.now)


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest

    broker = factory.SubFactory(BrokerProfileFactory)
    organization = factory.SubFactory(OrganizationFactory)
    nature = "My sister runs it."


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    client = factory.SubFactory(UserFactory, role=Role.CLIENT)
    council = "kent"
    eligibility = "substantial"
    annual_amount = Decimal("2000.00")
    client_contribution = Decimal("0.00")
    assessed_on = datetime.date(2025, 1, 10)
    review_on = datetime.date(2026, 1, 10)
    outcomes = factory.LazyFunction(lambda: ["community_and_recreation", "relationships"])
    payment_route = "kent_card"
    recorded_by = factory.SubFactory(UserFactory, role=Role.REVIEWER)


class PlanFactory(factory.django.DjangoModelFactory):
    """A draft plan whose broker is listed and has an active engagement with the client."""

    class Meta:
        model = Plan
        skip_postgeneration_save = True

    budget = factory.SubFactory(BudgetFactory)
    client = factory.SelfAttribute("budget.client")
    broker = factory.SubFactory(UserFactory, role=Role.BROKER)

    @factory.post_generation
    def engaged(self, create, extracted, **kwargs):
        if create and extracted is not False:
            make_listed(self.broker)
            Engagement.objects.get_or_create(client=self.client, broker=self.broker, status=EngagementStatus.ACTIVE)


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanLine

    plan = factory.SubFactory(PlanFactory)
    description = "Weekly art class"
    category = "art_class"
    unit_cost = Decimal("10.00")
    units = Decimal("1")
    frequency = "weekly"
    outcomes = factory.LazyFunction(lambda: ["community_and_recreation", "relationships"])
