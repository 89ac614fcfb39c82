"""API authentication (its own module: DRF imports it while importing itself, so it must not import DRF's views)."""

from typing import Any

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from rest_framework import exceptions
from rest_framework.request import Request


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's X-Session-Token, answering 401 (not 403) when it is missing, wrong or expired."""

    def authenticate(self, request: Any) -> tuple | None:
        token = self.get_session_token(request)
        if not token:
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed("Your session token is not valid or has expired. Log in again.")
        return result

    def authenticate_header(self, request: Request) -> str:
        return 'X-Session-Token realm="api"'
