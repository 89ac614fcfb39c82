"""Clients KMPT invites: a reviewer records a budget for someone who has no account yet. An account is made for
them without a password, and an email invites them; its link lets them set a password, which also verifies their
address, in one step. Nothing of their health or budget is in the email or shown before they sign in."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import ClientInvitation, Role, User
from accounts.services import _mail
from accounts.services.representatives import AccountsError, _clean_email, _clean_name, _invalid
from audit.services import event_record, service
from config.errors import InvalidTransition, NotAllowed

INVITATION_LIFETIME = timedelta(days=14)


def _hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _send(invitation: ClientInvitation, token: str) -> None:
    link = _mail.site_link(reverse("client-invitation", args=[token]))
    text = (
        "Your key worker at KMPT (Kent and Medway NHS and Social Care Partnership Trust) has set up a Waymark account "
        "for you. Waymark is where you can find an independent support broker, plan with them how to spend your "
        "personal budget on activities that help you, and follow KMPT's approval of the plan.\n\n"
        f"To start, open this link and choose a password (the link works until "
        f"{timezone.localtime(invitation.expires_at):%-d %B %Y}):\n{link}\n\n"
        "If you were not expecting this, you can ignore this email or call your key worker."
    )
    _mail.send(to=invitation.user.email, subject="Your Waymark account is ready", text=text)


def _issue(invitation: ClientInvitation) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash, invitation.sent_at, invitation.expires_at = _hash(token), now, now + INVITATION_LIFETIME
    return token


@service
def client_invite(*, by: User, email: str, name: str = "") -> tuple[User, bool]:
    """The client with this address: the existing account (never a duplicate), or a new one, invited by email.
    Answers the person and whether they were invited now."""
    if by.role != Role.REVIEWER:
        raise NotAllowed("Only KMPT reviewers invite clients.")
    email = _clean_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.role != Role.CLIENT:
            raise _invalid("client_email", "This address belongs to an account that is not a client's.")
        return existing, False
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=None, role=Role.CLIENT, name=_clean_name(name))
    except IntegrityError:  # someone signed up with it a moment ago
        return User.objects.get(email__iexact=email), False
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    invitation = ClientInvitation(user=user, invited_by=by)
    token = _issue(invitation)
    invitation.save()
    event_record(action="client_invited", record_type="account", record_id=user.pk, by=by, person=user)
    _send(invitation, token)
    return user, True


@service
def client_invitation_resend(*, user: User, by: User) -> ClientInvitation:
    """Send a fresh link (the old one stops working) to someone who has not accepted yet."""
    if by.role != Role.REVIEWER:
        raise NotAllowed("Only KMPT reviewers send invitations.")
    invitation = ClientInvitation.objects.select_for_update().select_related("user").filter(user=user).first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvalidTransition("This person has already signed in: there is nothing to send.", code="accepted")
    token = _issue(invitation)
    invitation.times_sent += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "times_sent"])
    event_record(action="client_invitation_resent", record_type="account", record_id=user.pk, by=by, person=user)
    _send(invitation, token)
    return invitation


def client_invitation_for(token: str) -> ClientInvitation | None:
    return ClientInvitation.objects.select_related("user").filter(token_hash=_hash(token)).first()


@service
def client_invitation_accept(*, token: str, password: str) -> User:
    """The invited person chooses a password through their link: the address is verified, the account theirs."""
    invitation = ClientInvitation.objects.select_for_update().select_related("user").filter(token_hash=_hash(token))
    found = invitation.first()
    if found is None or found.accepted_at is not None:
        raise InvalidTransition(
            "This link has already been used, or is not valid. Log in instead.", code="invalid_link"
        )
    if found.expires_at < timezone.now():
        raise InvalidTransition(
            "This link has expired. Ask your key worker at KMPT to send you a new one.", code="expired"
        )
    try:
        validate_password(password, found.user)
    except ValidationError as error:
        raise AccountsError(" ".join(error.messages), code="invalid", extra={"password": error.messages}) from None
    found.user.set_password(password)
    found.user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=found.user, email__iexact=found.user.email).update(verified=True, primary=True)
    found.accepted_at = timezone.now()
    found.save(update_fields=["accepted_at"])
    event_record(action="client_invitation_accepted", record_type="account", record_id=found.user_id, by=found.user,
                 person=found.user)  # fmt: skip
    return found.user
