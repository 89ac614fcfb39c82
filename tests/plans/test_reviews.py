"""Reviews of approved plans: KMPT records one (every assessed outcome, with progress), the next review date follows,
reminders follow it, the client and broker are told in plain words and can say how it is going before it."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from plans import notifications, services
from plans.models import Decision, Notification, OutcomeView, Plan, PlanReview, Reminder
from plans.services import add_months
from tests.plans.helpers import approve, plan_events

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def approved(plan, reviewer_user):
    return approve(plan, reviewer_user)


def body(plan, **changes):
    outcomes = [
        {"code": code, "progress": "partly", "note": f"Going to it most weeks ({code})"}
        for code in plan.budget.outcomes
    ]
    return {
        "held_on": TODAY().isoformat(),
        "outcomes": outcomes,
        "client_view": "I like the art class. I have made a friend there.",
        "summary": "Good progress; carry on.",
        "result": "continue",
        **changes,
    }


def back_date_approval(plan, days):
    """The approval `days` ago (the tests need reviews held some weeks after it)."""
    decided_at = timezone.now() - datetime.timedelta(days=days)
    Decision.objects.filter(plan=plan, outcome="approved").update(decided_at=decided_at)
    approved_on = timezone.localdate(decided_at)
    Plan.objects.filter(pk=plan.pk).update(
        review_first_on=approved_on + datetime.timedelta(weeks=7), review_next_on=add_months(approved_on, 12)
    )
    return Plan.objects.get(pk=plan.pk)


def test_a_reviewer_records_a_review_and_the_next_review_date_follows(api, approved, reviewer_user):
    plan = back_date_approval(approved, 50)
    held_on = TODAY() - datetime.timedelta(days=1)
    response = api(reviewer_user).post(
        f"/api/v1/plans/{plan.pk}/reviews", body(plan, held_on=held_on.isoformat()), format="json"
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert set(answer) == {
        "id", "plan", "held_on", "outcomes", "client_view", "summary", "result", "next_review_on", "views", "by",
        "created_at",
    }  # fmt: skip
    assert answer["outcomes"] == body(plan)["outcomes"]
    assert answer["result"] == "continue" and answer["by"]["id"] == reviewer_user.pk and answer["plan"] == plan.pk
    expected_next = add_months(held_on, 12).isoformat()
    assert answer["next_review_on"] == expected_next
    dates = api(plan.client).get(f"/api/v1/plans/{plan.pk}").json()["review_dates"]
    assert dates == {"first": plan.review_first_on.isoformat(), "next": expected_next}
    assert Plan.objects.get(pk=plan.pk).status == "approved"
    event = plan_events(plan).get(action="review_held")
    assert event.by == reviewer_user and event.data["result"] == "continue" and event.data["review"] == answer["id"]
    api_events = api(plan.client).get(f"/api/v1/plans/{plan.pk}/events").json()["results"]
    assert api_events[-1]["action"] == "review_held" and api_events[-1]["reason"].startswith("KMPT reviewed the plan")


def test_the_client_and_broker_are_told_in_plain_words(approved, reviewer_user):
    review = services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    told = Notification.objects.filter(plan=approved, kind="plan_reviewed")
    assert {note.recipient for note in told} == {approved.client, approved.broker}
    client_note = told.get(recipient=approved.client).text
    when = review.held_on.strftime("%-d %B %Y")
    assert client_note.startswith(f"KMPT reviewed your plan on {when}. What happens now: carry on with the plan.")
    assert "next review is by" in client_note


def _service_body(plan, **changes):
    data = body(plan, **changes)
    data["held_on"] = datetime.date.fromisoformat(data["held_on"])
    return data


ROLES = ["client", "broker", "reviewer", "other_client", "other_broker", "provider", "admin", "anonymous"]


@pytest.fixture
def people(approved, others, reviewer_user):
    return {
        "client": approved.client,
        "broker": approved.broker,
        "reviewer": reviewer_user,
        "anonymous": None,
        **others,
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("reviewer", 201),
        ("client", 403),
        ("broker", 403),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_record_a_review(api, approved, people, role, expected):
    response = api(people[role]).post(f"/api/v1/plans/{approved.pk}/reviews", body(approved), format="json")
    assert response.status_code == expected
    assert PlanReview.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("reviewer", 200),
        ("client", 200),
        ("broker", 200),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_read_the_reviews(api, approved, people, reviewer_user, role, expected):
    services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    response = api(people[role]).get(f"/api/v1/plans/{approved.pk}/reviews")
    assert response.status_code == expected
    if expected == 200:
        page = response.json()
        assert set(page) == {"count", "next", "previous", "results"} and page["count"] == 1


def test_a_broker_whose_engagement_ended_sees_no_reviews(api, approved, reviewer_user):
    from brokers.models import Engagement

    services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    Engagement.objects.filter(client=approved.client, broker=approved.broker).update(status="ended")
    assert api(approved.broker).get(f"/api/v1/plans/{approved.pk}/reviews").status_code == 404


def test_every_assessed_outcome_must_be_there_and_the_answer_names_what_is_missing(api, approved, reviewer_user):
    data = body(approved)
    data["outcomes"] = [item for item in data["outcomes"] if item["code"] != "relationships"]
    response = api(reviewer_user).post(f"/api/v1/plans/{approved.pk}/reviews", data, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "outcomes_missing" and answer["missing"] == ["relationships"]
    assert "personal relationships (relationships)" in answer["outcomes"][0]
    assert not PlanReview.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {
                "outcomes": [
                    {"code": "community_and_recreation", "progress": "partly"},
                    {"code": "relationships", "progress": "partly"},
                    {"code": "nutrition", "progress": "achieved"},
                ]
            },
            "outcomes",
        ),
        (
            {
                "outcomes": [
                    {"code": "community_and_recreation", "progress": "partly"},
                    {"code": "relationships", "progress": "done"},
                ]
            },
            "outcomes",
        ),
        (
            {
                "outcomes": [
                    {"code": "community_and_recreation", "progress": "partly"},
                    {"code": "community_and_recreation", "progress": "partly"},
                    {"code": "relationships", "progress": "partly"},
                ]
            },
            "outcomes",
        ),
        ({"result": "stop"}, "result"),
        ({"held_on": "2020-01-01"}, "held_on"),
        ({"held_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()}, "held_on"),
        ({"held_on": "3 March"}, "held_on"),
    ],
)
def test_bad_input_is_refused_on_its_field(api, approved, reviewer_user, change, field):
    response = api(reviewer_user).post(f"/api/v1/plans/{approved.pk}/reviews", body(approved, **change), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_only_an_approved_plan_is_reviewed_and_bad_input_answers_400_first(api, submitted_plan, reviewer_user):
    url = f"/api/v1/plans/{submitted_plan.pk}/reviews"
    refused = api(reviewer_user).post(url, body(submitted_plan), format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    assert api(reviewer_user).post(url, body(submitted_plan, result="stop"), format="json").status_code == 400


def test_the_reviews_of_a_plan_not_approved_answer_409_as_the_contract_says(api, submitted_plan, reviewer_user):
    for person in (reviewer_user, submitted_plan.client):
        listed = api(person).get(f"/api/v1/plans/{submitted_plan.pk}/reviews")
        assert listed.status_code == 409 and listed.json()["code"] == "invalid_transition"


def test_a_review_that_ends_the_plan_keeps_it_approved_with_no_next_review(api, approved, reviewer_user):
    response = api(reviewer_user).post(
        f"/api/v1/plans/{approved.pk}/reviews", body(approved, result="end"), format="json"
    )
    assert response.status_code == 201 and response.json()["next_review_on"] is None
    plan = api(approved.client).get(f"/api/v1/plans/{approved.pk}").json()
    assert plan["status"] == "approved" and plan["review_dates"]["next"] is None
    assert notifications.upcoming_reviews(Plan.objects.get(pk=approved.pk)) == []


def test_reminders_follow_the_new_review_date(approved, reviewer_user):
    """Found while building reviews: the first review's reminder kept coming after the first review was held early,
    because reminders read both dates whatever had happened since."""
    plan = back_date_approval(approved, 40)  # the first review is due in about 9 days: within the 2-week notice
    services.review_record(plan=plan, by=reviewer_user, **_service_body(plan))  # held today, early
    assert notifications.reminders_send(today=TODAY()) == 0
    assert not Reminder.objects.filter(plan=plan).exists()
    # A fortnight before the new date, the reminder comes, once.
    following = Plan.objects.get(pk=plan.pk).review_next_on
    assert following == add_months(TODAY(), 12)
    assert notifications.reminders_send(today=following - datetime.timedelta(days=10)) == 1
    assert notifications.reminders_send(today=following - datetime.timedelta(days=9)) == 0
    assert Reminder.objects.get(plan=plan).occasion == following.isoformat()


def test_reminders_still_come_for_the_first_review_before_one_is_held(approved):
    plan = back_date_approval(approved, 40)
    assert notifications.reminders_send(today=TODAY()) == 1
    assert Reminder.objects.get(plan=plan).occasion == plan.review_first_on.isoformat()


def test_the_client_and_broker_give_their_view_and_the_review_takes_it_in(api, approved, reviewer_user):
    services.outcome_views_record(plan=approved, by=approved.client, views={"relationships": "I made a friend."})
    services.outcome_views_record(
        plan=approved, by=approved.broker, views={"relationships": "Going every week.", "community_and_recreation": ""}
    )
    services.outcome_views_record(plan=approved, by=approved.client, views={"relationships": "I made two friends."})
    assert OutcomeView.objects.filter(plan=approved, review__isnull=True).count() == 2
    response = api(reviewer_user).post(f"/api/v1/plans/{approved.pk}/reviews", body(approved), format="json")
    views = response.json()["views"]
    assert sorted((view["by"]["id"], view["text"]) for view in views) == sorted(
        [(approved.client_id, "I made two friends."), (approved.broker_id, "Going every week.")]
    )
    assert not OutcomeView.objects.filter(plan=approved, review__isnull=True).exists()
    assert plan_events(approved).filter(action="outcome_views_given").count() == 3


def test_only_the_client_and_broker_give_views_and_only_on_an_approved_plan(plan, reviewer_user):
    from config.errors import InvalidTransition, NotAllowed

    with pytest.raises(InvalidTransition):
        services.outcome_views_record(plan=plan, by=plan.client, views={"relationships": "Too soon"})
    approved = approve(plan, reviewer_user)
    with pytest.raises(NotAllowed):
        services.outcome_views_record(plan=approved, by=reviewer_user, views={"relationships": "Not mine to say"})


def test_the_reviews_list_takes_a_fixed_number_of_queries(api, approved, reviewer_user, django_assert_max_num_queries):
    for _ in range(3):
        services.outcome_views_record(plan=approved, by=approved.client, views={"relationships": "Fine"})
        services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    with django_assert_max_num_queries(12):
        response = api(reviewer_user).get(f"/api/v1/plans/{approved.pk}/reviews")
    assert response.json()["count"] == 3


def test_a_review_changed_round_the_service_leaves_an_unattributed_history_row(approved, reviewer_user):
    from plans.models import PlanReviewHistory  # type: ignore[attr-defined]

    review = services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE plans_planreview SET result = 'end', next_review_on = NULL WHERE id = %s", [review.pk])
    rows = PlanReviewHistory.objects.filter(pgh_obj_id=review.pk).order_by("pgh_id")
    assert [row.pgh_label for row in rows] == ["insert", "update"]
    assert rows[0].pgh_context.metadata["service"] == "review_record"
    assert rows[1].pgh_context is None or "service" not in rows[1].pgh_context.metadata


def test_reviews_and_views_are_read_only_in_the_admin(client, admin_user, approved, reviewer_user):
    services.outcome_views_record(plan=approved, by=approved.client, views={"relationships": "Fine"})
    review = services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    client.force_login(admin_user)
    assert client.get(f"/admin/plans/planreview/{review.pk}/change/").status_code == 200  # it can be read
    for model in ("planreview", "outcomeview"):
        assert client.get(f"/admin/plans/{model}/add/").status_code == 403
    assert client.post(f"/admin/plans/planreview/{review.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PlanReview.objects.filter(pk=review.pk).exists()


def test_a_broker_whose_engagement_ended_hears_nothing_of_the_review(approved, reviewer_user):
    from brokers.models import Engagement
    from brokers.services import engagement_end

    engagement = Engagement.objects.get(client=approved.client, broker=approved.broker, status="active")
    engagement_end(engagement=engagement, by=approved.client)
    services.review_record(plan=approved, by=reviewer_user, **_service_body(approved))
    told = Notification.objects.filter(plan=approved, kind="plan_reviewed")
    assert {note.recipient for note in told} == {approved.client}
