"""The access log in a person's copy of their data (registered with accounts.registry)."""

from __future__ import annotations

from typing import Any

from accounts import registry
from audit.models import AccessLog


def _access_log(person: Any) -> list[dict[str, Any]]:
    rows = AccessLog.objects.filter(person=person).select_related("who").order_by("-at", "-id")
    return [
        {
            "at": row.at.isoformat(), "who": {"id": row.who_id, "name": row.who.name, "role": row.role},
            "on_behalf_of": row.on_behalf_of_id, "record": row.record, "record_id": row.record_id,
        }
        for row in rows
    ]  # fmt: skip


def register() -> None:
    registry.register("access_log", export=_access_log)
