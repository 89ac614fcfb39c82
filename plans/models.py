"""Personal budgets, support plans and the KMPT workflow's records (versions, events, decisions)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from config.choices import Outcome
from plans.councils import ROUTES_BY_COUNCIL
from providers.models import Category as ListingCategory

PENNY = Decimal("0.01")
# Bounds on every amount, in the services and the database: above them a figure is a typing mistake, and every
# total stays inside what the columns (and the pages that show them) can hold.
BUDGET_MAX = Decimal("1000000.00")  # a year's personal budget
UNIT_COST_MAX = Decimal("10000.00")  # one session, hour, week... of something
UNITS_MAX = Decimal("1000.00")  # how many each time
LINES_MAX = 200  # lines in one plan


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


def _routes_offered() -> models.Q:
    """Each council pays only the ways it offers (`plans.councils`): Medway never on the Kent Card."""
    offered = models.Q()
    for council, routes in ROUTES_BY_COUNCIL.items():
        offered |= models.Q(council=council, payment_route__in=list(routes))
    return offered


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), model_name="BudgetHistory")
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
            models.CheckConstraint(condition=models.Q(annual_amount__lte=BUDGET_MAX), name="budget_amount_bounded"),
            models.CheckConstraint(
                condition=models.Q(client_contribution__lte=models.F("annual_amount")),
                name="budget_contribution_within_amount",
            ),
            models.CheckConstraint(condition=_routes_offered(), name="budget_route_offered_by_council"),
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
# A client has at most one plan in these states (the contract's `open_plan_exists`).
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW, PlanStatus.CHANGES_REQUESTED)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PlanHistory",
    exclude=["shared_record"],
)
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
    # What the broker shared for the client to read: the frozen record and its digest. Any write clears them.
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_digest = models.CharField(max_length=64, blank=True)
    shared_record = models.JSONField(null=True, blank=True)
    # The client's agreement, bound to the digest they read.
    client_agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_digest = models.CharField(max_length=64, blank=True)
    # The approved plan this one renews (next year's plan), so the whole history is one thread.
    renews = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals", db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="plans_to_review"
    )
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the submission's task was last sent to the broker: the sweeper re-sends only what has made no progress.
    workflow_sent_at = models.DateTimeField(null=True, blank=True)
    workflow_resends = models.PositiveSmallIntegerField(default=0)
    review_first_on = models.DateField(null=True, blank=True)
    review_next_on = models.DateField(null=True, blank=True)
    # When next year's plan (a renewal of this one) was approved: this plan stays `approved` in its history but is
    # no longer in effect, so it is not reviewed or renewed again. Set only by the renewal service, with an event.
    superseded_at = models.DateTimeField(null=True, blank=True)
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
            models.UniqueConstraint(
                fields=["client"], condition=models.Q(status__in=OPEN_STATUSES), name="one_open_plan_per_client"
            ),
            models.CheckConstraint(
                condition=models.Q(client_agreed_at__isnull=True) | ~models.Q(agreed_digest=""),
                name="plan_agreement_has_digest",
            ),
            models.CheckConstraint(
                condition=models.Q(superseded_at__isnull=True) | models.Q(status=PlanStatus.APPROVED),
                name="plan_superseded_only_when_approved",
            ),
        ]
        indexes = [
            # The review queue walks only the open states, oldest first.
            models.Index(
                fields=["submitted_at", "id"],
                condition=models.Q(status__in=OPEN_REVIEW_STATUSES),
                name="plan_review_queue",
            ),
            # Choosing a reviewer counts each reviewer's plans in review.
            models.Index(
                fields=["reviewer"], condition=models.Q(status=PlanStatus.IN_REVIEW), name="plan_in_review_by"
            ),
            models.Index(fields=["broker", "-updated_at"], name="plan_by_broker"),
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


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), model_name="PlanLineHistory"
)
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
            models.CheckConstraint(condition=models.Q(unit_cost__lte=UNIT_COST_MAX), name="line_unit_cost_bounded"),
            models.CheckConstraint(condition=models.Q(units__lte=UNITS_MAX), name="line_units_bounded"),
            models.CheckConstraint(condition=models.Q(frequency__in=Frequency.values), name="line_frequency_valid"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def annual_cost(self) -> Decimal:
        return annual_cost(self.unit_cost, self.units, self.frequency)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PlanVersionHistory",
    exclude=["pdf", "decided_pdf", "snapshot", "render_sent_at", "render_resends"],
)
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
    # Once KMPT has decided, the PDF with the decision and review dates, rendered once and kept.
    decided_pdf = models.BinaryField(null=True, blank=True, editable=False)
    decided_pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    # When its rendering was last asked of the PDF worker: the sweeper re-asks only what made no progress.
    render_sent_at = models.DateTimeField(null=True, blank=True)
    render_resends = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]
        # What the client agreed and KMPT read is frozen in the database itself, whatever path writes (raw SQL, a
        # shell, the admin): the snapshot is kept out of the row history, so nothing else would show an edit. Only
        # an erasure sets this aside, to put the pseudonym in place of the name (accounts.services.privacy).
        triggers = [
            pgtrigger.Protect(
                name="frozen_version",
                operation=pgtrigger.Update,
                condition=(
                    pgtrigger.Q(old__snapshot__df=pgtrigger.F("new__snapshot"))
                    | pgtrigger.Q(old__number__df=pgtrigger.F("new__number"))
                    | pgtrigger.Q(old__plan_id__df=pgtrigger.F("new__plan_id"))
                    | pgtrigger.Q(old__submitted_by_id__df=pgtrigger.F("new__submitted_by_id"))
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} version {self.number}"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    DECLINED = "declined", "Declined"


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), model_name="DecisionHistory"
)
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
    """The kinds this app sends. Other apps add their own kinds as plain strings (the column has no choices)."""

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
    SHARED = "shared", "Plan shared with the client"
    CHANGE_ASKED = "change_asked", "Client asked for a change"
    REVIEW_WAITING = "review_waiting", "Review waiting"
    PLAN_REVIEW_DUE = "plan_review_due", "Plan review due"
    PLAN_REVIEWED = "plan_reviewed", "Plan reviewed"


class Notification(models.Model):
    """Something a person should know about a plan: shown in their notification centre (and usually emailed)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    # The audit event that caused it: one notification per person per event, however often a hook runs.
    event = models.ForeignKey("audit.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
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


# --- After approval: reviews, and what the client and broker say before one ---------------------------------------


class ReviewProgress(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_YET = "not_yet", "Not achieved yet"


class ReviewResult(models.TextChoices):
    CONTINUE = "continue", "Carry on with the plan"
    REVISE = "revise", "Change the plan"
    END = "end", "End the plan"


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), model_name="PlanReviewHistory"
)
class PlanReview(models.Model):
    """A review KMPT held of an approved plan: progress on each assessed outcome, what the client said, and the
    result. The plan's next review date follows it (12 months on; none after `end`)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()
    # One entry per assessed outcome, in the budget's order: {"code", "progress", "note"}.
    outcomes = models.JSONField(default=list)
    client_view = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    result = models.CharField(max_length=10, choices=ReviewResult.choices)
    next_review_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(result__in=ReviewResult.values), name="review_result_valid"),
            models.CheckConstraint(
                condition=~models.Q(result=ReviewResult.END) | models.Q(next_review_on__isnull=True),
                name="review_end_has_no_next_review",
            ),
            models.CheckConstraint(
                condition=models.Q(next_review_on__isnull=True) | models.Q(next_review_on__gt=models.F("held_on")),
                name="review_next_after_held",
            ),
        ]
        indexes = [models.Index(fields=["plan", "-held_on"], name="review_by_plan")]

    def __str__(self) -> str:
        return f"Review of plan {self.plan_id} on {self.held_on} ({self.result})"


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), model_name="OutcomeViewHistory"
)
class OutcomeView(models.Model):
    """What the client or their broker says about one outcome before a review ("my view"), for the reviewer to read.
    Open (no `review`) until a review is recorded, which takes in every open view of the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="outcome_views")
    outcome = models.CharField(max_length=40, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    review = models.ForeignKey(PlanReview, null=True, blank=True, on_delete=models.PROTECT, related_name="views_before")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outcome", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "outcome", "by"],
                condition=models.Q(review__isnull=True),
                name="one_open_view_per_person_and_outcome",
            ),
            models.CheckConstraint(condition=~models.Q(text=""), name="outcome_view_not_empty"),
        ]

    def __str__(self) -> str:
        return f"View on {self.outcome} for plan {self.plan_id}"
