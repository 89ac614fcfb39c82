"""Care in the plan pages (issue 17) in Chromium: focus and the live region in the builder after each htmx action,
the no-JavaScript error summary, the budget form's date input and correction, check your answers before a decision,
the status tracker after "changes requested", and the review queue at 375 px. axe runs on every page visited, and
each page is kept as a screenshot at desktop width and at 375 px."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from plans import services
from plans.models import Budget, Plan
from plans.tasks import process_submission
from tests.brokers.factories import make_listed
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_plans import sign_in
from tests.factories import UserFactory
from tests.plans.factories import BudgetFactory, EngagementFactory, LineFactory, ListingFactory, OrganizationFactory
from tests.plans.helpers import agree

SHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "care-shots"


def both_widths(page, name: str) -> None:
    """axe at desktop width, and a screenshot at 1200 px and at 375 px (where nothing may scroll sideways)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert_accessible(page, f"care-{name}")
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at 375 px by {overflow} px"
    finally:
        page.set_viewport_size(size)


def active(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {id: e.id, testid: e.dataset.testid || '', cls: e.className, tag: e.tagName}; }"
    )


def live_region(page):
    return page.locator("#builder-live[aria-live='polite']")


@pytest.fixture
def setting(transactional_db):
    reviewer = UserFactory(role=Role.REVIEWER, name="Dr Helen Carter")
    client = UserFactory(role=Role.CLIENT, name="Sam Patel")
    broker = UserFactory(role=Role.BROKER, name="Jo Fletcher")
    budget = BudgetFactory(
        client=client, recorded_by=reviewer, annual_amount=Decimal("2000.00"), outcomes=["community_and_recreation"]
    )
    EngagementFactory(client=client, broker=broker)
    make_listed(broker)  # a broker who is not listed cannot send a plan to KMPT
    organization = OrganizationFactory(name="Oak Hall")
    ListingFactory(organization=organization, title="Yoga", category="yoga", cost=Decimal("25.00"))
    plan = services.plan_create(by=broker, client=client, budget=budget)
    return {"client": client, "broker": broker, "reviewer": reviewer, "plan": plan}


def test_builder_focus_and_announcements_after_each_htmx_action(live_server, page, setting):
    plan = setting["plan"]
    sign_in(page, live_server, setting["broker"])
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(live_region(page)).to_have_count(1)  # in the page from the start, empty
    expect(live_region(page)).to_have_text("")

    page.get_by_label("Search activities").fill("yoga")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(live_region(page)).to_have_text("1 activity found")
    page.get_by_role("link", name="Add Yoga to the plan").click()
    expect(live_region(page)).to_have_text("Yoga from Oak Hall chosen. Check the details, then add it.")
    assert active(page)["id"] == "line-form-heading"

    page.get_by_label("How often").select_option("monthly")
    page.get_by_role("checkbox", name=re.compile("Using facilities")).check()
    page.get_by_role("button", name="Add to the plan").click()
    # £25 a month is £300 a year: £1,700 left of £2,000.
    expect(live_region(page)).to_have_text("Added Yoga at Oak Hall. £1,700.00 left of £2,000.00 a year.")
    line = Plan.objects.get(pk=plan.pk).lines.get()
    assert active(page)["id"] == f"line-{line.pk}-title"
    both_widths(page, "builder-added")

    page.get_by_label("What is it?").fill("")
    page.get_by_role("button", name="Add to the plan").click()
    expect(live_region(page)).to_have_text("The activity was not added. Fix the problems shown.")
    assert "nhsuk-error-summary" in active(page)["cls"]
    expect(page.locator("#line-form .nhsuk-error-summary")).to_contain_text("Enter what it is, such as Yoga class")
    assert_accessible(page, "care-builder-failed-add")

    page.get_by_role("button", name="Remove Yoga").click()
    expect(live_region(page)).to_have_text("Removed Yoga at Oak Hall. £2,000.00 left of £2,000.00 a year.")
    assert active(page)["id"] == "lines"
    assert_accessible(page, "care-builder-removed")


