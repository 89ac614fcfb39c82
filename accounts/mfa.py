"""The second factor before decisions: the rule the services enforce, and what pages do when it says no.

In production (`MFA_REQUIRED_FOR_DECISIONS`), deciding anything (verify, suspend, record a budget, decide a plan,
complete an erasure) needs a session that was signed in with the second factor: allauth records each method a
sign-in used in its session (`account_authentication_methods`), and an API token carries its own session. Having
TOTP *enrolled* is not enough; this sign-in must have used it. The services call `second_factor_ensure(user)`;
views, API, admin and tasks never check it themselves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from accounts.models import Role
from audit import context
from config.errors import SecondFactorRequired

METHODS_KEY = "account_authentication_methods"
METHODS_USER_KEY = "account_authentication_methods_user"
ENROL_MESSAGE = (
    "Reviewers and administrators must set up an authenticator app before they decide anything. "
    "It keeps people's plans and personal details safe."
)
REAUTHENTICATE_MESSAGE = (
    "Before you decide anything, confirm it is you with the code from your authenticator app. "
    "Decisions need a sign-in that used your second factor."
)


def second_factor_used(user: Any) -> bool:
    """Did the session of this request (cookie or API token) sign this person in with their second factor?"""
    session = context.current().session
    if session is None or user is None or not getattr(user, "pk", None):
        return False
    if str(session.get(METHODS_USER_KEY)) != str(user.pk):
        return False
    return any(record.get("method") == "mfa" for record in session.get(METHODS_KEY) or [])


def decisions_blocked(user: Any) -> bool:
    """True when a decision by this person would be refused now for want of the second factor."""
    return bool(getattr(settings, "MFA_REQUIRED_FOR_DECISIONS", False)) and not second_factor_used(user)


def second_factor_ensure(user: Any) -> None:
    """For services that decide: 403 `mfa_required` unless this sign-in used the second factor."""
    if decisions_blocked(user):
        raise SecondFactorRequired(REAUTHENTICATE_MESSAGE if is_mfa_enabled(user) else ENROL_MESSAGE)


def mfa_must_enrol(user: Any) -> bool:
    """True for reviewers and admins who have not set up an authenticator app yet, where decisions need one."""
    if not getattr(settings, "MFA_REQUIRED_FOR_DECISIONS", False) or not getattr(user, "is_authenticated", False):
        return False
    deciding = user.role in (Role.REVIEWER, Role.ADMIN) or user.is_staff
    return deciding and not is_mfa_enabled(user)


def second_factor_redirect(request: HttpRequest, *, next_url: str | None = None) -> HttpResponseRedirect:
    """Where a page sends someone a service refused for want of the second factor: set it up, or use it now."""
    if not is_mfa_enabled(request.user):  # type: ignore[arg-type]
        messages.warning(request, ENROL_MESSAGE)
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
    messages.warning(request, REAUTHENTICATE_MESSAGE)
    back = next_url or (request.get_full_path() if request.method == "GET" else reverse("dashboard"))
    return HttpResponseRedirect(reverse("mfa_reauthenticate") + "?" + urlencode({"next": back}))
