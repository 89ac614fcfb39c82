from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_create
from brokers.models import BrokerProfile
from brokers.services import feedback_give
from providers.models import Organization
from tests.brokers.factories import broker_with_profile, engagement, listed_broker, sign, verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.json()
    return [broker["id"] for broker in response.json()["results"]]


def test_every_broker_has_a_profile_from_sign_up_whichever_way_the_account_was_made(api):
    assert BrokerProfile.objects.filter(pk=UserFactory(role=Role.BROKER).pk).exists()
    made = user_create(email="cmd@example.org", password=None, role=Role.BROKER, name="By Command")
    assert BrokerProfile.objects.get(pk=made.pk).display_name == "By Command"
    response = api().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "newbroker@example.org", "password": "a-long-pass-phrase-42", "role": "broker"},
        format="json",
    )
    assert response.status_code in (200, 401), response.content  # 401: email verification pending
    assert BrokerProfile.objects.filter(user__email="newbroker@example.org").exists()
    assert not BrokerProfile.objects.filter(pk=UserFactory(role=Role.CLIENT).pk).exists()


def test_a_search_result_has_exactly_the_contract_fields(api, listed):
    result = api().get("/api/v1/brokers").json()["results"][0]
    assert set(result) == {
        "id",
        "display_name",
        "bio",
        "areas",
        "specialisms",
        "languages",
        "hourly_rate",
        "accepting_clients",
        "charter",
        "rating",
    }
    assert result["id"] == listed.pk
    assert result["hourly_rate"] == "30.00"
    assert result["charter"]["version"] == 1 and result["charter"]["verified_at"]
    assert result["rating"] == {"average": None, "count": 0}


def test_only_listed_brokers_are_found(api, charter):
    listed = listed_broker()
    unsigned = broker_with_profile()
    pending = broker_with_profile()
    sign(pending)
    incomplete = broker_with_profile(bio="")
    verify(sign(incomplete))
    no_area = broker_with_profile(areas=[])
    verify(sign(no_area))
    no_rate = broker_with_profile(hourly_rate=None)
    verify(sign(no_rate))
    assert ids(api().get("/api/v1/brokers")) == [listed.pk]
    for broker in (unsigned, pending, incomplete, no_area, no_rate):
        assert api().get(f"/api/v1/brokers/{broker.pk}").status_code == 404


def test_filters_area_specialism_language_accepting_and_rate(api, charter):
    canterbury = listed_broker(display_name="A", areas=["canterbury"], specialisms=["autism"], languages=["en", "pl"])
    kent = listed_broker(display_name="B", areas=["kent"], hourly_rate=Decimal("45.00"))
    medway = listed_broker(display_name="C", areas=["medway"], accepting_clients=False, languages=["ne"])
    assert ids(api().get("/api/v1/brokers?area=canterbury")) == [canterbury.pk, kent.pk]
    assert ids(api().get("/api/v1/brokers?area=kent")) == [canterbury.pk, kent.pk]
    assert ids(api().get("/api/v1/brokers?area=medway")) == [medway.pk]
    assert ids(api().get("/api/v1/brokers?area=dover")) == [kent.pk]
    assert ids(api().get("/api/v1/brokers?specialism=autism")) == [canterbury.pk]
    assert ids(api().get("/api/v1/brokers?language=pl")) == [canterbury.pk]
    assert ids(api().get("/api/v1/brokers?language=ne")) == [medway.pk]
    assert ids(api().get("/api/v1/brokers?accepting=true")) == [canterbury.pk, kent.pk]
    assert ids(api().get("/api/v1/brokers?max_rate=40")) == [canterbury.pk, medway.pk]
    assert ids(api().get("/api/v1/brokers?max_rate=45.00&area=kent")) == [canterbury.pk, kent.pk]


@pytest.mark.parametrize(
    "query", ["area=atlantis", "specialism=astrology", "max_rate=-1", "max_rate=lots", "language=english"]
)
def test_unknown_filter_values_are_bad_requests(api, listed, query):
    assert api().get(f"/api/v1/brokers?{query}").status_code == 400


def test_words_rank_by_relevance_then_rating(api, charter, client_user):
    name_match = listed_broker(display_name="Dana Walker", bio="Plans with people.")
    bio_match = listed_broker(display_name="Ellis Green", bio="I love organising walker groups and dual diagnosis.")
    specialism_match = listed_broker(display_name="Frankie Stone", specialisms=["dual_diagnosis"])
    listed_broker(display_name="Nobody", bio="Unrelated")
    assert ids(api().get("/api/v1/brokers?q=walker")) == [name_match.pk, bio_match.pk]
    found = ids(api().get("/api/v1/brokers?q=dual+diagnosis"))
    assert found == [specialism_match.pk, bio_match.pk]
    # equal relevance: the better rated broker comes first
    a = listed_broker(display_name="Alpha", bio="Art and gardening")
    b = listed_broker(display_name="Beta", bio="Art and gardening")
    feedback_give(engagement=engagement(client_user, b, "ended"), by=client_user, rating=5)
    feedback_give(engagement=engagement(client_user, a, "ended"), by=client_user, rating=3)
    assert ids(api().get("/api/v1/brokers?q=gardening")) == [b.pk, a.pk]


