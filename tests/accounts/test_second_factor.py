"""The second factor before decisions: the rule asks whether *this sign-in* used it, not whether it is enrolled;
the admin signs in through allauth, with its second-factor stage and its failed-login limits."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.mfa import decisions_blocked, mfa_must_enrol, second_factor_ensure, second_factor_used
from accounts.models import Role
from audit.context import acting
from config.errors import SecondFactorRequired
from tests.factories import PASSWORD, UserFactory
from tests.mfa import (
    api_token_password_only,
    api_token_with_mfa,
    enrol_totp,
    page_login_with_mfa,
    session_password_only,
    session_with_mfa,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_on(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = True


@pytest.mark.parametrize(
    ("role", "staff", "must"),
    [(Role.CLIENT, False, False), (Role.BROKER, False, False), (Role.REVIEWER, False, True), (Role.ADMIN, True, True)],
)
def test_only_reviewers_and_admins_are_asked_to_enrol(guard_on, role, staff, must):
    user = UserFactory(role=role, is_staff=staff)
    assert mfa_must_enrol(user) is must
    enrol_totp(user)
    assert mfa_must_enrol(user) is False


def test_nobody_is_asked_to_enrol_when_the_setting_is_off(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = False
    assert mfa_must_enrol(UserFactory(role=Role.REVIEWER)) is False
    assert mfa_must_enrol(AnonymousUser()) is False


def test_an_enrolled_reviewer_who_signed_in_with_the_password_only_is_refused(guard_on):
    reviewer = UserFactory(role=Role.REVIEWER)
    enrol_totp(reviewer)
    with acting(session=session_password_only(reviewer)):
        assert second_factor_used(reviewer) is False
        with pytest.raises(SecondFactorRequired) as refused:
            second_factor_ensure(reviewer)
    assert refused.value.code == "mfa_required" and "authenticator app" in refused.value.message


def test_a_session_of_someone_else_never_counts(guard_on):
    reviewer, other = UserFactory(role=Role.REVIEWER), UserFactory(role=Role.REVIEWER)
    with acting(session=session_with_mfa(other)):
        assert decisions_blocked(reviewer) is True
    with acting(session=session_with_mfa(reviewer)):
        assert decisions_blocked(reviewer) is False


def test_without_a_session_nothing_decides(guard_on):
    assert decisions_blocked(UserFactory(role=Role.REVIEWER)) is True


def test_the_setting_off_lets_decisions_through(settings):
    settings.MFA_REQUIRED_FOR_DECISIONS = False
    assert decisions_blocked(UserFactory(role=Role.REVIEWER)) is False


def test_an_api_token_carries_the_second_factor_of_its_sign_in(guard_on, client_user):
    reviewer = UserFactory(role=Role.REVIEWER)
    secret = enrol_totp(reviewer)
    body = {
        "client": client_user.pk, "council": "kent", "eligibility": "substantial", "annual_amount": "2000.00",
        "assessed_on": "2026-11-01", "review_on": "2027-11-01", "outcomes": ["relationships"],
        "payment_route": "kent_card",
    }  # fmt: skip
    from rest_framework.test import APIClient

    with_mfa = APIClient(HTTP_X_SESSION_TOKEN=api_token_with_mfa(reviewer, secret))
    assert with_mfa.post("/api/v1/budgets", body, format="json").status_code == 201
    # The same person on another sign-in that stopped at the password: the enrolment alone does not count.
    reviewer2 = UserFactory(role=Role.REVIEWER)
    password_only = APIClient(HTTP_X_SESSION_TOKEN=api_token_password_only(reviewer2))
    refused = password_only.post("/api/v1/budgets", body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"


# --- The admin signs in through allauth ---------------------------------------------------------------------------


def test_the_admin_login_page_is_allauths(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_posting_a_password_to_the_admin_login_signs_nobody_in(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    enrol_totp(admin)
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302  # still not signed in
    assert client.get("/api/v1/me").status_code in (401, 403)


def test_an_admin_with_totp_must_give_the_code_before_the_admin_opens(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    secret = enrol_totp(admin)
    response = client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    assert "/2fa/authenticate" in response["Location"]
    assert client.get("/admin/").status_code == 302  # the password alone opened nothing
    client.logout()
    page_login_with_mfa(client, admin, secret)
    assert client.get("/admin/").status_code == 200


def test_failed_admin_logins_are_limited(client, settings):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    for _ in range(6):
        client.post("/accounts/login/", {"login": admin.email, "password": "wrong-password-1"})
    response = client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, with the limit's message: no way in by guessing
    assert "_auth_user_id" not in client.session


def test_staff_pages_send_anonymous_people_to_allauths_login(client):
    for url in ("/provider/verify/", "/charter/review/", "/admin/plans/plan/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/"), (url, response.redirect_chain)
        assert b'name="password"' in response.content
