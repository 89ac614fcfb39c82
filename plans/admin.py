from django.contrib import admin

from plans.models import Budget, Decision, Plan, PlanEvent, PlanLine, PlanVersion


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["client", "council", "annual_amount", "client_contribution", "assessed_on", "created_at"]
    list_filter = ["council", "eligibility", "payment_route"]
    search_fields = ["client__email", "client__name"]
    raw_id_fields = ["client", "recorded_by"]


class PlanLineInline(admin.TabularInline):
    model = PlanLine
    extra = 0
    raw_id_fields = ["listing"]


class PlanEventInline(admin.TabularInline):
    model = PlanEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "by", "from_status", "to_status", "version", "data", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Read-mostly: the workflow's states change only through the services, so the audit trail stays whole."""

    list_display = ["id", "client", "broker", "status", "version", "reviewer", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["client__email", "broker__email"]
    raw_id_fields = ["client", "broker", "budget", "reviewer"]
    readonly_fields = ["status", "version", "client_agreed_at", "agreed_version", "first_submitted_at", "submitted_at"]
    inlines = [PlanLineInline, PlanEventInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "submitted_by", "submitted_at", "pdf_rendered_at"]
    readonly_fields = ["plan", "number", "snapshot", "submitted_by", "submitted_at", "pdf_rendered_at"]
    exclude = ["pdf"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "version", "outcome", "by", "decided_at"]
    readonly_fields = ["plan", "version", "outcome", "reasons", "note", "by", "decided_at"]
