import datetime

import pytest

from audit.selectors import events_of
from brokers.selectors import broker_is_listed
from charter.models import Signature, SignatureStatus
from charter.services import charter_version_publish
from tests.brokers.factories import broker_with_profile, listed_broker, sign, verify

pytestmark = pytest.mark.django_db


def attest_all(charter):
    return {principle.key: True for principle in charter.principles.all()}


def test_the_current_charter_is_public_with_every_principle(api, charter):
    response = api().get("/api/v1/charter")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == charter.version
    assert body["published_on"] == charter.published_on.isoformat()
    keys = {principle["key"] for principle in body["principles"]}
    assert {"independence", "no_undisclosed_interest", "confidentiality", "safeguarding", "complaints"} <= keys
    assert all(principle["title"] and principle["text"] for principle in body["principles"])
    assert api().get("/api/v1/charter/").status_code == 200


def test_a_broker_signs_by_attesting_every_principle(api, broker_user, charter):
    response = api(broker_user).post(
        "/api/v1/charter/signatures", {"version": charter.version, "attestations": attest_all(charter)}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["broker"] == broker_user.pk
    assert body["version"] == charter.version
    assert body["status"] == "pending"
    assert body["signed_at"]
    event = events_of("signature", body["id"]).get()
    assert (event.action, event.by, event.person, event.to_state) == ("signed", broker_user, broker_user, "pending")
    assert (event.via, event.data["charter_version"]) == ("api", charter.version)


def test_signing_with_a_principle_unattested_is_refused(api, broker_user, charter):
    attestations = attest_all(charter)
    attestations["safeguarding"] = False
    response = api(broker_user).post(
        "/api/v1/charter/signatures", {"version": charter.version, "attestations": attestations}, format="json"
    )
    assert response.status_code == 400
    assert "safeguarding" in str(response.json()["attestations"])
    del attestations["safeguarding"]
    response = api(broker_user).post(
        "/api/v1/charter/signatures", {"version": charter.version, "attestations": attestations}, format="json"
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_signing_an_old_version_is_refused(api, broker_user, charter):
    old_attestations = attest_all(charter)
    charter_version_publish(
        version=2, title="New", principles=[{"key": "independence", "title": "I", "text": "T"}], by=None
    )
    response = api(broker_user).post(
        "/api/v1/charter/signatures", {"version": charter.version, "attestations": old_attestations}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_signing_twice_is_a_conflict(api, broker_user, charter):
    payload = {"version": charter.version, "attestations": attest_all(charter)}
    assert api(broker_user).post("/api/v1/charter/signatures", payload, format="json").status_code == 201
    response = api(broker_user).post("/api/v1/charter/signatures", payload, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_signed"


@pytest.mark.parametrize("role", ["client_user", "provider_user", "reviewer_user", "admin_user"])
def test_only_brokers_sign(api, request, role, charter):
    user = request.getfixturevalue(role)
    payload = {"version": charter.version, "attestations": attest_all(charter)}
    assert api(user).post("/api/v1/charter/signatures", payload, format="json").status_code == 403


def test_anonymous_cannot_sign_or_list(api, charter):
    assert api().post("/api/v1/charter/signatures", {}, format="json").status_code == 401
    assert api().get("/api/v1/charter/signatures").status_code == 401


def test_signature_lists_admin_all_broker_own_others_forbidden(
    api, broker_user, admin_user, client_user, provider_user, reviewer_user, charter
):
    mine = sign(broker_user)
    other_broker = broker_with_profile()
    theirs = sign(other_broker)
    admin_ids = [s["id"] for s in api(admin_user).get("/api/v1/charter/signatures").json()["results"]]
    assert admin_ids == [mine.pk, theirs.pk]
    filtered = api(admin_user).get(f"/api/v1/charter/signatures?broker={other_broker.pk}").json()["results"]
    assert [s["id"] for s in filtered] == [theirs.pk]
    assert [s["id"] for s in api(broker_user).get("/api/v1/charter/signatures").json()["results"]] == [mine.pk]
    for user in (client_user, provider_user, reviewer_user):
        assert api(user).get("/api/v1/charter/signatures").status_code == 403


def test_admin_verifies_then_suspends_with_a_reason_and_every_change_is_audited(api, admin_user, charter):
    broker = broker_with_profile()
    signature = sign(broker)
    assert not broker_is_listed(broker)
    response = api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/verify")
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert broker_is_listed(broker)
    assert api().get(f"/api/v1/brokers/{broker.pk}").status_code == 200

    assert (
        api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {}, format="json").status_code == 400
    )
    response = api(admin_user).post(
        f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "Took a commission"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert not broker_is_listed(broker)
    assert api().get(f"/api/v1/brokers/{broker.pk}").status_code == 404
    assert broker.pk not in [b["id"] for b in api().get("/api/v1/brokers").json()["results"]]
    events = list(events_of("signature", signature.pk).values_list("action", "by", "from_state", "to_state", "reason"))
    assert events == [
        ("signed", broker.pk, "", "pending", ""),
        ("verified", admin_user.pk, "pending", "verified", ""),
        ("suspended", admin_user.pk, "verified", "suspended", "Took a commission"),
    ]


def test_refused_transitions_are_conflicts(api, admin_user, charter):
    signature = verify(sign(broker_with_profile()))
    assert api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/verify").status_code == 409
    api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "x"}, format="json")
    response = api(admin_user).post(
        f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "y"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    # reinstating a suspended signature is an explicit verify
    assert api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/verify").json()["status"] == "verified"


def test_a_pending_signature_can_be_suspended(api, admin_user, charter):
    signature = sign(broker_with_profile())
    response = api(admin_user).post(
        f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "Fake"}, format="json"
    )
    assert response.json()["status"] == "suspended"


def test_a_broker_cannot_verify_themself_and_others_cannot_see_it(
    api, broker_user, client_user, provider_user, reviewer_user, charter
):
    signature = sign(broker_user)
    assert api(broker_user).post(f"/api/v1/charter/signatures/{signature.pk}/verify").status_code == 403
    assert (
        api(broker_user)
        .post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    other_broker = broker_with_profile()
    for user in (other_broker, client_user, provider_user, reviewer_user):
        assert api(user).post(f"/api/v1/charter/signatures/{signature.pk}/verify").status_code == 404
        assert (
            api(user)
            .post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "x"}, format="json")
            .status_code
            == 404
        )
    assert api().post(f"/api/v1/charter/signatures/{signature.pk}/verify").status_code == 401
    assert Signature.objects.get(pk=signature.pk).status == SignatureStatus.PENDING


def test_an_admin_who_is_also_the_signer_cannot_verify_themself(charter):
    from charter.services import signature_verify
    from config.api import NotAllowed

    broker = broker_with_profile()
    signature = sign(broker)
    broker.is_staff = True
    broker.save()
    with pytest.raises(NotAllowed):
        signature_verify(signature=signature, by=broker)


def test_publishing_a_new_version_delists_everyone_until_they_sign_again(api, charter):
    broker = broker_with_profile()
    verify(sign(broker))
    assert broker_is_listed(broker)
    charter_version_publish(
        version=2,
        title="Version 2",
        principles=[{"key": "independence", "title": "Independent", "text": "Text"}],
        by=None,
    )
    assert not broker_is_listed(broker)
    assert api().get("/api/v1/charter").json()["version"] == 2
    verify(sign(broker))
    assert broker_is_listed(broker)


def test_a_version_published_for_a_future_date_is_not_current_yet(api, charter):
    charter_version_publish(
        version=2,
        title="Version 2",
        principles=[{"key": "independence", "title": "Independent", "text": "Text"}],
        published_on=datetime.date.today() + datetime.timedelta(days=30),
        by=None,
    )
    assert api().get("/api/v1/charter").json()["version"] == charter.version


@pytest.mark.parametrize("role", ["client_user", "broker_user", "provider_user", "reviewer_user", "admin_user"])
def test_any_signed_in_person_raises_a_concern(api, request, role, charter):
    user = request.getfixturevalue(role)
    broker = listed_broker()
    response = api(user).post("/api/v1/charter/concerns", {"broker": broker.pk, "text": "Pushed a gym"}, format="json")
    assert response.status_code == 201
    assert response.json()["broker"] == broker.pk
    assert response.json()["status"] == "open"
    event = events_of("concern", response.json()["id"]).get()
    assert (event.action, event.by, event.person, event.to_state) == ("concern_raised", user, broker, "open")


def test_concerns_need_a_broker_and_text_and_a_login(api, client_user, charter):
    broker = broker_with_profile()
    assert api().post("/api/v1/charter/concerns", {"broker": broker.pk, "text": "x"}, format="json").status_code == 401
    assert (
        api(client_user).post("/api/v1/charter/concerns", {"broker": broker.pk, "text": ""}, format="json").status_code
        == 400
    )
    assert (
        api(client_user).post("/api/v1/charter/concerns", {"broker": 999999, "text": "x"}, format="json").status_code
        == 400
    )
    not_a_broker = api(client_user).post(
        "/api/v1/charter/concerns", {"broker": client_user.pk, "text": "x"}, format="json"
    )
    assert not_a_broker.status_code == 400


def test_admins_see_every_concern_others_only_their_own(api, client_user, admin_user, charter):
    broker = listed_broker()
    api(client_user).post("/api/v1/charter/concerns", {"broker": broker.pk, "text": "one"}, format="json")
    other = broker_with_profile()
    api(other).post("/api/v1/charter/concerns", {"broker": broker.pk, "text": "two"}, format="json")
    assert api(admin_user).get("/api/v1/charter/concerns").json()["count"] == 2
    assert [c["text"] for c in api(client_user).get("/api/v1/charter/concerns").json()["results"]] == ["one"]
