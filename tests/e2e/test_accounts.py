"""Browser journeys for people: sign up and verify, log in by role, MFA with a code, crisis help everywhere.

Every page visited passes axe (assert_accessible) and shows the "Need help now?" link.
"""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

DEMO_PASSWORD = "demo-pass-123"


@pytest.fixture
def eager_celery():
    """Run tasks in the live server's thread, so the verification email lands in mail.outbox."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def mandatory_verification(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # as in production


def check(page, name: str) -> None:
    """The page passes axe, and crisis help is one link away."""
    crisis = page.locator("a.waymark-crisis-bar__link")
    assert crisis.is_visible() and crisis.get_attribute("href") == "/help-now/", f"no crisis link on {page.url}"
    assert_accessible(page, name)


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_client_signs_up_verifies_their_email_logs_in_and_finds_crisis_help(
    request, live_server, eager_celery, mandatory_verification, js
):
    page = request.getfixturevalue("page" if js else "no_js_page")
    suffix = "" if js else "-nojs"
    email = f"new-client{suffix}@example.org"
    mail.outbox.clear()

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_role("heading", name="Create an account", level=1).wait_for()
    check(page, f"signup{suffix}")
    page.get_by_role("button", name="Create account").click()
    # expect() waits for the answer to the POST: is_visible() would look at whichever page is there at that instant
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()  # an empty form shows the error summary
    check(page, f"signup-errors{suffix}")

    page.get_by_label("Your name").fill("Robin Client")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill("a-calm-long-password")
    assert page.get_by_label("Client").is_checked(), "client is the default role"
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    check(page, f"verification-sent{suffix}")

    [message] = [m for m in mail.outbox if email in m.to]
    # the email links to SITE_URL (the public address); this test's server is elsewhere, so follow its path there
    path = re.search(r"https?://\S+?(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(live_server.url + path)
    check(page, f"confirm-email{suffix}")
    page.get_by_role("button", name="Yes, confirm my email address").click()
    page.get_by_role("heading", name="Hello, Robin").wait_for()
    assert "(Client)" in page.get_by_test_id("signed-in-as").inner_text()
    check(page, f"dashboard-new-client{suffix}")

    log_out(page)
    log_in(page, live_server, email, "a-calm-long-password")
    page.get_by_role("heading", name="Hello, Robin").wait_for()

    page.get_by_role("link", name="Need help now?").first.click()
    page.get_by_role("heading", name="Need help now?", level=1).wait_for()
    assert "116 123" in page.content()
    check(page, f"crisis{suffix}")


def test_a_wrong_password_shows_an_error_summary_without_javascript(live_server, no_js_page, db):
    from accounts.demo import seed

    seed()
    log_in(no_js_page, live_server, "client@example.org", "not-the-password")
    summary = no_js_page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    check(no_js_page, "login-errors-nojs")


ROLES = [
    ("client@example.org", "Alex Morgan", "Client", "Find a support broker"),
    ("broker@example.org", "Jo Fletcher", "Support broker", "No requests or clients yet"),
    ("provider@example.org", "Morgan Ellis", "Activity provider", "Your activities"),
    ("reviewer@example.org", "Dr Helen Carter", "KMPT reviewer", "Review queue"),
    ("admin@example.org", "Waymark Admin", "Administrator", "Nothing is waiting for you"),
]


def test_each_demo_person_logs_in_and_sees_their_role_dashboard(live_server, page, db):
    from accounts.demo import seed

    seed()
    for email, name, role, next_step in ROLES:
        log_in(page, live_server, email, DEMO_PASSWORD)
        page.get_by_role("heading", level=1).filter(has_text="Hello").wait_for()
        header = " ".join(page.get_by_test_id("signed-in-as").inner_text().split())
        assert header == f"Logged in as {name} ({role})"
        assert page.get_by_text(next_step).first.is_visible()
        check(page, f"dashboard-{role.lower().replace(' ', '-')}")
        log_out(page)


def test_a_reviewer_sets_up_an_authenticator_app_and_logs_in_with_a_code(live_server, page, db, settings):
    from accounts.demo import seed

    settings.MFA_TOTP_TOLERANCE = 1  # a code from the next 30 seconds also works: no flaky clock edges
    seed()
    log_in(page, live_server, "reviewer@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Account").click()
    check(page, "account")
    page.get_by_role("link", name="Manage extra security").click()
    check(page, "mfa-index")
    page.get_by_role("link", name="Set up an authenticator app").click()
    check(page, "reauthenticate")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Set up an authenticator app").wait_for()
    check(page, "totp-activate")

    secret = page.get_by_test_id("totp-secret").inner_text().strip()

    def code(step: int = 0) -> str:
        return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))

    page.get_by_label("Security code").fill(code())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.get_by_test_id("recovery-codes").locator("li").count() > 0
    check(page, "recovery-codes")

    log_out(page)
    log_in(page, live_server, "reviewer@example.org", DEMO_PASSWORD)
    page.get_by_role("heading", name="Enter your security code").wait_for()
    check(page, "mfa-authenticate")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check(page, "mfa-authenticate-errors")
    page.get_by_label("Security code").fill(code(1))  # a fresh code: the one used to set up may not be reused
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Hello, Dr Helen Carter").wait_for()
    check(page, "dashboard-reviewer-after-mfa")