def test_a_failed_add_without_javascript_starts_at_the_focused_error_summary(live_server, no_js_page, setting):
    page = no_js_page
    sign_in(page, live_server, setting["broker"])
    page.goto(f"{live_server.url}/plans/{setting['plan'].pk}/")
    page.get_by_label("Cost each time, in pounds").fill("lots")
    page.get_by_role("button", name="Add to the plan").click()
    assert page.title().startswith("Error: ")
    summary = page.get_by_test_id("error-summary-top")
    expect(summary).to_be_visible()
    assert active(page)["testid"] == "error-summary-top"
    assert summary.bounding_box()["y"] < page.viewport_size["height"]  # on the first screen, not 1.5 screens down
    assert_accessible(page, "care-builder-failed-add-no-js")
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_description")


def test_recording_and_correcting_a_budget_with_date_inputs(live_server, page, setting):
    newcomer = UserFactory(role=Role.CLIENT, name="Alex Morgan")
    sign_in(page, live_server, setting["reviewer"])
    page.goto(f"{live_server.url}/budgets/clients/{newcomer.pk}/")
    page.get_by_role("button", name="Record the budget").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the yearly budget in pounds, such as 12000")
    expect(page.locator(".nhsuk-error-summary")).not_to_contain_text("This field is required")
    assert page.title().startswith("Error: Budget for")
    both_widths(page, "budget-errors")

    page.get_by_role("radio", name="Kent County Council").check()
    page.get_by_role("radio", name=re.compile("Substantial")).check()
    page.get_by_label("Personal budget a year, in pounds").fill("12,000")
    assessed = page.get_by_role("group", name="Date of the assessment")
    assessed.get_by_label("Day").fill("1")
    assessed.get_by_label("Month").fill("4")
    assessed.get_by_label("Year").fill("2026")
    review = page.get_by_role("group", name="Date of the next review")
    review.get_by_label("Day").fill("1")
    review.get_by_label("Month").fill("4")
    review.get_by_label("Year").fill("2027")
    page.get_by_role("checkbox", name=re.compile("Managing and maintaining nutrition")).check()
    page.get_by_role("radio", name=re.compile("Kent Card")).check()
    page.get_by_role("button", name="Record the budget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct the budget for Alex Morgan")

    # The correction form shows the stored dates, and saving it unchanged works.
    assessed = page.get_by_role("group", name="Date of the assessment")
    expect(assessed.get_by_label("Day")).to_have_value("1")
    expect(assessed.get_by_label("Month")).to_have_value("4")
    expect(assessed.get_by_label("Year")).to_have_value("2026")
    both_widths(page, "budget-correction")
    page.get_by_role("button", name="Save the corrected budget").click()
    expect(page.get_by_text("The personal budget for Alex Morgan is recorded.")).to_be_visible()
    assert Budget.objects.filter(client=newcomer).count() == 2


def test_recording_a_budget_for_someone_new_invites_them(live_server, page, setting):
    sign_in(page, live_server, setting["reviewer"])
    page.goto(f"{live_server.url}/budgets/")
    page.get_by_role("button", name="Record a budget for someone new").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a budget for someone new")
    page.get_by_role("button", name="Record the budget").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the person's full name")
    expect(summary).to_contain_text("Enter the person's email address")
    assert page.title().startswith("Error: ")
    both_widths(page, "budget-new-errors")

    page.get_by_label("Full name").fill("Robin Hale")
    page.get_by_label("Email address").fill("robin.hale@example.org")
    page.get_by_role("radio", name="Kent County Council").check()
    page.get_by_role("radio", name=re.compile("Substantial")).check()
    page.get_by_label("Personal budget a year, in pounds").fill("2400")
    for group, year in (("Date of the assessment", "2026"), ("Date of the next review", "2027")):
        dates = page.get_by_role("group", name=group)
        dates.get_by_label("Day").fill("1")
        dates.get_by_label("Month").fill("4")
        dates.get_by_label("Year").fill(year)
    page.get_by_role("checkbox", name=re.compile("Managing and maintaining nutrition")).check()
    page.get_by_role("radio", name=re.compile("Kent Card")).check()
    page.get_by_role("button", name="Record the budget").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Correct the budget for Robin Hale")
    expect(page.get_by_role("status")).to_contain_text("We have emailed robin.hale@example.org an invitation")
    expect(page.get_by_test_id("invitation-waiting")).to_contain_text("has not set up their account yet")
    both_widths(page, "budget-new-recorded")
    page.get_by_test_id("representatives-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People who act for Robin Hale")
    expect(page.get_by_role("button", name="Send a new invitation")).to_be_visible()
    both_widths(page, "client-representatives")
    assert Budget.objects.get(client__email="robin.hale@example.org").annual_amount == Decimal("2400.00")


