"""Every page people see: NHS.UK base, one h1, a main landmark, the crisis link, plain-English forms."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.views.defaults import server_error

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user) -> None:
    """Log in through allauth's form, so that allauth records a recent authentication (MFA set-up needs it)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # MFA set-up asks for the password again (allauth's reauthentication); do it once here.
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def assert_page(response, h1: str, status: int = 200) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="en-GB">' in html
    assert html.count("<main") == 1 and 'id="maincontent"' in html
    h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    assert [re.sub(r"\s+", " ", h).strip() for h in h1s] == [h1]
    assert 'href="/help-now/"' in html, "the crisis link is on every page"
    assert "nhsuk-header" in html
    return html


ANONYMOUS_PAGES = [
    ("account_login", "Log in"),
    ("account_signup", "Create an account"),
    ("account_reset_password", "Reset your password"),
    ("account_reset_password_done", "Check your email"),
    ("account_email_verification_sent", "Check your email"),
    ("crisis", "Need help now?"),
]


@pytest.mark.parametrize(("name", "h1"), ANONYMOUS_PAGES)
def test_anonymous_pages_use_the_nhs_base(client, name, h1):
    assert_page(client.get(reverse(name)), h1)


SIGNED_IN_PAGES = [
    ("account_settings", "Your account"),
    ("account_change_password", "Change your password"),
    ("account_email", "Your email addresses"),
    ("account_logout", "Log out"),
    ("mfa_index", "Extra security for your account"),
    ("mfa_activate_totp", "Set up an authenticator app"),
    ("dashboard", "Hello, Alex Morgan"),
]


@pytest.mark.parametrize(("name", "h1"), SIGNED_IN_PAGES)
def test_signed_in_pages_use_the_nhs_base(client, name, h1):
    user = UserFactory(name="Alex Morgan")
    log_in(client, user)
    html = assert_page(client.get(reverse(name)), h1)
    assert "Alex Morgan" in html and "(Client)" in html, "the header shows who is signed in and their role"


def test_signup_asks_for_name_and_role_with_client_chosen_and_no_reviewer():
    from django.test import Client

    html = Client().get(reverse("account_signup")).content.decode()
    assert 'for="id_name"' in html and 'for="id_email"' in html and 'for="id_password1"' in html
    radios = re.findall(r'<input class="nhsuk-radios__input"[^>]*>', html)
    assert [re.search(r'value="(\w+)"', r).group(1) for r in radios] == ["client", "broker", "provider"]
    assert "checked" in radios[0] and all("checked" not in r for r in radios[1:])
    assert "placeholder" not in html


def test_signup_as_broker_creates_a_broker_and_sends_the_verification_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("account_signup"),
            {"name": "Jo Test", "email": "jo@example.org", "password1": "a-long-pass-phrase", "role": "broker"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="jo@example.org")
    assert (user.role, user.name) == (Role.BROKER, "Jo Test")
    after_commit = [callback for callback in callbacks if not getattr(callback, "empties_cache", False)]
    assert len(after_commit) == 1, "the verification email goes to Celery after commit"


def test_signup_cannot_choose_reviewer(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "sneaky@example.org", "password1": "a-long-pass-phrase", "role": "reviewer"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html and 'href="#id_role_0"' in html
    assert not User.objects.filter(email="sneaky@example.org").exists()


def test_invalid_login_shows_an_error_summary_at_the_top_of_main(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})
    html = assert_page(response, "Log in")
    main = html[html.index("<main") :]
    assert main.index("nhsuk-error-summary") < main.index("<h1")
    assert "There is a problem" in html


def test_empty_login_links_each_error_to_its_field(client):
    html = client.post(reverse("account_login"), {}).content.decode()
    assert 'href="#id_login"' in html and 'href="#id_password"' in html
    assert 'aria-describedby="id_login-error"' in html


def test_login_with_the_right_password_goes_to_the_dashboard(client):
    user = UserFactory(name="Sam Patel")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert_page(response, "Hello, Sam Patel")


@pytest.mark.parametrize(
    ("role", "staff", "caption", "next_step"),
    [
        (Role.CLIENT, False, "Client", "Find a support broker"),
        (Role.BROKER, False, "Support broker", "No requests or clients yet"),
        (Role.PROVIDER, False, "Activity provider", "Add your organisation"),
        (Role.REVIEWER, False, "KMPT reviewer", "Review queue"),
        (Role.ADMIN, True, "Administrator", "Nothing is waiting for you"),
    ],
)
def test_each_role_has_its_own_dashboard(client, role, staff, caption, next_step):
    client.force_login(UserFactory(role=role, is_staff=staff, name="Kim Lee"))
    html = assert_page(client.get(reverse("dashboard")), "Hello, Kim Lee")
    assert caption in html and next_step in html


def test_dashboard_needs_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_password_reset_queues_an_email_and_says_to_check_it(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("account_reset_password"), {"email": user.email}, follow=True)
    assert_page(response, "Check your email")
    assert len(callbacks) == 1


def test_password_reset_from_a_bad_key_says_the_link_does_not_work(client):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"})
    assert_page(client.get(url, follow=True), "This link does not work")


