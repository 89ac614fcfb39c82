"""The admin reads organisations and listings; every change goes through the services (the verify action included),
so the admin has no back door round the rules, the second factor or the audit trail."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from audit.selectors import events_of
from config.errors import ServiceError
from providers import services
from providers.models import Listing, Membership, Organization, OrganizationInvite, StaleReport


class ReadOnly:
    """Nobody adds, changes or deletes these rows in the admin: the services do, with their rules and events."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnly, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "created_at")
    readonly_fields = ("user", "created_at")


class InviteInline(ReadOnly, admin.TabularInline):
    model = OrganizationInvite
    extra = 0
    fields = ("email", "invited_by", "created_at", "accepted_at")
    readonly_fields = ("email", "invited_by", "created_at", "accepted_at")


def _events_table(record_type: str, record_id: int) -> str:
    """The record's events from the one audit trail, oldest first."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (f"{event.at:%Y-%m-%d %H:%M}", event.action, event.by or "", event.from_state, event.to_state, event.reason)
            for event in events_of(record_type, record_id)
        ),
    )
    head = "<tr><th>At</th><th>Action</th><th>By</th><th>From</th><th>To</th><th>Why</th></tr>"
    return format_html("<table>{}{}</table>", mark_safe(head), rows)  # noqa: S308 (a constant)


@admin.register(Organization)
class OrganizationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "charity_number", "company_number", "safeguarding_contact_name", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "charity_number", "company_number", "email"]
    readonly_fields = ["history"]
    inlines = [MembershipInline, InviteInline]
    actions = ["verify"]

    @admin.display(description="Audit trail")
    def history(self, organization: Organization) -> str:
        return _events_table("organization", organization.pk)

    @admin.action(description="Verify the selected organisations (their published listings become public)")
    def verify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        verified = 0
        for organization in queryset.filter(verified_at__isnull=True):
            try:
                services.organization_verify(organization=organization, by=request.user)
                verified += 1
            except ServiceError as refused:
                self.message_user(request, f"{organization}: {refused.message}", messages.ERROR)
        self.message_user(request, f"{verified} organisation(s) verified.", messages.SUCCESS)


@admin.register(Listing)
class ListingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "organization", "category", "area", "cost", "cost_unit", "status", "last_reviewed_on"]
    list_filter = ["status", "category", "area"]
    search_fields = ["title", "description", "organization__name", "postcode"]
    list_select_related = ["organization"]
    exclude = ["search_vector"]
    readonly_fields = ["history"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Listing]:
        return super().get_queryset(request).defer("search_vector")

    @admin.display(description="Audit trail")
    def history(self, listing: Listing) -> str:
        return _events_table("listing", listing.pk)


@admin.register(StaleReport)
class StaleReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["listing", "reported_by", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["listing", "reported_by"]
    search_fields = ["listing__title", "note"]


@admin.register(Membership)
class MembershipAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["user", "organization", "created_at"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "organization__name"]


@admin.register(OrganizationInvite)
class OrganizationInviteAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["email", "organization", "invited_by", "created_at", "accepted_at"]
    list_select_related = ["organization", "invited_by"]
    search_fields = ["email", "organization__name"]
    exclude = ["token"]
