"""Through the pages: a broker completes their profile and signs, an admin verifies, people find them; suspension
removes them at once."""

import re

from playwright.sync_api import expect

from accounts.models import Role
from charter import demo as charter_demo
from tests.brokers.browser import signed_in_page
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory


def test_broker_signs_admin_verifies_and_people_find_them(live_server, browser, browser_context_args):
    charter_demo.seed()
    broker = UserFactory(role=Role.BROKER, name="Robin Broker")
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)

    page = signed_in_page(browser, browser_context_args, live_server, broker)
    page.goto(f"{live_server.url}/dashboard/")
    # onboarding as a task list, and the next thing to do worked out from the broker's state
    expect(page.get_by_test_id("broker-next-step")).to_contain_text("Complete your profile")
    expect(page.get_by_test_id("task-profile")).to_have_text("Incomplete")
    expect(page.get_by_test_id("task-charter")).to_have_text("Not started")
    expect(page.get_by_test_id("task-verification")).to_have_text("Cannot start yet")
    assert_accessible(page, "broker-dashboard-onboarding")
    page.goto(f"{live_server.url}/brokers/me/")
    expect(page.get_by_test_id("listing-status")).to_contain_text("You are not listed yet")
    assert_accessible(page, "broker-profile-edit")
    page.get_by_label("Name shown to people").fill("Robin Broker")
    page.get_by_label("About you").fill("I help people in Canterbury plan creative activities.")
    page.get_by_label("Canterbury").check()
    page.get_by_label("Mental health").check()
    page.get_by_label("English", exact=True).check()  # languages by name, stored as codes
    page.get_by_label("Polish", exact=True).check()
    page.get_by_label("Hourly rate, in pounds").fill("-4")
    page.get_by_role("button", name="Save your profile").click()
    expect(page.get_by_role("alert")).to_contain_text("£0.00 or more")
    assert_accessible(page, "broker-profile-error")
    page.get_by_label("Hourly rate, in pounds").fill("29.50")
    page.get_by_role("button", name="Save your profile").click()
    expect(page.get_by_test_id("task-profile")).to_have_text("Completed")

    page.goto(f"{live_server.url}/charter/")
    assert_accessible(page, "charter-read")
    page.get_by_role("link", name="Sign the charter").click()
    assert_accessible(page, "charter-sign")
    boxes = page.get_by_role("checkbox")
    for index in range(boxes.count() - 1):
        boxes.nth(index).check()
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert_accessible(page, "charter-sign-error")
    for index in range(page.get_by_role("checkbox").count()):
        page.get_by_role("checkbox").nth(index).check()
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_test_id("task-verification")).to_have_text("Waiting for an administrator")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_test_id("broker-next-step")).to_contain_text("Waiting for an administrator")

    admin_page = signed_in_page(browser, browser_context_args, live_server, admin)
    admin_page.goto(f"{live_server.url}/charter/review/")
    assert_accessible(admin_page, "charter-signature-queue")
    admin_page.get_by_role("link", name=re.compile("Robin Broker")).click()
    assert_accessible(admin_page, "charter-signature-review")
    admin_page.get_by_role("button", name="Verify signature").click()
    expect(admin_page.get_by_test_id("signature-status")).to_have_text("Verified")

    anonymous = browser.new_context(**browser_context_args).new_page()
    anonymous.goto(f"{live_server.url}/brokers/")
    anonymous.get_by_label("Area").select_option("canterbury")
    anonymous.get_by_label("Specialism").select_option("mental_health")
    anonymous.get_by_label("Language").select_option("pl")
    anonymous.get_by_role("button", name="Search").click()
    expect(anonymous.get_by_role("link", name="Robin Broker")).to_be_visible()
    assert_accessible(anonymous, "broker-search")
    anonymous.go_back()
    anonymous.go_forward()
    expect(anonymous.get_by_label("Area")).to_have_value("canterbury")
    anonymous.get_by_role("link", name="Robin Broker").click()
    expect(anonymous.get_by_test_id("charter-status")).to_contain_text("Verified by Waymark")
    assert_accessible(anonymous, "broker-detail")
    anonymous.goto(f"{live_server.url}/brokers/?area=medway")
    expect(anonymous.get_by_text("No brokers match your search")).to_be_visible()
    assert_accessible(anonymous, "broker-search-empty")

    admin_page.get_by_label("Reason for suspending").fill("Took a commission from a provider")
    admin_page.get_by_role("button", name="Suspend signature").click()
    expect(admin_page.get_by_test_id("signature-status")).to_have_text("Suspended")
    anonymous.goto(f"{live_server.url}/brokers/?area=canterbury")
    expect(anonymous.get_by_role("link", name="Robin Broker")).to_have_count(0)
    response = anonymous.goto(f"{live_server.url}/brokers/{broker.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/brokers/me/")
    expect(page.get_by_test_id("listing-status")).to_contain_text("Your listing is suspended")
    expect(page.get_by_test_id("listing-status")).to_contain_text("Took a commission from a provider")


def test_anyone_signed_in_raises_a_concern_and_an_admin_resolves_it(live_server, browser, browser_context_args):
    from tests.brokers.factories import listed_broker

    charter_demo.seed()
    broker = listed_broker(display_name="Casey Concern")
    client = UserFactory(role=Role.CLIENT)
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    page = signed_in_page(browser, browser_context_args, live_server, client, java_script_enabled=False)
    page.goto(f"{live_server.url}/brokers/{broker.pk}/")
    page.get_by_role("link", name="Raise a concern").click()
    expect(page.get_by_label("Which broker is this about?")).to_have_value(str(broker.pk))
    page.get_by_role("button", name="Send your concern").click()
    expect(page.get_by_role("alert")).to_contain_text("Tell us what happened")
    page.get_by_label("What happened?").fill("They said I had to use their friend's gym.")
    page.get_by_role("button", name="Send your concern").click()
    expect(page.get_by_text("An administrator will look into your concern")).to_be_visible()
    # axe needs JavaScript: check the same form, with its errors, in a normal page
    checked = signed_in_page(browser, browser_context_args, live_server, client)
    checked.goto(f"{live_server.url}/charter/concern/?broker={broker.pk}")
    checked.get_by_role("button", name="Send your concern").click()
    assert_accessible(checked, "charter-concern-error")

    admin_page = signed_in_page(browser, browser_context_args, live_server, admin)
    admin_page.goto(f"{live_server.url}/charter/concerns/")
    assert_accessible(admin_page, "charter-concerns")
    admin_page.get_by_role("link", name=re.compile(broker.name)).click()
    assert_accessible(admin_page, "charter-concern-review")
    admin_page.get_by_label("What was done?").fill("Spoke to the broker; they declared the interest.")
    admin_page.get_by_role("button", name="Mark as resolved").click()
    expect(admin_page.get_by_text("There are no concerns to show here.")).to_be_visible()
