"""Reads of brokers and engagements. Other apps (plans, pages) call these, never the models' internals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import (
    Avg,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Role
from brokers.models import (
    OPEN_ENGAGEMENT_STATUSES,
    BrokerProfile,
    Engagement,
    EngagementStatus,
    Feedback,
    Interest,
    Message,
)
from charter.selectors import broker_has_verified_signature, signature_current_of, signatures_verified_current
from config.choices import areas_matching

# What a profile needs before it is listed, in the order a broker would fix them (the API's `missing` codes).
PROFILE_REQUIREMENTS = ["display_name", "bio", "areas", "hourly_rate"]


def _profile_complete() -> Q:
    return (
        ~Q(display_name="") & ~Q(bio="") & Q(hourly_rate__isnull=False) & Q(areas__len__gt=0)  # type: ignore[operator]
    )


def brokers_listed() -> QuerySet[BrokerProfile]:
    """Brokers anyone may find and ask: a verified (never suspended) signature of the current charter version and a
    complete profile (display name, bio, at least one area, hourly rate)."""
    return BrokerProfile.objects.filter(
        _profile_complete(),
        broker_has_verified_signature(OuterRef("user_id")),
        user__role=Role.BROKER,
        user__is_active=True,
    )


def broker_is_listed(user: Any) -> bool:
    if not getattr(user, "pk", None):
        return False
    return brokers_listed().filter(pk=user.pk).exists()


def _with_rating_and_charter(profiles: QuerySet[BrokerProfile]) -> QuerySet[BrokerProfile]:
    feedback = Feedback.objects.filter(engagement__broker_id=OuterRef("user_id")).order_by()
    by_broker = feedback.values("engagement__broker_id")
    signature = signatures_verified_current().filter(broker_id=OuterRef("user_id")).order_by("-verified_at")
    return profiles.annotate(
        rating_average=Subquery(by_broker.annotate(value=Avg("rating")).values("value")[:1]),
        rating_count=Coalesce(
            Subquery(by_broker.annotate(value=Count("id")).values("value")[:1], output_field=IntegerField()), 0
        ),
        charter_version=Subquery(signature.values("charter__version")[:1]),
        charter_verified_at=Subquery(signature.values("verified_at")[:1]),
    )


def brokers_search(
    *,
    q: str = "",
    area: str | None = None,
    specialism: str | None = None,
    language: str | None = None,
    accepting: bool | None = None,
    max_rate: Decimal | None = None,
) -> QuerySet[BrokerProfile]:
    """Listed brokers matching the filters, by relevance to `q` (name, specialisms, bio), then rating, then name."""
    profiles = _with_rating_and_charter(brokers_listed())
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
        specialisms = Func(F("specialisms"), Value(" "), function="array_to_string", output_field=TextField())
        vector = (
            SearchVector("display_name", weight="A", config="english")
            + SearchVector(specialisms, weight="B", config="english")
            + SearchVector("bio", weight="C", config="english")
        )
        query = SearchQuery(q, search_type="websearch", config="english")
        profiles = profiles.annotate(search=vector, rank=SearchRank(vector, query)).filter(
            Q(search=query) | Q(display_name__icontains=q)
        )
        ordering.insert(0, F("rank").desc())
    return profiles.order_by(*ordering)


def broker_profile_visible_to(user: Any, broker_id: int) -> BrokerProfile | None:
    """A broker's public profile: listed ones for everyone; unlisted ones only for themself and admins."""
    profiles = _with_rating_and_charter(BrokerProfile.objects.select_related("user"))
    if user.is_authenticated and (user.is_staff or user.pk == broker_id):
        return profiles.filter(pk=broker_id, user__role=Role.BROKER).first()
    return profiles.filter(pk__in=brokers_listed().values("pk")).filter(pk=broker_id).first()


def broker_profile_for(user: Any) -> BrokerProfile:
    """The broker's own profile (created at sign-up; made here if an older account lacks one)."""
    BrokerProfile.objects.get_or_create(user=user, defaults={"display_name": user.name})
    return _with_rating_and_charter(BrokerProfile.objects.select_related("user")).get(pk=user.pk)


def broker_profile_missing(profile: BrokerProfile) -> list[str]:
    """Why the broker is not listed yet, as codes: profile fields, then the charter signature's state."""
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


def broker_rating(broker: Any) -> dict[str, Any]:
    """The broker's rating: the average and count of their clients' feedback, nothing else."""
    totals = Feedback.objects.filter(engagement__broker=broker).aggregate(average=Avg("rating"), count=Count("id"))
    return {"average": rating_rounded(totals["average"]), "count": totals["count"]}


def rating_rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def broker_interest_organization_ids(broker_user: Any) -> set[int]:
    """The provider organisations the broker declared a financial or personal interest in."""
    return set(Interest.objects.filter(broker_id=broker_user.pk).values_list("organization_id", flat=True))


# --- Engagements ---


def _engagements_reviewers_may_see(user: Any) -> QuerySet[Engagement]:
    """Engagements of clients whose submitted plan this reviewer can see (the contract's rule lives in plans)."""
    from plans.selectors import clients_with_submitted_plans  # plans builds on brokers: imported late, on purpose

    return Engagement.objects.filter(client_id__in=clients_with_submitted_plans(user))


def engagements_visible_to(user: Any) -> QuerySet[Engagement]:
    """Only the two parties see an engagement (and, later, reviewers through the hook above)."""
    if not getattr(user, "is_authenticated", False):
        return Engagement.objects.none()
    engagements = Engagement.objects.select_related("client", "broker", "broker__broker_profile")
    if user.role == Role.REVIEWER:
        return engagements.filter(pk__in=_engagements_reviewers_may_see(user).values("pk"))
    return engagements.filter(Q(client=user) | Q(broker=user))


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
