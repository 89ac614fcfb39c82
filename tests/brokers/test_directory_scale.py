"""The directory at scale: what a search needs is stored on the profile and kept by the services that change it, so
a search is the same few indexed queries whatever the page size."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from brokers import views
from brokers.models import BrokerProfile
from brokers.selectors import broker_is_listed, brokers_listed, brokers_search
from brokers.services import broker_listing_refresh, broker_profile_update, feedback_give
from charter.models import Signature, SignatureStatus
from charter.selectors import charter_current
from charter.services import charter_version_publish, signature_suspend
from tests.brokers.factories import COMPLETE_PROFILE, broker_with_profile, engagement, listed_broker, sign, verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def many_listed_brokers(count: int) -> list[int]:
    """`count` listed brokers made in bulk (the services' own paths are tested below, one broker at a time)."""
    users = UserFactory.create_batch(count, role=Role.BROKER)
    ids = [user.pk for user in users]
    BrokerProfile.objects.filter(pk__in=ids).update(**COMPLETE_PROFILE)
    for n, pk in enumerate(ids):
        BrokerProfile.objects.filter(pk=pk).update(display_name=f"Walker {n:03}")
    charter = charter_current()
    Signature.objects.bulk_create(
        Signature(broker_id=pk, charter=charter, status=SignatureStatus.VERIFIED, verified_at=timezone.now())
        for pk in ids
    )
    broker_listing_refresh(broker_ids=ids)
    return ids


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "q=walker&", "area=kent&specialism=mental_health&language=en&max_rate=40&"])
def test_the_search_api_needs_the_same_queries_at_page_sizes_20_and_100(api, charter, query):
    many_listed_brokers(101)
    small = queries_for(api(), f"/api/v1/brokers?{query}page_size=20")
    large = queries_for(api(), f"/api/v1/brokers?{query}page_size=100")
    assert small == large <= 2  # the count, and the page


def test_the_directory_page_needs_the_same_queries_for_20_and_100_brokers(charter, monkeypatch):
    many_listed_brokers(101)
    counts = []
    for size in (20, 100):
        monkeypatch.setattr(views, "PAGE_SIZE", size)
        cache.clear()  # what computing the page costs (the next test is about keeping it)
        counts.append(queries_for(Client(), "/brokers/?q=walker"))
        counts.append(queries_for(Client(), "/brokers/"))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert max(counts) <= 3


# --- A short cache for people who are not signed in, emptied by every change to the directory ---

DIRECTORY_URLS = ("/api/v1/brokers?q=walker", "/brokers/?q=walker", "/brokers/")


def test_anonymous_directory_searches_and_broker_pages_are_served_from_the_cache(api, charter):
    broker = listed_broker(display_name="Walker Able")
    for url in (*DIRECTORY_URLS, f"/brokers/{broker.pk}/"):
        client = api() if url.startswith("/api/") else Client()
        first = client.get(url)
        assert queries_for(client, url) == 0, url
        assert client.get(url).content == first.content or url.startswith("/brokers/")  # pages differ by nonce
    signed_in = Client()
    signed_in.force_login(UserFactory())
    assert queries_for(signed_in, "/brokers/?q=walker") > 0  # a signed-in person's page is their own


def _directory_change(how: str, broker, admin_user) -> None:
    profile = BrokerProfile.objects.get(pk=broker.pk)
    if how == "profile":
        broker_profile_update(profile=profile, by=broker, display_name="Walker Renamed")
    elif how == "orm":
        profile.display_name = "Walker Renamed"
        profile.save()
    elif how == "suspended":
        signature_suspend(signature=broker.charter_signatures.get(), by=admin_user, reason="Undeclared interest")
    elif how == "deactivated":
        broker.is_active = False
        broker.save()
    else:  # rated: a stored aggregate written by an UPDATE, not a save
        client = UserFactory()
        feedback_give(engagement=engagement(client, broker, "ended"), by=client, rating=1)


