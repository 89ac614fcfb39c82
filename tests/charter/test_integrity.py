"""One gate for every change to the charter: services with one transition table, one audit trail, database history
under it, and an admin with no back door."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from audit.selectors import events_of, history_outside_services
from charter.models import Concern, ConcernStatus, Signature, SignatureStatus
from charter.permissions import concern_actions_for, signature_actions_for
from charter.services import concern_raise, concern_resolve, signature_suspend, signature_verify
from config.errors import InvalidTransition, ServiceError
from tests.brokers.factories import broker_with_profile, listed_broker, sign
from tests.factories import UserFactory
from tests.mfa import enrol_totp, page_login_with_mfa, signed_in_with_mfa

pytestmark = pytest.mark.django_db


def admin_page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Database history beneath the audit trail ---


@pytest.mark.django_db(transaction=True)  # the raw edit comes in its own transaction, as in a shell
def test_a_raw_sql_update_of_a_signature_leaves_history_that_names_no_service(charter):
    from charter.models import SignatureHistory  # type: ignore[attr-defined]

    signature = sign(broker_with_profile())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE charter_signature SET status = 'verified' WHERE id = %s", [signature.pk])
    outside = history_outside_services(SignatureHistory.objects.filter(pgh_obj_id=signature.pk))
    assert list(outside.values_list("pgh_label", "status")) == [("update", "verified")]


def test_a_service_change_leaves_history_that_names_the_service(admin_user, charter):
    from charter.models import SignatureHistory  # type: ignore[attr-defined]

    signature = sign(broker_with_profile())
    signature_suspend(signature=signature, by=admin_user, reason="Undeclared interest")
    rows = SignatureHistory.objects.filter(pgh_obj_id=signature.pk).select_related("pgh_context").order_by("pgh_id")
    assert [(row.pgh_label, row.status, row.pgh_context.metadata["service"]) for row in rows] == [
        ("insert", "pending", "signature_create"),
        ("update", "suspended", "signature_suspend"),
    ]
    assert rows.last().pgh_context.metadata["user"] == admin_user.pk
    assert not history_outside_services(SignatureHistory.objects.filter(pgh_obj_id=signature.pk)).exists()


# --- The transition table, for services and pages alike ---


def test_the_actions_offered_follow_the_transition_table(admin_user, charter):
    broker = broker_with_profile()
    signature = sign(broker)
    assert signature_actions_for(admin_user, signature) == ["verify", "suspend"]
    assert signature_actions_for(broker, signature) == []
    signature = signature_verify(signature=signature, by=admin_user)
    assert signature_actions_for(admin_user, signature) == ["suspend"]
    signature = signature_suspend(signature=signature, by=admin_user, reason="x")
    assert signature_actions_for(admin_user, signature) == ["verify"]
    # an admin never verifies their own signature, so the page never offers it
    broker.is_staff = True
    assert signature_actions_for(broker, signature) == []


def test_the_signature_page_shows_only_the_actions_allowed(admin_user, charter):
    signature = sign(broker_with_profile())
    page = admin_page(admin_user).get(f"/charter/review/{signature.pk}/").content.decode()
    assert "Verify signature" in page and "Suspend signature" in page
    signature_verify(signature=signature, by=admin_user)
    page = admin_page(admin_user).get(f"/charter/review/{signature.pk}/").content.decode()
    assert "Verify signature" not in page and "Suspend signature" in page
    assert "Verified by" in page  # the history is read from the one audit trail


def test_resolving_a_concern_goes_through_the_table_and_writes_one_event(client_user, admin_user, listed):
    concern = concern_raise(broker_id=listed.pk, by=client_user, text="They pushed their own gym")
    assert concern_actions_for(admin_user, concern) == ["resolve"]
    assert concern_actions_for(client_user, concern) == []
    with pytest.raises(ServiceError) as refused:
        concern_resolve(concern=concern, by=admin_user, resolution="  ")
    assert "resolution" in refused.value.extra
    concern = concern_resolve(concern=concern, by=admin_user, resolution="Spoke to the broker")
    with pytest.raises(InvalidTransition):
        concern_resolve(concern=concern, by=admin_user, resolution="Again")
    assert concern_actions_for(admin_user, concern) == []
    events = events_of("concern", concern.pk).values_list("action", "by", "person", "from_state", "to_state", "reason")
    assert list(events) == [
        ("concern_raised", client_user.pk, listed.pk, "", "open", ""),
        ("concern_resolved", admin_user.pk, listed.pk, "open", "resolved", "Spoke to the broker"),
    ]


def test_the_concern_page_offers_resolving_only_while_open(client_user, admin_user, listed):
    concern = concern_raise(broker_id=listed.pk, by=client_user, text="Something happened")
    assert "Mark as resolved" in admin_page(admin_user).get(f"/charter/concerns/{concern.pk}/").content.decode()
    concern_resolve(concern=concern, by=admin_user, resolution="Done")
    page = admin_page(admin_user).get(f"/charter/concerns/{concern.pk}/").content.decode()
    assert "Mark as resolved" not in page and "Concern resolved" in page


# --- The admin has no back door ---


@pytest.mark.parametrize("model", ["signature", "concern", "charterversion", "principle"])
def test_charter_records_are_read_only_in_the_admin(admin_user, client_user, listed, model):
    signature = listed.charter_signatures.get()
    concern = concern_raise(broker_id=listed.pk, by=client_user, text="Original words")
    record = {
        "signature": signature,
        "concern": concern,
        "charterversion": signature.charter,
        "principle": signature.charter.principles.first(),
    }[model]
    client = admin_page(admin_user)
    change = reverse(f"admin:charter_{model}_change", args=[record.pk])
    assert client.get(change).status_code == 200  # readable
    posted = {"status": "suspended", "text": "Rewritten", "title": "Rewritten", "version": "99", "key": "rewritten"}
    assert client.post(change, posted).status_code == 403
    assert client.get(reverse(f"admin:charter_{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:charter_{model}_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert Signature.objects.get(pk=signature.pk).status == SignatureStatus.VERIFIED
    assert Concern.objects.get(pk=concern.pk).text == "Original words"
    assert signature.charter.principles.count() > 0 and type(record).objects.filter(pk=record.pk).exists()


def admin_verify(client, signature):
    return client.post(
        reverse("admin:charter_signature_changelist"),
        {"action": "verify", "_selected_action": [signature.pk], "index": 0},
        follow=True,
    )


@override_settings(MFA_REQUIRED_FOR_DECISIONS=True)
def test_the_admin_action_calls_the_service_and_reports_its_refusal(admin_user, charter):
    signature = sign(broker_with_profile())
    response = admin_verify(admin_page(admin_user), signature)  # signed in with a password alone
    assert "authenticator" in response.content.decode()
    assert Signature.objects.get(pk=signature.pk).status == SignatureStatus.PENDING
    assert not events_of("signature", signature.pk).filter(action="verified").exists()


@override_settings(MFA_REQUIRED_FOR_DECISIONS=True)
def test_the_admin_action_verifies_with_the_second_factor_and_the_event_says_admin(admin_user, charter):
    signature = sign(broker_with_profile())
    client = Client()
    page_login_with_mfa(client, admin_user, enrol_totp(admin_user))
    response = admin_verify(client, signature)
    assert "1 signature verified." in response.content.decode()
    event = events_of("signature", signature.pk).get(action="verified")
    assert (event.by, event.via, event.from_state, event.to_state) == (admin_user, "admin", "pending", "verified")


def test_the_admin_action_reports_a_signature_it_cannot_verify(admin_user, charter):
    broker = broker_with_profile()
    signature = sign(broker)
    with signed_in_with_mfa(admin_user):
        signature_verify(signature=signature, by=admin_user)
    response = admin_verify(admin_page(admin_user), signature)
    assert "cannot become verified" in response.content.decode()


# --- Enumeration: a concern answers the same for every broker the person may not name ---


def test_the_concern_api_answers_identically_for_anyone_the_person_may_not_name(api, client_user, charter):
    """A missing account, a client and an unlisted broker the person never worked with: ids do not map to roles."""
    answers = []
    for target in (999999, UserFactory().pk, broker_with_profile().pk):
        response = api(client_user).post("/api/v1/charter/concerns", {"broker": target, "text": "x"}, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 400 and answers[0][1]["broker"] == ["Choose a support broker from the list."]
    for malformed in ("²", 10**30, -3, None):
        response = api(client_user).post("/api/v1/charter/concerns", {"broker": malformed, "text": "x"}, format="json")
        assert response.status_code == 400 and "broker" in response.json()
    assert not Concern.objects.exists()


def test_a_client_may_name_a_broker_they_worked_with_even_once_unlisted(api, client_user, charter):
    from tests.brokers.factories import engagement

    broker = broker_with_profile()  # never listed
    engagement(client_user, broker, status="declined")
    response = api(client_user).post("/api/v1/charter/concerns", {"broker": broker.pk, "text": "x"}, format="json")
    assert response.status_code == 201
    other = api(UserFactory()).post("/api/v1/charter/concerns", {"broker": broker.pk, "text": "x"}, format="json")
    assert other.status_code == 400 and other.json()["broker"] == ["Choose a support broker from the list."]


def test_the_concern_form_lists_listed_brokers_and_the_persons_own_by_display_name(client_user, charter):
    from tests.brokers.factories import engagement

    listed = listed_broker(display_name="Lee Listed")
    worked_with = broker_with_profile(display_name="Wren Worked")
    engagement(client_user, worked_with, status="ended")
    stranger = broker_with_profile(display_name="Sol Stranger")
    page = admin_page(client_user).get("/charter/concern/").content.decode()
    assert f'value="{listed.pk}"' in page and "Lee Listed" in page
    assert f'value="{worked_with.pk}"' in page and "Wren Worked" in page
    assert f'value="{stranger.pk}"' not in page and "Sol Stranger" not in page
    assert stranger.email.split("@")[0] not in page and listed.email.split("@")[0] not in page
    page = admin_page(client_user).post("/charter/concern/", {"broker": stranger.pk, "text": "x"}).content.decode()
    assert "Choose a support broker from the list." in page and not Concern.objects.exists()


def test_the_signature_and_concern_filters_refuse_malformed_values(api, admin_user, charter):
    for query in ("status=%00", "status=nonsense", "broker=%C2%B2", "broker=-1", "broker=1.5"):
        name = query.split("=")[0]
        response = api(admin_user).get(f"/api/v1/charter/signatures?{query}")
        assert response.status_code == 400 and name in response.json(), (query, response.content)
    for query in ("broker=%C2%B2", "status=%00"):
        response = api(admin_user).get(f"/api/v1/charter/concerns?{query}")
        assert response.status_code == 400 and query.split("=")[0] in response.json()
    assert api(admin_user).get("/api/v1/charter/concerns?status=open").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/charter/concerns", "/api/v1/charter/signatures"])
def test_deeply_nested_json_is_a_bad_request(api, broker_user, charter, path):
    body = '{"broker": ' + "[" * 50_000 + "]" * 50_000 + ', "text": "x"}'
    client = api(broker_user)
    client.raise_request_exception = False
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert ConcernStatus.OPEN and not Concern.objects.exists()
