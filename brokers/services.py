"""Every write in the brokers app: profiles and interests; engagements, messages and feedback; reviewers' access.

Each service checks who acts and, through the transition table in `brokers.permissions`, the state it starts from,
and writes its event in the one audit trail in the same transaction. The directory's stored fields (listing, rating)
are kept here by the services that change what they depend on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from accounts.models import Role, User
from audit.services import event_record, service
from brokers.languages import is_language_code
from brokers.models import (
    MESSAGE_MAX_LENGTH,
    BrokerProfile,
    Engagement,
    Feedback,
    Interest,
    Message,
    ReviewerAccess,
    Specialism,
    profile_complete,
)
from brokers.permissions import (
    CONVERSATION_OPEN,
    ENGAGEMENT_INITIAL,
    ENGAGEMENT_TRANSITIONS,
    FEEDBACK_ALLOWED,
    engagement_party,
    may_act,
    may_message,
)
from charter.emails import email_person
from charter.selectors import signatures_verified_newest_first
from config.choices import Area
from config.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ServiceError
from providers.cache import directory_changed

HOURLY_RATE_MAX = Decimal("500.00")  # above this a rate is a typing mistake, not a price
PROFILE_FIELDS = ("display_name", "bio", "areas", "specialisms", "languages", "hourly_rate", "accepting_clients")
LINE_BREAKS = frozenset({"\n", "\r", "\t"})
NOT_AN_ORGANISATION = "Choose an organisation from the list."


class BrokerError(ServiceError):
    """Invalid input to a brokers action (400)."""


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _invalid(field: str, message: str) -> BrokerError:
    return BrokerError(message, code="invalid", extra={field: [message]})


def _control_characters(text: str, *, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in text)


def _clean_text(cleaned: dict[str, Any]) -> None:
    if "display_name" in cleaned:
        cleaned["display_name"] = (cleaned["display_name"] or "").strip()
        # The name goes into email headers and one-line places: a line break there would split or forge a header.
        if _control_characters(cleaned["display_name"]):
            raise _invalid("display_name", "Your name must be on one line, without line breaks or tabs.")
    if "bio" in cleaned:
        cleaned["bio"] = (cleaned["bio"] or "").strip()
        if _control_characters(cleaned["bio"], allowed=LINE_BREAKS):
            raise _invalid("bio", "Remove the hidden control characters from your text (line breaks are fine).")


def _clean_profile_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise BrokerError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    _clean_text(cleaned)
    for field, allowed in (("areas", Area.values), ("specialisms", Specialism.values)):
        if field in cleaned:
            cleaned[field] = _unique(cleaned[field] or [])
            if wrong := [value for value in cleaned[field] if value not in allowed]:
                raise _invalid(field, f"Unknown {field}: {', '.join(wrong)}.")
    if "languages" in cleaned:
        cleaned["languages"] = _unique([str(code).strip().lower() for code in cleaned["languages"] or []])
        if wrong := [code for code in cleaned["languages"] if not is_language_code(code)]:
            raise _invalid("languages", f"Use ISO 639-1 language codes such as en or pl, not: {', '.join(wrong)}.")
    rate = cleaned.get("hourly_rate")
    if rate is not None and not (Decimal(0) <= Decimal(rate) <= HOURLY_RATE_MAX):
        raise _invalid("hourly_rate", f"Enter an hourly rate between £0.00 and £{HOURLY_RATE_MAX}.")
    return cleaned


def broker_listing_refresh(*, broker_ids: Iterable[int] | None = None) -> int:
    """Store, in one UPDATE, what listing depends on: the broker's newest verified signature and whether profile and
    account are complete and active. Called by every service (and receiver) that changes one of those."""
    profiles = BrokerProfile.objects.all() if broker_ids is None else BrokerProfile.objects.filter(pk__in=broker_ids)
    verified = signatures_verified_newest_first(OuterRef("user_id"))
    active_broker = User.objects.filter(pk=OuterRef("user_id"), is_active=True, role=Role.BROKER)
    directory_changed()
    return profiles.update(
        verified_charter=Subquery(verified.values("charter_id")[:1]),
        charter_verified_at=Subquery(verified.values("verified_at")[:1]),
        listed=Case(
            When(profile_complete() & Exists(active_broker) & Exists(verified), then=Value(True)),
            default=Value(False),
        ),
    )


@service
def broker_profile_update(*, profile: BrokerProfile, by: User, **fields: Any) -> BrokerProfile:
    """A broker edits their own profile; what is listed changes at once. The event names the fields changed."""
    if by.pk != profile.pk:
        raise NotAllowed("You can only edit your own profile.")
    cleaned = _clean_profile_fields(fields)
    changed = [name for name in PROFILE_FIELDS if name in cleaned and getattr(profile, name) != cleaned[name]]
    for field, value in cleaned.items():
        setattr(profile, field, value)
    profile.save(update_fields=[*cleaned, "updated_at"])
    if changed:
        event_record(
            action="profile_updated",
            record_type="broker_profile",
            record_id=profile.pk,
            by=by,
            person=profile.user,
            data={"fields": changed},
        )
    broker_listing_refresh(broker_ids=[profile.pk])
    profile.refresh_from_db()
    return profile


def _organisations_declarable(by: User, profile: BrokerProfile) -> set[int]:
    """Verified organisations (the ones anyone may see), and the ones this broker already declared."""
    from providers.selectors import organizations_visible_to

    visible = set(organizations_visible_to(by).values_list("pk", flat=True))
    return visible | set(profile.interests.values_list("organization_id", flat=True))


def _wanted_interests(interests: list[dict[str, Any]]) -> dict[int, str]:
    wanted: dict[int, str] = {}
    for interest in interests:
        organization_id, nature = interest.get("organization"), (interest.get("nature") or "").strip()
        if organization_id is None:
            raise _invalid("interests", "Choose the organisation for each interest.")
        if not nature:
            raise _invalid("interests", "Say what the link with each organisation is.")
        if _control_characters(nature):
            raise _invalid("interests", "Describe each link on one line.")
        if not str(organization_id).isdecimal():
            raise _invalid("interests", NOT_AN_ORGANISATION)
        wanted[int(organization_id)] = nature
    return wanted


@service
def broker_interests_set(*, profile: BrokerProfile, by: User, interests: list[dict[str, Any]]) -> list[Interest]:
    """Replace the broker's declared interests in provider organisations with this list.

    An organisation the broker cannot see (missing, or not verified) answers exactly as a missing one."""
    if by.pk != profile.pk:
        raise NotAllowed("You can only declare your own interests.")
    wanted = _wanted_interests(interests)
    if set(wanted) - _organisations_declarable(by, profile):
        raise _invalid("interests", NOT_AN_ORGANISATION)
    before = dict(profile.interests.values_list("organization_id", "nature"))
    profile.interests.exclude(organization_id__in=wanted).delete()
    for organization_id, nature in wanted.items():
        Interest.objects.update_or_create(broker=profile, organization_id=organization_id, defaults={"nature": nature})
    changes = {
        "declared": sorted(set(wanted) - set(before)),
        "changed": sorted(pk for pk in set(wanted) & set(before) if wanted[pk] != before[pk]),
        "removed": sorted(set(before) - set(wanted)),
    }
    if any(changes.values()):
        event_record(
            action="interests_declared",
            record_type="broker_profile",
            record_id=profile.pk,
            by=by,
            person=profile.user,
            data={"organizations": changes},
        )
    return list(profile.interests.select_related("organization"))


@service
def broker_interest_add(*, profile: BrokerProfile, by: User, organization_id: int, nature: str) -> Interest:
    """Declare one interest (or update its description)."""
    current = [{"organization": i.organization_id, "nature": i.nature} for i in profile.interests.all()]
    current = [i for i in current if i["organization"] != organization_id]
    interests = broker_interests_set(
        profile=profile, by=by, interests=[*current, {"organization": organization_id, "nature": nature}]
    )
    return next(i for i in interests if i.organization_id == organization_id)


@service
def broker_interest_remove(*, profile: BrokerProfile, by: User, organization_id: int) -> None:
    """Withdraw one declared interest."""
    remaining = [
        {"organization": i.organization_id, "nature": i.nature}
        for i in profile.interests.all()
        if i.organization_id != organization_id
    ]
    broker_interests_set(profile=profile, by=by, interests=remaining)


@service
def broker_profile_ensure(*, user: User) -> BrokerProfile | None:
    """Every broker has a profile from the moment their account exists; its listing follows the account."""
    if user.role != Role.BROKER and not BrokerProfile.objects.filter(pk=user.pk).exists():
        return None
    profile, created = BrokerProfile.objects.get_or_create(user=user, defaults={"display_name": user.name})
    if created:
        event_record(action="profile_created", record_type="broker_profile", record_id=profile.pk, by=user, person=user)
    broker_listing_refresh(broker_ids=[profile.pk])
    return profile


# --- Engagements, messages, feedback ---


class BrokerUnavailable(NotFound):
    """The broker named is not listed (or does not exist): answered as 404 so nothing leaks."""


NUDGE_INTERVAL = timedelta(minutes=15)
PAST_TENSE = {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn", "end": "ended"}


def _engagement_event(
    engagement: Engagement, *, action: str, by: User | None, from_state: str = "", to_state: str = "", **extra: Any
) -> None:
    event_record(
        action=action,
        record_type="engagement",
        record_id=engagement.pk,
        by=by,
        person=engagement.client,
        from_state=from_state,
        to_state=to_state,
        reason=extra.pop("reason", ""),
        on_behalf_of=extra.pop("on_behalf_of", None),
        data={"broker": engagement.broker_id, **extra},
    )


def _clean_body(body: str) -> str:
    body = body or ""
    if not body.strip():
        raise _invalid("body", "Write a message.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise _invalid("body", f"Keep your message to {MESSAGE_MAX_LENGTH:,} characters or fewer.")
    if _control_characters(body, allowed=LINE_BREAKS):
        raise _invalid("body", "Remove the hidden control characters from your message (line breaks are fine).")
    return body


def _schedule_nudge(engagement: Engagement, sender: User) -> None:
    from brokers.tasks import message_nudge

    recipient_id = engagement.broker_id if sender.pk == engagement.client_id else engagement.client_id
    engagement_id = engagement.pk
    transaction.on_commit(lambda: message_nudge.delay(engagement_id, recipient_id), robust=True)


def party_name(user: User) -> str:
    """How one party is named to the other: a broker by the name they show, a client by their name."""
    profile = getattr(user, "broker_profile", None) if user.role == Role.BROKER else None
    return (profile.display_name if profile else "") or user.name or "Your contact on Waymark"


@service
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
            engagement = Engagement.objects.create(client=client, broker_id=broker_id, status=ENGAGEMENT_INITIAL)
    except IntegrityError:
        raise Conflict("You have already asked this broker for help.", code="already_open") from None
    _engagement_event(engagement, action="requested", by=client, to_state=ENGAGEMENT_INITIAL)
    if body:
        Message.objects.create(engagement=engagement, sender=client, body=body)
    _schedule_nudge(engagement, client)
    return engagement


@service
def engagement_transition(*, engagement: Engagement, by: User, action: str, reason: str = "") -> Engagement:
    """accept / decline (broker), withdraw (client), end (either): checked and applied in one conditional update."""
    from brokers.selectors import broker_is_listed

    rule = ENGAGEMENT_TRANSITIONS.get(action)
    if rule is None:
        raise BrokerError(f"Unknown action: {action}.", code="unknown_action")
    if not may_act(by, engagement, action):
        who = "client or the broker" if rule.party == "either" else rule.party
        raise NotAllowed(f"Only the {who} can {action} this engagement.")
    if action == "accept" and not broker_is_listed(by):
        raise InvalidTransition("You must be listed to take on a client.", code="not_listed")
    now = timezone.now()
    stamps: dict[str, Any] = {"accepted_at": now} if action == "accept" else {"ended_at": now}
    updated = Engagement.objects.filter(pk=engagement.pk, status=rule.source).update(
        status=rule.target, updated_at=now, **stamps
    )
    if not updated:
        engagement.refresh_from_db()
        raise InvalidTransition(f"This engagement is {engagement.status}: it cannot be {PAST_TENSE[action]} now.")
    engagement.refresh_from_db()
    _engagement_event(engagement, action=rule.event, by=by, from_state=rule.source, to_state=rule.target, reason=reason)
    if action == "accept":
        _tell_client_accepted(engagement)
    return engagement


def _tell_client_accepted(engagement: Engagement) -> None:
    broker_name = party_name(engagement.broker)
    email_person(
        to=engagement.client,
        subject="A support broker has accepted your request",
        paragraphs=[
            f"{broker_name} has accepted your request and will work with you on your support plan.",
            "You can write to each other on Waymark. Sign in to read your conversation:",
        ],
        path=f"/engagements/{engagement.pk}/",
    )


def engagement_accept(*, engagement: Engagement, by: User) -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="accept")


def engagement_decline(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="decline", reason=reason)


def engagement_withdraw(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="withdraw", reason=reason)


def engagement_end(*, engagement: Engagement, by: User, reason: str = "") -> Engagement:
    return engagement_transition(engagement=engagement, by=by, action="end", reason=reason)


@service
def message_send(*, engagement: Engagement, by: User, body: str) -> Message:
    """One party writes to the other while the engagement is requested or active; the other gets an email nudge.

    Other apps use this too: a client's "ask for a change" on a plan is a message in their conversation with the
    plan's broker (`message_send(engagement=engagement_active_between(client, broker), by=client, body=...)`)."""
    if not may_message(by, engagement) and engagement_party(by, engagement) is None:
        raise NotAllowed("Only the client, the broker and those helping the client can write in this conversation.")
    body = _clean_body(body)
    # Lock the engagement row: a message can never slip in after the engagement ended.
    status = Engagement.objects.select_for_update().values_list("status", flat=True).get(pk=engagement.pk)
    if status not in CONVERSATION_OPEN:
        raise InvalidTransition("This conversation is closed: the engagement is no longer open.")
    message = Message.objects.create(engagement=engagement, sender=by, body=body)
    # never what it says; a representative writes as themself, for the client
    behalf = engagement.client if engagement_party(by, engagement) is None else None
    _engagement_event(engagement, action="message_sent", by=by, message=message.pk, on_behalf_of=behalf)
    _schedule_nudge(engagement, by)
    return message


