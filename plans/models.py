"""Personal budgets, support plans and the KMPT workflow's records (versions, events, decisions)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from config.choices import Outcome
from providers.models import Category as ListingCategory

PENNY = Decimal("0.01")


class Council(models.TextChoices):
    KENT = "kent", "Kent County Council"
    MEDWAY = "medway", "Medway Council"


class Eligibility(models.TextChoices):
    CRITICAL = "critical", "Critical"
    SUBSTANTIAL = "substantial", "Substantial"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


class PaymentRoute(models.TextChoices):
    KENT_CARD = "kent_card", "Kent Card (direct payment on a prepaid card)"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"
    MANAGED_ACCOUNT = "managed_account", "Council-managed account"


class Budget(models.Model):
    """A personal budget recorded by a KMPT reviewer. The newest of a client's budgets is the current one;
    a correction is a new row, so the history stays."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="budgets")
    council = models.CharField(max_length=16, choices=Council.choices)
    eligibility = models.CharField(max_length=16, choices=Eligibility.choices)
    annual_amount = models.DecimalField(max_digits=10, decimal_places=2)
    client_contribution = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    assessed_on = models.DateField()
    review_on = models.DateField()
    outcomes = ArrayField(models.CharField(max_length=40, choices=Outcome.choices), default=list)
    payment_route = models.CharField(max_length=20, choices=PaymentRoute.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(annual_amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(client_contribution__gte=0), name="budget_contribution_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(review_on__gte=models.F("assessed_on")), name="budget_review_after_assessment"
            ),
            models.CheckConstraint(condition=models.Q(council__in=Council.values), name="budget_council_valid"),
        ]

    def __str__(self) -> str:
        return f"£{self.annual_amount} for {self.client} ({self.council}, {self.assessed_on})"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The whole workflow in one table: from each state, the states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.SUBMITTED, PlanStatus.WITHDRAWN}),
    PlanStatus.SUBMITTED: frozenset({PlanStatus.IN_REVIEW, PlanStatus.CHANGES_REQUESTED, PlanStatus.WITHDRAWN}),
    PlanStatus.IN_REVIEW: frozenset({PlanStatus.APPROVED, PlanStatus.CHANGES_REQUESTED, PlanStatus.DECLINED}),
    PlanStatus.CHANGES_REQUESTED: frozenset({PlanStatus.DRAFT, PlanStatus.WITHDRAWN}),
    PlanStatus.APPROVED: frozenset(),
    PlanStatus.DECLINED: frozenset(),
    PlanStatus.WITHDRAWN: frozenset(),
}
EDITABLE_STATUSES = (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED)
OPEN_REVIEW_STATUSES = (PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


class Plan(models.Model):
    """A support plan: how a client's personal budget will meet their assessed outcomes."""

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plans_as_client")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plans_as_broker")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=1)
    summary = models.TextField(blank=True)
    # What each assessed outcome means for this person, in their words: {outcome code: description}.
    outcome_descriptions = models.JSONField(default=dict, blank=True)
    client_agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_version = models.PositiveIntegerField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="plans_to_review"
    )
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    review_first_on = models.DateField(null=True, blank=True)
    review_next_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(
                condition=models.Q(first_submitted_at__isnull=False)
                | models.Q(status__in=[PlanStatus.DRAFT, PlanStatus.WITHDRAWN]),
                name="plan_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} for {self.client} (v{self.version}, {self.status})"


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"
    YEARLY = "yearly", "Every year"


TIMES_A_YEAR: dict[str, int] = {Frequency.ONCE: 1, Frequency.WEEKLY: 52, Frequency.MONTHLY: 12, Frequency.YEARLY: 1}


class SpendCategory(models.TextChoices):
    """What a line may be, besides a listing category. The last five are never paid from a personal budget."""

    BROKERAGE_FEE = "brokerage_fee", "Brokerage fee"
    EQUIPMENT = "equipment", "Equipment"
    TRANSPORT = "transport", "Transport"
    PERSONAL_ASSISTANT = "personal_assistant", "Personal assistant"
    GAMBLING = "gambling", "Gambling"
    DEBT_REPAYMENT = "debt_repayment", "Debt repayment"
    ALCOHOL = "alcohol", "Alcohol"
    TOBACCO = "tobacco", "Tobacco"
    HEALTH_CARE = "health_care", "Health care"


PROHIBITED_CATEGORIES = frozenset(
    {
        SpendCategory.GAMBLING,
        SpendCategory.DEBT_REPAYMENT,
        SpendCategory.ALCOHOL,
        SpendCategory.TOBACCO,
        SpendCategory.HEALTH_CARE,
    }
)
LINE_CATEGORIES: dict[str, str] = {**dict(ListingCategory.choices), **dict(SpendCategory.choices)}


def annual_cost(unit_cost: Decimal, units: Decimal, frequency: str) -> Decimal:
    """unit cost * units * times a year, rounded half-up to pennies (per line, before any total)."""
    return (Decimal(unit_cost) * Decimal(units) * TIMES_A_YEAR[frequency]).quantize(PENNY, rounding=ROUND_HALF_UP)


class PlanLine(models.Model):
    """One thing the budget pays for."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=32)
    listing = models.ForeignKey(
        "providers.Listing", null=True, blank=True, on_delete=models.PROTECT, related_name="plan_lines"
    )
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2)
    units = models.DecimalField(max_digits=8, decimal_places=2)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    outcomes = ArrayField(models.CharField(max_length=40, choices=Outcome.choices), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="line_unit_cost_not_negative"),
            models.CheckConstraint(condition=models.Q(units__gt=0), name="line_units_positive"),
            models.CheckConstraint(condition=models.Q(frequency__in=Frequency.values), name="line_frequency_valid"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def annual_cost(self) -> Decimal:
        return annual_cost(self.unit_cost, self.units, self.frequency)


class PlanVersion(models.Model):
    """A submitted version, frozen: the whole plan, its totals and its check, exactly as the client agreed it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    # The rendered PDF, kept in the database so it is only ever served through the plan's permission check.
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} version {self.number}"


