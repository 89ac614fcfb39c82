"""Statements imported for an approved plan, the payments in them, and the flags raised on those payments."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

# A payment on a personal budget's card or account is never this large; anything bigger is a misread column.
AMOUNT_LIMIT = Decimal("999999.99")


class StatementKind(models.TextChoices):
    CSV = "csv", "CSV"
    OFX = "ofx", "OFX"


class StatementStatus(models.TextChoices):
    PROCESSING = "processing", "Being imported"
    DONE = "done", "Imported"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="StatementHistory",
    exclude=["content", "rejected", "processed", "updated_at"],
)
class Statement(models.Model):
    """One uploaded card or bank statement: what it held, what was imported, what could not be read."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="statements")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=StatementKind.choices)
    status = models.CharField(max_length=16, choices=StatementStatus.choices, default=StatementStatus.PROCESSING)
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    # Readable rows handled so far (each imported or a duplicate): the task's cursor, from which it resumes after a
    # crash, and the progress people see.
    processed = models.PositiveIntegerField(default=0)
    # [{"row": data row number (1 = the first after the header), "reason": "..."}]
    rejected = models.JSONField(default=list, blank=True)
    # The file itself, kept only while a task imports it (tasks take ids), then cleared.
    content = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=StatementKind.values), name="statement_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=StatementStatus.values), name="statement_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(processed=models.F("imported") + models.F("duplicates"))
                & models.Q(processed__lte=models.F("rows")),
                name="statement_counts_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(matched__lte=models.F("imported")) & models.Q(flagged__lte=models.F("imported")),
                name="statement_matched_flagged_within_imported",
            ),
            models.CheckConstraint(
                condition=models.Q(status=StatementStatus.PROCESSING) | models.Q(finished_at__isnull=False),
                name="statement_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} for plan {self.plan_id} ({self.status})"

    @property
    def readable(self) -> int:
        return self.rows - len(self.rejected)


class MatchSource(models.TextChoices):
    NONE = "none", "Not matched"
    AUTOMATIC = "automatic", "Matched automatically"
    BY_HAND = "by_hand", "Matched by hand"


class FlagCode(models.TextChoices):
    PROHIBITED_MERCHANT = "prohibited_merchant", "A kind of shop a personal budget cannot pay"
    UNPLANNED = "unplanned", "Not in the plan"
    OVER_LINE = "over_line", "Spent faster than planned"


@pghistory.track(
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    fields=["line", "match_source", "date", "amount", "description", "payee"],
    model_name="TransactionHistory",
)
class Transaction(models.Model):
    """One payment (money out, positive) or refund or top-up (money in, negative) on the plan's card or account."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="transactions")
    # The statement that first brought it in (a later overlapping statement counts it as a duplicate).
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="transactions")
    date = models.DateField(db_index=True)
    description = models.CharField(max_length=255)
    payee = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    merchant_category_code = models.CharField(max_length=4, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    fitid = models.CharField(max_length=255, blank=True)
    # The same payment in two statements has the same key: sha256 of the FITID, or of date, amount, description
    # and reference. Unique per plan, so an overlapping import can never add it twice.
    dedupe_key = models.CharField(max_length=64)
    # PROTECT: a line with payments matched to it is part of the money's history and cannot quietly go.
    line = models.ForeignKey(
        "plans.PlanLine", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    match_source = models.CharField(max_length=10, choices=MatchSource.choices, default=MatchSource.NONE)
    # The open flags' codes, kept beside their lifecycle rows (Flag) so lists need no extra query.
    flags = ArrayField(models.CharField(max_length=24, choices=FlagCode.choices), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["plan", "date"], name="transaction_plan_date")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "dedupe_key"], name="transaction_once_per_plan"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=-AMOUNT_LIMIT) & models.Q(amount__lte=AMOUNT_LIMIT),
                name="transaction_amount_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(merchant_category_code__regex=r"^([0-9]{4})?$"),
                name="transaction_mcc_four_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(match_source__in=MatchSource.values), name="transaction_match_source_valid"
            ),
            # Unmatched rows carry no line; an automatic match always has one; by hand may say "no line".
            models.CheckConstraint(
                condition=models.Q(line__isnull=True, match_source__in=[MatchSource.NONE, MatchSource.BY_HAND])
                | models.Q(line__isnull=False, match_source__in=[MatchSource.AUTOMATIC, MatchSource.BY_HAND]),
                name="transaction_match_source_agrees_with_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.description} £{self.amount}"

    @property
    def money_out(self) -> bool:
        return self.amount > 0


class Flag(models.Model):
    """One reason to look at a payment, with its life: raised (the client and broker are told), resolved when it
    no longer applies, escalated once to the plan's reviewer if it stays open for a while."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="flag_rows")
    code = models.CharField(max_length=24, choices=FlagCode.choices)
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [models.Index(fields=["resolved_at", "escalated_at", "raised_at"], name="flag_open_unescalated")]
        constraints = [
            models.UniqueConstraint(fields=["transaction", "code"], name="one_flag_per_code_and_transaction"),
            models.CheckConstraint(condition=models.Q(code__in=FlagCode.values), name="flag_code_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} on transaction {self.transaction_id}"
