"""Writing the audit trail, and the decorator every write service wears."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import pghistory
from django.db import connection, transaction

from audit import context
from audit.models import Event

F = TypeVar("F", bound=Callable[..., Any])


def event_record(
    *,
    action: str,
    record_type: str,
    record_id: int,
    by: Any = None,
    person: Any = None,
    on_behalf_of: Any = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Record one change, in the caller's transaction; the channel and request come from the context."""
    now = context.current()
    return Event.objects.create(
        action=action,
        record_type=record_type,
        record_id=record_id,
        by=by if getattr(by, "pk", None) else None,
        person=person,
        on_behalf_of=on_behalf_of,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data or {},
        via=now.via,
        request_id=now.request_id,
    )


def pghistory_active() -> bool:
    from pghistory import runtime

    return hasattr(runtime._tracker, "value")


def _forget_history_context() -> None:
    """pghistory's context lives until the end of the transaction (`set_config(..., true)`): when a service runs inside
    a longer transaction (a request, a test), what follows it must not be attributed to it."""
    if connection.in_atomic_block and not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pghistory.context_id', '', true)")


def service(function: F) -> F:
    """A write service: one transaction, and the database history of every row it changes marked as its work.

    History rows written outside any service (raw SQL, a shell, a migration) carry no `service` and show as such."""

    @wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        by = kwargs.get("by")
        metadata = {"service": function.__name__, "via": context.current().via, "user": getattr(by, "pk", None)}
        outermost = not pghistory_active()
        try:
            with pghistory.context(**metadata), transaction.atomic():
                return function(*args, **kwargs)
        finally:
            if outermost:
                _forget_history_context()

    return cast(F, wrapped)
