"""A broker builds a plan from listings in the browser, sees the meter and an error, fixes it; the client agrees.
Once with JavaScript (htmx swaps parts of the page) and once without (plain forms and redirects)."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Role
from plans.models import Plan
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory
from tests.plans.factories import BudgetFactory, EngagementFactory, ListingFactory, OrganizationFactory


def sign_in(page, live_server, user) -> None:
    """A session for `user` in the browser (the login form itself is tested with accounts)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def setting(transactional_db):
    """A client with a £1,000 budget for one outcome, working with a broker who has started a plan."""
    reviewer = UserFactory(role=Role.REVIEWER, name="Dr Helen Carter")
    client = UserFactory(role=Role.CLIENT, name="Sam Patel")
    broker = UserFactory(role=Role.BROKER, name="Jo Fletcher")
    budget = BudgetFactory(
        client=client, recorded_by=reviewer, annual_amount=Decimal("1000.00"), outcomes=["community_and_recreation"]
    )
    EngagementFactory(client=client, broker=broker)
    organization = OrganizationFactory(name="Beaney Wellbeing")
    ListingFactory(organization=organization, title="Gentle yoga", category="yoga", cost=Decimal("25.00"))
    ListingFactory(organization=organization, title="Open art studio", category="art_class")
    from plans import services

    plan = services.plan_create(by=broker, client=client, budget=budget)
    return {"client": client, "broker": broker, "plan": plan}


def build_and_fix(page, live_server, setting, *, javascript: bool) -> None:
    plan_url = f"{live_server.url}/plans/{setting['plan'].pk}/"
    sign_in(page, live_server, setting["broker"])
    page.goto(plan_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan for Sam Patel")
    expect(page.get_by_test_id("meter-left")).to_have_text("£1,000.00")
    if javascript:  # axe runs in the page: with JavaScript off it cannot (the same pages are checked with it on)
        assert_accessible(page, "plan-builder-empty")

    page.get_by_label("Search activities").fill("yoga")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Add Gentle yoga to the plan").click()
    expect(page.get_by_label("What is it?")).to_have_value("Gentle yoga")
    expect(page.get_by_label("Cost each time, in pounds")).to_have_value("25.00")
    page.get_by_role("checkbox", name=re.compile("Using facilities or services in the community")).check()
    page.get_by_role("button", name="Add to the plan").click()

    expect(page.get_by_test_id("meter-left")).to_have_text("£300.00")
    expect(page.get_by_test_id("over-budget")).to_contain_text("Over budget")
    expect(page.get_by_test_id("check-general")).to_contain_text("more than the budget of £1,000.00")
    if javascript:  # htmx swapped the workspace: the broker never left the page
        assert page.url.split("?")[0].split("#")[0] == plan_url
        assert_accessible(page, "plan-builder-over-budget")

    page.get_by_role("link", name="Change Gentle yoga").click()
    page.get_by_label("How often").select_option("monthly")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_test_id("meter-left")).to_have_text("£700.00")
    expect(page.get_by_test_id("over-budget")).to_have_count(0)
    expect(page.get_by_test_id("check-general")).to_have_count(0)
    page.get_by_test_id("share").click()
    expect(page.get_by_text(re.compile("You shared this version on"))).to_be_visible()


def client_agrees(page, live_server, setting, *, javascript: bool) -> None:
    sign_in(page, live_server, setting["client"])
    page.goto(f"{live_server.url}/plans/{setting['plan'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your support plan")
    expect(page.get_by_test_id("client-totals")).to_contain_text("This plan costs£300.00 a year")
    expect(page.get_by_test_id("client-left")).to_have_text("£700.00")
    if javascript:
        assert_accessible(page, "plan-client")
    page.get_by_role("button", name="I agree with this plan").click()
    expect(page.get_by_text(re.compile("You agreed on"))).to_be_visible()
    page.get_by_role("button", name="Send the plan to KMPT").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Submitted")
    assert Plan.objects.get(pk=setting["plan"].pk).status == "submitted"


def test_a_broker_builds_a_plan_from_listings_and_the_client_agrees(live_server, page, setting):
    build_and_fix(page, live_server, setting, javascript=True)
    client_agrees(page, live_server, setting, javascript=True)


def test_the_same_journey_without_javascript(live_server, no_js_page, setting):
    build_and_fix(no_js_page, live_server, setting, javascript=False)
    client_agrees(no_js_page, live_server, setting, javascript=False)
