"""The KMPT workflow without a worker: the submission task, claims, decisions, the queue, the PDF."""

import datetime

import pytest
from django.utils import timezone

from brokers.models import BrokerProfile
from config.errors import InvalidTransition
from plans import services
from plans.models import Decision, Plan, PlanStatus, PlanVersion
from plans.tasks import process_submission, render_plan_pdf
from providers.models import ListingStatus
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, ListingFactory, PlanFactory
from tests.plans.helpers import agree, plan_events


def submit(plan, client):
    agree(plan, client)
    return services.plan_submit(plan=plan, by=client)


@pytest.fixture
def in_review(submitted_plan, reviewer_user):
    """In review with reviewer_user (a reviewer who claimed a submitted plan keeps it)."""
    services.plan_claim(plan=submitted_plan, by=reviewer_user)
    process_submission(submitted_plan.pk, submitted_plan.version)
    submitted_plan.refresh_from_db()
    assert submitted_plan.reviewer == reviewer_user
    return submitted_plan


def test_submit_enqueues_the_workflow_after_commit(plan, client_user, django_capture_on_commit_callbacks):
    agree(plan, client_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.plan_submit(plan=plan, by=client_user)
    assert len(callbacks) == 1


def test_processing_sends_a_checked_submission_to_a_reviewer_once(submitted_plan, reviewer_user):
    assert process_submission(submitted_plan.pk, 1) == "in_review"
    events = plan_events(submitted_plan).count()
    assert process_submission(submitted_plan.pk, 1) == "already_processed"
    plan = Plan.objects.get(pk=submitted_plan.pk)
    assert (plan.status, plan.reviewer, plan_events(plan).count()) == ("in_review", reviewer_user, events)
    assert plan_events(plan).last().action == "review_started" and plan_events(plan).last().by is None


def test_a_listing_archived_after_submission_sends_the_plan_back(plan, client_user, broker_user, api):
    listing = ListingFactory()
    services.line_add(plan=plan, by=broker_user, listing=listing, frequency="weekly")
    submit(plan, client_user)
    type(listing).objects.filter(pk=listing.pk).update(status=ListingStatus.ARCHIVED)
    assert process_submission(plan.pk, 1) == "changes_requested"
    body = api(client_user).get(f"/api/v1/plans/{plan.pk}").json()
    assert body["status"] == "changes_requested"
    assert body["decision"]["outcome"] == "changes_requested" and body["decision"]["by"] is None
    assert "no longer listed" in body["decision"]["reasons"][0]


def test_a_broker_no_longer_listed_sends_the_plan_back(submitted_plan):
    BrokerProfile.objects.filter(user=submitted_plan.broker).delete()
    assert process_submission(submitted_plan.pk, 1) == "changes_requested"
    assert "broker" in Decision.objects.get(plan=submitted_plan).reasons[0]


def test_processing_a_withdrawn_or_older_version_does_nothing(submitted_plan, client_user):
    services.plan_withdraw(plan=submitted_plan, by=client_user)
    assert process_submission(submitted_plan.pk, 1) == "already_processed"
    assert process_submission(999999, 1) == "already_processed"
    assert Plan.objects.get(pk=submitted_plan.pk).status == "withdrawn"


def test_the_reviewer_with_fewest_open_reviews_gets_the_plan(db, reviewer_user):
    busy, free = reviewer_user, UserFactory(role="reviewer")
    for _ in range(2):
        plan = PlanFactory(budget__recorded_by=busy)
        LineFactory(plan=plan)
        submit(plan, plan.client)
        services.plan_claim(plan=plan, by=busy)
        process_submission(plan.pk, 1)
    plan = PlanFactory(budget__recorded_by=busy)
    LineFactory(plan=plan)
    submit(plan, plan.client)
    process_submission(plan.pk, 1)
    assert Plan.objects.get(pk=plan.pk).reviewer == free


def test_a_resubmission_goes_back_to_the_same_reviewer(in_review, reviewer_user, client_user, broker_user):
    UserFactory(role="reviewer")
    services.plan_decide(plan=in_review, by=reviewer_user, outcome="changes_requested", reasons=["Add a review date"])
    services.plan_update(plan=in_review, by=broker_user, summary="Better")
    submit(in_review, client_user)
    process_submission(in_review.pk, 2)
    plan = Plan.objects.get(pk=in_review.pk)
    assert (plan.status, plan.reviewer, plan.version) == ("in_review", reviewer_user, 2)


def test_approval_sets_review_dates(in_review, reviewer_user, api):
    body = (
        api(reviewer_user).post(f"/api/v1/plans/{in_review.pk}/approve", {"note": "A good plan"}, format="json").json()
    )
    today = timezone.localdate()
    assert body["status"] == "approved"
    first = datetime.date.fromisoformat(body["review_dates"]["first"])
    assert datetime.timedelta(weeks=6) <= first - today <= datetime.timedelta(weeks=8)
    assert body["review_dates"]["next"] == services.add_months(today, 12).isoformat()
    assert body["decision"]["note"] == "A good plan" and body["decision"]["by"]["id"] == reviewer_user.pk


def test_add_months_handles_short_months():
    assert services.add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)


