"""The API's tighter limits hold on the pages that do the same things (issue 16): emailing people and rendering
documents. Before, only the API answered 429, so the same abuse went through the pages."""

import pytest
from django.test import Client

from accounts.models import DataExport
from providers.models import StaleReport
from tests.factories import UserFactory
from tests.providers.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"person": None, "address": None, "email": "2/hour", "render": "2/hour"},
    }


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_reporting_a_listing_on_its_page_is_limited_as_email_with_a_page_that_says_when(limits):
    listing = ListingFactory()
    page = signed_in(UserFactory())
    url = f"/listings/{listing.pk}/report/"
    answers = [
        page.post(url, {"note": "closed"}, HTTP_REFERER=f"http://testserver/listings/{listing.pk}/") for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 3600
    text = refused.content.decode()
    assert "Try again in" in text and "Nothing was sent or changed" in text and "/help-now/" in text
    assert f'href="http://testserver/listings/{listing.pk}/"' in text
    assert StaleReport.objects.filter(listing=listing).count() == 2


def test_the_page_and_the_api_share_one_allowance(limits, api):
    listing = ListingFactory()
    person = UserFactory()
    assert api(person).post(f"/api/v1/listings/{listing.pk}/report-stale", {}, format="json").status_code == 201
    page = signed_in(person)
    assert page.post(f"/listings/{listing.pk}/report/").status_code == 302
    assert page.post(f"/listings/{listing.pk}/report/").status_code == 429
    assert api(person).post(f"/api/v1/listings/{listing.pk}/report-stale", {}, format="json").status_code == 429


def test_a_link_from_elsewhere_is_not_offered_as_the_way_back(limits):
    listing = ListingFactory()
    page = signed_in(UserFactory())
    for _ in range(2):
        page.post(f"/listings/{listing.pk}/report/")
    refused = page.post(f"/listings/{listing.pk}/report/", HTTP_REFERER="https://evil.example/")
    assert refused.status_code == 429 and "evil.example" not in refused.content.decode()


def test_downloading_my_data_is_limited_as_rendering_but_reading_the_page_is_not(limits, client_user):
    page = signed_in(client_user)
    assert all(page.get("/account/my-data/").status_code == 200 for _ in range(4))
    downloads = [page.get("/account/my-data/", {"format": "json"}).status_code for _ in range(3)]
    assert downloads == [200, 200, 429]
    assert DataExport.objects.filter(person=client_user).count() == 1  # a link followed again reuses the new copy


def test_the_plan_pdf_page_is_limited_as_rendering(limits, client_user, broker_user):
    from tests.plans.factories import LineFactory, PlanFactory

    plan = PlanFactory(budget__client=client_user, broker=broker_user)
    LineFactory(plan=plan)
    page = signed_in(client_user)
    assert [page.get(f"/plans/{plan.pk}/pdf/").status_code for _ in range(3)] == [200, 200, 429]


def test_sending_messages_on_the_conversation_page_is_limited_as_email(limits, client_user, broker_user):
    from brokers.models import Message
    from tests.plans.factories import EngagementFactory

    engagement = EngagementFactory(client=client_user, broker=broker_user)
    page = signed_in(client_user)
    url = f"/engagements/{engagement.pk}/"
    answers = [page.post(url, {"body": f"Hello {n}"}).status_code for n in range(3)]
    assert answers[:2] != [429, 429] and answers[2] == 429
    assert Message.objects.filter(engagement=engagement).count() == 2
    assert page.get(url).status_code == 200  # reading the conversation is not limited
