"""Every write to organisations and listings: permission, state, one transaction, an event, then side effects."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.services import email_send
from config.api import InvalidTransition, NotAllowed, ServiceError
from config.choices import Area
from providers import permissions
from providers.models import (
    Category,
    CostUnit,
    Listing,
    ListingEvent,
    ListingStatus,
    Membership,
    Organization,
    OrganizationInvite,
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
REQUIRED_TO_PUBLISH = {
    "title": "Add a title.",
    "description": "Add a description.",
    "category": "Choose a category.",
    "cost": "Add a cost (0.00 if it is free).",
    "cost_unit": "Say what the cost is for (per session, per hour...).",
    "postcode": "Add the postcode where it happens.",
}
# Which states each action may start from, and where it leads.
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "publish": ({ListingStatus.DRAFT}, ListingStatus.PUBLISHED),
    "archive": ({ListingStatus.PUBLISHED}, ListingStatus.ARCHIVED),
    "restore": ({ListingStatus.ARCHIVED}, ListingStatus.DRAFT),
}
# What a provider is told when the listing's state refuses the action, in plain English.
REFUSED_TRANSITION = {
    "publish": "Only a draft can be published; this listing is {status}.",
    "archive": "Only a published listing can be archived; this listing is {status}.",
    "restore": "Only an archived listing can be restored; this listing is {status}.",
}


class ProviderError(ServiceError):
    """A rule about organisations or listings said no (400)."""


def _site_url(site_url: str | None) -> str:
    return str(site_url or getattr(settings, "SITE_URL", "http://localhost:8000")).rstrip("/")


def _field_error(field: str, message: str, code: str = "invalid") -> ProviderError:
    return ProviderError(message, code=code, extra={field: [message]})


# --- organisations -----------------------------------------------------------------------------------------------


@transaction.atomic
def organization_create(*, by: Any, **fields: Any) -> Organization:
    """Set up an organisation; its creator becomes its first member. Unverified until an admin checks it."""
    if not permissions.can_create_organization(by):
        raise NotAllowed("Only activity providers can add an organisation.")
    values = {name: fields[name] for name in ORGANIZATION_FIELDS if name in fields}
    if not (values.get("name") or "").strip():
        raise _field_error("name", "Enter the organisation's name.", "required")
    organization = Organization.objects.create(**values)
    Membership.objects.create(organization=organization, user=by)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, by: Any, **fields: Any) -> Organization:
    """Change an organisation's details (its members and admins)."""
    if not permissions.can_manage_organization(by, organization):
        raise NotAllowed("Only the organisation's members can change it.")
    for name in ORGANIZATION_FIELDS:
        if name in fields:
            setattr(organization, name, fields[name])
    if not (organization.name or "").strip():
        raise _field_error("name", "Enter the organisation's name.", "required")
    organization.save()
    return organization


@transaction.atomic
def organization_verify(*, organization: Organization, by: Any) -> Organization:
    """An admin has checked the organisation (charity or company number, safeguarding): its listings go public."""
    if not permissions.can_verify_organization(by):
        raise NotAllowed("Only an administrator can verify an organisation.")
    updated = Organization.objects.filter(pk=organization.pk, verified_at__isnull=True).update(
        verified_at=timezone.now(), verified_by=by
    )
    if not updated:
        raise InvalidTransition("This organisation is already verified.")
    organization.refresh_from_db()
    return organization


