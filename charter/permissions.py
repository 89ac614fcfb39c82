"""Who may do what with the charter, and the one transition table the services and pages both read.

`signature_actions_for` and `concern_actions_for` answer "what may this person do with this object now": the pages
show exactly those buttons, and the services refuse anything else with the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet

from accounts.models import Role, User
from charter.models import Concern, ConcernStatus, Signature, SignatureStatus


def request_user(request: Any) -> User:
    """The signed-in person of a request that already passed a login check."""
    return cast(User, request.user)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]  # the states the action may start from
    target: str
    event: str  # the action name in the audit trail


# A signature is `pending` from signing; an admin verifies it (or reinstates a suspended one) or suspends it.
SIGNATURE_TRANSITIONS: dict[str, Transition] = {
    "verify": Transition((SignatureStatus.PENDING, SignatureStatus.SUSPENDED), SignatureStatus.VERIFIED, "verified"),
    "suspend": Transition((SignatureStatus.PENDING, SignatureStatus.VERIFIED), SignatureStatus.SUSPENDED, "suspended"),
}
SIGNATURE_INITIAL = SignatureStatus.PENDING

# A concern is `open` when raised; an admin resolves it, saying what was done.
CONCERN_TRANSITIONS: dict[str, Transition] = {
    "resolve": Transition((ConcernStatus.OPEN,), ConcernStatus.RESOLVED, "concern_resolved"),
}
CONCERN_INITIAL = ConcernStatus.OPEN


def may_sign(user: Any) -> bool:
    return getattr(user, "role", None) == Role.BROKER


def may_review(user: Any) -> bool:
    """Admins verify and suspend signatures and resolve concerns."""
    return bool(getattr(user, "is_staff", False))


def may_act_on_signature(user: Any, signature: Signature, action: str) -> bool:
    """Whoever the state: admins only, and never on their own signature."""
    return may_review(user) and not (action == "verify" and signature.broker_id == user.pk)


def signature_actions_for(user: Any, signature: Signature) -> list[str]:
    """The actions this person may take on this signature now (for pages: which buttons to show)."""
    return [
        action
        for action, rule in SIGNATURE_TRANSITIONS.items()
        if signature.status in rule.sources and may_act_on_signature(user, signature, action)
    ]


def concern_actions_for(user: Any, concern: Concern) -> list[str]:
    return [
        action for action, rule in CONCERN_TRANSITIONS.items() if concern.status in rule.sources and may_review(user)
    ]


# --- Whom a person may name in a concern ---
#
# Listing and engagements belong to the brokers app, which sits above charter: it registers the rule here when it
# starts (`brokers.apps`), so that charter never imports it. Until then (a charter-only test), only brokers with a
# verified signature of the current charter may be named.

NameableBrokers = Callable[[Any], QuerySet[User]]
_nameable_brokers: NameableBrokers | None = None


def concern_subjects_register(rule: NameableBrokers) -> None:
    global _nameable_brokers
    _nameable_brokers = rule


def concern_subjects_for(user: Any) -> QuerySet[User]:
    """The brokers this person may raise a concern about (the form lists them; the service refuses any other)."""
    if _nameable_brokers is not None:
        return _nameable_brokers(user)
    from charter.selectors import signatures_verified_current

    return User.objects.filter(pk__in=signatures_verified_current().values("broker_id"), is_active=True)
