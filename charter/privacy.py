"""What the charter app holds about a person: the concerns they raised (registered with accounts.registry)."""

from __future__ import annotations

from typing import Any

from accounts import registry
from charter.models import Concern


def _concerns(person: Any) -> list[dict[str, Any]]:
    return [
        {
            "about": concern.broker.name,
            "text": concern.text,
            "status": concern.status,
            "at": concern.created_at.isoformat(),
        }
        for concern in Concern.objects.filter(raised_by=person).select_related("broker")
    ]


def _erase_concerns(person: Any, pseudonym: str) -> list[str]:
    Concern.objects.filter(raised_by=person).update(text="[Removed at the writer's request]")
    return []


def register() -> None:
    registry.register("concerns", export=_concerns, erase=_erase_concerns)
