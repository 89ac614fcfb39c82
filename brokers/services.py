"""Every write in the brokers app: profiles and interests; engagements, messages and feedback."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import Role, User
from brokers.models import BrokerProfile, Interest, Specialism
from config.api import NotAllowed, ServiceError
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
