"""Issue 19 for listing search and the feed: the word dictionary, pages cut across tiers from the index, stored
freshness and feed ids, and a short cache that any write empties at once."""

import datetime
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from providers import scale, selectors, services, words
from providers.cache import NONCE_PLACEHOLDER
from providers.models import Listing, SearchWord
from providers.oruk import derived_id
from tests.providers.factories import ListingFactory, OrganizationFactory, days_ago

pytestmark = pytest.mark.django_db


def titles(api, query=""):
    response = api().get("/api/v1/listings" + query)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


# --- misspellings: a dictionary of words, then the normal full-text search -------------------------------------


def test_misspelt_words_are_corrected_against_the_words_listings_use():
    ListingFactory(title="Gentle yoga", description="Boxing and stretching")
    assert words.correct("yogga") == "yoga"
    assert words.correct("Boxxing class") == "boxing class"  # category words ("class") are known already
    assert words.correct("gentle yoga") == "gentle yoga"  # known words are left alone
    assert words.correct("zzzzqqq") == "zzzzqqq"  # nothing close: nothing found, rather than a wild guess


def test_a_misspelt_search_never_compares_every_listing(api):
    ListingFactory(title="Gentle yoga", category="yoga")
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert titles(api, "?q=yogga") == ["Gentle yoga"]
    on_listings = [query["sql"] for query in captured.captured_queries if "providers_searchword" not in query["sql"]]
    assert not any("similarity" in sql for sql in on_listings)  # only the dictionary's words are compared
    assert len(captured.captured_queries) == 4  # correct the words, count and facets, the page's ids, its rows


def test_the_dictionary_rebuild_keeps_only_words_of_published_listings():
    ListingFactory(title="Pottery wheel", status="archived")
    ListingFactory(title="Watercolour")
    services.search_words_rebuild()
    known = set(SearchWord.objects.values_list("word", flat=True))
    assert "watercolour" in known and "pottery" not in known and "walking" in known  # category names stay


# --- pages cut across tiers, in the order of the whole result ---------------------------------------------------


def test_pages_follow_the_order_of_the_whole_result_across_fresh_and_stale(api):
    for index in range(7):
        ListingFactory(title=f"Fresh {index}", last_reviewed_on=days_ago(index))
    for index in range(5):
        ListingFactory(title=f"Stale {index}", last_reviewed_on=days_ago(200 + index))
    seen = []
    for page in (1, 2, 3):
        seen += titles(api, f"?page_size=5&page={page}")
    assert seen == [f"Fresh {index}" for index in range(7)] + [f"Stale {index}" for index in range(5)]


def test_a_postcode_puts_its_district_first_on_every_page(api):
    for index in range(3):
        ListingFactory(title=f"A elsewhere {index}", postcode="CT9 1AA", area="thanet")
        ListingFactory(title=f"Z near {index}", postcode="ME4 4AA", area="medway")
    ListingFactory(title="M near but stale", postcode="ME4 4AB", area="medway", last_reviewed_on=days_ago(300))
    seen = titles(api, "?postcode=ME4&page_size=4") + titles(api, "?postcode=ME4&page_size=4&page=2")
    assert seen == [
        "Z near 0",
        "Z near 1",
        "Z near 2",
        "M near but stale",
        "A elsewhere 0",
        "A elsewhere 1",
        "A elsewhere 2",
    ]


def test_a_page_past_the_end_is_404_not_an_error(api):
    ListingFactory()
    assert api().get("/api/v1/listings?page=9").status_code == 404


# --- stored freshness and feed ids ---------------------------------------------------------------------------------


def test_the_freshness_date_is_kept_by_the_database_however_a_listing_is_written():
    listing = ListingFactory(last_reviewed_on=days_ago(10))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE providers_listing SET last_reviewed_on = %s WHERE id = %s", [days_ago(250), listing.pk])
    listing.refresh_from_db()
    assert listing.fresh_from == days_ago(250)
    Listing.objects.filter(pk=listing.pk).update(last_reviewed_on=None, published_at=timezone.now())
    listing.refresh_from_db()
    assert listing.fresh_from == timezone.localdate()
    assert selectors.listings_search(selectors.ListingSearch()).get().is_stale is False


def test_a_service_at_location_is_found_by_its_stored_id_in_constant_queries(client):
    listings = [ListingFactory() for _ in range(30)]
    wanted = listings[-1]
    assert wanted.service_at_location_uuid is not None
    assert str(wanted.service_at_location_uuid) == derived_id(wanted, "service_at_location")  # the id never changed
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        body = client.get(f"/openreferral/service_at_locations/{wanted.service_at_location_uuid}").json()
    assert body["service"]["id"] == str(wanted.uuid)
    assert len(captured.captured_queries) == 1