@service
def messages_mark_read(*, engagement: Engagement, by: User) -> int:
    """Everything the other party wrote is now read by `by`; answers how many messages changed."""
    if engagement_party(by, engagement) is None:
        return 0  # a representative reading does not mark the client's messages as read
    marked = (
        Message.objects.filter(engagement=engagement, read_at__isnull=True)
        .exclude(sender=by)
        .update(read_at=timezone.now())
    )
    if marked:
        _engagement_event(engagement, action="messages_read", by=by, count=marked)
    return marked


@service
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
    _engagement_event(engagement, action="nudge_sent", by=None, recipient=recipient.pk)
    email_person(
        to=recipient,
        subject="You have a new message on Waymark",
        paragraphs=[
            f"{party_name(sender)} sent you a message on Waymark.",
            "For your privacy we do not put messages in emails. Sign in to read it and reply:",
        ],
        path=f"/engagements/{engagement.pk}/",
    )
    return True


@service
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
            feedback = Feedback.objects.create(engagement=engagement, rating=rating, text=(text or "").strip())
    except IntegrityError:
        raise Conflict("You have already given feedback for this engagement.", code="already_given") from None
    _engagement_event(engagement, action="feedback_given", by=by, rating=rating)
    broker_rating_refresh(broker_id=engagement.broker_id)
    return feedback


