"""Next year's plan: the broker renews an approved plan into a draft on the client's current budget, with the lines
that can still be paid; the earlier plan stays approved until its successor is approved, then is superseded."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from brokers.models import Engagement
from config.errors import InvalidTransition
from plans import notifications, permissions, services
from plans.models import Plan, PlanLine
from providers.models import Listing, ListingStatus
from tests.plans.factories import LineFactory, ListingFactory
from tests.plans.helpers import agree, approve, plan_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(plan, reviewer_user):
    """Approved, with a line from a listing still offered and one from a listing that will be archived."""
    LineFactory(plan=plan, listing=ListingFactory(title="Gentle yoga"), description="Gentle yoga", category="yoga")
    LineFactory(plan=plan, listing=ListingFactory(title="Pottery"), description="Pottery course", category="art_class")
    return approve(plan, reviewer_user)


def test_the_broker_renews_an_approved_plan_into_a_draft_with_the_lines_that_can_still_be_paid(api, approved):
    Listing.objects.filter(title="Pottery").update(status=ListingStatus.ARCHIVED)
    response = api(approved.broker).post(f"/api/v1/plans/{approved.pk}/renew")
    assert response.status_code == 201, response.json()
    renewal = response.json()
    assert renewal["status"] == "draft" and renewal["renews"] == approved.pk and renewal["version"] == 1
    assert renewal["budget"] == approved.budget_id and renewal["client"]["id"] == approved.client_id
    assert sorted(line["description"] for line in renewal["lines"]) == ["Gentle yoga", "Weekly art class"]
    assert renewal["summary"] == approved.summary and renewal["shared"] is None
    note = plan_events(Plan.objects.get(pk=renewal["id"])).get(action="renewal_started").reason
    assert "Not copied: “Pottery course”" in note and "no longer offers it" in note
    assert plan_events(approved).filter(action="renewed", data__renewal=renewal["id"]).exists()
    # The renewed plan stays approved and in effect until its successor is approved.
    earlier = api(approved.client).get(f"/api/v1/plans/{approved.pk}").json()
    assert earlier["status"] == "approved" and earlier["review_dates"]["next"] is not None


def test_renewal_uses_the_clients_current_budget_and_todays_prices(api, approved, reviewer_user):
    yoga = PlanLine.objects.get(plan=approved, description="Gentle yoga").listing
    yoga.cost = Decimal("14.00")
    yoga.save()
    corrected = services.budget_record(
        by=reviewer_user, client=approved.client, council="kent", eligibility="substantial",
        annual_amount=Decimal("2400.00"), assessed_on=datetime.date(2026, 1, 1), review_on=datetime.date(2027, 1, 1),
        outcomes=["community_and_recreation"], payment_route="direct_payment",
    )  # fmt: skip
    renewal = api(approved.broker).post(f"/api/v1/plans/{approved.pk}/renew").json()
    assert renewal["budget"] == corrected.pk
    lines = {line["description"]: line for line in renewal["lines"]}
    assert lines["Gentle yoga"]["unit_cost"] == "14.00"
    assert lines["Weekly art class"]["outcomes"] == ["community_and_recreation"]  # relationships is not assessed now
    note = plan_events(Plan.objects.get(pk=renewal["id"])).get(action="renewal_started").reason
    assert "the price is now £14.00, it was £10.00" in note
    assert "no longer for Developing and maintaining family or other personal relationships" in note


def test_a_second_renewal_while_the_first_is_open_answers_open_plan_exists(api, approved):
    assert api(approved.broker).post(f"/api/v1/plans/{approved.pk}/renew").status_code == 201
    again = api(approved.broker).post(f"/api/v1/plans/{approved.pk}/renew")
    assert again.status_code == 409 and again.json()["code"] == "open_plan_exists"
    assert Plan.objects.filter(renews=approved).count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("broker", 201), ("client", 403), ("reviewer", 403), ("other_broker", 404), ("other_client", 404),
     ("admin", 404), ("anonymous", 401)],
)  # fmt: skip
def test_who_may_renew(api, approved, others, reviewer_user, role, expected):
    people = {"broker": approved.broker, "client": approved.client, "reviewer": reviewer_user, "anonymous": None}
    response = api({**people, **others}[role]).post(f"/api/v1/plans/{approved.pk}/renew")
    assert response.status_code == expected
    assert Plan.objects.filter(renews=approved).count() == (1 if expected == 201 else 0)


def test_only_an_approved_plan_is_renewed(api, plan):
    response = api(plan.broker).post(f"/api/v1/plans/{plan.pk}/renew")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_a_broker_whose_engagement_ended_cannot_renew(api, approved):
    Engagement.objects.filter(client=approved.client, broker=approved.broker).update(status="ended")
    assert api(approved.broker).post(f"/api/v1/plans/{approved.pk}/renew").status_code == 404


def test_approving_the_renewal_supersedes_the_earlier_plan(api, approved, reviewer_user):
    renewal = services.plan_renew(plan=approved, by=approved.broker)
    approve(renewal, reviewer_user)
    earlier = Plan.objects.get(pk=approved.pk)
    assert earlier.status == "approved" and earlier.superseded_at is not None and earlier.review_next_on is None
    event = plan_events(earlier).get(action="superseded")
    assert event.data["successor"] == renewal.pk and event.by == reviewer_user
    assert api(approved.client).get(f"/api/v1/plans/{approved.pk}").json()["review_dates"]["next"] is None
    # No longer in effect: not reviewed, renewed or reminded of again.
    with pytest.raises(InvalidTransition, match="replaced by next year's plan"):
        services.review_record(
            plan=earlier, by=reviewer_user, held_on=timezone.localdate(), result="continue",
            outcomes=[{"code": code, "progress": "achieved"} for code in earlier.budget.outcomes],
        )  # fmt: skip
    assert api(approved.broker).post(f"/api/v1/plans/{approved.pk}/renew").status_code == 409
    assert notifications.upcoming_reviews(earlier) == []
    assert not {"renew", "review", "give_view"} & permissions.plan_actions_for(approved.broker, earlier)


def test_a_declined_renewal_leaves_the_earlier_plan_in_effect(approved, reviewer_user):
    renewal = services.plan_renew(plan=approved, by=approved.broker)
    agree(renewal)
    services.plan_submit(plan=renewal, by=renewal.client)
    services.submission_process(plan_id=renewal.pk, version=1)
    services.plan_claim(plan=Plan.objects.get(pk=renewal.pk), by=reviewer_user)
    services.plan_decide(plan=Plan.objects.get(pk=renewal.pk), by=reviewer_user, outcome="declined", reasons=["No"])
    earlier = Plan.objects.get(pk=approved.pk)
    assert earlier.superseded_at is None and earlier.review_next_on is not None
    assert not plan_events(earlier).filter(action="superseded").exists()
