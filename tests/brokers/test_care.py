"""Care in every step: the emails people wait for, a page that asks before anything that cannot be undone, the next
thing to do worked out from the broker's state, languages by name, and conversations that stay readable."""

import pytest
from django.core import mail
from django.template import engines
from django.test import Client, RequestFactory, override_settings

from brokers.models import BrokerProfile, Engagement, Message
from brokers.selectors import engagement_active_between
from brokers.services import engagement_request, engagement_transition, message_send
from brokers.templatetags.brokers_tags import pounds, tel_link
from charter.emails import CRISIS_LINES
from charter.models import Signature
from charter.services import concern_raise, concern_resolve, signature_suspend
from config.celery import app
from tests.brokers.factories import broker_with_profile, engagement, sign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SITE = "https://waymark.example.org"


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run what a service leaves for after commit (its emails) at once, through Celery's eager mode."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    yield run
    app.conf.task_always_eager = eager


def emails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The messages people wait for ---


@override_settings(SITE_URL=SITE)
def test_the_client_is_emailed_when_a_broker_accepts_never_with_the_messages(run_after_commit, client_user, listed):
    item = engagement_request(client=client_user, broker_id=listed.pk, message="My worries about money")
    mail.outbox.clear()
    run_after_commit(engagement_transition, engagement=item, by=listed, action="accept")
    [email] = emails_to(client_user)
    assert email.subject == "A support broker has accepted your request"
    assert "Jo Example has accepted your request" in email.body
    assert f"{SITE}/engagements/{item.pk}/" in email.body and "localhost" not in email.body
    assert CRISIS_LINES in email.body
    assert (
        "If you need help urgently, call NHS 111 and choose option 2 for mental health. In an emergency call 999. "
        "Samaritans are there day and night on 116 123." in " ".join(email.body.split())
    )
    assert "worries" not in email.body


@override_settings(SITE_URL=SITE)
def test_a_broker_is_emailed_when_their_signature_is_verified(run_after_commit, charter):
    from charter.services import signature_verify
    from tests.mfa import signed_in_with_mfa

    admin = UserFactory(role="admin", is_staff=True)
    complete, incomplete = broker_with_profile(), broker_with_profile(bio="")
    for broker in (complete, incomplete):
        with signed_in_with_mfa(admin):
            run_after_commit(signature_verify, signature=sign(broker), by=admin)
    [listed_email] = emails_to(complete)
    assert listed_email.subject == "You are now listed in the Waymark broker directory"
    assert f"{SITE}/brokers/me/" in listed_email.body and CRISIS_LINES in listed_email.body
    [unlisted_email] = emails_to(incomplete)
    assert unlisted_email.subject == "Your charter signature has been verified"
    assert (
        "People cannot find you yet" in unlisted_email.body
        and "Still to do: write something about you." in unlisted_email.body
    )


@override_settings(SITE_URL=SITE)
def test_whoever_raised_a_concern_is_told_when_it_is_resolved_without_its_words(run_after_commit, client_user, listed):
    admin = UserFactory(role="admin", is_staff=True)
    concern = concern_raise(broker_id=listed.pk, by=client_user, text="He pushed his cousin's gym")
    run_after_commit(concern_resolve, concern=concern, by=admin, resolution="Spoke to him about the gym")
    [email] = emails_to(client_user)
    assert "looked into" in email.subject and CRISIS_LINES in email.body and SITE in email.body
    assert "gym" not in email.body and listed.name not in email.body


def test_the_message_nudge_links_to_this_site_and_carries_every_crisis_line(run_after_commit, client_user, listed):
    from brokers.services import message_nudge_send

    item = engagement(client_user, listed, status="active")
    Message.objects.create(engagement=item, sender=client_user, body="A secret")
    with override_settings(SITE_URL=SITE):
        run_after_commit(message_nudge_send, engagement_id=item.pk, recipient_id=listed.pk)
    [email] = emails_to(listed)
    assert f"{SITE}/engagements/{item.pk}/" in email.body and CRISIS_LINES in email.body
    assert "secret" not in email.body and client_user.email not in email.body