def broker_rating_refresh(*, broker_id: int) -> None:
    """Store the broker's rating (average and count of their clients' feedback), under a lock on their profile so
    that two clients rating at once both count."""
    if not BrokerProfile.objects.select_for_update().filter(pk=broker_id).exists():
        return
    totals = Feedback.objects.filter(engagement__broker_id=broker_id).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = None if totals["average"] is None else Decimal(totals["average"]).quantize(Decimal("0.01"))
    BrokerProfile.objects.filter(pk=broker_id).update(rating_average=average, rating_count=totals["count"])
    directory_changed()


# --- Reviewers ---


@service
def engagements_share_with_reviewers(*, client: User, by: User | None) -> ReviewerAccess:
    """From now on KMPT reviewers may read this client's engagements (never the conversations). The plans app calls
    this when the client's plan is submitted; running it again changes nothing more."""
    if by is not None and not _may_share_with_reviewers(by, client):
        raise NotAllowed("Only the client, their broker or KMPT can share the client's engagements with reviewers.")
    access, created = ReviewerAccess.objects.get_or_create(
        client=client, defaults={"granted_at": timezone.now(), "granted_by": by}
    )
    if created:
        event_record(
            action="shared_with_reviewers", record_type="reviewer_access", record_id=client.pk, by=by, person=client
        )
    return access


