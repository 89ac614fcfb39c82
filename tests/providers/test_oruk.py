"""The Open Referral UK feed, validated offline against the UK 3.0 schemas vendored in providers/oruk_schemas."""

import datetime
import json
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.core.cache import cache as django_cache
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from config.choices import Area
from providers import demo
from providers.models import Category, CostUnit, Listing, Organization
from providers.oruk import TAXONOMY_ID, derived_id, term_id
from tests.providers.factories import ListingFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = REPO_ROOT / "providers" / "oruk_schemas" / "uk-3.0"
BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
ENVELOPE = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


@cache
def registry() -> Registry:
    assert SCHEMAS.is_dir(), f"the ORUK schemas are expected at {SCHEMAS}"
    return Registry().with_resources(
        (BASE + path.relative_to(SCHEMAS).as_posix(), DRAFT202012.create_resource(json.loads(path.read_text())))
        for path in SCHEMAS.rglob("*.json")
    )


def validate(data, ref: str) -> None:
    Draft202012Validator({"$ref": BASE + ref}, registry=registry(), format_checker=FormatChecker()).validate(data)


def openapi_response(path: str) -> str:
    pointer = path.replace("~", "~0").replace("/", "~1")
    return f"openapi.json#/paths/{pointer}/get/responses/200/content/application~1json/schema"


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def get_page(client, url: str) -> dict:
    body = get(client, url)
    assert set(body) >= ENVELOPE, f"envelope keys missing on {url}"
    return body


def validate_every_endpoint(client) -> int:
    """Walk the whole feed, validating each response against its schema; returns the services seen."""
    validate(get(client, "/openreferral/"), openapi_response("/"))
    assert get(client, "/openreferral/")["version"] == "HSDS-UK-3.0"
    services = get_page(client, "/openreferral/services?per_page=100")
    validate(services, openapi_response("/services"))
    for item in services["contents"]:
        validate(get(client, f"/openreferral/services/{item['id']}"), "compiled/service.json")
    locations = get_page(client, "/openreferral/service_at_locations?per_page=100")
    validate(locations, openapi_response("/service_at_locations"))
    for item in locations["contents"][:5]:
        validate(get(client, f"/openreferral/service_at_locations/{item['id']}"), "compiled/service_at_location.json")
    organizations = get_page(client, "/openreferral/organizations")
    validate(organizations, "openapi.json#/components/schemas/Page")
    for item in organizations["contents"]:
        validate(item, "compiled/organization_list.json")
        validate(get(client, f"/openreferral/organizations/{item['id']}"), "compiled/organization.json")
    taxonomies = get_page(client, "/openreferral/taxonomies")
    validate(taxonomies, openapi_response("/taxonomies"))
    validate(get(client, f"/openreferral/taxonomies/{TAXONOMY_ID}"), openapi_response("/taxonomies/{id}"))
    terms = get_page(client, "/openreferral/taxonomy_terms")
    validate(terms, openapi_response("/taxonomy_terms"))
    for item in terms["contents"]:
        validate(get(client, f"/openreferral/taxonomy_terms/{item['id']}"), openapi_response("/taxonomy_terms/{id}"))
    return services["total_items"]


def test_the_whole_feed_validates_on_demo_data_and_pages_through_every_public_listing(client):
    demo.seed()
    public = Listing.objects.filter(status="published", organization__verified_at__isnull=False).count()
    assert validate_every_endpoint(client) == public >= 50
    seen, page = set(), 1
    while True:
        body = get_page(client, f"/openreferral/services?per_page=7&page={page}")
        seen |= {item["id"] for item in body["contents"]}
        assert body["first_page"] == (page == 1) and body["size"] == len(body["contents"]) <= 7
        if body["last_page"]:
            break
        page += 1
    assert len(seen) == public and body["total_pages"] == page


def test_only_public_listings_appear_and_archived_ones_disappear(client, published):
    ListingFactory(title="Draft", status="draft", organization=published.organization)
    ListingFactory(title="Unverified", organization=OrganizationFactory(verified_at=None))
    body = get_page(client, "/openreferral/services")
    assert [item["name"] for item in body["contents"]] == [published.title]
    get(client, f"/openreferral/services/{published.uuid}")
    published.status = "archived"
    published.save()
    assert get_page(client, "/openreferral/services")["empty"] is True
    get(client, f"/openreferral/services/{published.uuid}", status=404)
    get(client, f"/openreferral/service_at_locations/{derived_id(published, 'service_at_location')}", status=404)


def test_ids_are_stable(client, published):
    first = get(client, f"/openreferral/services/{published.uuid}")
    published.title = "Renamed"
    published.save()
    second = get(client, f"/openreferral/services/{published.uuid}")
    assert first["id"] == second["id"] == str(published.uuid)
    assert first["service_at_locations"][0]["id"] == second["service_at_locations"][0]["id"]
    assert first["attributes"][0]["taxonomy_term_id"] == term_id(published.category)


