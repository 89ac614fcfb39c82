"""Reads of the charter: the current version, and what each person may see of signatures and concerns."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, QuerySet
from django.utils import timezone

from charter.models import CharterVersion, Concern, Signature, SignatureStatus


def charter_current() -> CharterVersion | None:
    """The newest version published on or before today: the one every broker must have signed to be listed."""
    return (
        CharterVersion.objects.filter(published_on__lte=timezone.localdate())
        .prefetch_related("principles")
        .order_by("-version")
        .first()
    )


def charter_current_reference() -> QuerySet[CharterVersion, Any]:
    """The current version's id as a one-row subquery, for filters evaluated once per query (`charter=...`)."""
    return CharterVersion.objects.filter(published_on__lte=timezone.localdate()).order_by("-version").values("pk")[:1]


def _current_version_filter() -> dict[str, Any]:
    return {"charter": charter_current_reference()}


def signatures_verified_current() -> QuerySet[Signature]:
    """Verified (hence not suspended) signatures of the current version."""
    return Signature.objects.filter(status=SignatureStatus.VERIFIED, **_current_version_filter())


def broker_has_verified_signature(broker_id_ref: Any) -> Exists:
    """An `Exists` expression for querysets: the broker (an id or `OuterRef`) holds a verified current signature."""
    return Exists(signatures_verified_current().filter(broker_id=broker_id_ref))


def signature_current_of(broker: Any) -> Signature | None:
    """The broker's signature of the current version, whatever its status."""
    return (
        Signature.objects.filter(broker=broker, **_current_version_filter())
        .select_related("charter")
        .order_by("-signed_at")
        .first()
    )


def signatures_verified_newest_first(broker_id_ref: Any) -> QuerySet[Signature]:
    """The broker's (an id or `OuterRef`) verified signatures, newest charter version first, current or not."""
    return Signature.objects.filter(broker_id=broker_id_ref, status=SignatureStatus.VERIFIED).order_by(
        "-charter__version"
    )


def signatures_visible_to(user: Any) -> QuerySet[Signature]:
    """Admins see every signature; a broker sees their own; nobody else sees any."""
    signatures = Signature.objects.select_related("broker", "charter", "verified_by", "suspended_by")
    if user.is_staff:
        return signatures
    if user.is_authenticated and user.role == "broker":
        return signatures.filter(broker=user)
    return signatures.none()


def concerns_visible_to(user: Any) -> QuerySet[Concern]:
    """Admins see every concern; anyone else sees the concerns they raised."""
    concerns = Concern.objects.select_related("broker", "raised_by")
    if not getattr(user, "is_authenticated", False):
        return concerns.none()
    if user.is_staff:
        return concerns
    return concerns.filter(raised_by=user)
