"""Hardened against bad input and abuse: malformed parameters are a 400 naming them, nothing reveals an account or an
unverified organisation, names stay on one line, and writes that email people are rate limited."""

import copy

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from brokers.models import BrokerProfile, Interest
from providers.models import Organization
from tests.brokers.factories import engagement, listed_broker

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Query parameters: a 400 naming the parameter, never a 500, never a quietly empty list ---


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=" + "x" * 201,
        "area=%C2%B2",
        "area=atlantis",
        "specialism=astrology",
        "language=zz",
        "language=english",
        "language=%00",
        "max_rate=abc",
        "max_rate=-1",
        "max_rate=NaN",
        "max_rate=1e400",
        "accepting=maybe",
    ],
)
def test_malformed_search_parameters_are_named_in_a_400(api, listed, query):
    response = api().get(f"/api/v1/brokers?{query}")
    assert response.status_code == 400, response.content
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("query", ["accepting=true", "accepting=false", "language=pl", "max_rate=30.5", "q=jo"])
def test_well_formed_search_parameters_still_answer(api, listed, query):
    assert api().get(f"/api/v1/brokers?{query}").status_code == 200


def test_a_valid_language_nobody_speaks_is_an_empty_list_not_an_error(api, listed):
    assert api().get("/api/v1/brokers?language=cy").json()["count"] == 0


@pytest.mark.parametrize("query", ["status=%00", "status=open", "status=%C2%B2"])
def test_a_malformed_engagement_status_is_named_in_a_400(api, client_user, listed, query):
    engagement(client_user, listed)
    response = api(client_user).get(f"/api/v1/engagements?{query}")
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_search_page_answers_malformed_parameters_with_its_error_summary(listed):
    for query in ("max_rate=abc", "language=zz", "q=%00"):
        response = Client().get(f"/brokers/?{query}")
        assert response.status_code == 200 and "There is a problem" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/engagements", "post"),
        ("/api/v1/brokers/me", "patch"),
        ("/api/v1/engagements/{id}/messages", "post"),
        ("/api/v1/engagements/{id}/feedback", "post"),
        ("/api/v1/engagements/{id}/end", "post"),
    ],
)
def test_deeply_nested_json_is_a_bad_request(api, client_user, listed, path, method):
    item = engagement(client_user, listed)
    client = api(listed if method == "patch" else client_user)
    client.raise_request_exception = False
    body = '{"body": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = getattr(client, method)(path.format(id=item.pk), body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]


# --- Interests: an unverified organisation is answered exactly as a missing one ---


def test_declaring_an_interest_in_an_unverified_organisation_answers_as_for_a_missing_one(api, broker_user):
    hidden = Organization.objects.create(name="Secret Gym Ltd")  # not verified
    answers = []
    for organization_id in (hidden.pk, 999999):
        response = api(broker_user).patch(
            "/api/v1/brokers/me", {"interests": [{"organization": organization_id, "nature": "Owner"}]}, format="json"
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and "Secret Gym" not in str(answers[0][1]) and str(hidden.pk) not in str(answers[0][1])
    assert not Interest.objects.exists()


def test_the_interests_form_lists_only_verified_organisations_and_ones_already_declared(broker_user):
    verified = Organization.objects.create(name="Open Art Space", verified_at=timezone.now())
    hidden = Organization.objects.create(name="Secret Gym Ltd")
    page = signed_in(broker_user).get("/brokers/me/interests/add/").content.decode()
    assert "Open Art Space" in page and "Secret Gym" not in page
    page = signed_in(broker_user).post("/brokers/me/interests/add/", {"organization": hidden.pk, "nature": "x"})
    assert "Choose an organisation from the list" in page.content.decode() and not Interest.objects.exists()
    # an organisation declared while verified stays declarable after losing its verification
    signed_in(broker_user).post("/brokers/me/interests/add/", {"organization": verified.pk, "nature": "I teach"})
    Organization.objects.filter(pk=verified.pk).update(verified_at=None)
    assert "Open Art Space" in signed_in(broker_user).get("/brokers/me/interests/add/").content.decode()


# --- A broker's name stays on one line (it goes into email headers); bios keep their line breaks ---


@pytest.mark.parametrize("name", ["Jo\r\nBcc: everyone@example.org", "Jo\nSmith", "Jo\tSmith", "Jo\x00"])
def test_control_characters_in_a_display_name_are_refused_with_a_clear_message(api, broker_user, name):
    response = api(broker_user).patch("/api/v1/brokers/me", {"display_name": name}, format="json")
    assert response.status_code == 400
    assert "display_name" in response.json()
    assert BrokerProfile.objects.get(pk=broker_user.pk).display_name == broker_user.name


def test_the_profile_page_refuses_a_name_with_a_line_break(broker_user):
    page = signed_in(broker_user).post("/brokers/me/", {"display_name": "Jo\r\nBcc: x@example.org"}).content.decode()
    assert "Your name must be on one line" in page


def test_a_bio_may_have_line_breaks(api, broker_user):
    response = api(broker_user).patch("/api/v1/brokers/me", {"bio": "First line.\r\nSecond line."}, format="json")
    assert response.status_code == 200
    assert BrokerProfile.objects.get(pk=broker_user.pk).bio == "First line.\r\nSecond line."


# --- Writes that email other people have the tighter limit ---


def email_scope_of(rate: str) -> dict:
    framework = copy.deepcopy(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"]["email"] = rate
    return framework


@pytest.mark.parametrize("write", ["engagement", "message", "concern"])
def test_the_email_scope_bites_on_the_third_write(api, client_user, charter, monkeypatch, write):
    framework = email_scope_of("2/hour")
    # DRF binds the rates to its throttle class when it is imported, so the new ones are handed to it too.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", framework["DEFAULT_THROTTLE_RATES"])
    brokers = [listed_broker(display_name=f"Broker {n}") for n in range(4)]
    item = engagement(client_user, brokers[0])
    with override_settings(REST_FRAMEWORK=framework):
        statuses = []
        for n in range(3):
            path, body = {
                "engagement": ("/api/v1/engagements", {"broker": brokers[n + 1].pk, "message": "Hello"}),
                "message": (f"/api/v1/engagements/{item.pk}/messages", {"body": f"Message {n}"}),
                "concern": ("/api/v1/charter/concerns", {"broker": brokers[0].pk, "text": f"Concern {n}"}),
            }[write]
            statuses.append(api(client_user).post(path, body, format="json"))
        assert [response.status_code for response in statuses] == [201, 201, 429]
        assert int(statuses[-1]["Retry-After"]) > 0
        # reading is not the tighter scope
        assert api(client_user).get("/api/v1/engagements").status_code == 200