class PlanEvent(models.Model):
    """The audit trail: who did what to a plan, when, and from which state to which."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} on plan {self.plan_id}: {self.from_status} -> {self.to_status}"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    DECLINED = "declined", "Declined"


class Decision(models.Model):
    """The decision on one submitted version: a reviewer's, or the automatic checks' (`by` empty)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")
    version = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    reasons = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]
        # Exactly one decision per submitted version, whatever races the application layer loses.
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="one_decision_per_version")]

    def __str__(self) -> str:
        return f"{self.outcome} on plan {self.plan_id} v{self.version}"


class NotificationKind(models.TextChoices):
    PLAN_SUBMITTED = "plan_submitted", "Plan sent to KMPT"
    CHECKS_FAILED = "checks_failed", "Plan needs changes after the checks"
    REVIEW_STARTED = "review_started", "Plan in review"
    REVIEW_ASSIGNED = "review_assigned", "Review assigned to you"
    REVIEW_TAKEN_OVER = "review_taken_over", "Review taken over"
    APPROVED = "approved", "Plan approved"
    CHANGES_REQUESTED = "changes_requested", "Changes asked for"
    DECLINED = "declined", "Plan declined"
    WITHDRAWN = "withdrawn", "Plan withdrawn"
    AGREED = "agreed", "Client agreed"
    REOPENED = "reopened", "Plan being changed"
    CHANGE_ASKED = "change_asked", "Client asked for a change"
    REVIEW_WAITING = "review_waiting", "Review waiting"
    PLAN_REVIEW_DUE = "plan_review_due", "Plan review due"


class Notification(models.Model):
    """Something a person should know about a plan: shown in their notification centre (and usually emailed)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    # The audit event that caused it: one notification per person per event, however often a hook runs.
    event = models.ForeignKey(PlanEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    text = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="one_notification_per_event_and_person")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}"


class Reminder(models.Model):
    """A reminder already sent for one occasion (a review waiting 5 or 10 working days, a review date coming up),
    so that beat firing twice, or two beats at once, never sends it twice."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32)
    occasion = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "occasion"], name="one_reminder_per_occasion")]

    def __str__(self) -> str:
        return f"{self.kind} for plan {self.plan_id} ({self.occasion})"
