"""What plans needs to know from providers and brokers, in one place.

Each adapter calls the other app's selectors or services, so that plans never reads their models' internals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet

from brokers import selectors as brokers_selectors
from brokers.models import EngagementStatus
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


def clients_with_active_engagement(broker: Any) -> QuerySet:
    """Ids of the broker's clients in an active engagement."""
    return (
        brokers_selectors.engagements_visible_to(broker)
        .filter(broker=broker, status=EngagementStatus.ACTIVE)
        .values("client_id")
    )


def active_engagement(client: Any, broker: Any) -> bool:
    return brokers_selectors.engagement_active_between(client, broker) is not None


def interest_org_ids(broker: Any) -> set[int]:
    """Organisations the broker declared a financial or personal link to."""
    return set(brokers_selectors.broker_interest_organization_ids(broker))


def broker_still_listed(broker: Any) -> bool:
    """Charter signature verified and not suspended, profile complete."""
    return brokers_selectors.broker_is_listed(broker)


def listings_by_id(ids: Iterable[int]) -> dict[int, Listing]:
    return {listing.pk: listing for listing in Listing.objects.select_related("organization").filter(pk__in=set(ids))}


def share_engagements_with_reviewers(*, client: Any, by: Any) -> None:
    """Once a client's plan is submitted, KMPT's reviewers may read their engagements (never the conversation)."""
    from brokers import services as brokers_services

    brokers_services.engagements_share_with_reviewers(client=client, by=by)


def conversation_post(*, client: Any, broker: Any, by: Any, body: str) -> int | None:
    """Post in the client's conversation with the plan's broker (their active engagement); the message's id."""
    from brokers import services as brokers_services

    engagement = brokers_selectors.engagement_active_between(client, broker)
    if engagement is None:
        return None
    return brokers_services.message_send(engagement=engagement, by=by, body=body).pk


def brokers_working_with(client: Any) -> list[Any]:
    """The brokers in an active engagement with the client."""
    return [
        engagement.broker
        for engagement in brokers_selectors.engagements_visible_to(client)
        .filter(client=client, status=EngagementStatus.ACTIVE)
        .select_related("broker")
    ]
