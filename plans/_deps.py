"""What plans needs to know from providers and brokers, in one place.

The providers and brokers apps are growing their own selectors (`listings_public()`, `listing_is_stale()`,
`broker_is_listed()`, `engagement_active_between()`, `broker_interest_organization_ids()`) in parallel with this app.
Until they land, these adapters read the shared models directly; each says which selector must replace it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from brokers.models import BrokerProfile, Engagement, EngagementStatus, Interest
from providers import selectors as providers_selectors
from providers.models import Listing


def listings_public() -> QuerySet[Listing]:
    """Published listings of verified organisations."""
    return providers_selectors.listings_public()


def listing_unavailable(listing: Listing) -> bool:
    """True when a listing is no longer public (archived, back to draft, or its organisation unverified)."""
    return not providers_selectors.listing_is_public(listing)


def listing_stale(listing: Listing, *, today: date | None = None) -> bool:
    """180 days since the provider last confirmed it (or first published it)."""
    return providers_selectors.listing_is_stale(listing, today=today)


def clients_with_active_engagement(broker) -> QuerySet:  # type: ignore[no-untyped-def]
    """Ids of the broker's clients in an active engagement. TODO: brokers.selectors, once it has one."""
    return Engagement.objects.filter(broker=broker, status=EngagementStatus.ACTIVE).values("client_id")


def active_engagement(client, broker) -> bool:  # type: ignore[no-untyped-def]
    """TODO: brokers.selectors.engagement_active_between(client, broker)."""
    return Engagement.objects.filter(client=client, broker=broker, status=EngagementStatus.ACTIVE).exists()


def interest_org_ids(broker) -> set[int]:  # type: ignore[no-untyped-def]
    """Organisations the broker declared a link to. TODO: brokers.selectors.broker_interest_organization_ids()."""
    return set(Interest.objects.filter(broker_id=broker.pk).values_list("organization_id", flat=True))


def broker_still_listed(broker) -> bool:  # type: ignore[no-untyped-def]
    """TODO: must call brokers.selectors.broker_is_listed(broker): charter verified, not suspended, profile complete."""
    return BrokerProfile.objects.filter(user_id=broker.pk).exists()


def listings_by_id(ids: Iterable[int]) -> dict[int, Listing]:
    return {listing.pk: listing for listing in Listing.objects.select_related("organization").filter(pk__in=set(ids))}
