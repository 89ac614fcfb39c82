"""Brokers' profiles and declared interests; engagements with their messages and feedback; reviewers' access.

The audit trail of every change is `audit.Event` (record types `broker_profile`, `engagement`, `reviewer_access`);
beneath it pghistory keeps a database-level history of every engagement row, however it was changed.
"""

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Concat, Upper


class Specialism(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    DUAL_DIAGNOSIS = "dual_diagnosis", "Dual diagnosis"
    AUTISM = "autism", "Autism"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    OLDER_PEOPLE = "older_people", "Older people"
    CARERS = "carers", "Carers"
    EMPLOYMENT = "employment", "Employment"


def specialism_words_expression() -> Concat:
    """The names of the broker's specialisms as SQL text, immutable so PostgreSQL can store a vector built from it
    (`array_to_string` is only stable): searching "dual diagnosis" or "older people" finds them by specialism."""
    words = [
        models.Case(
            models.When(specialisms__contains=[value], then=models.Value(f" {label}")),
            default=models.Value(""),
            output_field=models.TextField(),
        )
        for value, label in Specialism.choices
    ]
    return Concat(*words, output_field=models.TextField())


def profile_complete() -> models.Q:
    """A profile people can judge, the condition for being listed: a name, a bio, at least one area, an hourly rate."""
    return (
        ~models.Q(display_name="")
        & ~models.Q(bio="")
        & models.Q(hourly_rate__isnull=False)
        & models.Q(areas__len__gt=0)  # type: ignore[operator]
    )


class BrokerProfile(models.Model):
    """A broker's public profile; its primary key is the broker's user id.

    What the directory needs is stored here and kept by the services, so that a search reads one table through its
    indexes: the charter version the broker holds a verified signature of (and since when), whether the profile and
    account are complete and active (`listed`), the rating, and the words to search.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="broker_profile"
    )
    display_name = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True)
    areas = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    specialisms = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    hourly_rate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    accepting_clients = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by `brokers.services.broker_listing_refresh`, called by every service that changes one of its inputs.
    # Listed = `listed` and `verified_charter` is the current version (so a new version delists everyone on its
    # publication date without touching a row).
    verified_charter = models.ForeignKey(
        "charter.CharterVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # nearly every row holds the same version: the partial directory index leads with it
    )
    charter_verified_at = models.DateTimeField(null=True, blank=True)
    listed = models.BooleanField(default=False)
    # Kept by `brokers.services.feedback_give`.
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    # Kept by PostgreSQL itself from the row, so an edit is searchable in the same transaction that makes it.
    search_vector = models.GeneratedField(
        expression=SearchVector("display_name", weight="A", config="english")
        + SearchVector(specialism_words_expression(), weight="B", config="english")
        + SearchVector("bio", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0) | models.Q(hourly_rate__isnull=True),
                name="broker_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(listed=False) | models.Q(verified_charter__isnull=False),
                name="broker_listed_has_charter",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="broker_search_vector"),
            # Names found by part of a word (`?q=wal` finds Walker): `icontains` compares UPPER(name), so index that.
            GinIndex(OpClass(Upper("display_name"), name="gin_trgm_ops"), name="broker_name_trgm"),
            # The filters' arrays, listed brokers only (so that counting a filtered directory reads an index too).
            GinIndex(fields=["areas"], condition=models.Q(listed=True), name="broker_listed_areas"),
            GinIndex(fields=["specialisms"], condition=models.Q(listed=True), name="broker_listed_specialisms"),
            GinIndex(fields=["languages"], condition=models.Q(listed=True), name="broker_listed_languages"),
            # The directory in its own order, listed brokers only.
            models.Index(
                models.F("verified_charter"),
                models.F("rating_average").desc(nulls_last=True),
                models.F("display_name"),
                models.F("user"),
                condition=models.Q(listed=True),
                name="broker_listed_directory",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.user)


class Interest(models.Model):
    """A financial or personal link a broker declares to a provider organisation."""

    broker = models.ForeignKey(BrokerProfile, on_delete=models.CASCADE, related_name="interests")
    organization = models.ForeignKey("providers.Organization", on_delete=models.CASCADE, related_name="+")
    nature = models.CharField(max_length=300)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["broker", "organization"], name="interest_unique")]

    def __str__(self) -> str:
        return f"{self.broker} - {self.organization}: {self.nature}"


class EngagementStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ENDED = "ended", "Ended"


OPEN_ENGAGEMENT_STATUSES = (EngagementStatus.REQUESTED, EngagementStatus.ACTIVE)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="EngagementHistory",
    # When each party was last emailed about a message is bookkeeping of the nudge task, not the engagement's history.
    exclude=["client_nudged_at", "broker_nudged_at"],
)
class Engagement(models.Model):
    """A client working with a broker."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements_as_client")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="engagements_as_broker")
    status = models.CharField(
        max_length=16, choices=EngagementStatus.choices, default=EngagementStatus.REQUESTED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # When each party was last emailed that a message arrived: at most one nudge per 15 minutes per conversation.
    client_nudged_at = models.DateTimeField(null=True, blank=True)
    broker_nudged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "broker"],
                condition=models.Q(status__in=OPEN_ENGAGEMENT_STATUSES),
                name="one_open_engagement_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EngagementStatus.values), name="engagement_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} with {self.broker} ({self.status})"


MESSAGE_MAX_LENGTH = 5000


class Message(models.Model):
    """A private message between the two parties of an engagement. The body is plain text."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["engagement", "sent_at"], name="message_by_conversation")]
        constraints = [models.CheckConstraint(condition=~models.Q(body=""), name="message_body_not_empty")]

    def __str__(self) -> str:
        return f"Message {self.pk} in engagement {self.engagement_id}"

    @property
    def on_behalf_of_id(self) -> int | None:
        """The client a representative wrote this for; None when one of the two parties wrote it. Only the parties
        and the client's representatives may write (`message_send`), so a message from neither party was written
        for the client, as its `message_sent` event records."""
        engagement = self.engagement
        return None if self.sender_id in (engagement.client_id, engagement.broker_id) else engagement.client_id


class Feedback(models.Model):
    """A client's rating of their broker, once per engagement; the broker's rating is the average of these."""

    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for engagement {self.engagement_id}"


class ReviewerAccess(models.Model):
    """KMPT reviewers may read this client's engagements (never their conversations): granted once the client's plan
    goes to KMPT, by the plans app through `brokers.services.engagements_share_with_reviewers`."""

    client = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="reviewer_access"
    )
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Reviewers may read the engagements of {self.client}"
