import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.selectors import events_of
from brokers.models import Engagement, Message
from tests.brokers.factories import broker_with_profile, engagement, listed_broker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = ("accept", "decline", "withdraw", "end")


def ask(api, client, broker, message="Hello, can you help me?"):
    return api(client).post("/api/v1/engagements", {"broker": broker.pk, "message": message}, format="json")


def test_a_client_asks_a_listed_broker_for_help(api, client_user, listed):
    response = ask(api, client_user, listed)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["client"], body["broker"], body["status"]) == (client_user.pk, listed.pk, "requested")
    assert [m["body"] for m in api(listed).get(f"/api/v1/engagements/{body['id']}/messages").json()["results"]] == [
        "Hello, can you help me?"
    ]
    event = events_of("engagement", body["id"]).get(action="requested")
    assert (event.by, event.person, event.from_state, event.to_state) == (client_user, client_user, "", "requested")
    assert event.data["broker"] == listed.pk


def test_the_message_is_optional(api, client_user, listed):
    response = api(client_user).post("/api/v1/engagements", {"broker": listed.pk}, format="json")
    assert response.status_code == 201
    assert not Message.objects.exists()


def test_unlisted_unknown_or_non_brokers_are_not_found(api, client_user, charter):
    for someone in (broker_with_profile(), UserFactory()):
        response = ask(api, client_user, someone)
        assert response.status_code == 404
    assert api(client_user).post("/api/v1/engagements", {"broker": 999999}, format="json").status_code == 404
    assert api(client_user).post("/api/v1/engagements", {}, format="json").status_code == 400


def test_a_broker_not_accepting_clients_cannot_be_asked(api, client_user, charter):
    response = ask(api, client_user, listed_broker(accepting_clients=False))
    assert response.status_code == 409
    assert response.json()["code"] == "not_accepting"


def test_one_open_engagement_per_client_and_broker(api, client_user, listed):
    first = ask(api, client_user, listed).json()
    response = ask(api, client_user, listed)
    assert response.status_code == 409
    assert response.json()["code"] == "already_open"
    api(listed).post(f"/api/v1/engagements/{first['id']}/accept")
    assert ask(api, client_user, listed).json()["code"] == "already_open"
    api(client_user).post(f"/api/v1/engagements/{first['id']}/end")
    assert ask(api, client_user, listed).status_code == 201


@pytest.mark.parametrize("role", ["broker_user", "provider_user", "reviewer_user", "admin_user"])
def test_only_clients_ask(api, request, role, listed):
    assert ask(api, request.getfixturevalue(role), listed).status_code == 403


def test_anonymous_gets_401_everywhere(api, client_user, listed):
    engagement_id = engagement(client_user, listed).pk
    assert api().get("/api/v1/engagements").status_code == 401
    assert api().post("/api/v1/engagements", {"broker": listed.pk}, format="json").status_code == 401
    assert api().get(f"/api/v1/engagements/{engagement_id}").status_code == 401
    for action in ACTIONS:
        assert api().post(f"/api/v1/engagements/{engagement_id}/{action}").status_code == 401
    assert api().get(f"/api/v1/engagements/{engagement_id}/messages").status_code == 401
    assert api().post(f"/api/v1/engagements/{engagement_id}/feedback", {"rating": 5}, format="json").status_code == 401


