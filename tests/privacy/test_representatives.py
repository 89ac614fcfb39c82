"""People who act for a client (issue 21): invited by the client within a scope, or recorded by KMPT as a legal
authority; each signs in as themself and every act is recorded as theirs, on behalf of the client."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from accounts.models import Representative
from audit.models import Event
from plans.models import Plan
from tests.factories import UserFactory
from tests.plans.helpers import share

pytestmark = pytest.mark.django_db


def invite(api, client, carer, scope, relationship="carer"):
    body = {"email": carer.email, "name": carer.name, "relationship": relationship, "scope": scope}
    response = api(client).post("/api/v1/representatives", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "invited"
    return response.json()["id"]


def helper(api, client, scope, relationship="carer"):
    carer = UserFactory(name="Sam Taylor")
    rep_id = invite(api, client, carer, scope, relationship)
    accepted = api(carer).post(f"/api/v1/representatives/{rep_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    return carer, rep_id


def test_the_invitation_is_emailed_and_accepted_only_by_that_address(api, client_user, sent):
    carer = UserFactory()
    with sent() as emails:
        rep_id = invite(api, client_user, carer, ["view"])
    message = emails[-1]
    assert message.to == [carer.email] and "116 123" in message.body
    assert re.search(rf"/representatives/{rep_id}/invitation/\?token=", message.body)
    stranger = UserFactory()
    refused = api(stranger).post(f"/api/v1/representatives/{rep_id}/accept")
    assert refused.status_code == 404  # not theirs to see
    assert api(carer).post(f"/api/v1/representatives/{rep_id}/accept").json()["status"] == "active"


def test_an_unverified_address_cannot_accept(api, client_user):
    carer = UserFactory(verified_email=False)
    rep_id = invite(api, client_user, carer, ["view"])
    refused = api(carer).post(f"/api/v1/representatives/{rep_id}/accept")
    assert refused.status_code == 403 and refused.json()["code"] == "wrong_email"


@pytest.mark.parametrize("scope", [["view"], ["view", "message"], ["view", "agree"]])
def test_each_scope_is_allowed_and_refused_as_chosen(api, plan, client_user, scope):
    carer, _ = helper(api, client_user, scope)
    assert api(carer).get(f"/api/v1/plans/{plan.pk}").status_code == 200
    assert api(carer).get("/api/v1/budgets").json()["count"] == 1
    digest = share(plan).shared_digest
    agreed = api(carer).post(f"/api/v1/plans/{plan.pk}/agree", {"digest": digest}, format="json")
    assert agreed.status_code == (200 if "agree" in scope else 403)
    if "agree" in scope:
        event = Event.objects.filter(record_type="plan", record_id=plan.pk, action="agreed").get()
        assert (event.by, event.on_behalf_of) == (carer, client_user)
        events = api(client_user).get(f"/api/v1/plans/{plan.pk}/events").json()["results"]
        agreed_event = next(item for item in events if item["action"] == "agreed")
        assert agreed_event["by"]["id"] == carer.pk and agreed_event["on_behalf_of"] == client_user.pk


def test_a_helper_without_view_sees_nothing(api, plan, client_user):
    carer, _ = helper(api, client_user, ["message"])
    assert api(carer).get(f"/api/v1/plans/{plan.pk}").status_code == 404
    assert api(carer).get("/api/v1/budgets").json()["count"] == 0


def test_revocation_takes_effect_on_the_next_request(api, plan, client_user):
    carer, rep_id = helper(api, client_user, ["view"])
    assert api(carer).get(f"/api/v1/plans/{plan.pk}").status_code == 200
    revoked = api(client_user).post(f"/api/v1/representatives/{rep_id}/revoke", {}, format="json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert api(carer).get(f"/api/v1/plans/{plan.pk}").status_code == 404
    assert api(carer).get("/api/v1/budgets").json()["count"] == 0


def test_a_representative_of_one_client_sees_nothing_of_another(api, plan, client_user, reviewer_user):
    from tests.plans.factories import LineFactory, PlanFactory

    carer, _ = helper(api, client_user, ["view", "message", "agree"])
    other = PlanFactory(budget__recorded_by=reviewer_user)
    LineFactory(plan=other)
    assert api(carer).get(f"/api/v1/plans/{other.pk}").status_code == 404
    assert {item["id"] for item in api(carer).get("/api/v1/plans").json()["results"]} == {plan.pk}
    assert api(carer).post(f"/api/v1/plans/{other.pk}/agree", {"digest": "x"}, format="json").status_code == 404


def test_kmpt_records_a_legal_authority_with_every_scope(api, plan, client_user, reviewer_user):
    attorney = UserFactory(name="Pat Jones")
    body = {
        "client": client_user.pk, "email": attorney.email, "name": "Pat Jones", "relationship": "attorney",
        "reference": "LPA-7000-1234", "valid_from": "2026-01-01",
    }  # fmt: skip
    response = api(reviewer_user).post("/api/v1/representatives", body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["scope"]) == ["agree", "message", "view"]
    assert api(attorney).post(f"/api/v1/representatives/{response.json()['id']}/accept").status_code == 200
    digest = share(plan).shared_digest
    assert api(attorney).post(f"/api/v1/plans/{plan.pk}/agree", {"digest": digest}, format="json").status_code == 200
    assert api(attorney).post(f"/api/v1/plans/{plan.pk}/submit").status_code == 202


def test_a_legal_authority_needs_its_reference_and_only_kmpt_records_one(api, client_user, reviewer_user):
    body = {"client": client_user.pk, "email": "x@example.org", "relationship": "deputy", "valid_from": "2026-01-01"}
    refused = api(reviewer_user).post("/api/v1/representatives", body, format="json")
    assert refused.status_code == 400 and "reference" in refused.json()
    by_client = api(client_user).post(
        "/api/v1/representatives",
        {
            "email": "x@example.org",
            "relationship": "attorney",
            "scope": ["view"],
            "reference": "A",
            "valid_from": "2026-01-01",
        },
        format="json",
    )
    assert by_client.status_code == 400 and "relationship" in by_client.json()


@pytest.mark.parametrize("role", ["broker", "provider", "admin"])
def test_other_roles_cannot_appoint_representatives(api, role):
    person = UserFactory(role=role, is_staff=role == "admin")
    body = {"email": "x@example.org", "relationship": "carer", "scope": ["view"]}
    assert api(person).post("/api/v1/representatives", body, format="json").status_code == 403


def test_the_list_shows_a_clients_own_a_persons_held_and_all_to_reviewers(api, client_user, reviewer_user):
    carer, rep_id = helper(api, client_user, ["view"])
    for person in (client_user, carer, reviewer_user):
        assert rep_id in {item["id"] for item in api(person).get("/api/v1/representatives").json()["results"]}
    assert api(UserFactory()).get("/api/v1/representatives").json()["count"] == 0
    assert api().get("/api/v1/representatives").status_code == 401


def test_the_representative_reads_the_clients_plan_page_labelled_as_theirs(api, plan, client_user):
    carer, _ = helper(api, client_user, ["view", "agree"])
    share(plan)
    page = Client()
    page.force_login(carer)
    html = page.get(f"/plans/{plan.pk}/").content.decode()
    assert "acting-for" in html and escape(client_user.name) in html and "I agree with this plan" in html
    digest = Plan.objects.get(pk=plan.pk).shared_digest
    assert page.post(f"/plans/{plan.pk}/agree/", {"digest": digest}).status_code == 302
    assert Plan.objects.get(pk=plan.pk).client_agreed_at is not None
    home = page.get("/people-i-help/").content.decode()
    assert escape(client_user.name) in home and f"/plans/{plan.pk}/" in home


def test_the_pdf_names_both_people_when_a_representative_agreed(api, plan, client_user):
    import io

    from pypdf import PdfReader

    from plans import services

    carer, _ = helper(api, client_user, ["view", "agree"])
    digest = share(plan).shared_digest
    api(carer).post(f"/api/v1/plans/{plan.pk}/agree", {"digest": digest}, format="json")
    services.plan_submit(plan=plan, by=carer)
    pdf = api(client_user).get(f"/api/v1/plans/{plan.pk}/pdf").content
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"Agreed by {carer.name}, carer, for {client_user.name}" in text


def test_the_clients_page_invites_and_revokes_with_a_confirmation(client_user):
    page = Client()
    page.force_login(client_user)
    response = page.post(
        "/account/people-who-help-me/",
        {"name": "Sam Taylor", "email": "sam@example.org", "relationship": "carer", "scope": ["view", "message"]},
    )
    assert response.status_code == 302
    rep = Representative.objects.get(client=client_user)
    assert "Sam Taylor" in page.get("/account/people-who-help-me/").content.decode()
    assert "Stop Sam Taylor" in page.get(f"/account/representatives/{rep.pk}/revoke/").content.decode()
    page.post(f"/account/representatives/{rep.pk}/revoke/")
    rep.refresh_from_db()
    assert rep.status == "revoked"


def test_the_invite_form_says_what_is_missing(client_user):
    page = Client()
    page.force_login(client_user)
    html = page.post("/account/people-who-help-me/", {"name": "", "email": "not-an-email"}).content.decode()
    for message in (
        "Enter their name",
        "Enter an email address like",
        "Choose how they help you",
        "Choose at least one",
    ):
        assert message in html
    assert "<title>Error:" in html


def test_a_representative_reads_and_writes_the_conversation_within_their_scope(api, plan, client_user, broker_user):
    from brokers.models import Engagement, Message

    engagement = Engagement.objects.get(client=client_user, broker=broker_user)
    reader, _ = helper(api, client_user, ["view"])
    assert api(reader).get(f"/api/v1/engagements/{engagement.pk}").status_code == 200
    assert api(reader).get(f"/api/v1/engagements/{engagement.pk}/messages").status_code == 200
    refused = api(reader).post(f"/api/v1/engagements/{engagement.pk}/messages", {"body": "Hi"}, format="json")
    assert refused.status_code == 403
    writer = UserFactory(name="Lee Carer")
    rep_id = invite(api, client_user, writer, ["view", "message"])
    api(writer).post(f"/api/v1/representatives/{rep_id}/accept")
    sent = api(writer).post(f"/api/v1/engagements/{engagement.pk}/messages", {"body": "Hello from Lee"}, format="json")
    sender = sent.json()["sender"]
    assert sent.status_code == 201 and (sender["id"] if isinstance(sender, dict) else sender) == writer.pk
    assert Message.objects.get(body="Hello from Lee").sender == writer
    event = Event.objects.filter(record_type="engagement", record_id=engagement.pk, action="message_sent").last()
    assert (event.by, event.on_behalf_of) == (writer, client_user)
    assert AccessLogRows(client_user, "engagement")


def AccessLogRows(person, record):
    from audit.models import AccessLog

    return AccessLog.objects.filter(person=person, record=record).exists()


def test_a_representative_of_nobody_sees_no_engagement(api, plan, client_user, broker_user):
    from brokers.models import Engagement

    engagement = Engagement.objects.get(client=client_user, broker=broker_user)
    assert api(UserFactory()).get(f"/api/v1/engagements/{engagement.pk}").status_code == 404


# --- Every act shown as the person's who did it, for the client ----------------------------------------------------


def _labelled_messages(html):
    """(who, what) for each message of the conversation page, in order."""
    found = re.findall(
        r'<p class="nhsuk-body-s"><strong>(.*?)</strong>, [^<]*</p>\s*<p class="nhsuk-card__description">(.*?)</p>',
        html,
    )
    return [(who, what) for who, what in found]


def _page(user):
    page = Client()
    page.force_login(user)
    return page


def test_the_conversation_names_who_wrote_each_message(api, plan, client_user, broker_user):
    from brokers.models import Engagement
    from brokers.services import party_name

    engagement = Engagement.objects.get(client=client_user, broker=broker_user)
    carer, _ = helper(api, client_user, ["view", "message"])
    url = f"/api/v1/engagements/{engagement.pk}/messages"
    for person, body in ((client_user, "From the client"), (carer, "From the carer"), (broker_user, "From the broker")):
        assert api(person).post(url, {"body": body}, format="json").status_code == 201
    broker_name = escape(party_name(type(broker_user).objects.get(pk=broker_user.pk)))  # the name they show
    client_name = escape(client_user.name)
    carer_for = f"{escape(carer.name)} (carer, for {client_name})"
    seen_by = {
        broker_user: [client_name, carer_for, "You"],
        carer: [client_name, f"You (for {client_name})", broker_name],
        client_user: ["You", f"{escape(carer.name)} (carer, for you)", broker_name],
    }
    for viewer, expected in seen_by.items():
        html = _page(viewer).get(f"/engagements/{engagement.pk}/").content.decode()
        labels = _labelled_messages(html)
        assert [what for _, what in labels] == ["From the client", "From the carer", "From the broker"]
        assert [who for who, _ in labels] == expected, viewer
    sent = api(broker_user).get(url).json()["results"]
    assert [(item["sender"], item["on_behalf_of"]) for item in sent] == [
        (client_user.pk, None),
        (carer.pk, client_user.pk),
        (broker_user.pk, None),
    ]
    assert sent[1]["sender_name"] == carer.name


def test_a_representatives_engagement_reads_are_logged_as_for_the_client(api, plan, client_user, broker_user):
    from audit.models import AccessLog
    from brokers.models import Engagement

    engagement = Engagement.objects.get(client=client_user, broker=broker_user)
    reader, _ = helper(api, client_user, ["view"])
    assert api(reader).get(f"/api/v1/engagements/{engagement.pk}").status_code == 200
    assert _page(reader).get(f"/engagements/{engagement.pk}/").status_code == 200
    assert api(broker_user).get(f"/api/v1/engagements/{engagement.pk}").status_code == 200
    rows = AccessLog.objects.filter(record="engagement", record_id=engagement.pk)
    assert sorted(rows.values_list("who_id", "person_id", "on_behalf_of_id")) == sorted(
        [
            (reader.pk, client_user.pk, client_user.pk),
            (reader.pk, client_user.pk, client_user.pk),
            (broker_user.pk, client_user.pk, None),
        ]
    )


def _told(plan, kind, person):
    from plans.models import Notification

    return Notification.objects.filter(plan=plan, kind=kind, recipient=person).values_list("text", flat=True).get()


def test_the_client_and_broker_are_told_who_agreed_submitted_and_withdrew_for_the_client(
    api, plan, client_user, broker_user, sent
):
    from plans import services

    carer, _ = helper(api, client_user, ["view", "agree"])
    carer_words, client_name = f"{carer.name} (carer)", client_user.name
    digest = share(plan).shared_digest
    with sent() as emails:
        services.plan_agree(plan=Plan.objects.get(pk=plan.pk), by=carer, digest=digest)
    assert _told(plan, "agreed", client_user).startswith(f"{carer_words} agreed to your plan for you.")
    assert _told(plan, "agreed", broker_user).startswith(f"{carer_words} agreed for {client_name}.")
    assert {message.to[0] for message in emails} == {client_user.email, broker_user.email}
    assert all(client_name not in message.subject + message.body for message in emails)
    services.plan_submit(plan=Plan.objects.get(pk=plan.pk), by=carer)
    assert _told(plan, "plan_submitted", client_user).startswith(f"{carer_words} sent your plan to KMPT for you.")
    assert _told(plan, "plan_submitted", broker_user).startswith(f"{carer_words} sent the plan for {client_name}")
    services.plan_withdraw(plan=Plan.objects.get(pk=plan.pk), by=carer)
    assert _told(plan, "withdrawn", client_user).startswith(f"{carer_words} withdrew your plan for you.")
    assert _told(plan, "withdrawn", broker_user).startswith(f"{carer_words} withdrew the plan for {client_name}.")


def test_the_pages_say_who_agreed_and_for_whom(api, plan, client_user, broker_user, reviewer_user):
    from plans import services

    carer, _ = helper(api, client_user, ["view", "agree"])
    digest = share(plan).shared_digest
    services.plan_agree(plan=Plan.objects.get(pk=plan.pk), by=carer, digest=digest)
    own = _page(client_user).get(f"/plans/{plan.pk}/").content.decode()
    assert "You agreed" not in own
    assert f"{escape(carer.name)}, carer, agreed to this plan for you" in own
    theirs = _page(carer).get(f"/plans/{plan.pk}/").content.decode()
    assert f"You agreed to this plan for {escape(client_user.name)}" in theirs
    builder = _page(broker_user).get(f"/plans/{plan.pk}/").content.decode()
    assert f"Agreed by {escape(carer.name)}, carer, for {escape(client_user.name)} on" in builder
    services.plan_submit(plan=Plan.objects.get(pk=plan.pk), by=carer)
    services.submission_process(plan_id=plan.pk, version=Plan.objects.get(pk=plan.pk).version)
    review = _page(reviewer_user).get(f"/reviews/{plan.pk}/").content.decode()
    assert f"Agreed by {escape(carer.name)}, carer, for {escape(client_user.name)}" in review
