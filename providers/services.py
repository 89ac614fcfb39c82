"""Every write to organisations and listings: permission, state (the one transition table in the models), one
transaction, an event in the audit trail, then side effects (emails after commit)."""

from __future__ import annotations

import datetime
import operator
import re
import secrets
from decimal import Decimal, InvalidOperation
from functools import reduce
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.mfa import second_factor_ensure
from accounts.services import email_send
from audit.services import event_record, service
from config.choices import Area
from config.errors import InvalidTransition, NotAllowed, ServiceError
from providers import permissions, words
from providers.cache import search_changed
from providers.models import (
    CHECKED_DETAILS,
    ORGANIZATION_TRANSITIONS,
    TRANSITIONS,
    Category,
    CostUnit,
    Listing,
    ListingStatus,
    Membership,
    Organization,
    OrganizationInvite,
    OrganizationState,
    StaleReport,
)
from providers.postcodes import area_for_postcode, areas_for_outward, outward_code, postcode_normalise
from providers.selectors import listing_reference_date, listings_due_reminder

MAX_COST = Decimal("10000.00")  # more than this for one session, hour, week... is a typing mistake
LISTING_FIELDS = (
    "title",
    "description",
    "category",
    "cost",
    "cost_unit",
    "area",
    "postcode",
    "schedule",
    "accessibility",
    "contact_email",
    "contact_phone",
)
ORGANIZATION_FIELDS = (
    "name",
    "description",
    "website",
    "email",
    "phone",
    "charity_number",
    "company_number",
    "safeguarding_contact_name",
    "safeguarding_contact_email",
)
# Fields shown on one line, some of them in email subjects: no line breaks or other control characters.
SINGLE_LINE = {
    "name": "The organisation's name",
    "title": "The title",
    "charity_number": "The charity number",
    "company_number": "The company number",
    "safeguarding_contact_name": "The safeguarding lead's name",
    "phone": "The phone number",
    "contact_phone": "The phone number",
    "postcode": "The postcode",
    "website": "The website address",
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps tab, line feed, carriage return
REQUIRED_TO_PUBLISH = {
    "title": "Enter a title",
    "description": "Enter a description of the activity",
    "category": "Choose a category",
    "cost": "Enter the cost in pounds, or 0.00 if it is free",
    "cost_unit": "Choose what the cost is for, such as per session or once",
    "postcode": "Enter the postcode where the activity happens",
}
CONTACT_NEEDED = "Enter a contact email address or phone number"
MISSING_NAMES = {
    "title": "a title",
    "description": "a description",
    "category": "a category",
    "cost": "the cost",
    "cost_unit": "what the cost is for",
    "postcode": "the postcode",
    "contact_email": "a contact email or phone number",
    "contact_phone": "a contact email or phone number",
}
# What a provider is told when the listing's state refuses the action, in plain English.
REFUSED_TRANSITION = {
    "publish": "Only a draft can be published; this listing is {status}.",
    "archive": "Only a published listing can be archived; this listing is {status}.",
    "restore": "Only an archived listing can be restored; this listing is {status}.",
    "confirm": "Only a published listing can be confirmed as still accurate.",
    "update": "This listing cannot be changed now.",
}
REFUSED_ORGANIZATION = {
    "verify": "This organisation is already verified.",
    "send_back": "This organisation is not verified, so it cannot be sent back for verification.",
}
DONE = {"publish": "published", "archive": "archived", "restore": "restored", "confirm": "confirmed"}
ORGANIZATION_DONE = {"verify": "verified", "send_back": "sent_back"}
STATE_FILTER = {
    OrganizationState.UNVERIFIED: Q(verified_at__isnull=True),
    OrganizationState.VERIFIED: Q(verified_at__isnull=False),
}
FIELD_NAMES = {
    "name": "name",
    "charity_number": "charity number",
    "company_number": "company number",
    "safeguarding_contact_name": "safeguarding lead's name",
    "safeguarding_contact_email": "safeguarding lead's email",
}


class ProviderError(ServiceError):
    """A rule about organisations or listings said no (400)."""


def _site_url(site_url: str | None) -> str:
    return str(site_url or getattr(settings, "SITE_URL", "http://localhost:8000")).rstrip("/")


def _field_error(field: str, message: str, code: str = "invalid") -> ProviderError:
    return ProviderError(message, code=code, extra={field: [message]})


def one_line(text: str) -> str:
    """Text safe for an email subject: names saved before control characters were refused must never break one."""
    return re.sub(r"\s+", " ", CONTROL_CHARACTERS.sub(" ", text or "")).strip()


def _clean_text(name: str, value: Any) -> str:
    text = "" if value is None else str(value)
    if name in SINGLE_LINE:
        text = text.strip()
        if CONTROL_CHARACTERS.search(text):
            raise _field_error(name, f"{SINGLE_LINE[name]} must be on one line, without special characters")
    elif MULTI_LINE_CONTROL.search(text):
        raise _field_error(name, "Remove the special characters from this text")
    return text


def _organization_event(organization: Organization, by: Any, action: str, **details: Any) -> None:
    event_record(action=action, record_type="organization", record_id=organization.pk, by=by, **details)


def _listing_event(listing: Listing, by: Any, action: str, **details: Any) -> None:
    event_record(action=action, record_type="listing", record_id=listing.pk, by=by, **details)


# --- organisations -----------------------------------------------------------------------------------------------


def _clean_organization_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: _clean_text(name, fields[name]) for name in ORGANIZATION_FIELDS if name in fields}
    for name in ("email", "safeguarding_contact_email"):
        if values.get(name):
            values[name] = values[name].strip()
            try:
                validate_email(values[name])
            except ValidationError:
                raise _field_error(
                    name, "Enter an email address in the correct format, like name@example.org"
                ) from None
    if "name" in values and not values["name"]:
        raise _field_error("name", "Enter the organisation's name", "required")
    return values


