from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from config.api import ServiceError
from providers import services
from providers.models import Listing, ListingEvent, Membership, Organization, OrganizationInvite, StaleReport


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class InviteInline(admin.TabularInline):
    model = OrganizationInvite
    extra = 0
    fields = ("email", "invited_by", "created_at", "accepted_at")
    readonly_fields = ("email", "invited_by", "created_at", "accepted_at")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "charity_number", "company_number", "safeguarding_contact_name", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "charity_number", "company_number", "email"]
    readonly_fields = ["uuid", "verified_at", "verified_by", "created_at", "updated_at"]
    inlines = [MembershipInline, InviteInline]
    actions = ["verify"]

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


class EventInline(admin.TabularInline):
    model = ListingEvent
    extra = 0
    fields = ("at", "actor", "action", "from_status", "to_status")
    readonly_fields = ("at", "actor", "action", "from_status", "to_status")
    can_delete = False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "category", "area", "cost", "cost_unit", "status", "last_reviewed_on"]
    list_filter = ["status", "category", "area"]
    search_fields = ["title", "description", "organization__name", "postcode"]
    list_select_related = ["organization"]
    readonly_fields = ["uuid", "status", "published_at", "created_at", "updated_at", "reminder_sent_for"]
    exclude = ["search_vector"]
    inlines = [EventInline]


@admin.register(StaleReport)
class StaleReportAdmin(admin.ModelAdmin):
    list_display = ["listing", "reported_by", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["listing", "reported_by"]
    search_fields = ["listing__title", "note"]
