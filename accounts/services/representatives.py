"""People who act for a client: helpers the client invites (family, carer, advocate, within the scopes the client
chooses) and legal authorities KMPT records (appointee, attorney, deputy: every scope). Each signs in with their own
account; whatever they do is recorded as done by them on behalf of the client."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    HELPER_RELATIONSHIPS,
    LEGAL_RELATIONSHIPS,
    Relationship,
    Representative,
    RepresentativeStatus,
    Role,
    Scope,
    User,
)
from accounts.services import _mail
from audit.services import event_record, service
from config.errors import Conflict, InvalidTransition, NotAllowed, ServiceError


class AccountsError(ServiceError):
    """A rule about people said no (400)."""


def _invalid(field: str, message: str) -> AccountsError:
    return AccountsError(message, code="invalid", extra={field: [message]})


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _invalid("email", "Enter an email address like name@example.org.") from None
    return email


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if any(ord(character) < 32 for character in name):
        raise _invalid("name", "Enter the name on one line.")
    return name[:150]


def _event(rep: Representative, action: str, by: Any, from_state: str = "", reason: str = "") -> None:
    event_record(
        action=action, record_type="representative", record_id=rep.pk, by=by, person=rep.client,
        from_state=from_state, to_state=rep.status, reason=reason,
        data={"relationship": rep.relationship, "scope": list(rep.scope)},
    )  # fmt: skip


def _create(**fields: Any) -> tuple[Representative, str]:
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            rep = Representative.objects.create(token_hash=hashlib.sha256(token.encode()).hexdigest(), **fields)
    except IntegrityError:
        raise Conflict("This person has already been asked to help.", code="already_invited") from None
    return rep, token


def _invite_email(rep: Representative, token: str) -> None:
    who = rep.client.name or "Someone you know"
    role = rep.get_relationship_display().lower()
    link = _mail.site_link(reverse("representative-invitation", args=[rep.pk]) + f"?token={token}")
    text = (
        f"{who} has asked you to help them on Waymark, as their {role}. Waymark is where people in Kent and Medway "
        "plan how to spend their personal budget for mental health social care with an independent support broker, "
        "and get the plan approved by KMPT (Kent and Medway NHS and Social Care Partnership Trust).\n\n"
        "To accept, open this link and sign in (or create an account) with this email address:\n"
        f"{link}\n\nIf you did not expect this, you can ignore this email."
    )
    _mail.send(to=rep.email, subject="You have been asked to help someone on Waymark", text=text)


@service
def representative_invite(*, by: User, email: str, name: str, relationship: str, scope: list[str]) -> Representative:
    """The client asks someone to help them, choosing what they may do."""
    if by.role != Role.CLIENT:
        raise NotAllowed("Only clients invite someone to help them here. KMPT records legal authorities.")
    if relationship not in HELPER_RELATIONSHIPS:
        raise _invalid("relationship", "Choose family, carer or advocate.")
    scopes = list(dict.fromkeys(scope or []))
    if not scopes or any(item not in Scope.values for item in scopes):
        raise _invalid("scope", "Choose what they may do: see the plan and budget, message the broker, agree.")
    email = _clean_email(email)
    if email == by.email.lower():
        raise _invalid("email", "Enter the email address of the person who will help you, not your own.")
    rep, token = _create(
        client=by, email=email, name=_clean_name(name), relationship=relationship, scope=scopes, invited_by=by
    )
    _event(rep, "representative_invited", by)
    _invite_email(rep, token)
    return rep


@service
def representative_record(
    *,
    by: User,
    client: User,
    email: str,
    name: str,
    relationship: str,
    reference: str,
    valid_from: date,
    valid_until: date | None = None,
) -> Representative:
    """KMPT records a legal authority for a client who lacks capacity: it carries every scope."""
    if by.role != Role.REVIEWER:
        raise NotAllowed("Only KMPT reviewers record a legal authority.")
    if client.role != Role.CLIENT:
        raise _invalid("client", "Choose a client.")
    if relationship not in LEGAL_RELATIONSHIPS:
        raise _invalid("relationship", "Choose appointee, attorney or deputy.")
    reference = (reference or "").strip()
    if not reference:
        raise _invalid("reference", "Enter the reference of the authority (for example the LPA or court order number).")
    if valid_from is None:
        raise _invalid("valid_from", "Enter the date the authority starts.")
    if valid_until is not None and valid_until < valid_from:
        raise _invalid("valid_until", "The end date cannot be before the start date.")
    rep, token = _create(
        client=client, email=_clean_email(email), name=_clean_name(name), relationship=relationship,
        scope=list(Scope.values), reference=reference[:100], valid_from=valid_from, valid_until=valid_until,
        invited_by=by,
    )  # fmt: skip
    _event(rep, "authority_recorded", by, reason=f"{Relationship(relationship).label}, reference {reference}")
    _invite_email(rep, token)
    return rep


def _verified(user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@service
def representative_accept(*, representative: Representative, by: User) -> Representative:
    """The invited person, signed in with that (verified) address, accepts: they act for the client from now on."""
    locked = Representative.objects.select_for_update().select_related("client").get(pk=representative.pk)
    if locked.email.lower() != by.email.lower() or not _verified(by, locked.email):
        raise NotAllowed("This invitation was sent to another email address.", code="wrong_email")
    if by.pk == locked.client_id:
        raise NotAllowed("You cannot act for yourself.")
    if locked.status != RepresentativeStatus.INVITED:
        raise InvalidTransition(f"This invitation is {locked.get_status_display().lower()}.")
    locked.status, locked.person, locked.accepted_at = RepresentativeStatus.ACTIVE, by, timezone.now()
    locked.save(update_fields=["status", "person", "accepted_at"])
    _event(locked, "representative_accepted", by, from_state=RepresentativeStatus.INVITED)
    return locked


@service
def representative_revoke(*, representative: Representative, by: User, reason: str = "") -> Representative:
    """The client, or a KMPT reviewer, ends a representation: access ends on the next request."""
    locked = Representative.objects.select_for_update().select_related("client").get(pk=representative.pk)
    if by.pk != locked.client_id and by.role != Role.REVIEWER:
        raise NotAllowed("Only the client or a KMPT reviewer revokes this.")
    if locked.status == RepresentativeStatus.REVOKED:
        raise InvalidTransition("This has already been revoked.")
    from_state = locked.status
    locked.status, locked.revoked_at, locked.revoked_by = RepresentativeStatus.REVOKED, timezone.now(), by
    locked.save(update_fields=["status", "revoked_at", "revoked_by"])
    _event(locked, "representative_revoked", by, from_state=from_state, reason=(reason or "").strip()[:2000])
    return locked


def token_matches(representative: Representative, token: str) -> bool:
    return secrets.compare_digest(representative.token_hash, hashlib.sha256((token or "").encode()).hexdigest())
