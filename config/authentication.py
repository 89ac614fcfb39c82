"""API authentication (its own module: DRF imports it while importing itself, so it must not import DRF's views)."""

from typing import Any

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.sessions import session_still_valid
from audit import context


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token, answering 401 (not 403) when it is missing, wrong or expired.

    The token's session becomes the request's session in the audit context, so the services see which methods
    (password, second factor) this sign-in used, exactly as they do for a browser session."""

    def authenticate(self, request: Any) -> tuple | None:
        token = self.get_session_token(request)
        if not token:
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed("Your session token is not valid or has expired. Log in again.")
        user, session = result
        if not session_still_valid(session, user):
            session.flush()
            raise exceptions.AuthenticationFailed("Your session has ended to keep people's records safe. Log in again.")
        if session.modified:
            session.save()
        context.enter(session=session)  # undone with the rest of the request's context by the middleware
        return result

    def authenticate_header(self, request: Request) -> str:
        return 'X-Session-Token realm="api"'
