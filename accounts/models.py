from __future__ import annotations

from typing import Any, ClassVar

import pghistory
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    BROKER = "broker", "Support broker"
    PROVIDER = "provider", "Activity provider"
    REVIEWER = "reviewer", "KMPT reviewer"
    ADMIN = "admin", "Administrator"


# The roles a person may choose for themself when signing up.
SELF_SIGNUP_ROLES = (Role.CLIENT, Role.BROKER, Role.PROVIDER)


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user_object(self, username: Any, email: str | None, password: str | None, **extra: Any) -> User:
        email = self.normalize_email(email or "").lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        return user

    def create_user(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        user = self._create_user_object(None, email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email address. One role per account."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT, db_index=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_broker(self) -> bool:
        return self.role == Role.BROKER

    @property
    def is_provider(self) -> bool:
        return self.role == Role.PROVIDER

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_admin(self) -> bool:
        return self.is_staff


# --- People who act for a client ----------------------------------------------------------------------------------


class Relationship(models.TextChoices):
    FAMILY = "family", "Family member"
    CARER = "carer", "Carer"
    ADVOCATE = "advocate", "Independent advocate"
    APPOINTEE = "appointee", "Appointee"
    ATTORNEY = "attorney", "Attorney (Lasting Power of Attorney)"
    DEPUTY = "deputy", "Deputy appointed by the Court of Protection"


# A client chooses helpers; KMPT records legal authorities (Mental Capacity Act 2005), which carry every scope.
HELPER_RELATIONSHIPS = (Relationship.FAMILY, Relationship.CARER, Relationship.ADVOCATE)
LEGAL_RELATIONSHIPS = (Relationship.APPOINTEE, Relationship.ATTORNEY, Relationship.DEPUTY)


class Scope(models.TextChoices):
    VIEW = "view", "See the plan and budget"
    MESSAGE = "message", "Message the broker"
    AGREE = "agree", "Agree to a shared plan"


class RepresentativeStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="RepresentativeHistory",
    exclude=["token_hash"],
)
class Representative(models.Model):
    """Someone who acts for a client within a scope: invited by the client (family, carer, advocate) or recorded by
    KMPT as a legal authority (appointee, attorney, deputy). They sign in with their own account."""

    client = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="representatives")
    person = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="representations"
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    scope = ArrayField(models.CharField(max_length=16, choices=Scope.choices), default=list)
    reference = models.CharField(max_length=100, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=RepresentativeStatus.choices, default=RepresentativeStatus.INVITED, db_index=True
    )
    token_hash = models.CharField(max_length=64, blank=True)
    invited_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "email"],
                condition=models.Q(status__in=["invited", "active"]),
                name="one_open_representative_per_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(relationship__in=["appointee", "attorney", "deputy"])
                | (~models.Q(reference="") & models.Q(valid_from__isnull=False)),
                name="legal_authority_has_reference_and_date",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["invited", "active", "revoked"]), name="representative_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=True) | ~models.Q(person=models.F("client")),
                name="nobody_represents_themself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} ({self.relationship}) for {self.client}"

    @property
    def is_legal(self) -> bool:
        return self.relationship in LEGAL_RELATIONSHIPS

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(item).label) for item in self.scope if item in Scope.values]


class ClientInvitation(models.Model):
    """KMPT recorded a budget for someone without an account: the link that lets them set a password (and so
    verify their address) in one step. Expires; can be sent again; the link's token is stored only as a hash."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="invitation")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    times_sent = models.PositiveSmallIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation for {self.user_id}"


# --- Data rights --------------------------------------------------------------------------------------------------


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


class ErasureRequest(models.Model):
    """A person asked for their data to be erased; an admin completes it (anonymising what must be kept) or refuses
    it with reasons."""

    person = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="erasure_requests")
    reason = models.TextField(blank=True, max_length=5000)
    status = models.CharField(max_length=16, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField(blank=True)
    kept = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="requested"), name="one_open_erasure_request"
            )
        ]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} ({self.status})"


class DataExport(models.Model):
    """A copy of everything held about a person, built by a task when it is large; kept for a week."""

    person = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(max_length=16, default="processing")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"


class OutgoingEmail(models.Model):
    """An email waiting to go: written in the transaction that decided to send it, so a broker that is down never
    loses one. The task marks it sent; beat re-sends what has not gone, each time waiting twice as long."""

    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    from_email = models.CharField(max_length=300)
    to = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField()
    resends = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["queued_at"], condition=models.Q(sent_at__isnull=True), name="email_unsent"),
        ]

    def __str__(self) -> str:
        return f"Email {self.pk} ({'sent' if self.sent_at else 'waiting'})"
