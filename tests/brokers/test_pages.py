import pytest
from django.test import Client
from django.utils import timezone

from brokers.models import BrokerProfile, Engagement, Feedback, Interest, Message
from charter.models import Concern, Signature
from providers.models import Organization
from tests.brokers.factories import broker_with_profile, engagement, listed_broker, sign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_search_page_filters_paginates_and_has_an_empty_state(charter):
    for n in range(12):
        listed_broker(display_name=f"Broker {n:02}", areas=["medway"] if n == 0 else ["kent"])
    page = browser().get("/brokers/").content.decode()
    assert "12 brokers found" in page and "Broker 00" in page and "Page 1 of 2" in page
    assert "Broker 11" in browser().get("/brokers/?page=2").content.decode()
    page = browser().get("/brokers/?area=medway&q=").content.decode()
    assert "1 broker found" in page and 'value="medway" selected' in page
    page = browser().get("/brokers/?specialism=carers").content.decode()
    assert "No brokers match your search" in page and "Clear all filters" in page
    assert "There is a problem" in browser().get("/brokers/?max_rate=-3").content.decode()


def test_broker_page_shows_charter_status_rating_and_the_ask_button(client_user, listed):
    page = browser(client_user).get(f"/brokers/{listed.pk}/").content.decode()
    assert "Verified by Waymark" in page and "No ratings yet" in page
    assert f"/brokers/{listed.pk}/ask/" in page and f"/charter/concern/?broker={listed.pk}" in page
    assert browser().get(f"/brokers/{broker_with_profile().pk}/").status_code == 404


def test_profile_editor_saves_and_says_what_is_missing(broker_user, charter):
    response = browser(broker_user).get("/brokers/me/")
    assert "Sign the Quality Charter" in response.content.decode()
    response = browser(broker_user).post(
        "/brokers/me/",
        {"display_name": "Sam", "bio": "Hi", "areas": ["thanet"], "languages": ["en", "pl"], "hourly_rate": "30"},
    )
    assert response.status_code == 302
    profile = BrokerProfile.objects.get(pk=broker_user.pk)
    assert (profile.areas, profile.languages, profile.accepting_clients) == (["thanet"], ["en", "pl"], False)
    page = browser(broker_user).post("/brokers/me/", {"display_name": "Sam", "hourly_rate": "-5"}).content.decode()
    assert "There is a problem" in page and "£0.00 or more" in page
    page = browser(broker_user).post("/brokers/me/", {"languages": ["english"]}).content.decode()
    assert "There is a problem" in page and BrokerProfile.objects.get(pk=broker_user.pk).languages == ["en", "pl"]


def test_a_broker_can_tick_several_areas_and_specialisms(broker_user, charter):
    BrokerProfile.objects.filter(pk=broker_user.pk).update(areas=["kent", "canterbury"], specialisms=["mental_health"])
    page = browser(broker_user).get("/brokers/me/").content.decode()
    assert 'name="areas" type="checkbox" value="kent" checked' in page
    assert 'name="areas" type="checkbox" value="canterbury" checked' in page
    assert 'name="specialisms" type="checkbox"' in page and 'name="areas" type="radio"' not in page


def test_interests_are_declared_and_removed_on_pages(broker_user):
    organization = Organization.objects.create(name="Canterbury Art Space", verified_at=timezone.now())
    response = browser(broker_user).post(
        "/brokers/me/interests/add/", {"organization": organization.pk, "nature": "I teach there"}
    )
    assert response.status_code == 302
    assert "Canterbury Art Space" in browser(broker_user).get("/brokers/me/").content.decode()
    browser(broker_user).post(f"/brokers/me/interests/{organization.pk}/remove/")
    assert not Interest.objects.exists()


def test_signing_page_needs_every_box_ticked(broker_user, charter):
    keys = [principle.key for principle in charter.principles.all()]
    page = browser(broker_user).post("/charter/sign/", dict.fromkeys(keys[1:], "on")).content.decode()
    assert "There is a problem" in page and not Signature.objects.exists()
    assert browser(broker_user).post("/charter/sign/", dict.fromkeys(keys, "on")).status_code == 302
    assert Signature.objects.get().status == "pending"
    assert browser(broker_user).get("/charter/sign/").status_code == 302  # already signed


@pytest.mark.parametrize("role", ["client_user", "provider_user", "reviewer_user"])
def test_only_brokers_reach_the_broker_pages(request, role, charter):
    user = request.getfixturevalue(role)
    assert browser(user).get("/charter/sign/").status_code == 403
    assert browser(user).get("/brokers/me/").status_code == 403
    assert browser(user).get("/charter/review/").status_code == 403
    assert browser(user).get("/charter/concerns/").status_code == 403
    assert browser().get("/brokers/me/").status_code == 302


