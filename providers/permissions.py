"""Who may do what with organisations and listings. Seeing is decided by the selectors' `*_visible_to`."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from providers.models import Listing, Membership, Organization


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def is_member(user: Any, organization: Organization) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, organization=organization).exists()


def can_create_organization(user: Any) -> bool:
    """Providers set up their organisations (admins may too, on someone's behalf)."""
    return is_admin(user) or (getattr(user, "is_authenticated", False) and user.role == Role.PROVIDER)


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