@pytest.mark.parametrize("how", ["profile", "orm", "suspended", "deactivated", "rated"])
def test_a_change_to_the_directory_is_visible_at_once_in_every_cached_answer(api, admin_user, charter, how):
    broker = listed_broker(display_name="Walker Able")
    urls = [*DIRECTORY_URLS, f"/brokers/{broker.pk}/"]
    before = [(api() if url.startswith("/api/") else Client()).get(url).content.decode() for url in urls]
    assert all("Walker Able" in page for page in before)
    _directory_change(how, broker, admin_user)
    after = [(api() if url.startswith("/api/") else Client()).get(url) for url in urls]
    if how == "rated":
        assert [row["rating"]["count"] for row in after[0].json()["results"]] == [1]
    else:
        assert all("Walker Able" not in answer.content.decode() for answer in after), how


# --- The stored listing is kept by every service that changes what it depends on ---


def test_a_profile_edit_lists_and_delists_at_once(charter):
    broker = broker_with_profile(bio="")
    verify(sign(broker))
    assert not broker_is_listed(broker)
    profile = BrokerProfile.objects.get(pk=broker.pk)
    broker_profile_update(profile=profile, by=broker, bio="Now complete.")
    assert broker_is_listed(broker) and BrokerProfile.objects.get(pk=broker.pk).listed
    broker_profile_update(profile=profile, by=broker, areas=[])
    assert not broker_is_listed(broker) and not BrokerProfile.objects.get(pk=broker.pk).listed


def test_suspension_and_reinstatement_move_the_listing(admin_user, charter):
    broker = listed_broker()
    signature = broker.charter_signatures.get()
    signature_suspend(signature=signature, by=admin_user, reason="Undeclared interest")
    assert not broker_is_listed(broker)
    verify(Signature.objects.get(pk=signature.pk))
    assert broker_is_listed(broker)


@pytest.mark.parametrize("change", ["deactivated", "role_changed"])
def test_an_account_that_stops_being_an_active_broker_leaves_the_directory(charter, change):
    broker = listed_broker()
    if change == "deactivated":
        broker.is_active = False
    else:
        broker.role = Role.CLIENT
    broker.save()
    assert not broker_is_listed(broker)
    assert not BrokerProfile.objects.get(pk=broker.pk).listed


def test_a_sign_in_does_not_recompute_the_listing(charter):
    broker = listed_broker()
    with CaptureQueriesContext(connection) as queries:
        broker.last_login = timezone.now()
        broker.save(update_fields=["last_login"])
    assert len(queries) == 1


def test_a_new_charter_version_delists_everyone_on_its_publication_date_without_touching_a_row(charter):
    broker = listed_broker()
    version_two = charter_version_publish(
        version=2,
        title="Version 2",
        principles=[{"key": "independence", "title": "Independent", "text": "Text"}],
        published_on=timezone.localdate() + datetime.timedelta(days=7),
        by=None,
    )
    assert broker_is_listed(broker)  # not current yet
    stored = BrokerProfile.objects.values("listed", "verified_charter_id").get(pk=broker.pk)
    version_two.published_on = timezone.localdate()
    version_two.save()  # the day arrives
    assert not broker_is_listed(broker)
    assert BrokerProfile.objects.values("listed", "verified_charter_id").get(pk=broker.pk) == stored
    verify(sign(broker))
    assert broker_is_listed(broker)


# --- The stored rating is kept by feedback_give ---


def test_feedback_keeps_the_stored_rating(api, charter):
    broker = listed_broker()
    for rating in (5, 4, 4):
        client = UserFactory()
        feedback_give(engagement=engagement(client, broker, "ended"), by=client, rating=rating)
    profile = BrokerProfile.objects.get(pk=broker.pk)
    assert (profile.rating_average, profile.rating_count) == (Decimal("4.33"), 3)
    assert api().get("/api/v1/brokers").json()["results"][0]["rating"] == {"average": 4.33, "count": 3}


# --- The contract's search behaviour is kept ---


def test_words_match_names_in_part_bios_and_specialism_names(charter):
    walker = listed_broker(display_name="Dana Walker", bio="Plans with people.")
    older = listed_broker(display_name="Ellis Green", bio="Calm and kind.", specialisms=["older_people"])
    assert [p.pk for p in brokers_search(q="walk")] == [walker.pk]  # part of a name
    assert [p.pk for p in brokers_search(q="older people")] == [older.pk]  # a specialism by its name
    assert [p.pk for p in brokers_search(q="kind")] == [older.pk]  # a word of the bio
    assert set(brokers_listed().values_list("pk", flat=True)) == {walker.pk, older.pk}
