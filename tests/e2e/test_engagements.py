"""Through the pages: a client finds a broker and asks, the broker accepts, they talk, the client gives feedback."""

from playwright.sync_api import expect

from accounts.models import Role
from brokers.models import Message
from charter import demo as charter_demo
from tests.brokers.browser import signed_in_page
from tests.brokers.factories import engagement, listed_broker
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory


def assert_accessible_with_javascript(browser, browser_context_args, live_server, user, url, name):
    """axe-core needs JavaScript: check the same page, signed in as the same person, in a page that has it."""
    checked = signed_in_page(browser, browser_context_args, live_server, user)
    checked.goto(url)
    assert_accessible(checked, f"engagement-confirm-{name}")
    checked.context.close()


def test_client_asks_broker_accepts_they_talk_and_feedback_feeds_the_rating(live_server, browser, browser_context_args):
    charter_demo.seed()
    broker = listed_broker(display_name="Morgan Broker", areas=["thanet"])
    client = UserFactory(role=Role.CLIENT, name="Alex Client")

    page = signed_in_page(browser, browser_context_args, live_server, client)
    page.goto(f"{live_server.url}/brokers/?area=thanet")
    page.get_by_role("link", name="Morgan Broker").click()
    page.get_by_role("link", name="Ask Morgan Broker for help").click()
    page.get_by_role("button", name="Send your request").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a message to the broker")
    assert_accessible(page, "engagement-ask-error")
    page.get_by_label("Your message").fill("Hello, I would like help <script>alert(1)</script> with my budget.")
    page.get_by_role("button", name="Send your request").click()
    expect(page.get_by_test_id("engagement-status")).to_have_text("Waiting for the broker to accept")
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    expect(page.get_by_role("complementary", name="Need help now?").last).to_contain_text("111")
    assert_accessible(page, "engagement-conversation-requested")

    # the broker works without JavaScript
    broker_page = signed_in_page(browser, browser_context_args, live_server, broker, java_script_enabled=False)
    broker_page.goto(f"{live_server.url}/engagements/")
    broker_page.get_by_role("button", name="Accept request from Alex Client").click()
    expect(broker_page.get_by_role("heading", level=1)).to_have_text("Accept the request from Alex Client?")
    assert_accessible_with_javascript(browser, browser_context_args, live_server, broker, broker_page.url, "accept")
    broker_page.get_by_role("button", name="Accept the request").click()
    expect(broker_page.get_by_text("You are now working with this client.")).to_be_visible()
    broker_page.get_by_label("Your message").fill("Happy to help. Shall we meet on Tuesday?")
    broker_page.get_by_role("button", name="Send message").click()
    expect(broker_page.get_by_text("Shall we meet on Tuesday?")).to_be_visible()

    checked = signed_in_page(browser, browser_context_args, live_server, broker)
    checked.goto(f"{live_server.url}/engagements/")
    assert_accessible(checked, "engagement-list-broker")

    page.goto(f"{live_server.url}/engagements/")
    expect(page.get_by_text("1 unread message")).to_be_visible()
    assert_accessible(page, "engagement-list-client")
    page.get_by_role("link", name="Morgan Broker").click()
    expect(page.get_by_test_id("engagement-status")).to_have_text("Working together")
    page.get_by_role("link", name="Give feedback about Morgan Broker").click()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a rating")
    assert_accessible(page, "engagement-feedback-error")
    page.get_by_label("4: good").check()
    page.get_by_label("Tell us more").fill("Kind and clear.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    expect(page.locator(".nhsuk-button--warning")).to_have_count(0)  # no red button at the top of the conversation
    page.get_by_role("link", name="End working together").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End working together with Morgan Broker?")
    assert_accessible(page, "engagement-confirm-end")
    page.get_by_role("button", name="End working together").click()
    expect(page.get_by_text("This conversation is closed")).to_be_visible()
    expect(page.get_by_text("Shall we meet on Tuesday?")).to_be_visible()  # still readable after it ended
    assert_accessible(page, "engagement-conversation-ended")
    page.goto(f"{live_server.url}/brokers/{broker.pk}/")
    expect(page.get_by_text("4.0 out of 5 (1 review)")).to_be_visible()


def test_a_message_with_one_very_long_word_wraps_inside_the_page(live_server, browser, browser_context_args):
    client = UserFactory(role=Role.CLIENT, name="Alex Client")
    item = engagement(client, listed_broker(display_name="Morgan Broker"), status="requested")
    Message.objects.create(engagement=item, sender=client, body="https://example.org/" + "x" * 3000)
    page = signed_in_page(browser, browser_context_args, live_server, client)
    page.goto(f"{live_server.url}/engagements/{item.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= browser_context_args["viewport"]["width"]


def test_withdrawing_and_declining_ask_first_without_javascript(live_server, browser, browser_context_args):
    client = UserFactory(role=Role.CLIENT, name="Alex Client")
    broker = listed_broker(display_name="Morgan Broker")
    withdrawn = engagement(client, broker, status="requested")
    page = signed_in_page(browser, browser_context_args, live_server, client, java_script_enabled=False)
    page.goto(f"{live_server.url}/engagements/{withdrawn.pk}/")
    page.get_by_role("button", name="Withdraw your request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your request to Morgan Broker?")
    assert_accessible_with_javascript(browser, browser_context_args, live_server, client, page.url, "withdraw")
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_test_id("engagement-status")).to_have_text("Waiting for the broker to accept")
    page.get_by_role("button", name="Withdraw your request").click()
    page.get_by_role("button", name="Withdraw your request").click()
    expect(page.get_by_text("You have withdrawn your request.")).to_be_visible()

    declined = engagement(UserFactory(role=Role.CLIENT, name="Sam Client"), broker, status="requested")
    broker_page = signed_in_page(browser, browser_context_args, live_server, broker, java_script_enabled=False)
    broker_page.goto(f"{live_server.url}/engagements/")
    broker_page.get_by_role("button", name="Decline request from Sam Client").click()
    expect(broker_page.get_by_role("heading", level=1)).to_have_text("Decline the request from Sam Client?")
    assert_accessible_with_javascript(browser, browser_context_args, live_server, broker, broker_page.url, "decline")
    broker_page.get_by_role("button", name="Decline the request").click()
    expect(broker_page.get_by_text("You have declined this request.")).to_be_visible()
    declined.refresh_from_db()
    assert declined.status == "declined"