@transaction.atomic
def organization_invite(
    *, organization: Organization, by: Any, email: str, site_url: str | None = None
) -> OrganizationInvite:
    """Invite someone by email to join the organisation; they join when they sign in with that address."""
    if not permissions.can_manage_organization(by, organization):
        raise NotAllowed("Only the organisation's members can invite people.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _field_error("email", "Enter an email address like name@example.org.") from None
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise _field_error("email", "This person is already a member.", "already_member")
    invite = OrganizationInvite.objects.create(
        organization=organization, email=email, token=secrets.token_urlsafe(32), invited_by=by
    )
    link = _site_url(site_url) + reverse("providers:invite-accept", args=[invite.token])
    body = (
        f"{by.get_full_name()} has invited you to join {organization.name} on Waymark, to keep its activities "
        f"up to date for people planning their personal budgets.\n\n"
        f"To accept, open this link and sign in (or create a provider account) with this email address:\n{link}\n"
    )
    email_send(message=EmailMessage(subject=f"Join {organization.name} on Waymark", body=body, to=[email]))
    return invite


@transaction.atomic
def invite_accept(*, invite: OrganizationInvite, user: Any) -> Membership:
    """Join the organisation through an invitation sent to this person's email address."""
    if invite.email.lower() != user.email.lower():
        raise NotAllowed("This invitation was sent to a different email address.", code="wrong_email")
    if not permissions.can_create_organization(user):
        raise NotAllowed("Only activity provider accounts can join an organisation.", code="not_provider")
    membership, _ = Membership.objects.get_or_create(organization=invite.organization, user=user)
    OrganizationInvite.objects.filter(pk=invite.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    return membership


def invites_accept_pending(*, user: Any) -> int:
    """Accept every open invitation for this person's email (called when they sign in)."""
    if not permissions.can_create_organization(user):
        return 0
    invites = list(OrganizationInvite.objects.filter(email__iexact=user.email, accepted_at__isnull=True))
    for invite in invites:
        invite_accept(invite=invite, user=user)
    return len(invites)


# --- listings: values ---------------------------------------------------------------------------------------------


def _clean_cost(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        cost = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _field_error("cost", "Enter the cost in pounds, like 12.50 (0.00 if it is free).") from None
    if cost < 0:
        raise _field_error("cost", "The cost cannot be negative (use 0.00 if it is free).")
    if cost > MAX_COST:
        raise _field_error("cost", "The cost must be £10,000.00 or less.")
    return cost


def _clean_choice(name: str, value: Any, choices: list[str], message: str) -> str:
    value = value or ""
    if value and value not in choices:
        raise _field_error(name, message)
    return value


def _clean_listing_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {name: fields[name] for name in LISTING_FIELDS if name in fields}
    for name in ("title", "description", "schedule", "accessibility", "contact_email", "contact_phone"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "cost" in values:
        values["cost"] = _clean_cost(values["cost"])
    if "category" in values:
        values["category"] = _clean_choice("category", values["category"], Category.values, "Choose a known category.")
    if "cost_unit" in values:
        values["cost_unit"] = _clean_choice(
            "cost_unit", values["cost_unit"], CostUnit.values, "Choose session, hour, week, month, year or once."
        )
    if "area" in values:
        values["area"] = _clean_choice("area", values["area"], Area.values, "Choose a Kent or Medway area.")
    if values.get("contact_email"):
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            raise _field_error("contact_email", "Enter an email address like name@example.org.") from None
    if values.get("postcode"):
        normalised = postcode_normalise(values["postcode"])
        if normalised is None:
            raise _field_error("postcode", "Enter a full UK postcode, like CT1 2AB.")
        values["postcode"] = normalised
    elif "postcode" in values:
        values["postcode"] = ""
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
        message = f"{outward} covers more than one area: choose the area you serve ({names})."
    else:
        message = f"{outward} is outside the districts we can place: choose the Kent or Medway area you serve."
    raise ProviderError(message, code="area_required", extra={"area": [message]})


def _event(listing: Listing, by: Any, action: str, from_status: str = "", to_status: str = "") -> None:
    ListingEvent.objects.create(
        listing=listing,
        actor=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
    )


# --- listings: writes ---------------------------------------------------------------------------------------------


@transaction.atomic
def listing_create(*, organization: Organization, by: Any, **fields: Any) -> Listing:
    """A member drafts a listing for their organisation."""
    if not permissions.can_manage_organization(by, organization):
        raise NotAllowed("Only the organisation's members can add its listings.")
    values = _clean_listing_values(fields)
    if not values.get("title"):
        raise _field_error("title", "Enter a title.", "required")
    listing = Listing(organization=organization)
    _apply_area(listing, values)
    for name, value in values.items():
        setattr(listing, name, value)
    listing.save()
    _event(listing, by, "create", "", listing.status)
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, by: Any, **fields: Any) -> Listing:
    """Change a listing in any state; a published one changes in search at once."""
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can change its listings.")
    values = _clean_listing_values(fields)
    if "title" in values and not values["title"]:
        raise _field_error("title", "Enter a title.", "required")
    _apply_area(listing, values)
    for name, value in values.items():
        setattr(listing, name, value)
    listing.save()
    _event(listing, by, "update", listing.status, listing.status)
    return listing


def listing_missing_to_publish(listing: Listing) -> dict[str, str]:
    """What a listing still needs before it can be published, field by field."""
    missing = {name: message for name, message in REQUIRED_TO_PUBLISH.items() if getattr(listing, name) in (None, "")}
    if not (listing.contact_email or listing.contact_phone):
        message = "Add a contact email or phone number."
        missing["contact_email"] = message
        missing["contact_phone"] = message
    return missing


def _transition(listing: Listing, by: Any, action: str, **changes: Any) -> Listing:
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can change its listings.")
    sources, target = TRANSITIONS[action]
    updated = Listing.objects.filter(pk=listing.pk, status__in=sources).update(
        status=target, updated_at=timezone.now(), **changes
    )
    if not updated:
        listing.refresh_from_db(fields=["status"])
        raise InvalidTransition(REFUSED_TRANSITION[action].format(status=listing.status))
    from_status = listing.status
    listing.refresh_from_db()
    _event(listing, by, action, from_status, target)
    return listing


@transaction.atomic
def listing_publish(*, listing: Listing, by: Any) -> Listing:
    """Publish a complete draft. In an unverified organisation it stays hidden until an admin verifies it."""
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can publish its listings.")
    if listing.status == ListingStatus.DRAFT and (missing := listing_missing_to_publish(listing)):
        names = ", ".join(
            dict.fromkeys(name if not name.startswith("contact_") else "contact email or phone" for name in missing)
        )
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


@transaction.atomic
def listing_archive(*, listing: Listing, by: Any) -> Listing:
    """Take a published listing down; plans that use it will show it as unavailable."""
    return _transition(listing, by, "archive")


@transaction.atomic
def listing_restore(*, listing: Listing, by: Any) -> Listing:
    """Bring an archived listing back as a draft, to edit and publish again."""
    return _transition(listing, by, "restore")


@transaction.atomic
def listing_confirm(*, listing: Listing, by: Any) -> Listing:
    """The provider says the listing is still accurate: it is fresh again and open reports are resolved."""
    if not permissions.can_manage_listing(by, listing):
        raise NotAllowed("Only the organisation's members can confirm its listings.")
    today = timezone.localdate()
    updated = Listing.objects.filter(pk=listing.pk, status=ListingStatus.PUBLISHED).update(
        last_reviewed_on=today, updated_at=timezone.now()
    )
    if not updated:
        raise InvalidTransition("Only a published listing can be confirmed as still accurate.")
    StaleReport.objects.filter(listing=listing, resolved_at__isnull=True).update(resolved_at=timezone.now())
    listing.refresh_from_db()
    _event(listing, by, "confirm", listing.status, listing.status)
    return listing


@transaction.atomic
def listing_report_stale(*, listing: Listing, by: Any, note: str = "") -> StaleReport:
    """Someone says the listing looks out of date; its provider is told and admins can see it."""
    if not permissions.can_report_stale(by):
        raise NotAllowed("Sign in to report a listing.")
    note = (note or "").strip()
    if len(note) > 2000:
        raise _field_error("note", "Keep the note under 2,000 characters.")
    report = StaleReport.objects.create(listing=listing, reported_by=by, note=note)
    recipients = list(listing.organization.members.values_list("email", flat=True))
    if recipients:
        body = (
            f'Someone using Waymark thinks your listing "{listing.title}" looks out of date.\n\n'
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
        sent += _freshness_remind(listing)
    return sent


@transaction.atomic
def _freshness_remind(listing: Listing) -> int:
    reference = listing_reference_date(listing)
    # The conditional update is the record that this period's reminder went: a second run changes nothing.
    claimed = (
        Listing.objects.filter(pk=listing.pk, status=ListingStatus.PUBLISHED)
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=reference))
        .update(reminder_sent_for=reference)
    )
    if not claimed:
        return 0
    recipients = list(listing.organization.members.values_list("email", flat=True))
    if recipients:
        link = _site_url(None) + reverse("providers:listing-edit", args=[listing.pk])
        body = (
            f'Your listing "{listing.title}" was last confirmed on {reference:%d %B %Y}. Listings nobody has '
            f"confirmed for six months are shown as possibly out of date and ranked lower in search.\n\n"
            f"If it is still accurate, confirm it here (it takes one click); if not, edit or archive it:\n{link}\n"
        )
        email_send(message=EmailMessage(subject=f'Is "{listing.title}" still accurate?', body=body, to=recipients))
    return 1