@service
def organization_create(*, by: Any, **fields: Any) -> Organization:
    """Set up an organisation; its creator becomes its first member. Unverified until an admin checks it."""
    if not permissions.can_create_organization(by):
        raise NotAllowed("Only activity providers can add an organisation.")
    values = _clean_organization_values(fields)
    if not values.get("name"):
        raise _field_error("name", "Enter the organisation's name", "required")
    organization = Organization.objects.create(**values)
    Membership.objects.create(organization=organization, user=by)
    _organization_event(organization, by, "created", to_state=organization.state)
    return organization


@service
def organization_update(*, organization: Organization, by: Any, **fields: Any) -> Organization:
    """Change an organisation's details. Changing a detail the admin checked sends a verified one back for
    verification (its listings leave search and the feed until verified again)."""
    if not permissions.can_manage_organization(by, organization):
        raise NotAllowed("Only the organisation's members can change it.")
    values = _clean_organization_values(fields)
    changed = [name for name, value in values.items() if getattr(organization, name) != value]
    if not changed:
        return organization
    for name in changed:
        setattr(organization, name, values[name])
    organization.save()
    _organization_event(organization, by, "updated", data={"fields": changed})
    checked = [name for name in changed if name in CHECKED_DETAILS]
    if checked and organization.state == OrganizationState.VERIFIED:
        names = ", ".join(FIELD_NAMES[name] for name in checked)
        reason = f"Changed details an administrator checks: {names}."
        _organization_transition(organization, by, "send_back", reason=reason, data={"fields": checked})
    return organization


def _organization_transition(organization: Organization, by: Any, action: str, **details: Any) -> Organization:
    """Move the organisation through the verification table with a conditional update, and record it."""
    sources, target = ORGANIZATION_TRANSITIONS[action]
    in_source = reduce(operator.or_, (STATE_FILTER[OrganizationState(state)] for state in sources))
    now = timezone.now()
    changes: dict[str, Any] = {"verified_at": None, "verified_by": None}
    if target == OrganizationState.VERIFIED:
        changes = {"verified_at": now, "verified_by": by}
    from_state = organization.state
    if not Organization.objects.filter(in_source, pk=organization.pk).update(updated_at=now, **changes):
        raise InvalidTransition(REFUSED_ORGANIZATION[action])
    organization.refresh_from_db()
    _organization_event(organization, by, ORGANIZATION_DONE[action], from_state=from_state, to_state=target, **details)
    search_changed()
    return organization