def test_totp_set_up_first_asks_for_the_password_again(client):
    client.force_login(UserFactory())
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert_page(response, "Confirm it is you")


def test_totp_activation_page_shows_the_secret_and_a_qr_code(client):
    log_in(client, UserFactory())
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    assert 'data-testid="totp-secret"' in html and 'src="data:image/svg+xml;base64,' in html
    assert 'for="id_code"' in html


def test_account_page_links_password_email_and_mfa(client):
    user = UserFactory()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    html = client.get(reverse("account_settings")).content.decode()
    for name in ("account_change_password", "account_email", "mfa_index"):
        assert f'href="{reverse(name)}"' in html
    assert "nhsuk-tag--green" in html, "MFA shows as on"


def test_pages_carry_a_content_security_policy_with_a_nonce_for_the_inline_script(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "unsafe-inline" not in policy


def test_api_docs_keep_working_without_the_policy(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200 and "Content-Security-Policy" not in response


def test_emails_are_not_sent_synchronously(client):
    client.post(
        reverse("account_signup"), {"email": "new@example.org", "password1": "a-long-pass-phrase", "role": "client"}
    )
    assert mail.outbox == []


def test_errors_say_what_to_do(client):
    html = client.post(reverse("account_signup"), {}).content.decode()
    assert "Enter your email address" in html and "Create a password" in html
    assert "This field is required" not in html


@pytest.fixture
def eager_celery():
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_the_verification_email_is_plain_english_with_the_link_and_crisis_numbers(
    client, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://waymark.kent.example"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"), {"email": "new@example.org", "password1": "a-long-pass-phrase", "role": "client"}
        )
    [message] = mail.outbox
    assert message.subject == "Waymark: Confirm your email address"
    assert re.search(r"https://waymark.kent.example/accounts/confirm-email/\S+/", message.body)
    assert "testserver" not in message.body  # SITE_URL, never the address the request came in on
    assert "111" in message.body and "116 123" in message.body


def test_the_password_reset_email_has_the_link(client, eager_celery, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://waymark.kent.example"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    [message] = mail.outbox
    assert message.subject == "Waymark: Reset your password"
    link = re.search(r"https://waymark.kent.example(/accounts/password/reset/key/\S+/)", message.body).group(1)
    assert_page(client.get(link, follow=True), "Choose a new password")


def test_multiple_choice_fields_are_drawn_as_checkboxes_not_radios():
    from django import forms
    from django.template import Context, Template

    class Choices(forms.Form):
        many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
        one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    html = Template('{% include "forms/_fields.html" %}').render(Context({"form": Choices()}))
    assert html.count('type="checkbox"') == 2
    assert html.count('type="radio"') == 2


def test_the_admin_dashboard_lists_what_is_waiting_with_links(client, admin_user):
    from charter.models import Concern
    from providers.models import Organization
    from tests.brokers.factories import listed_broker

    client.force_login(admin_user)
    assert "Nothing is waiting for you" in assert_page(client.get(reverse("dashboard")), f"Hello, {admin_user.name}")
    Organization.objects.create(name="New Arts CIC")
    Concern.objects.create(broker=listed_broker(), raised_by=UserFactory(), text="They asked me for a fee.")
    html = assert_page(client.get(reverse("dashboard")), f"Hello, {admin_user.name}")
    assert "Nothing is waiting for you" not in html
    assert '<a href="/provider/verify/">1 organisation to verify</a>' in html
    assert '<a href="/charter/concerns/">1 open concern about a broker</a>' in html


def test_the_admin_is_told_of_erasure_requests_and_reaches_the_queue_from_the_menu(client, admin_user, client_user):
    from accounts.models import ErasureRequest

    client.force_login(admin_user)
    ErasureRequest.objects.create(person=client_user, reason="I have moved away")
    html = assert_page(client.get(reverse("dashboard")), f"Hello, {admin_user.name}")
    assert "Nothing is waiting for you" not in html
    assert '<a href="/privacy/erasure-requests/">1 request to erase a person&#x27;s data</a>' in html
    assert 'class="nhsuk-header__navigation-link" href="/privacy/erasure-requests/"' in html


def test_a_missing_page_says_what_to_do_next_in_the_service_style(client, client_user):
    html = assert_page(client.get("/no-such-page/"), "Page not found", status=404)
    assert "check it is correct" in html and 'href="/"' in html
    client.force_login(client_user)
    assert 'href="/dashboard/"' in assert_page(client.get("/no-such-page/"), "Page not found", status=404)


def test_a_refused_page_is_in_the_service_style(client, client_user):
    client.force_login(client_user)
    html = assert_page(client.get("/charter/sign/"), "You cannot do this", status=403)  # brokers only
    assert "You are logged in as" in html


def test_a_server_error_and_a_stale_form_show_plain_pages_with_the_crisis_numbers(client, rf):
    error = server_error(rf.get("/"))
    assert error.status_code == 500
    assert "Sorry, there is a problem with the service" in error.content.decode()
    assert "111" in error.content.decode()
    stale = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "a@example.org"})
    assert stale.status_code == 403
    assert "Your form was not sent" in stale.content.decode() and "111" in stale.content.decode()
