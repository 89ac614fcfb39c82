"""One gate for every change in the brokers app: services with one transition table, one audit trail, database
history under it, an admin with no back door, and reviewers' access as data the plans app sets."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.selectors import events_of, history_outside_services
from brokers.models import BrokerProfile, Engagement, EngagementStatus, Feedback, Interest, Message, ReviewerAccess
from brokers.permissions import actions_for
from brokers.services import (
    broker_interests_set,
    broker_profile_update,
    engagement_transition,
    engagements_share_with_reviewers,
    feedback_give,
    message_nudge_send,
    message_send,
)
from config.errors import NotAllowed
from providers.models import Organization
from tests.brokers.factories import broker_with_profile, engagement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Database history beneath the audit trail ---


@pytest.mark.django_db(transaction=True)  # the raw edit comes in its own transaction, as in a shell
def test_a_raw_sql_update_of_an_engagement_leaves_history_that_names_no_service(charter):
    from brokers.models import EngagementHistory  # type: ignore[attr-defined]

    item = engagement(UserFactory(), broker_with_profile(), status="active")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE brokers_engagement SET status = 'ended' WHERE id = %s", [item.pk])
    outside = history_outside_services(EngagementHistory.objects.filter(pgh_obj_id=item.pk, pgh_label="update"))
    assert list(outside.values_list("status", flat=True)) == ["ended"]


def test_a_service_change_leaves_history_that_names_the_service(client_user, listed):
    from brokers.models import EngagementHistory  # type: ignore[attr-defined]

    item = engagement(client_user, listed, status="requested")
    engagement_transition(engagement=item, by=listed, action="accept")
    row = EngagementHistory.objects.filter(pgh_obj_id=item.pk, pgh_label="update").select_related("pgh_context").get()
    assert (row.status, row.pgh_context.metadata["service"]) == ("active", "engagement_transition")
    assert row.pgh_context.metadata["user"] == listed.pk


def test_the_nudge_bookkeeping_is_no_part_of_the_engagements_history(client_user, listed):
    from brokers.models import EngagementHistory  # type: ignore[attr-defined]

    item = engagement(client_user, listed, status="active")
    Message.objects.create(engagement=item, sender=client_user, body="hello")
    before = EngagementHistory.objects.filter(pgh_obj_id=item.pk).count()
    assert message_nudge_send(engagement_id=item.pk, recipient_id=listed.pk) is True
    assert EngagementHistory.objects.filter(pgh_obj_id=item.pk).count() == before
    assert events_of("engagement", item.pk).filter(action="nudge_sent").count() == 1


# --- Every write records an event, never free text ---


def test_a_profile_edit_records_which_fields_changed_and_never_what_they_say(broker_user):
    profile = BrokerProfile.objects.get(pk=broker_user.pk)
    broker_profile_update(profile=profile, by=broker_user, bio="My private story", areas=["thanet"])
    broker_profile_update(profile=profile, by=broker_user, bio="My private story")  # nothing changed
    events = list(events_of("broker_profile", broker_user.pk).filter(action="profile_updated"))
    assert [(event.by, event.person, event.data) for event in events] == [
        (broker_user, broker_user, {"fields": ["bio", "areas"]})
    ]
    assert "private story" not in str(events_of("broker_profile", broker_user.pk).values())


def test_declaring_interests_records_the_organisations_not_the_words(broker_user):
    gym = Organization.objects.create(name="Gym", verified_at=timezone.now())
    profile = BrokerProfile.objects.get(pk=broker_user.pk)
    broker_interests_set(profile=profile, by=broker_user, interests=[{"organization": gym.pk, "nature": "My wife"}])
    broker_interests_set(profile=profile, by=broker_user, interests=[])
    changes = [
        e.data["organizations"] for e in events_of("broker_profile", broker_user.pk).filter(action="interests_declared")
    ]
    assert changes == [
        {"declared": [gym.pk], "changed": [], "removed": []},
        {"declared": [], "changed": [], "removed": [gym.pk]},
    ]
    assert "wife" not in str(events_of("broker_profile", broker_user.pk).values())


def test_messages_and_feedback_are_recorded_without_their_words(client_user, listed):
    item = engagement(client_user, listed, status="active")
    message = message_send(engagement=item, by=client_user, body="Something only my broker should read")
    feedback_give(engagement=item, by=client_user, rating=4, text="Private words about my broker")
    events = {event.action: event for event in events_of("engagement", item.pk)}
    assert events["message_sent"].data == {"broker": listed.pk, "message": message.pk}
    assert events["feedback_given"].data == {"broker": listed.pk, "rating": 4}
    assert "only my broker" not in str(events_of("engagement", item.pk).values())
    assert "Private words" not in str(events_of("engagement", item.pk).values())


# --- One transition table, for the services and for the pages ---


@pytest.mark.parametrize(
    ("state", "client_actions", "broker_actions"),
    [
        ("requested", ["withdraw", "message"], ["accept", "decline", "message"]),
        ("active", ["end", "message", "feedback"], ["end", "message"]),
        ("ended", ["feedback"], []),
        ("declined", [], []),
        ("withdrawn", [], []),
    ],
)
def test_what_each_party_may_do_now(client_user, listed, state, client_actions, broker_actions):
    item = engagement(client_user, listed, status=state)
    assert actions_for(client_user, item) == client_actions
    assert actions_for(listed, item) == broker_actions
    assert actions_for(UserFactory(role="reviewer"), item) == []


def test_once_feedback_is_given_it_is_no_longer_offered(client_user, listed):
    item = engagement(client_user, listed, status="ended")
    feedback_give(engagement=item, by=client_user, rating=5)
    assert actions_for(client_user, Engagement.objects.select_related("feedback").get(pk=item.pk)) == []


def test_the_conversation_page_offers_exactly_the_allowed_actions(client_user, listed):
    item = engagement(client_user, listed, status="requested")
    page = signed_in(listed).get(f"/engagements/{item.pk}/").content.decode()
    assert f"/engagements/{item.pk}/accept/" in page and f"/engagements/{item.pk}/decline/" in page
    assert f"/engagements/{item.pk}/end/" not in page and f"/engagements/{item.pk}/withdraw/" not in page
    Engagement.objects.filter(pk=item.pk).update(status=EngagementStatus.ACTIVE)
    page = signed_in(listed).get(f"/engagements/{item.pk}/").content.decode()
    assert f"/engagements/{item.pk}/accept/" not in page and f"/engagements/{item.pk}/end/" in page


# --- The admin has no back door ---


@pytest.mark.parametrize("model", ["brokerprofile", "interest", "engagement", "feedback"])
def test_brokers_records_are_read_only_in_the_admin(admin_user, client_user, listed, model):
    organization = Organization.objects.create(name="Gym", verified_at=timezone.now())
    profile = BrokerProfile.objects.get(pk=listed.pk)
    broker_interests_set(profile=profile, by=listed, interests=[{"organization": organization.pk, "nature": "Owner"}])
    item = engagement(client_user, listed, status="active")
    feedback = feedback_give(engagement=item, by=client_user, rating=5, text="Kind")
    record = {"brokerprofile": profile, "interest": Interest.objects.get(), "engagement": item, "feedback": feedback}[
        model
    ]
    client = signed_in(admin_user)
    change = reverse(f"admin:brokers_{model}_change", args=[record.pk])
    assert client.get(change).status_code == 200
    posted = {"status": "ended", "rating": "1", "nature": "None", "bio": "Rewritten", "hourly_rate": "1"}
    assert client.post(change, posted).status_code == 403
    assert client.get(reverse(f"admin:brokers_{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:brokers_{model}_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert Engagement.objects.get(pk=item.pk).status == "active"
    assert Feedback.objects.get(pk=feedback.pk).rating == 5
    assert Interest.objects.get().nature == "Owner"
    assert BrokerProfile.objects.get(pk=listed.pk).bio == profile.bio


def test_the_engagement_admin_shows_its_history_from_the_audit_trail(admin_user, client_user, listed):
    item = engagement(client_user, listed, status="requested")
    engagement_transition(engagement=item, by=listed, action="accept")
    page = signed_in(admin_user).get(reverse("admin:brokers_engagement_change", args=[item.pk])).content.decode()
    assert "accepted by" in page and "(requested to active)" in page


# --- Reviewers read engagements of clients who shared them: data in brokers, set by a brokers service ---


def test_reviewers_see_a_clients_engagements_once_shared_and_never_the_conversation(api, client_user, listed):
    item = engagement(client_user, listed, status="active")
    message_send(engagement=item, by=client_user, body="Private")
    reviewer = UserFactory(role="reviewer")
    assert api(reviewer).get("/api/v1/engagements").json()["count"] == 0
    assert api(reviewer).get(f"/api/v1/engagements/{item.pk}").status_code == 404
    engagements_share_with_reviewers(client=client_user, by=listed)
    engagements_share_with_reviewers(client=client_user, by=None)  # again: nothing more changes
    assert ReviewerAccess.objects.count() == 1
    assert events_of("reviewer_access", client_user.pk).count() == 1
    assert [e["id"] for e in api(reviewer).get("/api/v1/engagements").json()["results"]] == [item.pk]
    assert api(reviewer).get(f"/api/v1/engagements/{item.pk}").status_code == 200
    assert api(reviewer).get(f"/api/v1/engagements/{item.pk}/messages").status_code == 403
    other = engagement(UserFactory(), listed, status="active")
    assert api(reviewer).get(f"/api/v1/engagements/{other.pk}").status_code == 404


def test_only_the_client_their_broker_or_kmpt_may_share(client_user, listed):
    with pytest.raises(NotAllowed):
        engagements_share_with_reviewers(client=client_user, by=UserFactory(role="broker"))
    assert not ReviewerAccess.objects.exists()
    engagements_share_with_reviewers(client=client_user, by=client_user)
    assert ReviewerAccess.objects.filter(client=client_user).exists()


def test_the_migration_grants_access_for_clients_whose_plan_was_already_submitted(charter):
    from tests.plans.factories import PlanFactory

    migration = importlib.import_module("brokers.migrations.0005_fill_reviewer_access_listing_and_rating")
    PlanFactory()  # a draft: never sent to KMPT
    migration.grant_reviewer_access(global_apps, None)
    assert not ReviewerAccess.objects.exists()
    submitted = PlanFactory(status="submitted", first_submitted_at=timezone.now(), submitted_at=timezone.now())
    migration.grant_reviewer_access(global_apps, None)
    migration.grant_reviewer_access(global_apps, None)
    assert list(ReviewerAccess.objects.values_list("client_id", flat=True)) == [submitted.client_id]
