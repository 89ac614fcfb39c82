from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class Specialism(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    DUAL_DIAGNOSIS = "dual_diagnosis", "Dual diagnosis"
    AUTISM = "autism", "Autism"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    OLDER_PEOPLE = "older_people", "Older people"
    CARERS = "carers", "Carers"
    EMPLOYMENT = "employment", "Employment"


class BrokerProfile(models.Model):
    """A broker's public profile; its primary key is the broker's user id."""

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

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0) | models.Q(hourly_rate__isnull=True),
                name="broker_rate_not_negative",
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


class EngagementEvent(models.Model):
    """The audit trail of an engagement: every change of state, who made it, when and why."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.engagement_id}: {self.from_status or '-'} -> {self.to_status}"


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
