"""Second factor in tests, through allauth's real flows: enrol TOTP, compute the current code, sign in with it."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from rest_framework.test import APIClient

from audit.context import acting
from tests.factories import PASSWORD


def enrol_totp(user) -> str:
    """Give the person an authenticator app; answers its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def api_token_with_mfa(user, secret: str) -> str:
    """Sign in through the headless API: password, then the authenticator code; answers the session token."""
    api = APIClient()
    first = api.post("/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert first.status_code == 401, first.content  # the second-factor stage is pending
    token = first.json()["meta"]["session_token"]
    second = api.post(
        "/_allauth/app/v1/auth/2fa/authenticate", {"code": totp_code(secret)}, format="json", HTTP_X_SESSION_TOKEN=token
    )
    assert second.status_code == 200, second.content
    return second.json()["meta"]["session_token"]


def api_token_password_only(user) -> str:
    api = APIClient()
    response = api.post("/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def page_login_with_mfa(client: Client, user, secret: str) -> None:
    """Sign in on the pages: the login form, then the authenticator code."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"], response
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]


def session_with_mfa(user) -> dict:
    """What allauth's session holds after a sign-in that used the second factor (for direct service calls)."""
    return {
        "account_authentication_methods": [{"method": "password"}, {"method": "mfa", "type": "totp"}],
        "account_authentication_methods_user": str(user.pk),
    }


def session_password_only(user) -> dict:
    return {
        "account_authentication_methods": [{"method": "password"}],
        "account_authentication_methods_user": str(user.pk),
    }


def signed_in_with_mfa(user):
    """`with signed_in_with_mfa(user):` a service call made as if from that person's second-factor session."""
    return acting(session=session_with_mfa(user))
