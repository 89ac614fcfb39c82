"""Every write to the charter: publishing versions, signing, verifying, suspending, concerns. Each is audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from charter.models import (
    CharterEvent,
    CharterEventKind,
    CharterVersion,
    Concern,
    ConcernStatus,
    Principle,
    Signature,
    SignatureStatus,
)
from charter.selectors import charter_current
from config.api import Conflict, InvalidTransition, NotAllowed, ServiceError


class CharterError(ServiceError):
    """Invalid input to a charter action (400)."""


# Which states each admin action may start from.
SIGNATURE_TRANSITIONS = {
    SignatureStatus.VERIFIED: (SignatureStatus.PENDING, SignatureStatus.SUSPENDED),
    SignatureStatus.SUSPENDED: (SignatureStatus.PENDING, SignatureStatus.VERIFIED),
}


def _require_admin(user: User, action: str) -> None:
    if not user.is_staff:
        raise NotAllowed(f"Only an administrator can {action}.")


@transaction.atomic
def charter_version_publish(
    *,
    version: int,
    title: str,
    principles: list[dict[str, str]],
    by: User | None,
    introduction: str = "",
    published_on: datetime.date | None = None,
) -> CharterVersion:
    """Publish a new charter version: from its publication date every broker must sign it again to stay listed."""
    if by is not None:
        _require_admin(by, "publish the charter")
    if not principles:
        raise CharterError("A charter needs at least one principle.", code="no_principles")
    charter = CharterVersion.objects.create(
        version=version,
        title=title,
        introduction=introduction,
        published_on=published_on or timezone.localdate(),
    )
    Principle.objects.bulk_create(
        Principle(charter=charter, position=position, **principle) for position, principle in enumerate(principles)
    )
    CharterEvent.objects.create(kind=CharterEventKind.VERSION_PUBLISHED, actor=by, charter=charter)
    return charter


def _attestations_missing(charter: CharterVersion, attestations: dict[str, Any]) -> list[str]:
    return [principle.key for principle in charter.principles.all() if attestations.get(principle.key) is not True]


@transaction.atomic
def signature_create(*, broker: User, version: int, attestations: dict[str, Any]) -> Signature:
    """A broker signs the current charter by attesting every principle; it waits for an admin to verify it."""
    if broker.role != Role.BROKER:
        raise NotAllowed("Only support brokers sign the Quality Charter.")
    current = charter_current()
    if current is None or current.version != version:
        raise CharterError(
            "You can only sign the current version of the charter.",
            code="not_current_version",
            extra={"version": ["You can only sign the current version of the charter."]},
        )
    missing = _attestations_missing(current, attestations or {})
    if missing:
        raise CharterError(
            "You must agree to every principle of the charter.",
            code="attestation_missing",
            extra={"attestations": [f"Agree to every principle. Not agreed: {', '.join(missing)}."]},
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                broker=broker,
                charter=current,
                attestations={principle.key: True for principle in current.principles.all()},
            )
    except IntegrityError:
        raise Conflict("You have already signed this version of the charter.", code="already_signed") from None
    CharterEvent.objects.create(
        kind=CharterEventKind.SIGNED,
        actor=broker,
        broker=broker,
        charter=current,
        signature=signature,
        to_status=SignatureStatus.PENDING,
    )
    return signature


def _signature_move(*, signature: Signature, by: User, to: SignatureStatus, reason: str, **fields: Any) -> Signature:
    sources = SIGNATURE_TRANSITIONS[to]
    current = Signature.objects.select_for_update().get(pk=signature.pk)
    if current.status not in sources:
        raise InvalidTransition(f"A {current.status} signature cannot become {to}.")
    from_status = current.status
    Signature.objects.filter(pk=current.pk, status=from_status).update(status=to, **fields)
    CharterEvent.objects.create(
        kind=CharterEventKind.VERIFIED if to == SignatureStatus.VERIFIED else CharterEventKind.SUSPENDED,
        actor=by,
        broker_id=current.broker_id,
        charter_id=current.charter_id,
        signature=current,
        from_status=from_status,
        to_status=to,
        reason=reason,
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def signature_verify(*, signature: Signature, by: User) -> Signature:
    """An admin confirms the signature (or reinstates a suspended one): the broker is listed if their profile is."""
    _require_admin(by, "verify a signature")
    if signature.broker_id == by.pk:
        raise NotAllowed("You cannot verify your own signature.")
    return _signature_move(
        signature=signature,
        by=by,
        to=SignatureStatus.VERIFIED,
        reason="",
        verified_at=timezone.now(),
        verified_by=by,
        suspended_at=None,
        suspended_by=None,
        suspension_reason="",
    )


@transaction.atomic
def signature_suspend(*, signature: Signature, by: User, reason: str) -> Signature:
    """An admin suspends a signature, with a reason: the broker is delisted at once."""
    _require_admin(by, "suspend a signature")
    reason = (reason or "").strip()
    if not reason:
        raise CharterError(
            "Give a reason for the suspension.", code="reason_required", extra={"reason": ["Give a reason."]}
        )
    return _signature_move(
        signature=signature,
        by=by,
        to=SignatureStatus.SUSPENDED,
        reason=reason,
        suspended_at=timezone.now(),
        suspended_by=by,
        suspension_reason=reason,
    )


@transaction.atomic
def concern_raise(*, broker: User, by: User, text: str) -> Concern:
    """Anyone signed in tells the admins they think a broker breached the charter."""
    text = (text or "").strip()
    if not text:
        raise CharterError("Tell us what happened.", code="text_required", extra={"text": ["Tell us what happened."]})
    if broker.role != Role.BROKER:
        raise CharterError("Choose a support broker.", code="not_a_broker", extra={"broker": ["Not a broker."]})
    concern = Concern.objects.create(broker=broker, raised_by=by, text=text)
    CharterEvent.objects.create(
        kind=CharterEventKind.CONCERN_RAISED, actor=by, broker=broker, concern=concern, to_status=ConcernStatus.OPEN
    )
    return concern


@transaction.atomic
def concern_resolve(*, concern: Concern, by: User, resolution: str) -> Concern:
    """An admin closes a concern, saying what was done."""
    _require_admin(by, "resolve a concern")
    updated = Concern.objects.filter(pk=concern.pk, status=ConcernStatus.OPEN).update(
        status=ConcernStatus.RESOLVED, resolved_at=timezone.now(), resolution=resolution
    )
    if not updated:
        raise InvalidTransition("This concern is already resolved.")
    CharterEvent.objects.create(
        kind=CharterEventKind.CONCERN_RESOLVED,
        actor=by,
        broker_id=concern.broker_id,
        concern=concern,
        from_status=ConcernStatus.OPEN,
        to_status=ConcernStatus.RESOLVED,
        reason=resolution,
    )
    concern.refresh_from_db()
    return concern
