"""Small helpers for listing pages, and the provider's dashboard panel as a self-contained inclusion tag."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from config.choices import Area
from providers import selectors
from providers.models import Category, CostUnit, Listing, ListingStatus

register = template.Library()


@register.filter
def cost_display(listing: Listing) -> str:
    """`£12.50 per session`, `Free`, or `Cost not given`."""
    if listing.cost is None:
        return "Cost not given"
    if listing.cost == Decimal("0"):
        return "Free"
    unit = CostUnit(listing.cost_unit).label if listing.cost_unit in CostUnit.values else ""
    return f"£{listing.cost:,.2f} {unit}".strip()


@register.filter
def area_name(code: str) -> str:
    return Area(code).label if code in Area.values else "Area not given"


@register.filter
def category_name(code: str) -> str:
    return Category(code).label if code in Category.values else "No category"


@register.filter
def is_stale(listing: Listing) -> bool:
    if listing.status != ListingStatus.PUBLISHED:
        return False
    annotated = getattr(listing, "is_stale", None)
    return bool(annotated) if annotated is not None else selectors.listing_is_stale(listing)


@register.inclusion_tag("providers/_dashboard_provider.html", takes_context=True)
def provider_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    """The provider's organisations and listings, stale ones flagged, and what to do next (for the dashboard)."""
    user = context["request"].user
    organizations = list(selectors.organizations_of(user).order_by("name"))
    listings = list(
        selectors.with_freshness(Listing.objects.filter(organization__in=organizations))
        .select_related("organization")
        .order_by("organization__name", "title")
    )
    stale = [
        listing
        for listing in listings
        if listing.status == ListingStatus.PUBLISHED and getattr(listing, "is_stale", False)
    ]
    return {
        "organizations": organizations,
        "listings": listings,
        "stale": stale,
        "drafts": [listing for listing in listings if listing.status == ListingStatus.DRAFT],
        "unverified": [organization for organization in organizations if organization.verified_at is None],
        "reports_count": selectors.stale_reports_visible_to(user)
        .filter(listing__organization__in=organizations)
        .count(),
    }


@register.filter
def tel_href(number: str) -> str:
    """A phone number as a tel: link wants it: digits, and a leading + if it has one."""
    digits = "".join(character for character in number or "" if character.isdigit())
    return ("+" if (number or "").strip().startswith("+") else "") + digits