# (action, who, from state) -> expected target; every other combination is refused
ALLOWED = {
    ("accept", "broker", "requested"): "active",
    ("decline", "broker", "requested"): "declined",
    ("withdraw", "client", "requested"): "withdrawn",
    ("end", "client", "active"): "ended",
    ("end", "broker", "active"): "ended",
}
STATES = ["requested", "active", "declined", "withdrawn", "ended"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("party", ["client", "broker"])
@pytest.mark.parametrize("state", STATES)
def test_every_transition_allowed_or_refused(api, client_user, listed, action, party, state):
    item = engagement(client_user, listed, status=state)
    actor = client_user if party == "client" else listed
    response = api(actor).post(f"/api/v1/engagements/{item.pk}/{action}")
    expected = ALLOWED.get((action, party, state))
    rule_party = {"accept": "broker", "decline": "broker", "withdraw": "client", "end": party}[action]
    if expected:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == expected
        event = events_of("engagement", item.pk).get()
        assert (event.by, event.person, event.from_state, event.to_state) == (actor, client_user, state, expected)
        assert event.action == {"active": "accepted"}.get(expected, expected)
    elif party != rule_party:
        assert response.status_code == 403
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
    if not expected:
        assert Engagement.objects.get(pk=item.pk).status == state


def test_someone_outside_the_engagement_is_told_who_may_end_it(client_user, reviewer_user, listed):
    from brokers.services import engagement_transition
    from config.api import NotAllowed

    item = engagement(client_user, listed, status="active")
    with pytest.raises(NotAllowed, match=r"^Only the client or the broker can end this engagement\.$"):
        engagement_transition(engagement=item, by=reviewer_user, action="end")


@pytest.mark.parametrize("role", ["client_user", "provider_user", "reviewer_user", "admin_user"])
def test_strangers_get_404_on_someone_elses_engagement(api, request, role, listed):
    item = engagement(UserFactory(), listed, status="requested")
    user = request.getfixturevalue(role)
    assert api(user).get(f"/api/v1/engagements/{item.pk}").status_code == 404
    for action in ACTIONS:
        assert api(user).post(f"/api/v1/engagements/{item.pk}/{action}").status_code == 404
    assert api(user).get(f"/api/v1/engagements/{item.pk}/messages").status_code == 404
    assert api(user).post(f"/api/v1/engagements/{item.pk}/messages", {"body": "hi"}, format="json").status_code == 404
    assert api(user).post(f"/api/v1/engagements/{item.pk}/messages/read").status_code == 404
    assert api(user).post(f"/api/v1/engagements/{item.pk}/feedback", {"rating": 5}, format="json").status_code == 404
    assert item.pk not in [e["id"] for e in api(user).get("/api/v1/engagements").json()["results"]]
    other_broker = listed_broker()
    assert api(other_broker).get(f"/api/v1/engagements/{item.pk}").status_code == 404


def test_a_suspended_broker_cannot_accept(api, admin_user, client_user, listed):
    item = engagement(client_user, listed, status="requested")
    signature = listed.charter_signatures.get()
    api(admin_user).post(f"/api/v1/charter/signatures/{signature.pk}/suspend", {"reason": "x"}, format="json")
    response = api(listed).post(f"/api/v1/engagements/{item.pk}/accept")
    assert response.status_code == 409
    assert response.json()["code"] == "not_listed"


def test_lists_show_each_party_their_engagements_with_unread_counts(api, client_user, listed):
    mine = ask(api, client_user, listed).json()
    engagement(UserFactory(), listed_broker(), status="active")
    client_view = api(client_user).get("/api/v1/engagements").json()["results"]
    assert [(e["id"], e["unread_count"]) for e in client_view] == [(mine["id"], 0)]
    broker_view = api(listed).get("/api/v1/engagements?status=requested").json()["results"]
    assert [(e["id"], e["unread_count"]) for e in broker_view] == [(mine["id"], 1)]
    assert api(listed).get("/api/v1/engagements?status=active").json()["count"] == 0


def test_messages_flow_both_ways_in_order_and_are_marked_read(api, client_user, listed):
    item = engagement(client_user, listed, status="active")
    url = f"/api/v1/engagements/{item.pk}/messages"
    first = api(client_user).post(url, {"body": "<b>Hi</b> there"}, format="json")
    assert first.status_code == 201
    assert set(first.json()) >= {"id", "sender", "body", "sent_at", "read_at"}
    assert first.json()["sender"] == client_user.pk and first.json()["read_at"] is None
    api(listed).post(url, {"body": "Hello!"}, format="json")
    conversation = api(listed).get(url).json()["results"]
    assert [m["body"] for m in conversation] == ["<b>Hi</b> there", "Hello!"]
    assert api(listed).get(f"/api/v1/engagements/{item.pk}").json()["unread_count"] == 1
    response = api(listed).post(f"{url}/read")
    assert response.status_code == 200 and response.json()["marked_read"] == 1
    assert api(listed).get(f"/api/v1/engagements/{item.pk}").json()["unread_count"] == 0
    assert api(client_user).get(f"/api/v1/engagements/{item.pk}").json()["unread_count"] == 1
    assert api(client_user).get(url).json()["results"][0]["read_at"] is not None


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_empty_or_over_long_messages_are_refused(api, client_user, listed, body):
    item = engagement(client_user, listed, status="active")
    response = api(client_user).post(f"/api/v1/engagements/{item.pk}/messages", {"body": body}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()


def test_a_message_of_exactly_5000_characters_is_fine(api, client_user, listed):
    item = engagement(client_user, listed, status="requested")
    url = f"/api/v1/engagements/{item.pk}/messages"
    assert api(client_user).post(url, {"body": "x" * 5000}, format="json").status_code == 201
    assert api(client_user).post(url, {"body": "y"}, format="json").status_code == 201


@pytest.mark.parametrize("state", ["declined", "withdrawn", "ended"])
def test_a_closed_conversation_stays_readable_but_takes_no_new_messages(api, client_user, listed, state):
    item = engagement(client_user, listed, status="active")
    url = f"/api/v1/engagements/{item.pk}/messages"
    api(client_user).post(url, {"body": "Before"}, format="json")
    Engagement.objects.filter(pk=item.pk).update(status=state)
    for user in (client_user, listed):
        response = api(user).post(url, {"body": "After"}, format="json")
        assert response.status_code == 409
        assert [m["body"] for m in api(user).get(url).json()["results"]] == ["Before"]


def test_the_conversation_list_needs_a_fixed_number_of_queries(api, client_user, listed):
    item = engagement(client_user, listed, status="active")
    for n in range(5):
        Message.objects.create(engagement=item, sender=client_user if n % 2 else listed, body=f"m{n}")
    with CaptureQueriesContext(connection) as queries:
        assert api(client_user).get(f"/api/v1/engagements/{item.pk}/messages").json()["count"] == 5
    assert len(queries) <= 4
    for _ in range(3):
        engagement(UserFactory(), listed, status="requested")
    with CaptureQueriesContext(connection) as queries:
        assert api(listed).get("/api/v1/engagements").json()["count"] == 4
    assert len(queries) <= 3


# --- Feedback ---


@pytest.mark.parametrize("state", ["active", "ended"])
def test_the_client_gives_feedback_once_and_it_feeds_the_rating(api, client_user, listed, state):
    item = engagement(client_user, listed, status=state)
    url = f"/api/v1/engagements/{item.pk}/feedback"
    response = api(client_user).post(url, {"rating": 4, "text": "Very patient"}, format="json")
    assert response.status_code == 201
    assert response.json()["rating"] == 4
    assert api().get(f"/api/v1/brokers/{listed.pk}").json()["rating"] == {"average": 4.0, "count": 1}
    second = api(client_user).post(url, {"rating": 5}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "already_given"
    assert api(listed).get(url).json()["text"] == "Very patient"


@pytest.mark.parametrize("state", ["requested", "declined", "withdrawn"])
def test_no_feedback_before_the_engagement_was_active(api, client_user, listed, state):
    item = engagement(client_user, listed, status=state)
    response = api(client_user).post(f"/api/v1/engagements/{item.pk}/feedback", {"rating": 5}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None])
def test_a_rating_outside_one_to_five_is_refused(api, client_user, listed, rating):
    item = engagement(client_user, listed, status="active")
    response = api(client_user).post(f"/api/v1/engagements/{item.pk}/feedback", {"rating": rating}, format="json")
    assert response.status_code == 400
    assert "rating" in response.json()


def test_the_broker_cannot_rate_themself(api, client_user, listed):
    item = engagement(client_user, listed, status="active")
    response = api(listed).post(f"/api/v1/engagements/{item.pk}/feedback", {"rating": 5}, format="json")
    assert response.status_code == 403


def test_reviewers_see_no_engagements_until_plans_adds_the_rule(api, reviewer_user, client_user, listed):
    engagement(client_user, listed)
    assert api(reviewer_user).get("/api/v1/engagements").json()["count"] == 0
