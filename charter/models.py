"""The Quality Charter: its versions and principles, brokers' signatures and concerns.

The audit trail of every change is `audit.Event` (record types `charter_version`, `signature`, `concern`); beneath it
pghistory keeps a database-level history of every signature row, however it was changed.
"""

import pghistory
from django.conf import settings
from django.db import models


class CharterVersion(models.Model):
    """One published text of the charter. Only the newest published version counts for listing."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    published_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Principle(models.Model):
    charter = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="principles")
    key = models.SlugField(max_length=64)
    title = models.CharField(max_length=200)
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["charter", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["charter", "key"], name="principle_key_unique_per_version")]

    def __str__(self) -> str:
        return self.title


class SignatureStatus(models.TextChoices):
    PENDING = "pending", "Waiting for verification"
    VERIFIED = "verified", "Verified"
    SUSPENDED = "suspended", "Suspended"


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), model_name="SignatureHistory"
)
class Signature(models.Model):
    """A broker's attestation of every principle of one charter version, verified (or suspended) by an admin."""

    broker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_signatures")
    charter = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="signatures")
    status = models.CharField(
        max_length=16, choices=SignatureStatus.choices, default=SignatureStatus.PENDING, db_index=True
    )
    attestations = models.JSONField(default=dict)
    signed_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspension_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["broker", "charter"], name="one_signature_per_broker_and_version"),
            models.CheckConstraint(
                condition=models.Q(status__in=SignatureStatus.values), name="signature_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.broker} signed version {self.charter.version} ({self.status})"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Concern(models.Model):
    """Someone's worry that a broker has breached the charter, for admins to look into."""

    broker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_concerns")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="charter_concerns_raised"
    )
    text = models.TextField()
    status = models.CharField(max_length=16, choices=ConcernStatus.choices, default=ConcernStatus.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ConcernStatus.values), name="concern_status_valid")
        ]

    def __str__(self) -> str:
        return f"Concern about {self.broker} ({self.status})"
