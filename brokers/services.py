"""Every write in the brokers app: profiles and interests; engagements, messages and feedback."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import email_send
from brokers.models import (
    MESSAGE_MAX_LENGTH,
    BrokerProfile,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    Feedback,
    Interest,
    Message,
    Specialism,
)
from brokers.permissions import CONVERSATION_OPEN, ENGAGEMENT_TRANSITIONS, FEEDBACK_ALLOWED, engagement_party, may_act
from config.api import Conflict, InvalidTransition, NotAllowed, ServiceError
from config.choices import Area

HOURLY_RATE_MAX = Decimal("500.00")  # above this a rate is a typing mistake, not a price
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
PROFILE_FIELDS = {"display_name", "bio", "areas", "specialisms", "languages", "hourly_rate", "accepting_clients"}


class BrokerError(ServiceError):
    """Invalid input to a brokers action (400)."""


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _invalid(field: str, message: str) -> BrokerError:
    return BrokerError(message, code="invalid", extra={field: [message]})


def _clean_profile_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise BrokerError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    for field in ("display_name", "bio"):
        if field in cleaned:
            cleaned[field] = (cleaned[field] or "").strip()
    for field, allowed in (("areas", Area.values), ("specialisms", Specialism.values)):
        if field in cleaned:
            cleaned[field] = _unique(cleaned[field] or [])
            if wrong := [value for value in cleaned[field] if value not in allowed]:
                raise _invalid(field, f"Unknown {field}: {', '.join(wrong)}.")
    if "languages" in cleaned:
        cleaned["languages"] = _unique([code.strip().lower() for code in cleaned["languages"] or []])
        if wrong := [code for code in cleaned["languages"] if not LANGUAGE_CODE.match(code)]:
            raise _invalid("languages", f"Use two-letter ISO 639-1 codes such as en or pl, not: {', '.join(wrong)}.")
    rate = cleaned.get("hourly_rate")
    if rate is not None and not (Decimal(0) <= Decimal(rate) <= HOURLY_RATE_MAX):
        raise _invalid("hourly_rate", f"Enter an hourly rate between £0.00 and £{HOURLY_RATE_MAX}.")
    return cleaned


@transaction.atomic
def broker_profile_update(*, profile: BrokerProfile, by: User, **fields: Any) -> BrokerProfile:
    """A broker edits their own profile; what is listed changes at once."""
    if by.pk != profile.pk:
        raise NotAllowed("You can only edit your own profile.")
    cleaned = _clean_profile_fields(fields)
    for field, value in cleaned.items():
        setattr(profile, field, value)
    profile.save()
    return profile


@transaction.atomic
def broker_interests_set(*, profile: BrokerProfile, by: User, interests: list[dict[str, Any]]) -> list[Interest]:
    """Replace the broker's declared interests in provider organisations with this list."""
    from providers.models import Organization

    if by.pk != profile.pk:
        raise NotAllowed("You can only declare your own interests.")
    wanted: dict[int, str] = {}
    for interest in interests:
        organization_id, nature = interest.get("organization"), (interest.get("nature") or "").strip()
        if organization_id is None:
            raise _invalid("interests", "Choose the organisation for each interest.")
        if not nature:
            raise _invalid("interests", "Say what the link with each organisation is.")
        wanted[int(organization_id)] = nature
    known = set(Organization.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if unknown := sorted(set(wanted) - known):
        raise _invalid("interests", f"Unknown organisations: {', '.join(map(str, unknown))}.")
    profile.interests.exclude(organization_id__in=wanted).delete()
    for organization_id, nature in wanted.items():
        Interest.objects.update_or_create(broker=profile, organization_id=organization_id, defaults={"nature": nature})
    return list(profile.interests.select_related("organization"))


def broker_interest_add(*, profile: BrokerProfile, by: User, organization_id: int, nature: str) -> Interest:
    """Declare one interest (or update its description)."""
    current = [{"organization": i.organization_id, "nature": i.nature} for i in profile.interests.all()]
    current = [i for i in current if i["organization"] != organization_id]
    interests = broker_interests_set(
        profile=profile, by=by, interests=[*current, {"organization": organization_id, "nature": nature}]
    )
    return next(i for i in interests if i.organization_id == organization_id)


def broker_interest_remove(*, profile: BrokerProfile, by: User, organization_id: int) -> None:
    remaining = [
        {"organization": i.organization_id, "nature": i.nature}
        for i in profile.interests.all()
        if i.organization_id != organization_id
    ]
    broker_interests_set(profile=profile, by=by, interests=remaining)


def broker_profile_ensure(*, user: User) -> BrokerProfile | None:
    """Every broker has a profile from the moment their account exists."""
    if user.role != Role.BROKER:
        return None
    profile, _created = BrokerProfile.objects.get_or_create(user=user, defaults={"display_name": user.name})
    return profile


# --- Engagements, messages, feedback ---


class BrokerUnavailable(ServiceError):
    """The broker named is not listed (or does not exist): answered as 404 so nothing leaks."""

    status_code: int = 404
    default_code = "not_found"


NUDGE_INTERVAL = timedelta(minutes=15)
PAST_TENSE = {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn", "end": "ended"}


def _event(engagement: Engagement, by: User | None, from_status: str, to_status: str, reason: str = "") -> None:
    EngagementEvent.objects.create(
        engagement=engagement, actor=by, from_status=from_status, to_status=to_status, reason=reason
    )


def _clean_body(body: str) -> str:
    body = body or ""
    if not body.strip():
        raise _invalid("body", "Write a message.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise _invalid("body", f"Keep your message to {MESSAGE_MAX_LENGTH:,} characters or fewer.")
    return body


def _schedule_nudge(engagement: Engagement, sender: User) -> None:
    from brokers.tasks import message_nudge

    recipient_id = engagement.broker_id if sender.pk == engagement.client_id else engagement.client_id
    engagement_id = engagement.pk
    transaction.on_commit(lambda: message_nudge.delay(engagement_id, recipient_id), robust=True)


@transaction.atomic
def engagement_request(*, client: User, broker_id: int, message: str = "") -> Engagement:
    """A client asks a listed, accepting broker for help; the first message goes with the request."""
    from brokers.selectors import brokers_listed

    if client.role != Role.CLIENT:
        raise NotAllowed("Only clients can ask a broker for help.")
    profile = brokers_listed().filter(pk=broker_id).first()
    if profile is None:
        raise BrokerUnavailable("There is no listed broker with this id.")
    if not profile.accepting_clients:
        raise Conflict("This broker is not taking new clients at the moment.", code="not_accepting")
    body = _clean_body(message) if message else ""
    try:
        with transaction.atomic():
            engagement = Engagement.objects.create(client=client, broker_id=broker_id)
    except IntegrityError:
        raise Conflict("You have already asked this broker for help.", code="already_open") from None
    _event(engagement, client, "", EngagementStatus.REQUESTED)
    if body:
        Message.objects.create(engagement=engagement, sender=client, body=body)
    _schedule_nudge(engagement, client)
    return engagement


@transaction.atomic
def engagement_transition(*, engagement: Engagement, by: User, action: str, reason: str = "") -> Engagement:
    """accept / decline (broker), withdraw (client), end (either): checked and applied in one conditional update."""
    from brokers.selectors import broker_is_listed

    rule = ENGAGEMENT_TRANSITIONS[action]
    if not may_act(by, engagement, action):
        who = "client or the broker" if rule.party == "either" else rule.party
        raise NotAllowed(f"Only the {who} can {action} this engagement.")
    if action == "accept" and not broker_is_listed(by):
        raise InvalidTransition("You must be listed to take on a client.", code="not_listed")
    now = timezone.now()
    stamps: dict[str, Any] = {"accepted_at": now} if rule.target == EngagementStatus.ACTIVE else {"ended_at": now}
    updated = Engagement.objects.filter(pk=engagement.pk, status=rule.source).update(
        status=rule.target, updated_at=now, **stamps
    )
    if not updated:
        engagement.refresh_from_db()
        raise InvalidTransition(f"This engagement is {engagement.status}: it cannot be {PAST_TENSE[action]} now.")
    _event(engagement, by, rule.source, rule.target, reason)
    engagement.refresh_from_db()
    return engagement


def engagement_accept(*, engagement: Engagement, by: User) -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="accept")


def engagement_decline(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="decline", reason=reason)


def engagement_withdraw(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="withdraw", reason=reason)


def engagement_end(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="end", reason=reason)


@transaction.atomic
def message_send(*, engagement: Engagement, by: User, body: str) -> Message:
    """One party writes to the other while the engagement is requested or active; the other gets an email nudge."""
    if engagement_party(by, engagement) is None:
        raise NotAllowed("Only the client and the broker can write in this conversation.")
    body = _clean_body(body)
    # Lock the engagement row: a message can never slip in after the engagement ended.
    status = Engagement.objects.select_for_update().values_list("status", flat=True).get(pk=engagement.pk)
    if status not in CONVERSATION_OPEN:
        raise InvalidTransition("This conversation is closed: the engagement is no longer open.")
    message = Message.objects.create(engagement=engagement, sender=by, body=body)
    _schedule_nudge(engagement, by)
    return message


def messages_mark_read(*, engagement: Engagement, by: User) -> int:
    """Everything the other party wrote is now read by `by`; answers how many messages changed."""
    if engagement_party(by, engagement) is None:
        raise NotAllowed("Only the client and the broker can read this conversation.")
    return (
        Message.objects.filter(engagement=engagement, read_at__isnull=True)
        .exclude(sender=by)
        .update(read_at=timezone.now())
    )


def message_nudge_send(*, engagement_id: int, recipient_id: int) -> bool:
    """Email the recipient that a message is waiting (never what it says), at most once per 15 minutes."""
    engagement = Engagement.objects.select_related("client", "broker").filter(pk=engagement_id).first()
    if engagement is None or recipient_id not in (engagement.client_id, engagement.broker_id):
        return False
    recipient, sender = (
        (engagement.client, engagement.broker)
        if recipient_id == engagement.client_id
        else (engagement.broker, engagement.client)
    )
    waiting = Message.objects.filter(engagement=engagement, read_at__isnull=True, sender=sender).exists()
    if not waiting:
        return False
    field = "client_nudged_at" if recipient == engagement.client else "broker_nudged_at"
    now = timezone.now()
    claimed = (
        Engagement.objects.filter(pk=engagement.pk)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now - NUDGE_INTERVAL}))
        .update(**{field: now})
    )
    if not claimed:
        return False
    email_send(message=_nudge_email(engagement, recipient, sender))
    return True