# --- A page that asks before anything that cannot be undone; each works without JavaScript (plain forms) ---


@pytest.mark.parametrize(
    ("action", "actor", "state", "target", "question"),
    [
        ("accept", "broker", "requested", "active", "Accept the request from"),
        ("decline", "broker", "requested", "declined", "Decline the request from"),
        ("withdraw", "client", "requested", "withdrawn", "Withdraw your request to"),
        ("end", "client", "active", "ended", "End working together with"),
        ("end", "broker", "active", "ended", "End working together with"),
    ],
)
def test_each_answer_asks_first_then_does_it(client_user, listed, action, actor, state, target, question):
    item = engagement(client_user, listed, status=state)
    person = listed if actor == "broker" else client_user
    page = signed_in(person).get(f"/engagements/{item.pk}/{action}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert question in html and f'action="/engagements/{item.pk}/{action}/"' in html
    assert f'href="/engagements/{item.pk}/"' in html  # a way back
    assert Engagement.objects.get(pk=item.pk).status == state  # asking changes nothing
    response = signed_in(person).post(f"/engagements/{item.pk}/{action}/")
    assert response.status_code == 302 and response.url == f"/engagements/{item.pk}/"
    assert Engagement.objects.get(pk=item.pk).status == target


def test_ending_is_a_quiet_link_below_the_conversation_not_a_red_button_at_the_top(client_user, listed):
    item = engagement(client_user, listed, status="active")
    html = signed_in(client_user).get(f"/engagements/{item.pk}/").content.decode()
    assert "nhsuk-button--warning" not in html
    assert html.index(f'href="/engagements/{item.pk}/end/"') > html.index("Send message")


def test_asking_for_an_answer_that_is_no_longer_possible_goes_back_to_the_conversation(client_user, listed):
    item = engagement(client_user, listed, status="withdrawn")
    response = signed_in(listed).get(f"/engagements/{item.pk}/accept/", follow=True)
    assert response.redirect_chain[-1][0] == f"/engagements/{item.pk}/"
    assert "That is not possible any more" in response.content.decode()
    assert signed_in(listed).get(f"/engagements/{item.pk}/frobnicate/").status_code == 404
    assert signed_in(UserFactory()).get(f"/engagements/{item.pk}/accept/").status_code == 404


def test_the_request_list_links_to_the_confirmation_pages(client_user, listed):
    item = engagement(client_user, listed, status="requested")
    html = signed_in(listed).get("/engagements/").content.decode()
    assert f"/engagements/{item.pk}/accept/?from=list" in html and f"/engagements/{item.pk}/decline/?from=list" in html
    assert 'href="/engagements/"' in signed_in(listed).get(f"/engagements/{item.pk}/accept/?from=list").content.decode()


# --- The next thing to do, from the broker's state; onboarding as a task list ---


def broker_panel(user) -> str:
    request = RequestFactory().get("/dashboard/")
    request.user = user
    return engines["django"].from_string('{% include "brokers/_dashboard_broker.html" %}').render({}, request)


def test_a_new_broker_sees_the_task_list_and_is_told_to_complete_their_profile(charter):
    broker = UserFactory(role="broker")
    html = broker_panel(broker)
    assert "Getting listed in the directory" in html and "nhsuk-task-list" in html
    assert "Complete your profile" in html and "Incomplete" in html
    assert "Not started" in html and "Cannot start yet" in html
    assert html.index("What to do next") < html.index("Complete your profile")
    assert "Find activities" not in html


def test_a_broker_waiting_for_verification_is_told_so(charter):
    broker = broker_with_profile()
    sign(broker)
    html = broker_panel(broker)
    assert "Waiting for an administrator" in html and "We will email you" in html


def test_requests_waiting_come_before_everything_else(client_user, charter):
    broker = broker_with_profile(bio="")  # not listed, onboarding unfinished
    engagement(client_user, broker, status="requested")
    html = broker_panel(broker)
    assert html.index("Answer 1 request for help") < html.index("Getting listed")


def test_a_listed_broker_with_nothing_waiting_is_pointed_at_the_activities(listed):
    html = broker_panel(listed)
    assert "Find activities for people&#x27;s plans" in html and "nhsuk-task-list" not in html


def test_a_suspended_brokers_own_profile_says_suspended_and_why(admin_user, listed):
    signature = Signature.objects.get(broker=listed)
    signature_suspend(signature=signature, by=admin_user, reason="Took a commission from a provider")
    html = signed_in(listed).get("/brokers/me/").content.decode()
    assert "Your listing is suspended" in html and "Took a commission from a provider" in html
    assert "not listed yet" not in html
    assert "Your listing is suspended" in broker_panel(listed)


# --- Languages by name, stored as ISO 639-1 codes ---


def test_languages_are_ticked_by_name_and_stored_as_codes(api, broker_user):
    html = signed_in(broker_user).get("/brokers/me/").content.decode()
    assert 'name="languages" type="checkbox" value="pl"' in html and ">Polish</label>" in html
    assert ">Nepali</label>" in html and ">Slovak</label>" in html
    signed_in(broker_user).post(
        "/brokers/me/", {"display_name": "Sam", "languages": ["pl", "ne"], "areas": ["thanet"], "hourly_rate": "30"}
    )
    assert BrokerProfile.objects.get(pk=broker_user.pk).languages == ["pl", "ne"]
    assert api(broker_user).get("/api/v1/brokers/me").json()["languages"] == ["pl", "ne"]


def test_a_code_set_through_the_api_outside_the_list_stays_ticked_by_its_code(api, broker_user):
    api(broker_user).patch("/api/v1/brokers/me", {"languages": ["en", "sw"]}, format="json")
    html = signed_in(broker_user).get("/brokers/me/").content.decode()
    assert 'value="sw" checked' in html


# --- Words, numbers and dates as people read them ---


def test_money_dates_and_phone_numbers_as_people_read_them(client_user, listed):
    assert pounds("1250") == "£1,250.00" and pounds("30") == "£30.00"
    assert str(tel_link("116 123")) == '<a href="tel:116123">116 123</a>'
    item = engagement(client_user, listed, status="active")
    message_send(engagement=item, by=client_user, body="Hello")
    html = signed_in(client_user).get(f"/engagements/{item.pk}/").content.decode()
    sent = Message.objects.get().sent_at
    assert f"{sent.day} {sent:%B %Y}" in html
    assert 'href="tel:111"' in html and 'href="tel:999"' in html and 'href="tel:116123"' in html
    assert "£30.00 an hour" in Client().get(f"/brokers/{listed.pk}/").content.decode()


# --- The conversation stays readable to both parties after an engagement ends (issue 18) ---


def test_the_conversation_stays_readable_to_both_parties_after_the_engagement_ends(api, client_user, listed):
    item = engagement(client_user, listed, status="active")
    message_send(engagement=item, by=client_user, body="Thank you for everything")
    message_send(engagement=item, by=listed, body="Good luck")
    engagement_transition(engagement=item, by=client_user, action="end")
    for person in (client_user, listed):
        bodies = [m["body"] for m in api(person).get(f"/api/v1/engagements/{item.pk}/messages").json()["results"]]
        assert bodies == ["Thank you for everything", "Good luck"]
        html = signed_in(person).get(f"/engagements/{item.pk}/").content.decode()
        assert "Thank you for everything" in html and "This conversation is closed" in html


# --- The plans app's "ask for a change" is a message in the conversation with the plan's broker ---


def test_a_clients_request_for_a_change_becomes_a_message_to_their_broker(client_user, listed):
    engagement(client_user, listed, status="active")
    message = message_send(
        engagement=engagement_active_between(client_user, listed), by=client_user, body="Could we add swimming?"
    )
    assert message.engagement.broker == listed
    assert "Could we add swimming?" in signed_in(listed).get(f"/engagements/{message.engagement_id}/").content.decode()
