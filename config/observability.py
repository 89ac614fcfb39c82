"""Structured logs: one line per request and per task, each with its request (or task) id, never personal data.

A line names the route's pattern (`plans/<int:pk>/`), never the path or query string, which can carry search words,
email addresses or secret keys; and the person by their id only.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse

from audit import context

logger = structlog.get_logger("waymark")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def formatter(*, json: bool) -> logging.Formatter:
    """The log formatter (settings.LOGGING): JSON lines in production, readable lines in development."""
    configure_structlog()
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    # In JSON the traceback is one field of text (never local variables, which could hold personal data).
    tracebacks: list[Any] = [structlog.processors.format_exc_info] if json else []
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tracebacks, renderer],
        foreign_pre_chain=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name],
    )


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _request_id(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestMiddleware:
    """Sets who is acting and through what (the audit context), and logs the request in one line when it ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        token = context.enter(
            via=context.via_for_path(request.path),
            request_id=request_id,
            session=getattr(request, "session", None),
            cache={},
        )
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            context.leave(token)
        response["X-Request-ID"] = request_id
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            request_id=request_id,
            method=request.method,
            route=match.route if match else "unmatched",
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
            user=user.pk if user is not None and user.is_authenticated else None,
        )
        return response


_tasks: dict[str, tuple[Any, float]] = {}


def task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _tasks[task_id] = (context.enter(via="task", request_id=task_id, session=None), time.perf_counter())


def task_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    token, started = _tasks.pop(task_id or "", (None, time.perf_counter()))
    if token is not None:
        # A token made in another context (eager tasks nest) cannot be reset here: the request's own reset does it.
        with contextlib.suppress(ValueError):
            context.leave(token)
    logger.info(
        "task",
        task_id=task_id,
        task=getattr(task, "name", None),
        state=state,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )


def task_failed(task_id: str | None = None, sender: Any = None, exception: BaseException | None = None, **_: Any):  # type: ignore[no-untyped-def]
    logger.error("task_failed", task_id=task_id, task=getattr(sender, "name", None), error=type(exception).__name__)
