"""Sign-up, log-in and the session token through allauth's headless API, as outside clients use them."""

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

SIGNUP = "/_allauth/app/v1/auth/signup"
LOGIN = "/_allauth/app/v1/auth/login"
pytestmark = pytest.mark.django_db


def error_codes(response) -> set[str]:
    return {error.get("code") for error in response.json().get("errors", [])}


def log_in(api, email: str, password: str = PASSWORD):
    return api().post(LOGIN, {"email": email, "password": password}, format="json")


@pytest.fixture
def emails_sent(django_capture_on_commit_callbacks):
    """Emails leave through Celery after commit: here at once, into mail.outbox."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        yield
    app.conf.task_always_eager = eager


def verify_from_email(api, token: str) -> str:
    """Open the verification link that was emailed, through the headless API: answers the signed-in token."""
    import re
    from urllib.parse import unquote

    from django.core import mail

    key = unquote(re.search(r"confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1))
    response = api().post("/_allauth/app/v1/auth/email/verify", {"key": key}, format="json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200, response.json()
    return response.json()["meta"]["session_token"]


@pytest.mark.parametrize("role", ["client", "broker", "provider"])
def test_sign_up_with_a_role_verify_the_address_then_see_it_at_me(api, role, django_capture_on_commit_callbacks):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api().post(
                SIGNUP,
                {"email": f"new-{role}@example.org", "password": "a-long-passphrase-9", "role": role},
                format="json",
            )
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 401, response.json()  # signed up; the address waits for verification
    assert {"id": "verify_email", "is_pending": True} in response.json()["data"]["flows"]
    token = verify_from_email(api, response.json()["meta"]["session_token"])
    me = api().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert me.json() == {
        "id": User.objects.get(email=f"new-{role}@example.org").pk,
        "email": f"new-{role}@example.org",
        "name": "",
        "role": role,
        "mfa_enabled": False,
    }


def test_sign_up_without_a_role_makes_a_client_with_a_name(api):
    response = api().post(
        SIGNUP, {"email": "Ann@Example.org", "password": "a-long-passphrase-9", "name": "Ann Lee"}, format="json"
    )
    assert response.status_code == 401  # waiting for the address to be verified
    user = User.objects.get(email="ann@example.org")
    assert (user.role, user.name) == (Role.CLIENT, "Ann Lee")


@pytest.mark.parametrize("role", ["reviewer", "admin", "superuser"])
def test_nobody_can_sign_up_as_a_reviewer_or_admin(api, role):
    response = api().post(
        SIGNUP, {"email": "sneaky@example.org", "password": "a-long-passphrase-9", "role": role}, format="json"
    )
    assert response.status_code == 400
    assert "role" in {error.get("param") for error in response.json()["errors"]}
    assert not User.objects.filter(email="sneaky@example.org").exists()


def test_a_sign_up_with_a_taken_address_answers_exactly_as_a_new_one(api, client_user):
    """Nothing tells a stranger that an address has an account."""
    taken = api().post(SIGNUP, {"email": client_user.email.upper(), "password": "a-long-passphrase-9"}, format="json")
    fresh = api().post(SIGNUP, {"email": "nobody-yet@example.org", "password": "a-long-passphrase-9"}, format="json")
    assert taken.status_code == fresh.status_code == 401
    assert taken.json()["data"] == fresh.json()["data"]
    assert "email_taken" not in error_codes(taken)
    assert User.objects.filter(email__iexact=client_user.email).count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "1234567890123"])
def test_weak_passwords_are_refused(api, password):
    response = api().post(SIGNUP, {"email": "weak@example.org", "password": password}, format="json")
    assert response.status_code == 400
    assert {error["param"] for error in response.json()["errors"]} == {"password"}


def test_malformed_json_is_a_400_not_a_500(api):
    response = api().post(SIGNUP, data="{not json", content_type="application/json")
    assert response.status_code == 400
    response = api().generic("PATCH", "/api/v1/me", "{not json", content_type="application/json")
    assert response.status_code in (400, 401)


def test_log_in_answers_a_token_that_authenticates_the_api(api, reviewer_user):
    response = log_in(api, reviewer_user.email)
    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    me = api().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)  # the trailing slash works too, never a redirect
    assert me.status_code == 200
    assert me.json()["role"] == "reviewer"


@pytest.mark.parametrize("email,password", [("nobody@example.org", PASSWORD), (None, "wrong-password-123")])
def test_wrong_password_or_unknown_email_is_a_clear_400(api, client_user, email, password):
    response = log_in(api, email or client_user.email, password)
    assert response.status_code == 400
    assert "email_password_mismatch" in error_codes(response)


def test_failed_logins_are_rate_limited_per_account(api, client_user):
    for _ in range(5):
        assert log_in(api, client_user.email, "wrong-password-123").status_code == 400
    response = log_in(api, client_user.email, PASSWORD)  # even the right password waits now
    assert response.status_code == 400
    assert "too_many_login_attempts" in error_codes(response)


def test_anonymous_api_calls_answer_401_with_a_challenge(api):
    response = api().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "X-Session-Token" in response["WWW-Authenticate"]


@pytest.mark.parametrize("token", ["tampered-token", "x" * 32, ""])
def test_a_tampered_or_expired_token_answers_401(api, token):
    response = api().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401


def test_a_logged_out_token_stops_working(api, client_user):
    token = log_in(api, client_user.email).json()["meta"]["session_token"]
    assert api().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 401
    assert api().get("/api/v1/me", HTTP_X_SESSION_TOKEN=token).status_code == 401


@pytest.mark.parametrize("role", [Role.CLIENT, Role.BROKER, Role.PROVIDER, Role.REVIEWER])
def test_me_for_each_role_and_a_name_change(api, role):
    user = UserFactory(role=role)
    assert api(user).get("/api/v1/me").json()["role"] == role
    response = api(user).patch("/api/v1/me", {"name": "New Name", "role": "reviewer"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.name, user.role) == ("New Name", role)  # the role is read-only


def test_me_for_an_admin(api, admin_user):
    assert api(admin_user).get("/api/v1/me").json()["role"] == "admin"


def test_unknown_api_path_is_a_json_404(api, client_user):
    response = api(client_user).get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_mandatory_verification_holds_back_an_unverified_login(api):
    user = UserFactory(verified_email=False)
    response = log_in(api, user.email)
    assert response.status_code == 401
    flows = {flow["id"]: flow for flow in response.json()["data"]["flows"]}
    assert flows["verify_email"].get("is_pending") is True
    assert not EmailAddress.objects.get(user=user).verified


def test_password_reset_request_sends_an_email_after_commit(api, client_user, django_capture_on_commit_callbacks):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api().post("/_allauth/app/v1/auth/password/request", {"email": client_user.email}, format="json")
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 200
    from django.core import mail

    assert [message.to for message in mail.outbox] == [[client_user.email]]
    assert "password" in mail.outbox[0].subject.lower()
