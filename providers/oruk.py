"""The Open Referral UK (HSDS-UK 3.0) feed: public listings as services, read-only, public, CORS open.

Identifiers are stable: services and organisations use their own `uuid`; every derived object (location, service at
location, contact, phone, cost option, schedule, attribute, service area) has a UUID5 of the listing's UUID and its
kind, and our categories form one taxonomy whose terms are UUID5s of their codes. None of them ever changes.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from config.choices import Area
from providers.cache import cached
from providers.models import ORUK_NAMESPACE, Category, CostUnit, Listing, Organization, oruk_derived_id
from providers.selectors import ListingSearch, listings_public, listings_search

NAMESPACE = ORUK_NAMESPACE
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:waymark-categories"))
TAXONOMY = {
    "id": TAXONOMY_ID,
    "name": "Waymark activity categories",
    "description": "Kinds of activity a personal budget for mental health social care can pay for in Kent and Medway.",
    "version": "1",
}
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
OPENAPI_URL = "https://docs.openreferraluk.org/en/latest/openapi30.json"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50


def derived_id(listing: Listing, kind: str) -> str:
    return str(oruk_derived_id(listing.uuid, kind))


def term_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"category:{code}"))


TERM_CODES = {term_id(code): code for code in Category.values}


def taxonomy_term(code: str) -> dict[str, Any]:
    return {
        "id": term_id(code),
        "name": Category(code).label,
        "description": f"Activities in the category {Category(code).label.lower()}.",
        "taxonomy": TAXONOMY["name"],
        "taxonomy_id": TAXONOMY_ID,
        "term": code,
    }


def organization_data(organization: Organization) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(organization.uuid),
        "name": organization.name,
        "description": organization.description or organization.name,
    }
    if organization.email:
        data["email"] = organization.email
    if organization.website:
        data["website"] = organization.website
    identifiers = [("UK-CHC", organization.charity_number), ("GB-COH", organization.company_number)]
    data["organization_identifiers"] = [
        {
            "id": str(uuid.uuid5(NAMESPACE, f"{organization.uuid}:{scheme}")),
            "organization_id": str(organization.uuid),
            "identifier_scheme": scheme,
            "identifier_type": "Charity number" if scheme == "UK-CHC" else "Company number",
            "identifier": number,
        }
        for scheme, number in identifiers
        if number
    ]
    return data


def _fees(listing: Listing) -> str:
    if listing.cost is None:
        return "Ask the provider"
    if listing.cost == 0:
        return "Free"
    unit = CostUnit(listing.cost_unit).label if listing.cost_unit in CostUnit.values else ""
    return f"£{listing.cost:,.2f} {unit}".strip()


def location_data(listing: Listing) -> dict[str, Any]:
    location_id = derived_id(listing, "location")
    area = Area(listing.area).label if listing.area in Area.values else "Kent"
    county = "Medway" if listing.area == Area.MEDWAY else "Kent"
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": f"{listing.title}, {area}",
    }
    if listing.postcode:
        location["addresses"] = [
            {
                "id": derived_id(listing, "address"),
                "location_id": location_id,
                "address_1": f"{area} (ask the provider for the full address)",
                "city": area,
                "state_province": county,
                "postal_code": listing.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
    if listing.accessibility:
        location["accessibility"] = [
            {
                "id": derived_id(listing, "accessibility"),
                "location_id": location_id,
                "description": listing.accessibility,
            }
        ]
    return location


def service_at_location_data(listing: Listing, *, with_service: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(listing.service_at_location_uuid or derived_id(listing, "service_at_location")),
        "service_id": str(listing.uuid),
        "location_id": derived_id(listing, "location"),
        "location": location_data(listing),
    }
    if with_service:
        data["service"] = service_summary(listing)
    return data


def service_summary(listing: Listing) -> dict[str, Any]:
    """The one-to-one fields of a service (what `/services` lists)."""
    data: dict[str, Any] = {
        "id": str(listing.uuid),
        "organization_id": str(listing.organization.uuid),
        "name": listing.title,
        "description": listing.description,
        "status": "active",
        "fees": _fees(listing),
        # A service shows its organisation too: a change to either is a change to the service.
        "last_modified": max(listing.updated_at, listing.organization.updated_at).isoformat(),
    }
    if listing.contact_email:
        data["email"] = listing.contact_email
    if listing.last_reviewed_on:
        data["assured_date"] = listing.last_reviewed_on.isoformat()
    return data


def service_data(listing: Listing, *, with_organization: bool = True) -> dict[str, Any]:
    """A service in full: organisation, locations, contacts, cost options, schedules and taxonomy terms."""
    data = service_summary(listing)
    service_id = data["id"]
    if with_organization:
        data["organization"] = organization_data(listing.organization)
    data["service_at_locations"] = [service_at_location_data(listing)]
    contact_id = derived_id(listing, "contact")
    contact: dict[str, Any] = {"id": contact_id, "service_id": service_id, "name": listing.organization.name}
    if listing.contact_email:
        contact["email"] = listing.contact_email
    if listing.contact_phone:
        contact["phones"] = [
            {"id": derived_id(listing, "phone"), "contact_id": contact_id, "number": listing.contact_phone}
        ]
    data["contacts"] = [contact]
    if listing.cost is not None:
        data["cost_options"] = [
            {
                "id": derived_id(listing, "cost_option"),
                "service_id": service_id,
                "option": CostUnit(listing.cost_unit).label if listing.cost_unit in CostUnit.values else "",
                "amount": float(listing.cost),
                "amount_description": _fees(listing),
            }
        ]
    # Our schedules are free text: HSDS keeps unstructured opening times in `description`.
    data["schedules"] = (
        [{"id": derived_id(listing, "schedule"), "service_id": service_id, "description": listing.schedule}]
        if listing.schedule
        else []
    )
    if listing.area in Area.values:
        data["service_areas"] = [
            {"id": derived_id(listing, "service_area"), "service_id": service_id, "name": Area(listing.area).label}
        ]
    if listing.category in Category.values:
        data["attributes"] = [
            {
                "id": derived_id(listing, "attribute"),
                "link_id": service_id,
                "link_type": "service",
                "taxonomy_term_id": term_id(listing.category),
                "taxonomy_term": taxonomy_term(listing.category),
            }
        ]
    return data


# --- views --------------------------------------------------------------------------------------------------------


class BadParameter(Exception):
    pass


def feed_view(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
    """GET only, public, CORS open; answers JSON (400 for a bad parameter, 404 for an unknown id). The same
    question gets the same answer for everyone: kept a moment, and emptied by any change to listings."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ("GET", "HEAD"):
            response = JsonResponse({"detail": "The feed is read-only.", "code": "method_not_allowed"}, status=405)
        else:
            try:
                # kept as the JSON itself, so that a kept answer is not encoded again (b"" for not found)
                body = cached(("oruk-json", request.get_full_path()), lambda: _encoded(view(request, *args, **kwargs)))
                response = HttpResponse(body, content_type="application/json") if body else _not_found()
            except BadParameter as error:
                response = JsonResponse({"detail": str(error), "code": "invalid"}, status=400)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "*"
        return response

    return wrapper


