"""Every write to the charter: publishing versions, signing, verifying, suspending, concerns.

Each service checks who acts and, through the transition table in `charter.permissions`, the state it starts from;
each writes its event in the one audit trail in the same transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.mfa import second_factor_ensure
from accounts.models import User
from audit.services import event_record, service
from charter.emails import email_person
from charter.models import CharterVersion, Concern, Principle, Signature
from charter.permissions import (
    CONCERN_INITIAL,
    CONCERN_TRANSITIONS,
    SIGNATURE_INITIAL,
    SIGNATURE_TRANSITIONS,
    concern_subjects_for,
    may_act_on_signature,
    may_review,
    may_sign,
)
from charter.selectors import charter_current
from charter.signals import signature_changed
from config.errors import Conflict, InvalidTransition, NotAllowed, ServiceError

CONCERN_TEXT_MAX = 5000
NOT_NAMEABLE = "Choose a support broker from the list."
ID_MAX = 2**63 - 1  # the database's ids are 64-bit: a larger number is no id at all


class CharterError(ServiceError):
    """Invalid input to a charter action (400)."""


def _require_admin(user: User, action: str) -> None:
    if not may_review(user):
        raise NotAllowed(f"Only an administrator can {action}.")


@service
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
    event_record(
        action="published",
        record_type="charter_version",
        record_id=charter.pk,
        by=by,
        data={"charter_version": version, "published_on": charter.published_on.isoformat()},
    )
    return charter


def _attestations_missing(charter: CharterVersion, attestations: dict[str, Any]) -> list[str]:
    return [principle.key for principle in charter.principles.all() if attestations.get(principle.key) is not True]


@service
def signature_create(*, broker: User, version: int, attestations: dict[str, Any]) -> Signature:
    """A broker signs the current charter by attesting every principle; it waits for an admin to verify it."""
    if not may_sign(broker):
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
                status=SIGNATURE_INITIAL,
                attestations={principle.key: True for principle in current.principles.all()},
            )
    except IntegrityError:
        raise Conflict("You have already signed this version of the charter.", code="already_signed") from None
    event_record(
        action="signed",
        record_type="signature",
        record_id=signature.pk,
        by=broker,
        person=broker,
        to_state=SIGNATURE_INITIAL,
        data={"charter_version": current.version},
    )
    signature_changed.send(sender=Signature, broker_id=broker.pk, action="signed")
    return signature


def _signature_move(*, signature: Signature, by: User, action: str, reason: str, **fields: Any) -> Signature:
    """Apply one row of the transition table under a row lock, with its event."""
    rule = SIGNATURE_TRANSITIONS[action]
    current = Signature.objects.select_for_update().select_related("charter").get(pk=signature.pk)
    if current.status not in rule.sources:
        raise InvalidTransition(f"A {current.status} signature cannot become {rule.target}.")
    from_status = current.status
    Signature.objects.filter(pk=current.pk, status=from_status).update(status=rule.target, **fields)
    event_record(
        action=rule.event,
        record_type="signature",
        record_id=current.pk,
        by=by,
        person=current.broker,
        from_state=from_status,
        to_state=rule.target,
        reason=reason,
        data={"charter_version": current.charter.version},
    )
    signature_changed.send(sender=Signature, broker_id=current.broker_id, action=rule.event)
    current.refresh_from_db()
    return current


@service
def signature_verify(*, signature: Signature, by: User) -> Signature:
    """An admin confirms the signature (or reinstates a suspended one): the broker is listed if their profile is."""
    _require_admin(by, "verify a signature")
    second_factor_ensure(by)
    if not may_act_on_signature(by, signature, "verify"):
        raise NotAllowed("You cannot verify your own signature.")
    return _signature_move(
        signature=signature,
        by=by,
        action="verify",
        reason="",
        verified_at=timezone.now(),
        verified_by=by,
        suspended_at=None,
        suspended_by=None,
        suspension_reason="",
    )


@service
def signature_suspend(*, signature: Signature, by: User, reason: str) -> Signature:
    """An admin suspends a signature, with a reason: the broker is delisted at once."""
    _require_admin(by, "suspend a signature")
    second_factor_ensure(by)
    reason = (reason or "").strip()
    if not reason:
        raise CharterError(
            "Give a reason for the suspension.", code="reason_required", extra={"reason": ["Give a reason."]}
        )
    return _signature_move(
        signature=signature,
        by=by,
        action="suspend",
        reason=reason,
        suspended_at=timezone.now(),
        suspended_by=by,
        suspension_reason=reason,
    )


def _is_id(value: Any) -> bool:
    text = str(value)
    return text.isascii() and text.isdecimal() and 0 < int(text) <= ID_MAX


@service
def concern_raise(*, broker_id: Any, by: User, text: str) -> Concern:
    """Anyone signed in tells the admins they think a broker breached the charter.

    A broker the person may not name answers exactly as a missing account or a non-broker would, so that ids never
    reveal who holds which role."""
    text = (text or "").strip()
    if not text:
        raise CharterError("Tell us what happened.", code="text_required", extra={"text": ["Tell us what happened."]})
    if len(text) > CONCERN_TEXT_MAX:
        message = f"Keep it to {CONCERN_TEXT_MAX:,} characters or fewer."
        raise CharterError(message, code="text_too_long", extra={"text": [message]})
    broker = concern_subjects_for(by).filter(pk=broker_id).first() if _is_id(broker_id) else None
    if broker is None:
        raise CharterError(NOT_NAMEABLE, code="not_a_broker", extra={"broker": [NOT_NAMEABLE]})
    concern = Concern.objects.create(broker=broker, raised_by=by, text=text, status=CONCERN_INITIAL)
    event_record(
        action="concern_raised",
        record_type="concern",
        record_id=concern.pk,
        by=by,
        person=broker,
        to_state=CONCERN_INITIAL,
    )
    return concern


@service
def concern_resolve(*, concern: Concern, by: User, resolution: str) -> Concern:
    """An admin closes a concern, saying what was done; the person who raised it is told by email."""
    _require_admin(by, "resolve a concern")
    resolution = (resolution or "").strip()
    if not resolution:
        raise CharterError(
            "Say what was done about this concern.",
            code="resolution_required",
            extra={"resolution": ["Say what was done about this concern."]},
        )
    rule = CONCERN_TRANSITIONS["resolve"]
    current = Concern.objects.select_for_update(of=("self",)).select_related("broker", "raised_by").get(pk=concern.pk)
    if current.status not in rule.sources:
        raise InvalidTransition("This concern is already resolved.")
    from_status = current.status
    Concern.objects.filter(pk=current.pk, status=from_status).update(
        status=rule.target, resolved_at=timezone.now(), resolution=resolution
    )
    event_record(
        action=rule.event,
        record_type="concern",
        record_id=current.pk,
        by=by,
        person=current.broker,
        from_state=from_status,
        to_state=rule.target,
        reason=resolution,
    )
    if current.raised_by is not None and current.raised_by.is_active:
        email_person(
            to=current.raised_by,
            subject="Your concern about a support broker has been looked into",
            paragraphs=[
                "An administrator has looked into the concern you raised about a support broker on Waymark, "
                "and has closed it.",
                "Thank you for telling us. If something else happens, you can raise a new concern at any time:",
            ],
            path="/charter/concern/",
        )
    current.refresh_from_db()
    return current