def _nudge_email(engagement: Engagement, recipient: User, sender: User) -> EmailMessage:
    link = f"{getattr(settings, 'SITE_URL', 'http://localhost:8000').rstrip('/')}/engagements/{engagement.pk}/"
    body = (
        f"Hello {recipient.get_short_name()},\n\n"
        f"{sender.get_full_name()} sent you a message on Waymark.\n"
        f"For your privacy we do not put messages in emails. Log in to read it and reply:\n{link}\n\n"
        "If you need help urgently, call 111 and choose option 2. In an emergency call 999.\n\n"
        "Waymark"
    )
    return EmailMessage(
        subject="You have a new message on Waymark",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


@transaction.atomic
def feedback_give(*, engagement: Engagement, by: User, rating: int, text: str = "") -> Feedback:
    """The client rates their broker once per engagement, once it has been active; it feeds the broker's rating."""
    if engagement_party(by, engagement) != "client":
        raise NotAllowed("Only the client can give feedback about their broker.")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise _invalid("rating", "Choose a rating from 1 to 5.")
    status = Engagement.objects.select_for_update().values_list("status", flat=True).get(pk=engagement.pk)
    if status not in FEEDBACK_ALLOWED:
        raise InvalidTransition("You can give feedback once the broker has started working with you.")
    try:
        with transaction.atomic():
            return Feedback.objects.create(engagement=engagement, rating=rating, text=(text or "").strip())
    except IntegrityError:
        raise Conflict("You have already given feedback for this engagement.", code="already_given") from None