@service
def organization_verify(*, organization: Organization, by: Any) -> Organization:
    """An admin has checked the organisation (charity or company number, safeguarding): its listings go public."""
    if not permissions.can_verify_organization(by):
        raise NotAllowed("Only an administrator can verify an organisation.")
    second_factor_ensure(by)
    if not permissions.organization_action_allowed("verify", organization):
        raise InvalidTransition(REFUSED_ORGANIZATION["verify"])
    return _organization_transition(organization, by, "verify")


@service
def organization_invite(
    *, organization: Organization, by: Any, email: str, site_url: str | None = None
) -> OrganizationInvite:
    """Invite someone by email to join the organisation; they join when they sign in with that address, verified."""
    if not permissions.can_manage_organization(by, organization):
        raise NotAllowed("Only the organisation's members can invite people.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _field_error("email", "Enter an email address in the correct format, like name@example.org") from None
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise _field_error("email", "This person is already a member", "already_member")
    invite = OrganizationInvite.objects.create(
        organization=organization, email=email, token=secrets.token_urlsafe(32), invited_by=by
    )
    _organization_event(organization, by, "member_invited", data={"invite": invite.pk, "email": email})
    link = _site_url(site_url) + reverse("providers:invite-accept", args=[invite.token])
    name = one_line(organization.name)
    body = (
        f"{one_line(by.get_full_name())} has invited you to join {name} on Waymark, to keep its activities "
        f"up to date for people planning their personal budgets.\n\n"
        f"To accept, open this link and sign in (or create a provider account) with this email address:\n{link}\n"
    )
    email_send(message=EmailMessage(subject=f"Join {name} on Waymark", body=body, to=[email]))
    return invite


def invite_email_verified(invite: OrganizationInvite, user: Any) -> bool:
    """Has this person proved they own the address the invitation went to?"""
    return EmailAddress.objects.filter(user=user, email__iexact=invite.email, verified=True).exists()


@service
def invite_accept(*, invite: OrganizationInvite, by: Any) -> Membership:
    """Join the organisation through an invitation sent to this person's own, verified, email address."""
    if invite.email.lower() != (by.email or "").lower():
        raise NotAllowed("This invitation was sent to a different email address.", code="wrong_email")
    if not permissions.can_join_organization(by):
        raise NotAllowed("Only activity provider accounts can join an organisation.", code="not_provider")
    if not invite_email_verified(invite, by):
        raise NotAllowed(
            f"Verify your email address {invite.email} first: open the link we emailed you when you signed up.",
            code="email_unverified",
        )
    if invite.accepted_by_id not in (None, by.pk):
        raise InvalidTransition("This invitation has already been used.")
    membership, joined = Membership.objects.get_or_create(organization=invite.organization, user=by)
    OrganizationInvite.objects.filter(pk=invite.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=by
    )
    if joined:
        _organization_event(invite.organization, by, "member_joined", person=by, data={"invite": invite.pk})
    return membership


def invites_accept_pending(*, user: Any) -> int:
    """Accept every open invitation for this person's verified email (called when they sign in); the others wait."""
    if not permissions.can_join_organization(user):
        return 0
    waiting = OrganizationInvite.objects.filter(email__iexact=user.email, accepted_at__isnull=True)
    accepted = 0
    for invite in waiting.select_related("organization"):
        if invite_email_verified(invite, user):
            invite_accept(invite=invite, by=user)
            accepted += 1
    return accepted


# --- listings: values ---------------------------------------------------------------------------------------------


def _clean_cost(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        cost = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _field_error("cost", "Enter the cost in pounds, like 12.50, or 0.00 if it is free") from None
    if cost < 0:
        raise _field_error("cost", "The cost must be 0.00 or more (0.00 if it is free)")
    if cost > MAX_COST:
        raise _field_error("cost", "The cost must be £10,000.00 or less")
    return cost


def _clean_choice(name: str, value: Any, choices: list[str], message: str) -> str:
    value = value or ""
    if value and value not in choices:
        raise _field_error(name, message)
    return str(value)


def _clean_listing_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: fields[name] for name in LISTING_FIELDS if name in fields}
    for name in ("title", "description", "schedule", "accessibility", "contact_email", "contact_phone", "postcode"):
        if name in values:
            values[name] = _clean_text(name, values[name]).strip()
    if "cost" in values:
        values["cost"] = _clean_cost(values["cost"])
    if "category" in values:
        values["category"] = _clean_choice("category", values["category"], Category.values, "Choose a category")
    if "cost_unit" in values:
        values["cost_unit"] = _clean_choice(
            "cost_unit", values["cost_unit"], CostUnit.values, "Choose what the cost is for, such as per session"
        )
    if "area" in values:
        values["area"] = _clean_choice("area", values["area"], Area.values, "Choose an area in Kent or Medway")
    if values.get("contact_email"):
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            message = "Enter an email address in the correct format, like name@example.org"
            raise _field_error("contact_email", message) from None
    if values.get("postcode"):
        normalised = postcode_normalise(values["postcode"])
        if normalised is None:
            raise _field_error("postcode", "Enter a full UK postcode, like CT1 2AB")
        values["postcode"] = normalised
    return values


def _apply_area(listing: Listing, values: dict[str, Any]) -> None:
    """The area comes from the postcode's district where it lies in one area; otherwise it must be given."""
    if values.get("area"):
        return
    if "postcode" not in values or (values["postcode"] == listing.postcode and listing.area):
        return
    if not values["postcode"]:
        return
    derived = area_for_postcode(values["postcode"])
    if derived:
        values["area"] = derived
        return
    outward = outward_code(values["postcode"]) or ""
    candidates = areas_for_outward(outward)
    if candidates:
        names = ", ".join(candidates)
        message = f"{outward} covers more than one area: choose the area you serve ({names})"
    else:
        message = f"{outward} is outside the districts we can place: choose the Kent or Medway area you serve"
    raise ProviderError(message, code="area_required", extra={"area": [message]})


# --- listings: writes ---------------------------------------------------------------------------------------------


@service
def listing_create(*, organization: Organization, by: Any, **fields: Any) -> Listing:
    """A member drafts a listing for their organisation."""
    if not permissions.can_manage_organization(by, organization):
        raise NotAllowed("Only the organisation's members can add its listings.")
    values = _clean_listing_values(fields)
    if not values.get("title"):
        raise _field_error("title", "Enter a title, like “Gentle yoga for beginners”", "required")
    listing = Listing(organization=organization)
    _apply_area(listing, values)
    for name, value in values.items():
        setattr(listing, name, value)
    listing.save()
    _listing_event(listing, by, "created", to_state=listing.status)
    return listing


@service
def listing_update(*, listing: Listing, by: Any, **fields: Any) -> Listing:
    """Change a listing in any state; a published one changes in search at once."""
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can change its listings.")
    if not permissions.listing_action_allowed("update", listing):
        raise InvalidTransition(REFUSED_TRANSITION["update"])
    values = _clean_listing_values(fields)
    if "title" in values and not values["title"]:
        raise _field_error("title", "Enter a title, like “Gentle yoga for beginners”", "required")
    _apply_area(listing, values)
    changed = [name for name, value in values.items() if getattr(listing, name) != value]
    if not changed:
        return listing
    for name in changed:
        setattr(listing, name, values[name])
    listing.save()
    _listing_event(listing, by, "updated", from_state=listing.status, to_state=listing.status, data={"fields": changed})
    return listing


def listing_missing_to_publish(listing: Listing) -> dict[str, str]:
    """What a listing still needs before it can be published, field by field."""
    missing = {name: message for name, message in REQUIRED_TO_PUBLISH.items() if getattr(listing, name) in (None, "")}
    if not (listing.contact_email or listing.contact_phone):
        missing["contact_email"] = CONTACT_NEEDED
        missing["contact_phone"] = CONTACT_NEEDED
    return missing


def _transition(listing: Listing, by: Any, action: str, **changes: Any) -> Listing:
    """Move the listing through the one transition table with a conditional update, and record it."""
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can change its listings.")
    sources, target = TRANSITIONS[action]
    if target is not None:
        changes["status"] = target
    from_status = listing.status
    updated = Listing.objects.filter(pk=listing.pk, status__in=sources).update(updated_at=timezone.now(), **changes)
    if not updated:
        listing.refresh_from_db(fields=["status"])
        raise InvalidTransition(REFUSED_TRANSITION[action].format(status=listing.status))
    listing.refresh_from_db()
    _listing_event(listing, by, DONE[action], from_state=from_status, to_state=listing.status)
    search_changed()
    return listing


@service
def listing_publish(*, listing: Listing, by: Any) -> Listing:
    """Publish a complete draft. In an unverified organisation it stays hidden until an admin verifies it."""
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can publish its listings.")
    if permissions.listing_action_allowed("publish", listing) and (missing := listing_missing_to_publish(listing)):
        names = ", ".join(dict.fromkeys(MISSING_NAMES[name] for name in missing))
        raise ProviderError(
            f"Add these before publishing: {names}.",
            code="incomplete",
            extra={"missing": list(missing), **{name: [message] for name, message in missing.items()}},
        )
    changes: dict[str, Any] = {}
    if listing.published_at is None:
        changes["published_at"] = timezone.now()
    else:
        changes["last_reviewed_on"] = timezone.localdate()  # publishing again is the provider saying it is accurate
    return _transition(listing, by, "publish", **changes)


@service
def listing_archive(*, listing: Listing, by: Any) -> Listing:
    """Take a published listing down; plans that use it will show it as unavailable."""
    return _transition(listing, by, "archive")


@service
def listing_restore(*, listing: Listing, by: Any) -> Listing:
    """Bring an archived listing back as a draft, to edit and publish again."""
    return _transition(listing, by, "restore")


@service
def listing_confirm(*, listing: Listing, by: Any) -> Listing:
    """The provider says the listing is still accurate: it is fresh again and open reports are resolved."""
    listing = _transition(listing, by, "confirm", last_reviewed_on=timezone.localdate())
    StaleReport.objects.filter(listing=listing, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return listing


@service
def listing_report_stale(*, listing: Listing, by: Any, note: str = "") -> StaleReport:
    """Someone says the listing looks out of date; its provider is told and admins can see it."""
    if not permissions.can_report_stale(by):
        raise NotAllowed("Sign in to report a listing.")
    note = _clean_text("note", note).strip()
    if len(note) > 2000:
        raise _field_error("note", "The note must be 2,000 characters or fewer")
    report = StaleReport.objects.create(listing=listing, reported_by=by, note=note)
    _listing_event(listing, by, "reported_stale", data={"report": report.pk})
    recipients = list(listing.organization.members.values_list("email", flat=True))
    if recipients:
        body = (
            f"Someone using Waymark thinks your listing “{one_line(listing.title)}” looks out of date.\n\n"
            f"{'Their note: ' + note if note else 'They left no note.'}\n\n"
            f"Please check it, edit anything that has changed, and confirm that it is still accurate.\n"
            f"{_site_url(None)}{reverse('providers:listing-edit', args=[listing.pk])}\n"
        )
        email_send(message=EmailMessage(subject="A listing may be out of date", body=body, to=recipients))
    return report


def freshness_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email providers once per period about each published listing 150 days past its last confirmation."""
    sent = 0
    for listing in listings_due_reminder(today).select_related("organization"):
        sent += listing_freshness_remind(listing=listing)
    return sent


@service
def listing_freshness_remind(*, listing: Listing) -> int:
    """Remind the members, once per period, that a listing needs confirming; answers 1 if this call sent it."""
    reference = listing_reference_date(listing)
    # The conditional update is the record that this period's reminder went: a second run changes nothing.
    claimed = (
        Listing.objects.filter(pk=listing.pk, status=ListingStatus.PUBLISHED)
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=reference))
        .update(reminder_sent_for=reference)
    )
    if not claimed:
        return 0
    _listing_event(listing, None, "reminder_sent", data={"for": reference.isoformat() if reference else None})
    recipients = list(listing.organization.members.values_list("email", flat=True))
    if recipients:
        link = _site_url(None) + reverse("providers:listing-edit", args=[listing.pk])
        title = one_line(listing.title)
        body = (
            f"Your listing “{title}” was last confirmed on {reference:%-d %B %Y}. Listings nobody has "
            f"confirmed for six months are shown as possibly out of date and ranked lower in search.\n\n"
            f"If it is still accurate, confirm it here (it takes one click); if not, edit or archive it:\n{link}\n"
        )
        email_send(message=EmailMessage(subject=f"Is “{title}” still accurate?", body=body, to=recipients))
    return 1


def search_words_rebuild() -> int:
    """Recompute the dictionary of listing words that misspelt searches are corrected against."""
    return words.rebuild()
