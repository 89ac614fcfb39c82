"""Reads of brokers and engagements. Other apps (plans, pages) call these, never the models' internals.

The directory reads the profile's stored fields (listing, rating, search vector), each kept by the services, so a
search is one indexed query on one table whatever its size.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from accounts.models import Role, User
from accounts.selectors import clients_represented_by
from brokers.models import (
    OPEN_ENGAGEMENT_STATUSES,
    BrokerProfile,
    Engagement,
    EngagementStatus,
    Interest,
    Message,
    ReviewerAccess,
)
from charter.selectors import charter_current_reference, signature_current_of
from config.choices import areas_matching


def brokers_listed() -> QuerySet[BrokerProfile]:
    """Brokers anyone may find and ask: a verified (never suspended) signature of the current charter version, a
    complete profile (display name, bio, at least one area, hourly rate) and an active broker account.

    Read from the stored `listed` flag and charter version through their partial index; the current version is a
    subquery PostgreSQL evaluates once, so a new version delists everyone on its publication date."""
    return BrokerProfile.objects.filter(listed=True, verified_charter=charter_current_reference()).annotate(
        charter_is_current=Value(True, output_field=BooleanField())
    )


def broker_is_listed(user: Any) -> bool:
    if not getattr(user, "pk", None):
        return False
    return brokers_listed().filter(pk=user.pk).exists()


def _for_display(profiles: QuerySet[BrokerProfile]) -> QuerySet[BrokerProfile]:
    return profiles.select_related("verified_charter").defer("search_vector")


def brokers_search(
    *,
    q: str = "",
    area: str | None = None,
    specialism: str | None = None,
    language: str | None = None,
    accepting: bool | None = None,
    max_rate: Decimal | None = None,
    base: QuerySet[BrokerProfile] | None = None,
) -> QuerySet[BrokerProfile]:
    """Listed brokers matching the filters, by relevance to `q` (name, specialisms, bio), then rating, then name.

    Only the brokers that match are ranked: the stored vector (GIN index) and the name's trigram index find them."""
    profiles = _for_display(brokers_listed() if base is None else base)
    if area:
        profiles = profiles.filter(areas__overlap=areas_matching(area))
    if specialism:
        profiles = profiles.filter(specialisms__contains=[specialism])
    if language:
        profiles = profiles.filter(languages__contains=[language.lower()])
    if accepting is not None:
        profiles = profiles.filter(accepting_clients=accepting)
    if max_rate is not None:
        profiles = profiles.filter(hourly_rate__lte=max_rate)
    ordering: list[Any] = [F("rating_average").desc(nulls_last=True), "display_name", "pk"]
    q = (q or "").strip()
    if q:
        query = SearchQuery(q, search_type="websearch", config="english")
        profiles = profiles.filter(Q(search_vector=query) | Q(display_name__icontains=q)).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        ordering.insert(0, F("rank").desc())
    return profiles.order_by(*ordering)


def broker_profile_visible_to(user: Any, broker_id: int) -> BrokerProfile | None:
    """A broker's public profile: listed ones for everyone; unlisted ones only for themself and admins."""
    if user.is_authenticated and (user.is_staff or user.pk == broker_id):
        current = ExpressionWrapper(Q(verified_charter=charter_current_reference()), output_field=BooleanField())
        profiles: QuerySet[BrokerProfile, Any] = BrokerProfile.objects.filter(user__role=Role.BROKER).annotate(
            charter_is_current=current
        )
    else:
        profiles = brokers_listed()
    return _for_display(profiles).select_related("user").filter(pk=broker_id).first()


def broker_profile_for(user: Any) -> BrokerProfile:
    """The broker's own profile (created at sign-up; made here if an older account lacks one)."""
    from brokers.services import broker_profile_ensure

    if not BrokerProfile.objects.filter(pk=user.pk).exists():
        broker_profile_ensure(user=user)
    return _for_display(BrokerProfile.objects.select_related("user")).get(pk=user.pk)