DECISIONS = [
    ("approve", {"note": ""}, "approved"),
    ("request-changes", {"reasons": ["x"]}, "changes_requested"),
    ("decline", {"reasons": ["Health care is not social care"]}, "declined"),
]


@pytest.mark.parametrize(("action", "body", "status"), DECISIONS)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("reviewer", 200),
        ("other_reviewer", 403),
        ("client", 403),
        ("broker", 403),
        ("other_client", 404),
        ("other_broker", 404),
        ("provider", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_decisions_by_role(
    api, in_review, reviewer_user, client_user, broker_user, others, role, expected, action, body, status
):
    people = {
        "reviewer": reviewer_user,
        "other_reviewer": UserFactory(role="reviewer"),
        "client": client_user,
        "broker": broker_user,
        "anonymous": None,
        **others,
    }
    response = api(people[role]).post(f"/api/v1/plans/{in_review.pk}/{action}", body, format="json")
    assert response.status_code == expected
    assert Plan.objects.get(pk=in_review.pk).status == (status if expected == 200 else "in_review")
    assert Decision.objects.filter(plan=in_review).count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize(("action", "body", "status"), DECISIONS)
def test_decisions_refused_outside_in_review(api, submitted_plan, reviewer_user, action, body, status):
    services.plan_claim(plan=submitted_plan, by=reviewer_user)
    response = api(reviewer_user).post(f"/api/v1/plans/{submitted_plan.pk}/{action}", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("action", ["request-changes", "decline"])
@pytest.mark.parametrize("body", [{}, {"reasons": []}, {"reasons": [""]}])
def test_reasons_are_required(api, in_review, reviewer_user, action, body):
    assert api(reviewer_user).post(f"/api/v1/plans/{in_review.pk}/{action}", body, format="json").status_code == 400


def test_a_second_decision_loses_with_409(in_review, reviewer_user):
    services.plan_decide(plan=in_review, by=reviewer_user, outcome="approved")
    with pytest.raises(InvalidTransition):
        services.plan_decide(plan=in_review, by=reviewer_user, outcome="declined", reasons=["late"])
    assert list(Decision.objects.filter(plan=in_review).values_list("outcome", flat=True)) == ["approved"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("other_reviewer", 200),
        ("client", 403),
        ("broker", 403),
        ("other_client", 404),
        ("provider", 404),
        ("admin", 404),
        ("anonymous", 401),
    ],
)
def test_claim_by_role(api, in_review, client_user, broker_user, others, role, expected):
    other_reviewer = UserFactory(role="reviewer")
    people = {
        "other_reviewer": other_reviewer,
        "client": client_user,
        "broker": broker_user,
        "anonymous": None,
        **others,
    }
    response = api(people[role]).post(f"/api/v1/plans/{in_review.pk}/claim")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["reviewer"]["id"] == other_reviewer.pk
        ok = api(other_reviewer).post(f"/api/v1/plans/{in_review.pk}/approve", {}, format="json")
        assert ok.status_code == 200


def test_claim_refused_once_decided(api, in_review, reviewer_user):
    services.plan_decide(plan=in_review, by=reviewer_user, outcome="approved")
    assert api(UserFactory(role="reviewer")).post(f"/api/v1/plans/{in_review.pk}/claim").status_code == 409


@pytest.mark.parametrize(
    ("role", "expected"),
    [("reviewer", 200), ("client", 403), ("broker", 403), ("provider", 403), ("admin", 403), ("anonymous", 401)],
)
def test_review_queue_by_role(api, reviewer_user, client_user, broker_user, provider_user, admin_user, role, expected):
    people = {
        "reviewer": reviewer_user,
        "client": client_user,
        "broker": broker_user,
        "provider": provider_user,
        "admin": admin_user,
        "anonymous": None,
    }
    assert api(people[role]).get("/api/v1/reviews").status_code == expected


def test_review_queue_oldest_first_with_filters(api, reviewer_user):
    other = UserFactory(role="reviewer")
    plans = []
    for days_ago, reviewer in [(2, reviewer_user), (20, other), (9, None)]:
        plan = PlanFactory()
        LineFactory(plan=plan)
        submit(plan, plan.client)
        process_submission(plan.pk, 1)
        when = timezone.now() - datetime.timedelta(days=days_ago)
        Plan.objects.filter(pk=plan.pk).update(submitted_at=when, reviewer=reviewer)
        plans.append(plan.pk)
    draft = PlanFactory()
    LineFactory(plan=draft)

    def ids(query=""):
        return [row["id"] for row in api(reviewer_user).get(f"/api/v1/reviews{query}").json()["results"]]

    assert ids() == [plans[1], plans[2], plans[0]]
    assert ids("?mine=true") == [plans[0]]
    assert ids("?unassigned=true") == [plans[2]]
    assert ids("?overdue=true") == [plans[1], plans[2]]
    first = api(reviewer_user).get("/api/v1/reviews").json()["results"][0]
    assert first["waiting_days"] == 20 and first["status"] == "in_review"


def test_overdue_counts_working_days():
    from plans.selectors import overdue_cutoff

    monday = datetime.date(2025, 6, 16)
    assert overdue_cutoff(monday) == datetime.date(2025, 6, 9)  # a Monday: Tue..Mon is 5 working days
    assert overdue_cutoff(datetime.date(2025, 6, 21)) == datetime.date(2025, 6, 15)  # Saturday: Mon..Fri


@pytest.mark.parametrize(
    ("role", "draft", "submitted"),
    [
        ("client", 200, 200),
        ("broker", 200, 200),
        ("reviewer", 404, 200),
        ("other_client", 404, 404),
        ("other_broker", 404, 404),
        ("provider", 404, 404),
        ("admin", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_pdf_by_role(api, plan, client_user, broker_user, reviewer_user, others, role, draft, submitted):
    people = {"client": client_user, "broker": broker_user, "reviewer": reviewer_user, "anonymous": None, **others}
    response = api(people[role]).get(f"/api/v1/plans/{plan.pk}/pdf")
    assert response.status_code == draft
    if draft == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    submit(plan, client_user)
    assert api(people[role]).get(f"/api/v1/plans/{plan.pk}/pdf").status_code == submitted


def test_pdf_task_renders_once_and_the_api_serves_the_stored_copy(submitted_plan, client_user, api):
    import io

    from pypdf import PdfReader

    assert render_plan_pdf(submitted_plan.pk, 1) is True
    assert render_plan_pdf(submitted_plan.pk, 1) is False
    stored = bytes(PlanVersion.objects.get(plan=submitted_plan).pdf)
    served = api(client_user).get(f"/api/v1/plans/{submitted_plan.pk}/pdf").content
    assert served == stored
    text = PdfReader(io.BytesIO(stored)).pages[0].extract_text()
    assert "Weekly art class" in text and submitted_plan.client.name in text


def test_a_task_that_fails_for_good_leaves_a_visible_event(submitted_plan):
    process_submission.on_failure(RuntimeError("database gone"), "task-id", (submitted_plan.pk, 1), {}, None)
    event = plan_events(submitted_plan).last()
    assert event.action == "workflow_failed" and "database gone" in event.reason
    assert Plan.objects.get(pk=submitted_plan.pk).status == PlanStatus.SUBMITTED


def test_workflow_steps_are_audited(in_review, reviewer_user, api, client_user):
    services.plan_decide(plan=in_review, by=reviewer_user, outcome="declined", reasons=["Not social care"])
    events = api(client_user).get(f"/api/v1/plans/{in_review.pk}/events").json()["results"]
    steps = [(e["action"], e["from"], e["to"]) for e in events]
    assert steps[-4:] == [
        ("submitted", "draft", "submitted"),
        ("claimed", "submitted", "submitted"),
        ("review_started", "submitted", "in_review"),
        ("declined", "in_review", "declined"),
    ]
    assert events[-1]["by"]["id"] == reviewer_user.pk and events[-2]["by"] is None


@pytest.mark.django_db(transaction=True)
def test_submit_answers_the_plan_as_submitted_even_when_tasks_run_eagerly(plan, client_user, api):
    """`make demo` runs tasks at once after commit: the 202 must still show `submitted`, then the plan moves on."""
    from config.celery import app

    agree(plan, client_user)
    app.conf.task_always_eager = True
    try:
        response = api(client_user).post(f"/api/v1/plans/{plan.pk}/submit")
    finally:
        app.conf.task_always_eager = False
    assert (response.status_code, response.json()["status"]) == (202, "submitted")
    assert Plan.objects.get(pk=plan.pk).status == "in_review"


def test_the_pdf_of_an_approved_plan_carries_the_decision_and_review_dates(in_review, reviewer_user, client_user, api):
    import io

    from pypdf import PdfReader

    services.plan_decide(plan=in_review, by=reviewer_user, outcome="approved", note="A good plan for Alex.")
    response = api(client_user).get(f"/api/v1/plans/{in_review.pk}/pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    plan = Plan.objects.get(pk=in_review.pk)
    assert "Approved" in text and "A good plan for Alex." in text
    assert f"First review by {plan.review_first_on:%-d %B %Y}" in text
    assert "Agreed by" in text and "Kent Card" in text