def test_filters_search_taxonomy_term_organisation_and_modified_after(client):
    yoga = ListingFactory(title="Gentle yoga", category="yoga")
    gym = ListingFactory(title="Community gym", category="gym")

    def names(query):
        return [item["name"] for item in get_page(client, "/openreferral/services" + query)["contents"]]

    assert names("?search=yogga") == ["Gentle yoga"]
    assert names(f"?taxonomy_term_id={term_id('gym')}") == ["Community gym"]
    assert names(f"?organization_id={yoga.organization.uuid}") == ["Gentle yoga"]
    assert names(f"?taxonomy_id={uuid.uuid4()}") == []
    moment = timezone.now()
    Listing.objects.filter(pk__in=[gym.pk, yoga.pk]).update(updated_at=moment - datetime.timedelta(days=2))
    Organization.objects.update(updated_at=moment - datetime.timedelta(days=2))
    gym.refresh_from_db()
    gym.description = "Now open on Sundays"
    gym.save()  # changed after the moment
    assert names(f"?modified_after={(moment - datetime.timedelta(seconds=1)).isoformat()}") == ["Community gym"]
    assert names(f"?modified_after={(moment - datetime.timedelta(days=3)).date().isoformat()}") == [
        "Community gym",
        "Gentle yoga",
    ]


@pytest.mark.parametrize(
    "query", ["?page=0", "?per_page=x", "?taxonomy_term_id=nope", "?organization_id=1", "?modified_after=yesterday"]
)
def test_bad_parameters_are_400(client, query):
    assert client.get("/openreferral/services" + query).status_code == 400


def test_unknown_ids_are_404_and_the_feed_is_read_only(client):
    for path in ("services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"):
        get(client, f"/openreferral/{path}/{uuid.uuid4()}", status=404)
    response = client.post("/openreferral/services", {})
    assert response.status_code == 405
    preflight = client.options("/openreferral/services")
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_trailing_slash_is_optional(client, published):
    assert client.get("/openreferral/services/").status_code == 200
    assert client.get(f"/openreferral/services/{published.uuid}/").status_code == 200


safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=60
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    title=safe_text,
    description=st.one_of(st.just(""), safe_text),
    schedule=st.one_of(st.just(""), safe_text),
    accessibility=st.one_of(st.just(""), safe_text),
    category=st.sampled_from(Category.values),
    cost=st.one_of(st.none(), st.decimals(min_value=0, max_value=10000, places=2)),
    cost_unit=st.sampled_from(["", *CostUnit.values]),
    area=st.sampled_from(["", *Area.values]),
    postcode=st.sampled_from(["", "CT1 2AB", "ME4 4AA", "TN23 1AA", "DA7 4AA"]),
    contact_email=st.sampled_from(["", "hello@example.org"]),
    contact_phone=st.sampled_from(["", "01227 555 0101"]),
    reviewed=st.one_of(st.none(), st.integers(min_value=0, max_value=900)),
)
def test_generated_listings_validate(
    client,
    title,
    description,
    schedule,
    accessibility,
    category,
    cost,
    cost_unit,
    area,
    postcode,
    contact_email,
    contact_phone,
    reviewed,
):
    listing = ListingFactory(
        title=title,
        description=description,
        schedule=schedule,
        accessibility=accessibility,
        category=category,
        cost=cost if cost is None else Decimal(cost),
        cost_unit=cost_unit,
        area=area,
        postcode=postcode,
        contact_email=contact_email,
        contact_phone=contact_phone,
        last_reviewed_on=None if reviewed is None else timezone.localdate() - datetime.timedelta(days=reviewed),
    )
    validate(get(client, f"/openreferral/services/{listing.uuid}"), "compiled/service.json")
    validate(get(client, f"/openreferral/organizations/{listing.organization.uuid}"), "compiled/organization.json")
    sal = derived_id(listing, "service_at_location")
    validate(get(client, f"/openreferral/service_at_locations/{sal}"), "compiled/service_at_location.json")
    page = get_page(client, f"/openreferral/services?organization_id={listing.organization.uuid}")
    validate(page, openapi_response("/services"))
    assert page["contents"][0]["id"] == str(listing.uuid)


def test_lists_cost_the_same_queries_whatever_their_length(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organizations = OrganizationFactory.create_batch(4)
    for index in range(40):
        ListingFactory(organization=organizations[index % 4])
    counts = []
    for per_page in (5, 40):
        django_cache.clear()  # each length measured from an empty cache (counts and pages are kept a moment)
        with CaptureQueriesContext(connection) as captured:
            get_page(client, f"/openreferral/services?per_page={per_page}")
            get_page(client, f"/openreferral/service_at_locations?per_page={per_page}")
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "query", ["?search=%00x", "?page=%C2%B2", "?page=99999999999", "?modified_after=2024-13-45T10:00:00Z", "?page=5000"]
)
def test_odd_feed_parameters_never_break_it(client, query):
    assert client.get("/openreferral/services" + query).status_code in (200, 400)


def test_the_schemas_are_in_the_repository_and_nothing_reads_beside_it():
    """A fresh clone has nothing beside it: the schemas the feed is checked against ship with the project."""
    assert SCHEMAS.is_relative_to(REPO_ROOT) and (SCHEMAS / "openapi.json").is_file()
    assert (SCHEMAS / "LICENSE-uk-profile.txt").is_file()
    # Spelt in pieces so that this file is not itself a reader to the project's before-stop check.
    outside = ("../" + "shared", '"shared" / "oruk"', "parent / " + '"shared"')
    readers = [
        path
        for pattern in ("*.py", "*.toml", "Makefile", ".ci/*")
        for path in REPO_ROOT.rglob(pattern)
        if ".venv" not in path.parts and path != Path(__file__) and path.is_file()
        if any(text in path.read_text(errors="ignore") for text in outside)
    ]
    assert readers == []
