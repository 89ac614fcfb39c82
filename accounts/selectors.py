"""Reads about people: who acts for whom, within which scope. Other apps ask these, never the models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ClientInvitation, Relationship, Representative, RepresentativeStatus, Role, User
from audit import context

_CACHE = "_represented_clients"


def representations_active(user: Any) -> QuerySet[Representative]:
    """The representations this person holds now: accepted, not revoked, and (for legal authorities) in date."""
    today = timezone.localdate()
    return Representative.objects.filter(person_id=user.pk, status=RepresentativeStatus.ACTIVE).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def clients_represented_by(user: Any, scope: str | None = None) -> frozenset[int]:
    """Ids of the clients this person acts for (within `scope`). Read once per request and person: a revocation
    takes effect on the next request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    request_cache = context.current().cache
    key = (_CACHE, user.pk)
    found: dict[str | None, frozenset[int]] | None = request_cache.get(key) if request_cache is not None else None
    if found is None:
        rows = list(representations_active(user).values_list("client_id", "scope"))
        found = {None: frozenset(client for client, _ in rows)}
        for name in ("view", "message", "agree"):
            found[name] = frozenset(client for client, scopes in rows if name in scopes)
        if request_cache is not None:
            request_cache[key] = found
    return found.get(scope, frozenset())


def represents(user: Any, client_id: int, scope: str | None = None) -> bool:
    return client_id in clients_represented_by(user, scope)


def representation_of(user: Any, client_id: int) -> Representative | None:
    return representations_active(user).filter(client_id=client_id).first()


def acting_for_id(user: Any, client_id: int) -> int | None:
    """The client this person acts for when they read or do something of the client's (None when they act as
    themself): what the access log and the audit trail record as `on_behalf_of`."""
    if not getattr(user, "is_authenticated", False) or user.pk == client_id:
        return None
    return client_id if client_id in clients_represented_by(user) else None


def relationships_to(client_id: int, people: Iterable[int]) -> dict[int, str]:
    """How each of these people stands to the client, in words ("carer"), from their newest representation even if
    it has ended since: what they were when they acted. One query, whatever the number of people."""
    rows = Representative.objects.filter(client_id=client_id, person_id__in=set(people)).order_by("created_at", "id")
    return {row.person_id: str(Relationship(row.relationship).label).lower() for row in rows if row.person_id}


def relationship_to(person_id: int, client_id: int) -> str:
    return relationships_to(client_id, [person_id]).get(person_id, "representative")


def acting_words(name: str, relationship: str, for_name: str | None = None) -> str:
    """A representative named for what they did: "Sam Taylor (carer)", or "Sam Taylor (carer, for Alex Morgan)"."""
    return f"{name} ({relationship}, for {for_name})" if for_name else f"{name} ({relationship})"


def representatives_visible_to(user: Any) -> QuerySet[Representative]:
    """A client's own; those a person holds or is invited to (by their address); every one for KMPT reviewers."""
    reps = Representative.objects.select_related("client", "person", "invited_by")
    if user.role == Role.REVIEWER:
        return reps
    return reps.filter(
        Q(client=user) | Q(person=user) | Q(email__iexact=user.email, status=RepresentativeStatus.INVITED)
    )


def people_helped_by(user: Any) -> QuerySet[User]:
    return User.objects.filter(pk__in=clients_represented_by(user)).order_by("name", "email")


def client_invitation_waiting(client: Any) -> ClientInvitation | None:
    """The invitation KMPT sent this person, while they have not yet used it to set up their account."""
    return ClientInvitation.objects.filter(user_id=client.pk, accepted_at__isnull=True).first()
