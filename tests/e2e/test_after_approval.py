"""After approval in the browser: the client reads their confirmation and says how it is going, a KMPT reviewer
records a review (form, check your answers, the list), and the broker starts next year's plan. Every page is
checked by axe, at desktop width and at 375 px with no sideways scrolling."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from plans.models import Plan, PlanReview
from providers.models import Listing, ListingStatus
from tests.e2e.conftest import assert_accessible, assert_no_sideways_scroll
from tests.e2e.test_plans import sign_in
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, ListingFactory, OrganizationFactory, PlanFactory
from tests.plans.helpers import approve


@pytest.fixture
def setting(transactional_db):
    reviewer = UserFactory(role=Role.REVIEWER, name="Dr Helen Carter")
    client = UserFactory(role=Role.CLIENT, name="Robin Hale")
    broker = UserFactory(role=Role.BROKER, name="Jo Fletcher")
    plan = PlanFactory(budget__client=client, budget__recorded_by=reviewer, broker=broker)
    yoga = ListingFactory(
        organization=OrganizationFactory(name="Kent Wellbeing Collective"), title="Gentle yoga for beginners",
        category="yoga", cost=Decimal("6.00"), contact_phone="01227 555 0101",
        contact_email="a-rather-long-address-for-bookings@kentwellbeing.example.org",
    )  # fmt: skip
    art = ListingFactory(organization=OrganizationFactory(name="Thanet Arts Hub"), title="Open studio for adults")
    LineFactory(plan=plan, listing=yoga, description="Gentle yoga for beginners", category="yoga",
                unit_cost=Decimal("6.00"), outcomes=["community_and_recreation"])  # fmt: skip
    LineFactory(plan=plan, listing=art, description="Open studio for adults", outcomes=["relationships"])
    return {"client": client, "broker": broker, "reviewer": reviewer, "plan": approve(plan, reviewer)}


def check_at_375(page, name: str) -> None:
    """The page fits a small phone (no sideways scrolling) and axe finds nothing there either."""
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_sideways_scroll(page, f"{name} at 375 px")
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1200, "height": 900})


def test_a_review_is_recorded_and_next_years_plan_started(page, live_server, setting):
    plan = setting["plan"]

    # The client: the confirmation, and their view before the review.
    sign_in(page, live_server, setting["client"])
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_test_id("approved-panel")).to_contain_text("Your plan is approved")
    expect(page.get_by_test_id("payment-words")).to_contain_text("Kent Card is a prepaid Visa card")
    assert_accessible(page, "client-approved")
    check_at_375(page, "client-approved")
    page.get_by_role("link", name="Say how it is going").click()
    # The client reads the outcome's short name ("Family and friends"), the Care Act's name as the hint.
    page.get_by_label(re.compile("Family and friends")).fill("I have made a friend at the studio.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. KMPT will read it at the next review.")).to_be_visible()

    # The reviewer: the form (with what the client said), check your answers, recorded.
    sign_in(page, live_server, setting["reviewer"])
    page.goto(f"{live_server.url}/reviews/{plan.pk}/")
    expect(page.get_by_test_id("open-views")).to_contain_text("I have made a friend at the studio.")
    assert_accessible(page, "review-desk-approved")
    page.get_by_test_id("record-review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review of the plan for Robin Hale")
    page.get_by_role("button", name="Continue").click()  # nothing chosen: the errors say what is missing
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page, "review-form-errors")
    page.get_by_role("group", name=re.compile("Using facilities or services in the community")).get_by_label(
        "Partly achieved"
    ).check()
    page.get_by_role("group", name=re.compile("personal relationships")).get_by_label("Achieved", exact=True).check()
    page.get_by_label(re.compile("Notes on developing")).fill("Goes to the studio every week")
    page.get_by_label(re.compile("What the client said")).fill("The studio is the best part of my week.")
    page.get_by_label("Carry on with the plan").check()
    check_at_375(page, "review-form")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before recording the review")
    expect(page.get_by_test_id("check-answers")).to_contain_text("Goes to the studio every week")
    assert_accessible(page, "review-check")
    check_at_375(page, "review-check")
    assert not PlanReview.objects.exists()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_test_id("reviews-count")).to_have_text("1 review, newest first")
    expect(page.get_by_text("The review is recorded.")).to_be_visible()
    assert_accessible(page, "reviews-list")
    check_at_375(page, "reviews-list")
    assert PlanReview.objects.get(plan=plan).result == "continue"

    # The broker: the review in plain words, then next year's plan (an activity no longer offered is left out).
    Listing.objects.filter(title="Open studio for adults").update(status=ListingStatus.ARCHIVED)
    sign_in(page, live_server, setting["broker"])
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_test_id("reviews-panel")).to_contain_text("Carry on with the plan as it is.")
    expect(page.get_by_test_id("spending-summary")).to_be_visible()
    assert_accessible(page, "broker-approved")
    check_at_375(page, "broker-approved")
    page.get_by_role("button", name="Start next year's plan").click()
    renewal = Plan.objects.get(renews=plan)
    expect(page.get_by_test_id("plan-status")).to_have_text("Draft")
    expect(page.get_by_test_id("renewal-note")).to_contain_text("Not copied: “Open studio for adults”")
    expect(page.get_by_test_id("plan-thread")).to_contain_text("This plan renews")
    assert page.url.split("#")[0] == f"{live_server.url}/plans/{renewal.pk}/"
    assert_accessible(page, "renewal-builder")
    check_at_375(page, "renewal-builder")