def broker_profile_missing(profile: BrokerProfile) -> list[str]:
    """Why the broker is not listed yet, as codes (the API's `missing`): profile fields in the order a broker would
    fix them, then the charter signature's state."""
    missing = []
    if not profile.display_name.strip():
        missing.append("display_name")
    if not profile.bio.strip():
        missing.append("bio")
    if not profile.areas:
        missing.append("areas")
    if profile.hourly_rate is None:
        missing.append("hourly_rate")
    signature = signature_current_of(profile.user)
    if signature is None:
        missing.append("charter_signature")
    elif signature.status == "pending":
        missing.append("charter_verification")
    elif signature.status == "suspended":
        missing.append("charter_suspended")
    return missing


def broker_rating(profile: BrokerProfile) -> dict[str, Any]:
    """The broker's rating as stored by `feedback_give`: the average and count of their clients' feedback."""
    return {"average": rating_rounded(profile.rating_average), "count": profile.rating_count}


def rating_rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def broker_interest_organization_ids(broker_user: Any) -> set[int]:
    """The provider organisations the broker declared a financial or personal interest in."""
    return set(Interest.objects.filter(broker_id=broker_user.pk).values_list("organization_id", flat=True))


def brokers_nameable_by(user: Any) -> QuerySet[User]:
    """Brokers a person may raise a concern about: the listed ones, and those they have or had an engagement with.
    Each carries `display_label`, the name it shows people (never its email address)."""
    engaged = Engagement.objects.filter(client_id=getattr(user, "pk", None)).values("broker_id")
    label = Coalesce(
        NullIf(F("broker_profile__display_name"), Value("")), NullIf(F("name"), Value("")), Value("A support broker")
    )
    return (
        User.objects.filter(Q(pk__in=brokers_listed().values("pk")) | Q(pk__in=engaged), role=Role.BROKER)
        .annotate(display_label=label)
        .order_by("display_label", "pk")
    )


# --- Engagements ---


def engagements_visible_to(user: Any) -> QuerySet[Engagement]:
    """Its two parties see an engagement; reviewers see those of clients who shared them (their plan went to KMPT)."""
    if not getattr(user, "is_authenticated", False):
        return Engagement.objects.none()
    engagements = Engagement.objects.select_related("client", "broker", "broker__broker_profile")
    if user.role == Role.REVIEWER:
        return engagements.filter(client_id__in=ReviewerAccess.objects.values("client_id"))
    represented = clients_represented_by(user, "view")
    return engagements.filter(Q(client=user) | Q(broker=user) | Q(client_id__in=represented))


def engagements_with_unread(engagements: QuerySet[Engagement], user: Any) -> QuerySet[Engagement]:
    """Annotate `unread_count`: messages to `user` not yet read, per engagement."""
    unread = Message.objects.filter(engagement=OuterRef("pk"), read_at__isnull=True).exclude(sender=user).order_by()
    count = unread.values("engagement").annotate(value=Count("id")).values("value")[:1]
    return engagements.annotate(unread_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))


def engagement_active_between(client: Any, broker: Any) -> Engagement | None:
    return Engagement.objects.filter(client=client, broker=broker, status=EngagementStatus.ACTIVE).first()


def engagement_open_between(client: Any, broker: Any) -> Engagement | None:
    return Engagement.objects.filter(client=client, broker=broker, status__in=OPEN_ENGAGEMENT_STATUSES).first()


def messages_unread_count(user: Any) -> int:
    """Messages waiting for this person across all their conversations."""
    return (
        Message.objects.filter(Q(engagement__client=user) | Q(engagement__broker=user), read_at__isnull=True)
        .exclude(sender=user)
        .count()
    )


def messages_of(engagement: Engagement) -> QuerySet[Message]:
    return engagement.messages.select_related("sender").order_by("sent_at", "id")
