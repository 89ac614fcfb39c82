"""Retention: each kind of record is removed once its period (settings.RETENTION_DAYS) has passed, by a beat task
that is safe to run twice and logs what it removed. Records KMPT must keep (budgets, plans, versions, decisions, the
audit trail and the access log about them) have no period here: they are kept with the person's record."""

from __future__ import annotations

from datetime import timedelta

import structlog
from django.conf import settings
from django.utils import timezone

from accounts import registry

logger = structlog.get_logger("waymark.retention")


def _cutoff(key: str):  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(days=settings.RETENTION_DAYS[key])


def retention_due() -> list[dict[str, object]]:
    """What would be removed if retention ran now, kind by kind (for the admins' page)."""
    return [
        {
            "key": kind.key,
            "label": kind.label,
            "days": settings.RETENTION_DAYS[kind.key],
            "due": kind.due(_cutoff(kind.key)),
        }
        for kind in registry.retentions()
        if kind.key in settings.RETENTION_DAYS
    ]


def retention_apply() -> dict[str, int]:
    """Remove everything past its period; answers (and logs) how many of each kind went."""
    removed = {
        kind.key: kind.remove(_cutoff(kind.key))
        for kind in registry.retentions()
        if kind.key in settings.RETENTION_DAYS
    }
    logger.info("retention_applied", **removed)
    return removed


def _exports_due(cutoff):  # type: ignore[no-untyped-def]
    from accounts.models import DataExport

    return DataExport.objects.filter(created_at__lt=cutoff)


registry.register_retention(
    "data_exports",
    label="Copies of people's data they downloaded",
    remove=lambda cutoff: _exports_due(cutoff).delete()[0],
    due=lambda cutoff: _exports_due(cutoff).count(),
)


def register_sessions() -> None:
    from importlib import import_module

    def remove(cutoff):  # type: ignore[no-untyped-def]
        from django.contrib.sessions.models import Session

        expired = Session.objects.filter(expire_date__lt=timezone.now())
        count = expired.count()
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        return count

    def due(cutoff):  # type: ignore[no-untyped-def]
        from django.contrib.sessions.models import Session

        return Session.objects.filter(expire_date__lt=timezone.now()).count()

    registry.register_retention("sessions", label="Expired sign-in sessions", remove=remove, due=due)


def _sent_emails(cutoff):  # type: ignore[no-untyped-def]
    from accounts.models import OutgoingEmail

    return OutgoingEmail.objects.filter(sent_at__lt=cutoff)


registry.register_retention(
    "sent_emails",
    label="Emails already sent",
    remove=lambda cutoff: _sent_emails(cutoff).delete()[0],
    due=lambda cutoff: _sent_emails(cutoff).count(),
)
