"""The guard in front of every decision: reviewers and admins must enrol MFA first (production only).

Use it on anything that decides something (approve, decline, verify, suspend, record a budget):
- function views: `@mfa_required_for_decisions`
- class-based views: `class MyView(MFARequiredForDecisionsMixin, View)`
- DRF views/actions: `permission_classes = [IsAuthenticated, MFARequiredForDecisions, ...]`
  (or `@action(..., permission_classes=[...])`).

Pages send the person to the authenticator-app set-up with a message saying why; the API answers
403 `{"detail": ..., "code": "mfa_required"}`. `settings.MFA_REQUIRED_FOR_DECISIONS` switches it on
(True in production, False with DEBUG and in tests; tests that check the guard override it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from accounts.models import Role

MFA_REQUIRED_CODE = "mfa_required"
MFA_REQUIRED_MESSAGE = (
    "Reviewers and administrators must set up an authenticator app before they decide anything. "
    "It keeps people's plans and personal details safe."
)


def mfa_must_enrol(user: Any) -> bool:
    """True when this person may not decide anything until they set up MFA."""
    if not getattr(settings, "MFA_REQUIRED_FOR_DECISIONS", False):
        return False
    if user is None or not user.is_authenticated:
        return False
    deciding = user.role in (Role.REVIEWER, Role.ADMIN) or user.is_staff
    return deciding and not is_mfa_enabled(user)


def mfa_enrol_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Send a page request to the authenticator-app set-up, saying why."""
    messages.warning(request, MFA_REQUIRED_MESSAGE)
    return HttpResponseRedirect(reverse("mfa_activate_totp"))


def mfa_required_for_decisions(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator for page views that decide something."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if mfa_must_enrol(request.user):
            return mfa_enrol_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


class MFARequiredForDecisionsMixin:
    """Mixin for class-based page views that decide something (put it first in the bases)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if mfa_must_enrol(request.user):
            return mfa_enrol_redirect(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class MFARequired(PermissionDenied):
    default_detail = MFA_REQUIRED_MESSAGE
    default_code = MFA_REQUIRED_CODE


def ensure_mfa_for_decision(user: Any) -> None:
    """For API actions that decide something: 403 `mfa_required` until this person has set up MFA."""
    if mfa_must_enrol(user):
        raise MFARequired()


def page_mfa_guard(request: HttpRequest) -> HttpResponse | None:
    """For page views that decide on POST: None when allowed, else the redirect to set up MFA."""
    if request.method == "POST" and mfa_must_enrol(request.user):
        return mfa_enrol_redirect(request)
    return None


class MFARequiredForDecisions(permissions.BasePermission):
    """DRF permission: 403 `{"detail", "code": "mfa_required"}` for reviewers and admins without MFA.

    Anonymous requests pass through so that IsAuthenticated still answers 401.
    """

    message = MFA_REQUIRED_MESSAGE
    code = MFA_REQUIRED_CODE

    def has_permission(self, request: Any, view: Any) -> bool:
        if mfa_must_enrol(request.user):
            raise MFARequired()
        return True
