"""Who may do what with the charter; and the signed-in person, typed, for views behind a login."""

from typing import Any, cast

from accounts.models import Role, User


def request_user(request: Any) -> User:
    """The signed-in person of a request that already passed a login check."""
    return cast(User, request.user)


def may_sign(user: Any) -> bool:
    return getattr(user, "role", None) == Role.BROKER


def may_review(user: Any) -> bool:
    """Admins verify and suspend signatures and read concerns."""
    return bool(getattr(user, "is_staff", False))
