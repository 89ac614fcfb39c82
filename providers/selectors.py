"""Every read of organisations and listings that reaches a person, scoped to what they may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from config.choices import Area, areas_matching
from providers import words
from providers.cache import cached
from providers.models import Category, Listing, ListingStatus, Membership, Organization, StaleReport
from providers.postcodes import outward_code

STALE_AFTER_DAYS = 180
REMIND_AFTER_DAYS = 150


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


def organizations_verified() -> QuerySet[Organization]:
    """Organisations an administrator has verified: the only ones other apps may offer to choose from (for example
    a broker declaring an interest), so that nothing reveals an unverified organisation."""
    return Organization.objects.filter(verified_at__isnull=False).order_by("name", "id")


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


def _public() -> Q:
    """Published, and not of an unverified organisation. Written as "not among the (few) unverified" rather than as
    a join, so that PostgreSQL answers lists, counts and facets from the partial indexes alone (a hashed subplan)."""
    unverified = Organization.objects.filter(verified_at__isnull=True).values("id")
    return Q(status=ListingStatus.PUBLISHED) & ~Q(organization_id__in=unverified)


def listings_public() -> QuerySet[Listing]:
    """Published listings of verified organisations: what anyone may find and put in a plan."""
    return Listing.objects.filter(_public()).defer("search_vector")


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
        return Listing.objects.defer("search_vector")
    if not getattr(user, "is_authenticated", False):
        return listings_public()
    return Listing.objects.filter(_public() | Q(organization_id__in=_member_organization_ids(user))).defer(
        "search_vector"
    )


def with_freshness(listings: QuerySet[Listing], today: datetime.date | None = None) -> QuerySet[Listing]:
    """Annotate `is_stale` and `reference_date` from the stored `fresh_from`, so lists rank and flag cheaply."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=STALE_AFTER_DAYS)
    return listings.annotate(
        reference_date=F("fresh_from"),
        is_stale=Case(
            When(fresh_from__lte=cutoff, then=Value(True)), default=Value(False), output_field=BooleanField()
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
    """Full-text search (title over category over description, misspellings corrected), filters, listings in the
    given postcode district first, then fresh before stale ones (the `tier`), then rank and title."""
    listings = with_freshness(base if base is not None else listings_public()).select_related("organization")
    listings = _filter(listings, search).annotate(tier=_tier(search))
    order: list[Any] = [F("tier").asc()]
    if search.q:
        listings, rank_order = _match_words(listings, search.q)
        order.extend(rank_order)
    return listings.order_by(*order, "title", "id")


def _tier(search: ListingSearch, today: datetime.date | None = None) -> Case:
    """0, 1, 2...: in the postcode district and fresh, in it and stale, elsewhere and fresh, elsewhere and stale."""
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=STALE_AFTER_DAYS)
    fresh = Q(fresh_from__gt=cutoff) | Q(fresh_from__isnull=True)
    outward = outward_code(search.postcode) if search.postcode else None
    if not outward:
        return Case(When(fresh, then=Value(0)), default=Value(1), output_field=IntegerField())
    near = Q(postcode__startswith=outward + " ")
    return Case(
        When(near & fresh, then=Value(0)),
        When(near, then=Value(1)),
        When(fresh, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


class SearchResults:
    """A search's results, sliced without sorting them all: the count and facets come from one grouped query, and
    a slice reads each tier it touches in (title, id) order from the partial index (by rank where words were
    searched), then fetches just those rows. Three queries per page, whatever its size."""

    def __init__(self, listings: QuerySet[Listing], *, ranked: bool, counted: Any = None) -> None:
        self.listings = listings
        self.ranked = ranked
        found: tuple[int, dict[str, list[dict[str, Any]]], dict[int, int]] = (
            counted if counted is not None else _count_facets_tiers(listings)
        )
        self.total, self.facets, self.tiers = found

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Listing: ...
    @overload
    def __getitem__(self, index: slice) -> list[Listing]: ...
    def __getitem__(self, index: int | slice) -> Listing | list[Listing]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, min(index.stop if index.stop is not None else self.total, self.total)
        if stop <= start:
            return []
        ids = self._ids(start, stop)
        found = self.listings.order_by().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def _ids(self, start: int, stop: int) -> list[int]:
        if self.ranked:
            return list(self.listings.values_list("id", flat=True)[start:stop])
        parts, skipped = [], 0
        for tier in sorted(self.tiers):
            size = self.tiers[tier]
            if skipped + size > start and skipped < stop:
                offset = max(start - skipped, 0)
                in_tier = self.listings.filter(tier=tier)  # type: ignore[misc]  # an annotation
                window = in_tier.order_by("title", "id").values_list("id", flat=True)
                parts.append(window[offset : offset + (stop - start)])
            skipped += size
        if len(parts) == 1:
            return list(parts[0])
        return list(parts[0].union(*parts[1:], all=True))[: stop - start]  # tiers in order: each part is ordered


def listings_search_page(search: ListingSearch, *, base: QuerySet[Listing] | None = None) -> SearchResults:
    """The search's results as a sequence to paginate (see `SearchResults`). The public search's count and facets
    are the same for everyone: they are kept a moment (and emptied by any write to listings or organisations)."""
    listings = listings_search(search, base=base)
    counted = None
    if base is None:
        counted = cached(("listing-counts", search, timezone.localdate()), lambda: _count_facets_tiers(listings))
    return SearchResults(listings, ranked=bool(search.q), counted=counted)


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


def _match_words(listings: QuerySet[Listing], text: str) -> tuple[QuerySet[Listing], list[Any]]:
    """Words match by full-text search, after misspelt ones are corrected against the dictionary of listing words
    ("yogga" finds yoga): one indexed look-up, then the indexed search."""
    query = SearchQuery(words.correct(text), search_type="websearch", config="english")
    matched = listings.filter(search_vector=query)
    return matched.annotate(rank=SearchRank(F("search_vector"), query)), [F("rank").desc()]


def listing_facets(listings: QuerySet[Listing]) -> dict[str, list[dict[str, Any]]]:
    """Counts per category and per area of a search's results."""
    return listing_count_and_facets(listings)[1]


def listing_count_and_facets(listings: QuerySet[Listing]) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """How many listings a search found, and how many per category and per area (one grouped query)."""
    total, facets, _ = _count_facets_tiers(listings)
    return total, facets


def _count_facets_tiers(listings: QuerySet[Listing]) -> tuple[int, dict[str, list[dict[str, Any]]], dict[int, int]]:
    """The count, the facets and the size of each tier of a search, in one pass over its results (GROUPING SETS):
    from the partial indexes alone where no words were searched."""
    if "tier" not in listings.query.annotations:
        listings = listings.annotate(tier=Value(0, output_field=IntegerField()))
    grouped_by = listings.order_by().values("category", "area", "tier")  # type: ignore[misc]  # an annotation
    sql, params = grouped_by.query.sql_with_params()  # Django's own SQL
    grouped = (
        "SELECT GROUPING(category), GROUPING(area), GROUPING(tier), category, area, tier, COUNT(*) "  # noqa: S608
        f"FROM ({sql}) AS found "
    )
    with connection.cursor() as cursor:
        cursor.execute(grouped + "GROUP BY GROUPING SETS ((category), (area), (tier), ())", params)
        rows = cursor.fetchall()
    total, categories, areas, tiers = 0, {}, {}, {}
    for no_category, no_area, no_tier, category, area, tier, count in rows:
        if no_category and no_area and no_tier:
            total = count
        elif not no_category:
            categories[category] = count
        elif not no_area:
            areas[area] = count
        else:
            tiers[tier] = count
    return total, _facets(categories, areas), tiers


def _facets(categories: dict[str, int], areas: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
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
        Listing.objects.filter(status=ListingStatus.PUBLISHED, fresh_from__lte=cutoff)
        .exclude(reminder_sent_for=F("fresh_from"))
        .defer("search_vector")
    )
