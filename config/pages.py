"""The pages' side of the service conventions: what a page does when a service says no.

A refusal for want of the second factor sends the person to set it up or use it; any other refusal of the person
(NotAllowed) is the 403 page, an object they cannot see is the 404 page, and every other rule becomes a message on
the page they come back to (the caller decides where that is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.mfa import second_factor_redirect
from config.errors import NotAllowed, NotFound, SecondFactorRequired, ServiceError


class Refused(Exception):
    """Raised by `attempt` when the page must answer with `response` (the second-factor redirect)."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("refused")
        self.response = response


def raise_for_refusal(request: HttpRequest, error: ServiceError, *, next_url: str | None = None) -> None:
    """Turn refusals of the person into the right answer; returns for rules about the input or the state."""
    if isinstance(error, SecondFactorRequired):
        raise Refused(second_factor_redirect(request, next_url=next_url))
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message) from error
    if isinstance(error, NotFound):
        raise Http404(error.message) from error


def attempt(request: HttpRequest, action: Callable[..., Any], *, next_url: str | None = None, **kwargs: Any) -> bool:
    """Run a service for a page: True when it did it, False with the reason shown as an error message."""
    try:
        action(**kwargs)
    except ServiceError as error:
        raise_for_refusal(request, error, next_url=next_url)
        messages.error(request, error.message)
        return False
    return True


class RefusedMiddleware:
    """Answers `Refused` with its response, so views need no try/except for the second-factor redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return exception.response if isinstance(exception, Refused) else None
