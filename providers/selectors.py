"""Every read of organisations and listings that reaches a person, scoped to what they may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import BooleanField, Case, Count, DateField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from config.choices import Area, areas_matching
from providers.models import Category, Listing, ListingStatus, Membership, Organization, StaleReport
from providers.postcodes import outward_code

STALE_AFTER_DAYS = 180
REMIND_AFTER_DAYS = 150
TRIGRAM_THRESHOLD = 0.5


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def organizations_visible_to(user: Any) -> QuerySet[Organization]:
    """Admins see every organisation; others see verified ones and those they belong to."""
    organizations = Organization.objects.all()
    if _is_admin(user):
        return organizations
    if not getattr(user, "is_authenticated", False):
        return organizations.filter(verified_at__isnull=False)
    return organizations.filter(Q(verified_at__isnull=False) | Q(id__in=_member_organization_ids(user)))


def organizations_awaiting_verification() -> QuerySet[Organization]:
    """Organisations an admin has not checked yet, oldest first: their listings stay hidden until then."""
    return Organization.objects.filter(verified_at__isnull=True).order_by("created_at")


def _member_organization_ids(user: Any) -> QuerySet:
    return Membership.objects.filter(user=user).values("organization_id")


def organizations_of(user: Any) -> QuerySet[Organization]:
    """The organisations a person is a member of."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(id__in=_member_organization_ids(user))


def listings_public() -> QuerySet[Listing]:
    """Published listings of verified organisations: what anyone may find and put in a plan."""
    return Listing.objects.filter(status=ListingStatus.PUBLISHED, organization__verified_at__isnull=False)


def listing_is_public(listing: Listing) -> bool:
    return listing.status == ListingStatus.PUBLISHED and listing.organization.verified_at is not None


def listing_reference_date(listing: Listing) -> datetime.date | None:
    """The date freshness counts from: last confirmed, or first published if never confirmed."""
    if listing.last_reviewed_on:
        return listing.last_reviewed_on
    if listing.published_at:
        return timezone.localdate(listing.published_at)
    return None


def listing_is_stale(listing: Listing, today: datetime.date | None = None) -> bool:
    """True once 180 days have passed since the listing was last confirmed (or first published)."""
    reference = listing_reference_date(listing)
    if reference is None:
        return False
    today = today or timezone.localdate()
    return (today - reference).days >= STALE_AFTER_DAYS


def listings_visible_to(user: Any) -> QuerySet[Listing]:
    """Public listings, plus every listing of the person's own organisations; admins see all."""
    if _is_admin(user):
        return Listing.objects.all()
    if not getattr(user, "is_authenticated", False):
        return listings_public()
    return Listing.objects.filter(
        Q(status=ListingStatus.PUBLISHED, organization__verified_at__isnull=False)
        | Q(organization_id__in=_member_organization_ids(user))
    )


def reference_date_expression() -> Coalesce:
    return Coalesce("last_reviewed_on", TruncDate("published_at"), output_field=DateField())


def with_freshness(listings: QuerySet[Listing], today: datetime.date | None = None) -> QuerySet[Listing]:
    """Annotate `is_stale` and `reference_date` in SQL, so lists can rank and flag without extra queries."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=STALE_AFTER_DAYS)
    return listings.annotate(
        reference_date=reference_date_expression(),
        is_stale=Case(
            When(reference_date__lte=cutoff, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


@dataclass
class ListingSearch:
    """A search's inputs, already cleaned (the API and the page both build one)."""

    q: str = ""
    category: str = ""
    area: str = ""
    postcode: str = ""
    max_cost: Decimal | None = None
    organization: int | None = None
    statuses: list[str] = field(default_factory=list)


def listings_search(search: ListingSearch, *, base: QuerySet[Listing] | None = None) -> QuerySet[Listing]:
    """Full-text search (title over category over description), a trigram fallback for misspellings, filters,
    stale listings ranked lower, and listings in the given postcode district first."""
    listings = with_freshness(base if base is not None else listings_public()).select_related("organization")
    listings = _filter(listings, search)
    order: list[Any] = []
    if search.postcode and (outward := outward_code(search.postcode)):
        listings = listings.annotate(
            in_district=ExpressionWrapper(Q(postcode__startswith=outward + " "), output_field=BooleanField())
        )
        order.append(F("in_district").desc())
    order.append(F("is_stale").asc())
    if search.q:
        listings, rank_order = _match_words(listings, search.q)
        order.extend(rank_order)
    return listings.order_by(*order, "title", "id")


def _filter(listings: QuerySet[Listing], search: ListingSearch) -> QuerySet[Listing]:
    if search.statuses:
        listings = listings.filter(status__in=search.statuses)
    if search.category:
        listings = listings.filter(category=search.category)
    if search.area:
        listings = listings.filter(area__in=areas_matching(search.area))
    if search.max_cost is not None:
        listings = listings.filter(cost__lte=search.max_cost)
    if search.organization is not None:
        listings = listings.filter(organization_id=search.organization)
    return listings


def _match_words(listings: QuerySet[Listing], words: str) -> tuple[QuerySet[Listing], list[Any]]:
    """Words match by full-text search; when nothing matches, by trigram similarity ("yogga" finds yoga)."""
    query = SearchQuery(words, search_type="websearch", config="english")
    matched = listings.filter(search_vector=query)
    if matched.exists():
        return matched.annotate(rank=SearchRank(F("search_vector"), query)), [F("rank").desc()]
    similar = listings.annotate(
        similarity=Greatest(
            TrigramWordSimilarity(words, "title"),
            TrigramWordSimilarity(words, "description"),
        )
    )
    return similar.filter(similarity__gte=TRIGRAM_THRESHOLD), [F("similarity").desc()]


def listing_facets(listings: QuerySet[Listing]) -> dict[str, list[dict[str, Any]]]:
    """Counts per category and per area of a search's results (two grouped queries, whatever the page size)."""
    plain = listings.order_by()
    categories = dict(plain.values_list("category").annotate(n=Count("id", distinct=True)).values_list("category", "n"))
    areas = dict(plain.values_list("area").annotate(n=Count("id", distinct=True)).values_list("area", "n"))
    return {
        "category": [
            {"code": code, "name": name, "count": categories[code]}
            for code, name in Category.choices
            if code in categories
        ],
        "area": [{"code": code, "name": name, "count": areas[code]} for code, name in Area.choices if code in areas],
    }


def stale_reports_visible_to(user: Any) -> QuerySet[StaleReport]:
    """Open reports that a listing looks out of date: admins see all, providers those on their listings."""
    reports = StaleReport.objects.filter(resolved_at__isnull=True).select_related("listing", "listing__organization")
    if _is_admin(user):
        return reports
    return reports.filter(listing__organization_id__in=_member_organization_ids(user))


def listings_due_reminder(today: datetime.date | None = None) -> QuerySet[Listing]:
    """Published listings 150 days past their reference date whose reminder for that period has not been sent."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=REMIND_AFTER_DAYS)
    return (
        Listing.objects.filter(status=ListingStatus.PUBLISHED)
        .annotate(reference_date=reference_date_expression())
        .filter(reference_date__lte=cutoff)
        .exclude(reminder_sent_for=F("reference_date"))
    )
