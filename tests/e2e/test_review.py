"""The reviewer's day on a real Celery worker: the queue, a review, changes asked for, then a resubmission approved;
the client's page follows each status change by itself (htmx polling)."""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from plans import services
from plans.models import Plan
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_plans import sign_in
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, PlanFactory
from tests.plans.helpers import agree

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(plan_id, status, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Plan.objects.get(pk=plan_id).status == status:
            return
        time.sleep(0.05)
    raise AssertionError(f"plan {plan_id} never reached {status}")


def test_the_reviewers_day(celery_worker_real, live_server, page, browser, browser_context_args):
    reviewer = UserFactory(role=Role.REVIEWER, name="Dr Helen Carter")
    client = UserFactory(role=Role.CLIENT, name="Sam Patel")
    broker = UserFactory(role=Role.BROKER, name="Jo Fletcher")
    plan = PlanFactory(budget__client=client, budget__recorded_by=reviewer, broker=broker)
    line = LineFactory(plan=plan, description="Weekly art class")
    agree(plan, client)
    services.plan_submit(plan=plan, by=client)
    wait_for(plan.pk, "in_review")

    client_context = browser.new_context(**browser_context_args)
    client_page = client_context.new_page()
    sign_in(client_page, live_server, client)
    client_page.goto(f"{live_server.url}/plans/{plan.pk}/")
    expect(client_page.get_by_test_id("plan-status")).to_have_text("In review")

    sign_in(page, live_server, reviewer)
    page.goto(f"{live_server.url}/reviews/")
    expect(page.get_by_test_id("queue-count")).to_have_text("1 plan waiting, oldest first")
    assert_accessible(page, "review-queue")
    page.get_by_role("link", name="Sam Patel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan for Sam Patel")
    assert_accessible(page, "review-page")
    page.get_by_role("radio", name="Ask for changes").check()
    page.get_by_label("Reasons").fill("Say where the art class meets")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "review-decision-check")
    page.get_by_role("button", name="Ask for changes").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Changes requested")

    expect(client_page.get_by_test_id("plan-status")).to_have_text("Changes requested", timeout=10_000)
    expect(client_page.get_by_test_id("decision")).to_contain_text("Say where the art class meets")

    services.line_update(line=line, by=broker, description="Weekly art class at the Beaney", units=Decimal("1"))
    client_page.reload()
    expect(client_page.get_by_role("button", name="I agree with this plan")).to_have_count(0)  # not shared yet
    services.plan_share(plan=plan, by=broker)
    client_page.reload()
    client_page.get_by_role("button", name="I agree with this plan").click()
    client_page.get_by_role("button", name="Send the plan to KMPT").click()
    expect(client_page.get_by_test_id("plan-status")).to_have_text("In review", timeout=10_000)

    page.goto(f"{live_server.url}/reviews/?mine=on")
    page.get_by_role("link", name="Sam Patel", exact=True).click()
    expect(page.get_by_test_id("diff")).to_contain_text("Weekly art class at the Beaney")
    page.get_by_role("radio", name="Approve the plan").check()
    page.get_by_label(re.compile("Note for the client")).fill("Clear and affordable")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Approved")
    assert_accessible(page, "review-decided")

    expect(client_page.get_by_test_id("plan-status")).to_have_text("Approved", timeout=10_000)
    expect(client_page.get_by_test_id("decision")).to_contain_text("Clear and affordable")
    assert_accessible(client_page, "plan-client-approved")
    client_context.close()
    assert list(Plan.objects.get(pk=plan.pk).decisions.values_list("version", "outcome")) == [
        (1, "changes_requested"),
        (2, "approved"),
    ]