def _may_share_with_reviewers(by: User, client: User) -> bool:
    from accounts.selectors import represents

    if by.pk == client.pk or by.role == Role.REVIEWER or by.is_staff or represents(by, client.pk, "agree"):
        return True
    return Engagement.objects.filter(client=client, broker=by).exists()


def broker_signature_verified_tell(*, broker_id: int) -> None:
    """Tell the broker their signature was verified: they are listed now, or what is left to do to be listed."""
    from brokers.onboarding import still_to_do
    from brokers.selectors import broker_is_listed, broker_profile_missing

    profile = BrokerProfile.objects.select_related("user").filter(pk=broker_id).first()
    if profile is None or not profile.user.is_active:
        return
    if broker_is_listed(profile.user):
        subject = "You are now listed in the Waymark broker directory"
        paragraphs = [
            "An administrator has verified your signature of the Quality Charter.",
            "People looking for a support broker can now find you and ask for your help. See your profile:",
        ]
    else:
        subject = "Your charter signature has been verified"
        paragraphs = [
            "An administrator has verified your signature of the Quality Charter.",
            f"People cannot find you yet. {still_to_do(broker_profile_missing(profile))} Finish your profile here:",
        ]
    email_person(to=profile.user, subject=subject, paragraphs=paragraphs, path="/brokers/me/")
