"""Shorter sessions for the people who decide: reviewers and admins are signed out after 30 minutes without activity,
and after 8 hours whatever they do. Browser sessions and API tokens alike (a token is a session)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.models import Role

STARTED_KEY = "waymark_session_started"
SEEN_KEY = "waymark_session_seen"
TOUCH_EVERY = 60  # seconds: the last-seen time is saved at most once a minute, not on every request


def _limited(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.role in (Role.REVIEWER, Role.ADMIN) or user.is_staff
    )


def session_still_valid(session: Any, user: Any) -> bool:
    """False once a reviewer's or admin's session has been idle or alive too long; records activity otherwise."""
    if session is None or not _limited(user):
        return True
    now = time.time()
    started, seen = session.get(STARTED_KEY), session.get(SEEN_KEY)
    if started is None or seen is None:
        session[STARTED_KEY] = session[SEEN_KEY] = now
        return True
    if now - seen > settings.STAFF_SESSION_IDLE_SECONDS or now - started > settings.STAFF_SESSION_MAX_SECONDS:
        return False
    if now - seen > TOUCH_EVERY:
        session[SEEN_KEY] = now
    return True


class StaffSessionMiddleware:
    """Signs an idle or too-old staff session out, and says why on the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if not session_still_valid(session, getattr(request, "user", None)):
            logout(request)
            if request.path.startswith(("/api/", "/_allauth/")):
                return self.get_response(request)  # now anonymous: the API answers 401 itself
            messages.info(request, "You were signed out to keep people's records safe. Please sign in again.")
            return HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)
