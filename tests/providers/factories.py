import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from providers.models import Listing, ListingStatus, Membership, Organization


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    email = factory.Sequence(lambda n: f"org{n}@example.org")
    charity_number = "1234567"
    verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or []:
            Membership.objects.create(organization=self, user=user)


class ListingFactory(factory.django.DjangoModelFactory):
    """A complete, published listing in Canterbury, reviewed today."""

    class Meta:
        model = Listing

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    description = "A friendly session for adults."
    category = "art_class"
    cost = Decimal("5.00")
    cost_unit = "session"
    postcode = "CT1 2AB"
    area = "canterbury"
    contact_email = "hello@example.org"
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    last_reviewed_on = factory.LazyFunction(timezone.localdate)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)
