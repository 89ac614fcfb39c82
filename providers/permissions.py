"""Who may do what with organisations and listings. Seeing is decided by the selectors' `*_visible_to`.

`listing_abilities` and `organization_abilities` answer "what may this person do with this object now" from the
same rules the services enforce (role and membership here, state from the one transition table in the models), so
pages show exactly the actions that would succeed and templates never restate the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Role
from providers.models import (
    ORGANIZATION_TRANSITIONS,
    TRANSITIONS,
    Listing,
    ListingStatus,
    Membership,
    Organization,
)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def is_member(user: Any, organization: Organization) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, organization=organization).exists()


def can_create_organization(user: Any) -> bool:
    """Providers set up their organisations (admins may too, on someone's behalf)."""
    return is_admin(user) or (getattr(user, "is_authenticated", False) and user.role == Role.PROVIDER)


def can_join_organization(user: Any) -> bool:
    """Only activity provider accounts belong to organisations."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.PROVIDER)


def can_manage_organization(user: Any, organization: Organization) -> bool:
    """Edit details, invite members, add listings: its members, and admins."""
    return is_admin(user) or is_member(user, organization)


def can_verify_organization(user: Any) -> bool:
    return is_admin(user)


def can_manage_listing(user: Any, listing: Listing) -> bool:
    return can_manage_organization(user, listing.organization)


def can_report_stale(user: Any) -> bool:
    """Anyone signed in may say a listing looks out of date (signed in, so reports can be followed up)."""
    return bool(getattr(user, "is_authenticated", False))


def listing_action_allowed(action: str, listing: Listing) -> bool:
    """Does the listing's state allow this action (the one transition table)?"""
    sources, _ = TRANSITIONS[action]
    return listing.status in sources


def organization_action_allowed(action: str, organization: Organization) -> bool:
    sources, _ = ORGANIZATION_TRANSITIONS[action]
    return organization.state in sources


@dataclass(frozen=True)
class ListingAbilities:
    edit: bool = False
    publish: bool = False
    archive: bool = False
    restore: bool = False
    confirm: bool = False
    report: bool = False

    @property
    def any_state_change(self) -> bool:
        return self.publish or self.archive or self.restore or self.confirm


def listing_abilities(user: Any, listing: Listing, *, is_public: bool | None = None) -> ListingAbilities:
    """What this person may do with this listing now."""
    manages = can_manage_listing(user, listing)
    public = is_public if is_public is not None else listing.status == ListingStatus.PUBLISHED
    return ListingAbilities(
        edit=manages and listing_action_allowed("update", listing),
        publish=manages and listing_action_allowed("publish", listing),
        archive=manages and listing_action_allowed("archive", listing),
        restore=manages and listing_action_allowed("restore", listing),
        confirm=manages and listing_action_allowed("confirm", listing),
        report=can_report_stale(user) and public and not manages,
    )


@dataclass(frozen=True)
class OrganizationAbilities:
    edit: bool = False
    invite: bool = False
    add_listing: bool = False
    verify: bool = False


def organization_abilities(user: Any, organization: Organization) -> OrganizationAbilities:
    """What this person may do with this organisation now."""
    manages = can_manage_organization(user, organization)
    return OrganizationAbilities(
        edit=manages,
        invite=manages,
        add_listing=manages,
        verify=can_verify_organization(user) and organization_action_allowed("verify", organization),
    )
