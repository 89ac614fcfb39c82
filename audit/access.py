"""Who read a person's records: one row per read by anyone other than the person, never the content.

Reads are noted during the request (`note_read`) and written in one INSERT when the response is ready
(`AccessLogMiddleware`), so logging never adds a query per record or slows the page; code outside a request (a
task, a shell) writes its notes when it calls `flush()` (or at once with `note_read(..., now=True)`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

RECORDS = ("budget", "plan", "plan_version", "pdf", "engagement", "statement")
_pending: ContextVar[list[dict[str, Any]] | None] = ContextVar("access_pending", default=None)


def note_read(
    who: Any, *, record: str, record_id: int, person_id: int | None, on_behalf_of_id: int | None = None
) -> None:
    """Someone read a person's record. Their own reads are not noted."""
    if not getattr(who, "is_authenticated", False) or person_id is None or who.pk == person_id:
        return
    entry = {
        "who_id": who.pk,
        "role": "admin" if who.is_staff else who.role,
        "person_id": person_id,
        "on_behalf_of_id": on_behalf_of_id,
        "record": record,
        "record_id": record_id,
    }
    pending = _pending.get()
    if pending is None:
        _write([entry])
    else:
        pending.append(entry)


def _write(entries: list[dict[str, Any]]) -> None:
    from audit.models import AccessLog

    unique = {tuple(sorted(entry.items())): entry for entry in entries}
    AccessLog.objects.bulk_create([AccessLog(**entry) for entry in unique.values()])


class AccessLogMiddleware:
    """Collects the reads of one request and writes them in a single INSERT once the answer is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _pending.set([])
        try:
            response = self.get_response(request)
            pending = _pending.get() or []
            if pending and response.status_code < 400:
                _write(pending)
            return response
        finally:
            _pending.reset(token)
