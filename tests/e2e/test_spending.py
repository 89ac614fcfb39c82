"""The spending page in the browser: a client follows their spending, adds a statement, matches a payment by hand;
axe finds nothing wrong, at desktop width and at 375 px with no sideways scrolling; and without JavaScript."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from spending import services
from tests.e2e.conftest import assert_accessible, assert_no_sideways_scroll
from tests.spending.conftest import approve, lines_for, read

FILES = Path(__file__).resolve().parent.parent / "spending" / "files"


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def setting(transactional_db):
    from accounts.models import Role
    from tests.factories import UserFactory
    from tests.plans.factories import PlanFactory

    reviewer = UserFactory(role=Role.REVIEWER, name="Dr Helen Carter")
    client = UserFactory(role=Role.CLIENT, name="Sam Patel")
    broker = UserFactory(role=Role.BROKER, name="Jo Fletcher")
    plan = PlanFactory(budget__client=client, budget__recorded_by=reviewer, broker=broker)
    lines_for(plan)
    plan = approve(plan, reviewer)
    services.statement_upload(plan=plan, by=client, file_name="january.csv", content=read("kent_card.csv"))
    return {"client": client, "broker": broker, "plan": plan}


def test_a_client_follows_their_spending_adds_a_statement_and_matches_a_payment(page, live_server, setting):
    plan = setting["plan"]
    url = f"{live_server.url}/plans/{plan.pk}/spending/"
    sign_in(page, live_server, setting["client"])
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Spending")
    expect(page.get_by_test_id("total-spent")).to_have_text("£91.86")
    expect(page.get_by_role("img", name="What is left of the budget over the plan's year")).to_be_visible()
    expect(page.get_by_test_id("flags")).to_contain_text(
        "2 payments look like something a personal budget cannot pay for"
    )
    assert_accessible(page, "spending")

    # At 375 px (a small phone) everything fits: no sideways scrolling, and still nothing for axe.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    assert_no_sideways_scroll(page, "the spending page at 375 px")
    assert_accessible(page, "spending-375")
    page.set_viewport_size({"width": 1200, "height": 900})

    # A bank statement with paid in and paid out columns.
    page.get_by_label("Statement file").set_input_files(str(FILES / "bank_paid_in_out.csv"))
    page.get_by_role("button", name="Add the statement").click()
    expect(page.get_by_test_id("statement-result")).to_contain_text("New payments added")
    expect(page.get_by_test_id("rejected")).to_contain_text("It has no amount in money out or money in.")
    assert_accessible(page, "spending-statement")

    # The Tesco shop was for the art group's materials: the client says so.
    page.goto(url + "?show=unmatched")
    page.get_by_role("link", name="Change what the payment of £14.37 on 16 January 2026 pays for").click()
    assert_accessible(page, "spending-match")
    page.get_by_label("Open studio art group (Thanet Arts Hub)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: the payment of £14.37 on 16 January 2026.")).to_be_visible()
    expect(page.locator("tr", has_text="TESCO STORES")).to_contain_text("(matched by hand)")


def test_the_spending_page_works_without_javascript(no_js_page, live_server, setting):
    page = no_js_page
    plan = setting["plan"]
    sign_in(page, live_server, setting["broker"])
    page.goto(f"{live_server.url}/plans/{plan.pk}/spending/")
    expect(page.get_by_test_id("burn-down-table")).to_be_visible()
    page.get_by_role("button", name="Add the statement").click()  # no file chosen
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a statement file to upload")
    page.get_by_label("Statement file").set_input_files(str(FILES / "statement.ofx"))
    page.get_by_role("button", name="Add the statement").click()
    expect(page.get_by_test_id("statement-result")).to_contain_text("Rows we could not read")
    assert_accessible(page, "spending-no-js-statement")