def test_a_deep_feed_page_reads_ids_first_then_just_its_rows(client):
    OrganizationFactory.create_batch(2)
    for index in range(30):
        ListingFactory(title=f"Item {index:02}")
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/openreferral/services?per_page=10&page=3").json()
    assert [row["name"] for row in body["contents"]] == [f"Item {index:02}" for index in range(20, 30)]
    assert len(captured.captured_queries) == 3  # the count, the page's ids, its rows


# --- a short cache, emptied by every write ---------------------------------------------------------------------


def test_anonymous_searches_and_feed_pages_are_served_from_the_cache(api, client):
    ListingFactory(title="Gentle yoga")
    for url in ("/listings/?q=yoga", "/openreferral/services"):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert [query["sql"] for query in captured.captured_queries] == [], url
    api().get("/api/v1/listings?q=yoga")
    with CaptureQueriesContext(connection) as captured:
        api().get("/api/v1/listings?q=yoga")
    assert len(captured.captured_queries) == 0


def test_a_kept_page_gets_a_fresh_nonce_each_time_and_its_policy_names_it(client):
    ListingFactory(title="Gentle yoga")
    answers = [client.get("/listings/?q=yoga") for _ in range(3)]
    nonces = [re.search(r"'nonce-([^']+)'", answer["Content-Security-Policy"]).group(1) for answer in answers]
    assert len(set(nonces)) == 3
    for answer, nonce in zip(answers, nonces, strict=True):
        body = answer.content.decode()
        assert f'<script nonce="{nonce}">' in body and NONCE_PLACEHOLDER not in body and "Gentle yoga" in body


def test_a_page_with_a_message_waiting_is_shown_as_that_persons_own(client):
    ListingFactory(title="Gentle yoga")
    client.get("/listings/")  # kept
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Your report was sent.")])
    assert "Your report was sent." in client.get("/listings/").content.decode()
    assert "Your report was sent." not in client.get("/listings/").content.decode()  # shown once, as ever


@pytest.mark.parametrize("how", ["service", "transition", "orm", "organisation"])
def test_a_write_is_visible_at_once_in_every_cached_answer(api, client, provider_user, organization, how):
    listing = ListingFactory(organization=organization, title="Gentle yoga", category="yoga")
    urls = ["/listings/?q=yoga", "/openreferral/services", "/api/v1/listings?q=yoga"]
    before = [client.get(url).content.decode() for url in urls]
    assert all("Gentle yoga" in page for page in before)
    if how == "service":
        services.listing_update(listing=listing, by=provider_user, title="Chair yoga")
    elif how == "transition":
        services.listing_archive(listing=listing, by=provider_user)
    elif how == "orm":
        listing.title = "Chair yoga"
        listing.save()
    else:
        services.organization_update(organization=organization, by=provider_user, name="Someone else")
    after = [client.get(url).content.decode() for url in urls]
    assert all("Gentle yoga" not in page for page in after), how


def test_a_signed_in_search_shares_the_cached_counts_but_reads_its_own_rows(api, broker_user):
    ListingFactory.create_batch(3, category="yoga")
    api(broker_user).get("/api/v1/listings?category=yoga")
    with CaptureQueriesContext(connection) as captured:
        body = api(broker_user).get("/api/v1/listings?category=yoga&page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert not any("GROUPING" in query["sql"] for query in captured.captured_queries)


# --- data at scale -------------------------------------------------------------------------------------------


def test_the_scale_seed_writes_realistic_listings_the_search_and_feed_serve(api, client):
    scale.seed(organizations=20, listings=300)
    public = selectors.listings_public()
    assert 200 < public.count() < 300
    assert len(set(public.values_list("category", flat=True))) == 13
    assert not Listing.objects.filter(service_at_location_uuid__isnull=True).exists()
    assert not Listing.objects.filter(fresh_from__isnull=True).exists()
    first = public.order_by("title", "id").first()
    assert api().get("/api/v1/listings").json()["results"][0]["title"] == first.title
    assert client.get("/openreferral/services").json()["total_items"] == public.count()
    assert words.correct("yogga") == "yoga"


def test_facets_and_counts_agree_with_the_rows(api):
    ListingFactory.create_batch(2, category="gym", area="medway", postcode="ME4 4AA")
    ListingFactory(category="yoga", area="thanet", last_reviewed_on=timezone.localdate() - datetime.timedelta(days=365))
    body = api().get("/api/v1/listings").json()
    assert body["count"] == 3
    assert {row["code"]: row["count"] for row in body["facets"]["category"]} == {"gym": 2, "yoga": 1}
    assert {row["code"]: row["count"] for row in body["facets"]["area"]} == {"medway": 2, "thanet": 1}
