"""The plans admin: to read, never to rewrite. Budgets, plans, lines, versions, decisions, reviews, the views before
them and notifications change only through the services (the pages and the API), which check who, what state and
which factor, and leave an event; the admin shows them, with the audit trail beside each plan."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from audit.selectors import events_of
from plans.models import Budget, Decision, Notification, OutcomeView, Plan, PlanLine, PlanReview, PlanVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown, nothing added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["client", "council", "annual_amount", "client_contribution", "assessed_on", "created_at"]
    list_filter = ["council", "eligibility", "payment_route"]
    search_fields = ["client__email", "client__name"]
    list_select_related = ["client"]


class PlanLineInline(ReadOnlyInline):
    model = PlanLine
    fields = ["description", "category", "listing", "unit_cost", "units", "frequency", "outcomes"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["id", "client", "broker", "status", "version", "reviewer", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["client__email", "broker__email"]
    list_select_related = ["client", "broker", "reviewer"]
    exclude = ["shared_record"]
    readonly_fields = ["audit_trail"]
    inlines = [PlanLineInline]

    @admin.display(description="Audit trail")
    def audit_trail(self, plan: Plan) -> str:
        rows = (
            (event.at.strftime("%d %b %Y %H:%M"), event.action, event.by or "the system", event.via)
            for event in events_of("plan", plan.pk)
        )
        return format_html_join("\n", "<p>{} {} by {} (through {})</p>", rows) or "No events."


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "submitted_by", "submitted_at", "pdf_rendered_at", "decided_pdf_rendered_at"]
    exclude = ["pdf", "decided_pdf"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "version", "outcome", "by", "decided_at"]
    list_filter = ["outcome"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "plan", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(PlanReview)
class PlanReviewAdmin(ReadOnlyAdmin):
    list_display = ["plan", "held_on", "result", "next_review_on", "by", "created_at"]
    list_filter = ["result"]
    list_select_related = ["plan", "by"]


@admin.register(OutcomeView)
class OutcomeViewAdmin(ReadOnlyAdmin):
    list_display = ["plan", "outcome", "by", "review", "updated_at"]
    list_select_related = ["plan", "by"]
