"""Who is acting, through what, in this request or task: set once at the edge, read by the services.

The middleware sets it for pages, the API and the admin; the API's token authentication adds the token's session;
Celery's task signals set `task`. Anything else (a shell, a command, a test calling a service) is `system`.
Services never take these as arguments, so no caller can claim a channel or a second factor it did not use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from typing import Any

from django.db import models


class Via(models.TextChoices):
    PAGE = "page", "A page"
    API = "api", "The API"
    ADMIN = "admin", "The admin"
    TASK = "task", "A background task"
    SYSTEM = "system", "The system"


@dataclass(frozen=True)
class Context:
    via: str = Via.SYSTEM
    request_id: str = ""
    # The Django session this request is signed in with (cookie or X-Session-Token): it holds the record of which
    # authentication methods (password, mfa...) this sign-in used.
    session: Any = None
    # Answers worth reading once per request (who a person acts for); None outside a request, where nothing is kept.
    cache: dict[Any, Any] | None = None


_current: ContextVar[Context] = ContextVar("audit_context", default=Context())  # noqa: B039 (frozen)


def current() -> Context:
    return _current.get()


def enter(**changes: Any) -> Token[Context]:
    """Change the context until `leave(token)`; for middleware and signal handlers that cannot use `with`."""
    return _current.set(replace(current(), **changes))


def leave(token: Token[Context]) -> None:
    _current.reset(token)


@contextmanager
def acting(**changes: Any) -> Iterator[Context]:
    """`with acting(via="task"):` for code that is not a request (tasks, commands, tests)."""
    token = enter(**changes)
    try:
        yield current()
    finally:
        leave(token)


def via_for_path(path: str) -> str:
    if path.startswith("/admin/"):
        return Via.ADMIN
    if path.startswith(("/api/", "/_allauth/", "/openreferral/")):
        return Via.API
    return Via.PAGE