def in_review(setting) -> Plan:
    plan = setting["plan"]
    LineFactory(plan=plan, description="Weekly art class", outcomes=["community_and_recreation"])
    agree(plan, setting["client"])
    services.plan_submit(plan=plan, by=setting["client"])
    process_submission(plan.pk, plan.version)
    plan = Plan.objects.get(pk=plan.pk)
    services.plan_claim(plan=plan, by=setting["reviewer"])
    return Plan.objects.get(pk=plan.pk)


def test_a_kmpt_decision_is_checked_before_it_is_made(live_server, page, setting):
    plan = in_review(setting)
    sign_in(page, live_server, setting["reviewer"])
    page.goto(f"{live_server.url}/reviews/{plan.pk}/")
    both_widths(page, "review-page")
    page.get_by_role("radio", name="Ask for changes").check()
    page.get_by_label("Reasons").fill("Say where the art class meets")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your decision before you record it")
    expect(page.get_by_test_id("check-outcome")).to_have_text("Ask for changes")
    assert Plan.objects.get(pk=plan.pk).status == "in_review"
    both_widths(page, "decision-check")

    page.get_by_role("link", name="Change the decision").click()
    expect(page.get_by_role("radio", name="Ask for changes")).to_be_checked()
    expect(page.get_by_label("Reasons")).to_have_value("Say where the art class meets")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Ask for changes").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Changes requested")
    assert Plan.objects.get(pk=plan.pk).status == "changes_requested"


def test_the_tracker_after_changes_are_asked_for(live_server, page, setting):
    plan = in_review(setting)
    services.plan_decide(plan=plan, by=setting["reviewer"], outcome="changes_requested", reasons=["Name the venue"])
    sign_in(page, live_server, setting["client"])
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_test_id("changes-needed")).to_contain_text("Changes needed: your broker is updating the plan")
    states = (
        page.get_by_test_id("status-steps").locator("li").evaluate_all("(items) => items.map(i => i.dataset.state)")
    )
    assert states == ["stopped", "current", "todo", "todo", "todo", "todo"]
    both_widths(page, "client-changes-needed")

    sign_in(page, live_server, setting["broker"])
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_test_id("changes-needed")).to_contain_text("Changes needed: update the plan with Sam Patel")
    expect(page.get_by_test_id("changes-needed")).not_to_contain_text("your broker")
    both_widths(page, "broker-changes-needed")

    page.goto(f"{live_server.url}/notifications/")  # KMPT's decision is there, with a styled button to open it
    expect(page.get_by_role("button", name=re.compile("^Open")).first).to_have_class(re.compile(r"\bnhsuk-button\b"))
    both_widths(page, "notifications")


def test_the_review_queue_fits_375_px_and_its_buttons_are_nhs_buttons(live_server, page, setting):
    in_review(setting)
    other = UserFactory(role=Role.REVIEWER, name="Dr Amir Shah")
    sign_in(page, live_server, other)
    page.goto(f"{live_server.url}/reviews/")
    take_over = page.get_by_role("button", name="Take over the plan for Sam Patel")
    expect(take_over).to_have_class(re.compile(r"\bnhsuk-button\b.*nhsuk-button--secondary"))
    both_widths(page, "review-queue")
    take_over.click()
    expect(page.get_by_text("The plan is now assigned to you.")).to_be_visible()