def test_rating_is_the_average_and_count_of_feedback(api, listed, charter):
    for rating in (5, 4, 4):
        client = UserFactory()
        feedback_give(engagement=engagement(client, listed, "ended"), by=client, rating=rating)
    assert api().get(f"/api/v1/brokers/{listed.pk}").json()["rating"] == {"average": 4.33, "count": 3}


def test_search_is_paginated_and_needs_a_fixed_number_of_queries(api, charter):
    for n in range(4):
        listed_broker(display_name=f"Broker {n}")
    with CaptureQueriesContext(connection) as queries:
        body = api().get("/api/v1/brokers?page_size=3").json()
    assert body["count"] == 4 and len(body["results"]) == 3 and body["next"]
    assert len(queries) <= 3


def test_suspension_removes_a_broker_from_search_at_once(api, admin_user, charter):
    broker = listed_broker()
    signature = broker.charter_signatures.get()
    assert ids(api().get("/api/v1/brokers")) == [broker.pk]
    api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "x"}, format="json")
    assert ids(api().get("/api/v1/brokers")) == []


def test_an_unlisted_broker_sees_their_own_page_and_admins_see_it_too(api, admin_user, client_user, charter):
    broker = broker_with_profile()
    assert api(broker).get(f"/api/v1/brokers/{broker.pk}").status_code == 200
    assert api(admin_user).get(f"/api/v1/brokers/{broker.pk}").status_code == 200
    assert api(client_user).get(f"/api/v1/brokers/{broker.pk}").status_code == 404
    assert api(broker_with_profile()).get(f"/api/v1/brokers/{broker.pk}").status_code == 404
    assert api().get(f"/api/v1/brokers/{client_user.pk}").status_code == 404
    assert api(admin_user).get(f"/api/v1/brokers/{client_user.pk}").status_code == 404


def test_me_tells_the_broker_what_is_missing(api, broker_user, admin_user, charter):
    body = api(broker_user).get("/api/v1/brokers/me").json()
    assert body["id"] == broker_user.pk
    assert body["listed"] is False
    assert body["missing"] == ["bio", "areas", "hourly_rate", "charter_signature"]
    assert body["interests"] == []
    response = api(broker_user).patch(
        "/api/v1/brokers/me",
        {"bio": "Hello", "areas": ["thanet"], "hourly_rate": "25.50", "languages": ["EN", "pl"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["missing"] == ["charter_signature"]
    assert response.json()["languages"] == ["en", "pl"]
    signature = sign(broker_user)
    assert api(broker_user).get("/api/v1/brokers/me").json()["missing"] == ["charter_verification"]
    api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/verify")
    body = api(broker_user).get("/api/v1/brokers/me/").json()
    assert (body["listed"], body["missing"]) == (True, [])
    assert body["charter"]["status"] == "verified"
    api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "x"}, format="json")
    body = api(broker_user).get("/api/v1/brokers/me").json()
    assert (body["listed"], body["missing"]) == (False, ["charter_suspended"])


@pytest.mark.parametrize(
    "payload",
    [
        {"hourly_rate": "-1.00"},
        {"hourly_rate": "100000"},
        {"areas": ["narnia"]},
        {"specialisms": ["wizardry"]},
        {"languages": ["english"]},
        {"interests": [{"organization": 999999, "nature": "owner"}]},
        {"interests": [{"organization": 1}]},
    ],
)
def test_bad_profile_input_is_refused(api, broker_user, payload):
    response = api(broker_user).patch("/api/v1/brokers/me", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {*payload, "detail"}


def test_interests_are_declared_and_replaced(api, broker_user):
    gym = Organization.objects.create(name="Gym", verified_at=timezone.now())
    art = Organization.objects.create(name="Art", verified_at=timezone.now())
    response = api(broker_user).patch(
        "/api/v1/brokers/me", {"interests": [{"organization": gym.pk, "nature": "My partner owns it"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert [(i["organization"], i["nature"]) for i in response.json()["interests"]] == [(gym.pk, "My partner owns it")]
    response = api(broker_user).patch(
        "/api/v1/brokers/me", {"interests": [{"organization": art.pk, "nature": "I teach there"}]}, format="json"
    )
    assert [i["organization"] for i in response.json()["interests"]] == [art.pk]
    from brokers.selectors import broker_interest_organization_ids

    assert broker_interest_organization_ids(broker_user) == {art.pk}


@pytest.mark.parametrize("role", ["client_user", "provider_user", "reviewer_user", "admin_user"])
def test_me_is_for_brokers_only(api, request, role):
    user = request.getfixturevalue(role)
    assert api(user).get("/api/v1/brokers/me").status_code == 403
    assert api(user).patch("/api/v1/brokers/me", {"bio": "x"}, format="json").status_code == 403


def test_me_needs_a_login_and_search_does_not(api, listed):
    assert api().get("/api/v1/brokers/me").status_code == 401
    assert api().get("/api/v1/brokers").status_code == 200
    assert api().get(f"/api/v1/brokers/{listed.pk}").status_code == 200