def _encoded(data: dict[str, Any] | None) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder).encode() if data else b""


def _not_found() -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def _int(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name) or ""
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", raw) or int(raw) < 1:
        raise BadParameter(f"{name} must be a whole number from 1 to 999999.")
    return int(raw)


def _uuid(value: str, name: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadParameter(f"{name} must be a UUID.") from None


def paginate(request: HttpRequest, items: QuerySet | list, render: Callable[[Any], dict]) -> dict[str, Any]:
    """The ORUK page envelope around `contents`."""
    per_page = min(_int(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    page = _int(request, "page", 1)
    if isinstance(items, QuerySet):  # every page of one question shares its count, kept with the cached pages
        question = sorted((key, value) for key, value in request.GET.items() if key not in ("page", "per_page"))
        total = cached(("oruk-count", request.path, tuple(question)), items.count)
    else:
        total = len(items)
    total_pages = max(1, math.ceil(total / per_page))
    contents = [render(item) for item in _window(items, (page - 1) * per_page, page * per_page)]
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": total == 0,
        "contents": contents,
    }


def _window(items: QuerySet | list, start: int, stop: int) -> list:
    """A page of items. For a query, the page's ids come first from the (title, id) index alone, then just those
    rows: a deep page never sorts or joins every row before it."""
    if not isinstance(items, QuerySet):
        return list(items[start:stop])
    ids = list(items.values_list("id", flat=True)[start:stop])
    rows = items.model._default_manager.all()
    if items.model is Listing:
        rows = rows.select_related("organization").defer("search_vector")
    found = rows.in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found]


def _public_listings(request: HttpRequest) -> QuerySet[Listing]:
    """Public listings filtered by the feed's parameters: search, taxonomy_term_id, taxonomy_id, organization_id,
    modified_after."""
    search = ListingSearch(q=(request.GET.get("search") or "").replace("\x00", "").strip()[:200])
    if term := request.GET.get("taxonomy_term_id"):
        search.category = TERM_CODES.get(_uuid(term, "taxonomy_term_id"), "none")
    listings = listings_search(search).select_related("organization")
    if (taxonomy := request.GET.get("taxonomy_id")) and _uuid(taxonomy, "taxonomy_id") != TAXONOMY_ID:
        listings = listings.none()
    if organization := request.GET.get("organization_id"):
        listings = listings.filter(organization__uuid=_uuid(organization, "organization_id"))
    if modified_after := request.GET.get("modified_after"):
        moment = _moment(modified_after)  # "after" includes a service modified at that very moment
        listings = listings.filter(Q(updated_at__gte=moment) | Q(organization__updated_at__gte=moment))
    return listings.order_by("title", "id") if not search.q else listings


def _moment(value: str) -> datetime.datetime:
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # an unencoded "+" in a query string arrives as a space
        if moment is None and (day := parse_date(value)):
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:  # well formed but impossible, such as month 13
        moment = None
    if moment is None:
        raise BadParameter("modified_after must be an ISO 8601 date or date and time.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@feed_view
def root(request: HttpRequest) -> dict[str, Any]:
    return {"version": "HSDS-UK-3.0", "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


@feed_view
def services(request: HttpRequest) -> dict[str, Any]:
    return paginate(request, _public_listings(request), service_summary_with_organization)


def service_summary_with_organization(listing: Listing) -> dict[str, Any]:
    return {**service_summary(listing), "organization": organization_data(listing.organization)}


@feed_view
def service(request: HttpRequest, pk: str) -> dict[str, Any] | None:
    listing = listings_public().select_related("organization").filter(uuid=pk).first()
    return service_data(listing) if listing else None


@feed_view
def service_at_locations(request: HttpRequest) -> dict[str, Any]:
    return paginate(request, _public_listings(request), lambda listing: service_at_location_data(listing))


@feed_view
def service_at_location(request: HttpRequest, pk: str) -> dict[str, Any] | None:
    # The id is a UUID5 of the listing's UUID, stored with the listing so that it is found by its index.
    listing = listings_public().select_related("organization").filter(service_at_location_uuid=pk).first()
    return service_at_location_data(listing, with_service=True) if listing else None


def _public_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(verified_at__isnull=False).order_by("name", "id")


@feed_view
def organizations(request: HttpRequest) -> dict[str, Any]:
    found = _public_organizations()
    if words := (request.GET.get("search") or "").replace("\x00", "").strip():
        found = found.filter(name__icontains=words)
    return paginate(request, found, organization_data)


@feed_view
def organization(request: HttpRequest, pk: str) -> dict[str, Any] | None:
    public = Prefetch("listings", queryset=listings_public().select_related("organization"), to_attr="public_listings")
    found = _public_organizations().prefetch_related(public).filter(uuid=pk).first()
    if found is None:
        return None
    services_data = [service_data(listing, with_organization=False) for listing in found.public_listings]
    return {**organization_data(found), "services": services_data}


@feed_view
def taxonomies(request: HttpRequest) -> dict[str, Any]:
    return paginate(request, [TAXONOMY], lambda taxonomy: taxonomy)


@feed_view
def taxonomy(request: HttpRequest, pk: str) -> dict[str, Any] | None:
    return TAXONOMY if str(pk) == TAXONOMY_ID else None


@feed_view
def taxonomy_terms(request: HttpRequest) -> dict[str, Any]:
    if (wanted := request.GET.get("taxonomy_id")) and _uuid(wanted, "taxonomy_id") != TAXONOMY_ID:
        return paginate(request, [], taxonomy_term)
    return paginate(request, Category.values, taxonomy_term)


@feed_view
def unknown(request: HttpRequest, path: str = "") -> None:
    """Anything else under /openreferral/ (a malformed id, a path we do not serve): the feed's JSON 404."""
    return None


@feed_view
def taxonomy_term_detail(request: HttpRequest, pk: str) -> dict[str, Any] | None:
    code = TERM_CODES.get(str(pk))
    return taxonomy_term(code) if code else None
