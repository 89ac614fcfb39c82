import uuid
from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

# The details an administrator checks before verifying an organisation: changing any of them sends a verified
# organisation back for verification (API.md, Providers). Other details (description, contacts, website) do not.
CHECKED_DETAILS = (
    "name",
    "charity_number",
    "company_number",
    "safeguarding_contact_name",
    "safeguarding_contact_email",
)


class OrganizationState(models.TextChoices):
    """Where an organisation stands with the administrators: a verified organisation has `verified_at` set."""

    UNVERIFIED = "unverified", "Waiting for verification"
    VERIFIED = "verified", "Verified"


# The one table of organisation verification: each action, the states it may start from, and where it leads.
ORGANIZATION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "verify": (frozenset({OrganizationState.UNVERIFIED}), OrganizationState.VERIFIED),
    "send_back": (frozenset({OrganizationState.VERIFIED}), OrganizationState.UNVERIFIED),
}


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="OrganizationHistory",
    obj_field=pghistory.ObjForeignKey(related_name="history"),
)
class Organization(models.Model):
    """A provider organisation. Its listings become public only once an admin has verified it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # stable Open Referral id
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    safeguarding_contact_name = models.CharField(max_length=150, blank=True)
    safeguarding_contact_email = models.EmailField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def state(self) -> str:
        return OrganizationState.VERIFIED if self.verified_at is not None else OrganizationState.UNVERIFIED


class Membership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


class Category(models.TextChoices):
    ART_CLASS = "art_class", "Art class"
    GYM = "gym", "Gym"
    SPORTS_CLUB = "sports_club", "Sports club"
    YOGA = "yoga", "Yoga"
    RELAXATION = "relaxation", "Relaxation"
    WALKING_GROUP = "walking_group", "Walking group"
    ALTERNATIVE_THERAPY = "alternative_therapy", "Alternative therapy"
    EMPLOYMENT_SKILLS = "employment_skills", "Employment and skills"
    EDUCATION = "education", "Education"
    PEER_SUPPORT = "peer_support", "Peer support"
    PERSONAL_ASSISTANT = "personal_assistant", "Personal assistant"
    TRANSPORT = "transport", "Transport"
    OTHER = "other", "Other"


class CostUnit(models.TextChoices):
    SESSION = "session", "per session"
    HOUR = "hour", "per hour"
    WEEK = "week", "per week"
    MONTH = "month", "per month"
    YEAR = "year", "per year"
    ONCE = "once", "once"


def category_name_expression() -> models.Case:
    """The category's name as SQL, so searching "art" or "walking" finds listings by their category."""
    whens = [models.When(category=value, then=models.Value(label)) for value, label in Category.choices]
    return models.Case(*whens, default=models.Value(""), output_field=models.TextField())


class ListingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# The one table of listing states: each action, the states it may start from, and where it leads. The services,
# the permissions (what a person may do now) and the pages all read it.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "publish": (frozenset({ListingStatus.DRAFT}), ListingStatus.PUBLISHED),
    "archive": (frozenset({ListingStatus.PUBLISHED}), ListingStatus.ARCHIVED),
    "restore": (frozenset({ListingStatus.ARCHIVED}), ListingStatus.DRAFT),
    # Saying a listing is still accurate keeps its state (None: no change of state).
    "confirm": (frozenset({ListingStatus.PUBLISHED}), None),
    "update": (frozenset(ListingStatus.values), None),
}


ORUK_NAMESPACE = uuid.UUID("6f1c35a2-0d5e-4d0c-9a55-7f0e8d7d2b11")  # Waymark's namespace for derived ORUK ids


def oruk_derived_id(listing_uuid: uuid.UUID | str, kind: str) -> uuid.UUID:
    """The stable id of an object the feed derives from a listing (location, contact...): a UUID5, never changing."""
    return uuid.uuid5(ORUK_NAMESPACE, f"{listing_uuid}:{kind}")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="ListingHistory",
    obj_field=pghistory.ObjForeignKey(related_name="history"),
    exclude=["search_vector"],
)
class Listing(models.Model):
    """An activity a provider offers, which a broker can put in a support plan."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # stable Open Referral id
    # The feed's service_at_location id, derived once from `uuid` and stored so that it is found by an index.
    service_at_location_uuid = models.UUIDField(unique=True, null=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=32, choices=Category.choices, blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    cost_unit = models.CharField(max_length=16, choices=CostUnit.choices, blank=True)
    area = models.CharField(max_length=32, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    schedule = models.TextField(blank=True)
    accessibility = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16, choices=ListingStatus.choices, default=ListingStatus.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The reference date (last confirmed, or first published) whose 150-day reminder has been sent: once per period.
    reminder_sent_for = models.DateField(null=True, blank=True)
    # The date freshness counts from (last confirmed, or first published), kept by a trigger (below) so that
    # searches compare a stored date instead of computing one per row.
    fresh_from = models.DateField(null=True, blank=True, editable=False)
    # Kept by PostgreSQL itself from the row, so a change is searchable in the same transaction that makes it.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector(category_name_expression(), weight="C", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["search_vector"], name="listing_search_vector"),
            # Public lists and the feed walk published listings in (title, id) order, and count and facet them,
            # from these partial indexes alone (index-only scans: what a tier or a filter needs is included).
            models.Index(
                fields=["title", "id"],
                include=["organization", "fresh_from", "postcode"],
                condition=models.Q(status="published"),
                name="listing_published_title",
            ),
            models.Index(
                fields=["category", "area"],
                include=["organization", "fresh_from", "postcode", "cost"],
                condition=models.Q(status="published"),
                name="listing_published_facets",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost__gte=0) | models.Q(cost__isnull=True), name="listing_cost_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(status__in=ListingStatus.values), name="listing_status_valid"),
        ]
        triggers = [
            # Freshness counts from the last confirmation, or the first publication (a local date): kept by the
            # database itself, so that every way of writing a listing keeps it right.
            pgtrigger.Trigger(
                name="listing_fresh_from",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=(
                    "NEW.fresh_from := COALESCE(NEW.last_reviewed_on, "
                    f"(NEW.published_at AT TIME ZONE '{settings.TIME_ZONE}')::date); RETURN NEW;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.service_at_location_uuid is None:
            self.service_at_location_uuid = oruk_derived_id(self.uuid, "service_at_location")
        super().save(*args, **kwargs)


class SearchWord(models.Model):
    """A word that appears in public listings (unstemmed), to correct misspelt search words against by trigram
    similarity before the normal full-text search. Kept by the listing services; rebuilt by a command."""

    word = models.CharField(max_length=100, primary_key=True)

    class Meta:
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_word_trgm")]

    def __str__(self) -> str:
        return self.word


class StaleReport(models.Model):
    """Someone said a listing looks out of date. Its provider and admins see it until it is resolved."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="stale_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["listing"], condition=models.Q(resolved_at__isnull=True), name="stale_open")]

    def __str__(self) -> str:
        return f"Report on {self.listing_id} at {self.created_at:%Y-%m-%d}"


class OrganizationInvite(models.Model):
    """An emailed invitation to join an organisation; accepted by the person who signs in with that email."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization}"