def test_admin_pages_verify_and_suspend_with_a_reason(admin_user, charter):
    broker = broker_with_profile(display_name="Pat Pending")
    signature = sign(broker)
    assert broker.email in browser(admin_user).get("/charter/review/").content.decode()
    browser(admin_user).post(f"/charter/review/{signature.pk}/verify/")
    assert Signature.objects.get().status == "verified"
    page = browser(admin_user).post(f"/charter/review/{signature.pk}/", {"reason": ""}).content.decode()
    assert "Give a reason for suspending" in page
    browser(admin_user).post(f"/charter/review/{signature.pk}/", {"reason": "Undeclared interest"})
    assert Signature.objects.get().suspension_reason == "Undeclared interest"
    assert browser().get(f"/brokers/{broker.pk}/").status_code == 404


def test_a_concern_is_raised_and_resolved_on_pages(client_user, admin_user, listed):
    response = browser(client_user).post("/charter/concern/", {"broker": listed.pk, "text": "Pushed his own gym"})
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert "Pushed his own gym" in browser(admin_user).get(f"/charter/concerns/{concern.pk}/").content.decode()
    browser(admin_user).post(f"/charter/concerns/{concern.pk}/", {"resolution": "Spoke to the broker"})
    assert Concern.objects.get().status == "resolved"


def test_client_asks_broker_accepts_they_talk_and_the_client_gives_feedback(client_user, listed):
    response = browser(client_user).post(f"/brokers/{listed.pk}/ask/", {"message": "Can you help <me>?"})
    item = Engagement.objects.get()
    assert response.url == f"/engagements/{item.pk}/"
    inbox = browser(listed).get("/engagements/").content.decode()
    assert "Requests waiting for your answer" in inbox and "Accept" in inbox
    conversation = browser(listed).get(f"/engagements/{item.pk}/").content.decode()
    assert "Can you help &lt;me&gt;?" in conversation and "111" in conversation
    browser(listed).post(f"/engagements/{item.pk}/accept/")
    assert Engagement.objects.get().status == "active"
    browser(listed).post(f"/engagements/{item.pk}/", {"body": "Yes, happy to."})
    assert Message.objects.filter(sender=listed).exists()
    assert Message.objects.get(sender=client_user).read_at is not None  # the broker opened the conversation
    page = browser(client_user).get(f"/engagements/{item.pk}/").content.decode()
    assert "Yes, happy to." in page and "Give feedback" in page
    assert "There is a problem" in browser(client_user).post(f"/engagements/{item.pk}/feedback/", {}).content.decode()
    browser(client_user).post(f"/engagements/{item.pk}/feedback/", {"rating": "5", "text": "Great"})
    assert Feedback.objects.get().rating == 5
    assert "5.0 out of 5" in browser().get(f"/brokers/{listed.pk}/").content.decode()


def test_ended_conversations_are_readable_but_closed(client_user, listed):
    item = engagement(client_user, listed, status="active")
    browser(client_user).post(f"/engagements/{item.pk}/end/")
    assert Engagement.objects.get().status == "ended"
    page = browser(listed).get(f"/engagements/{item.pk}/").content.decode()
    assert "This conversation is closed" in page
    browser(listed).post(f"/engagements/{item.pk}/", {"body": "late"})
    assert not Message.objects.exists()


def test_strangers_get_404_and_wrong_party_actions_are_refused(client_user, listed):
    item = engagement(client_user, listed, status="requested")
    assert browser(UserFactory()).get(f"/engagements/{item.pk}/").status_code == 404
    assert browser(listed_broker()).post(f"/engagements/{item.pk}/accept/").status_code == 404
    browser(client_user).post(f"/engagements/{item.pk}/accept/")
    assert Engagement.objects.get().status == "requested"
    assert browser(listed).get(f"/engagements/{item.pk}/feedback/").status_code == 403


def test_dashboard_partials_render_for_both_sides(client_user, listed):
    from django.template import engines
    from django.test import RequestFactory

    engagement(client_user, listed, status="active")
    Message.objects.create(engagement=Engagement.objects.get(), sender=listed, body="hi")
    django_engine = engines["django"]
    request = RequestFactory().get("/dashboard/")
    request.user = client_user
    html = django_engine.from_string('{% include "brokers/_dashboard_client.html" %}').render({}, request)
    assert "1 unread message" in html and "Find a broker" in html
    request.user = listed
    html = django_engine.from_string('{% include "brokers/_dashboard_broker.html" %}').render({}, request)
    assert "Listed" in html and "1 current client" in html
