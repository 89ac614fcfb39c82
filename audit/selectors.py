"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audit.models import Event


def events_of(record_type: str, record_id: int) -> QuerySet[Event]:
    return (
        Event.objects.filter(record_type=record_type, record_id=record_id)
        .select_related("by", "on_behalf_of")
        .order_by("at", "id")
    )


def history_outside_services(history: QuerySet) -> QuerySet:
    """pghistory rows that no service wrote: raw SQL, a shell, anything that went round the rules."""
    return history.filter(Q(pgh_context__isnull=True) | ~Q(pgh_context__metadata__has_key="service"))
