from django.contrib import admin
from django.http import HttpRequest

from brokers.models import BrokerProfile, Engagement, EngagementEvent, Feedback, Interest


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(BrokerProfile)
class BrokerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "accepting_clients", "hourly_rate", "updated_at"]
    list_filter = ["accepting_clients"]
    search_fields = ["display_name", "user__email", "user__name"]
    readonly_fields = ["user", "created_at", "updated_at"]
    inlines = [InterestInline]


class EngagementEventInline(admin.TabularInline):
    model = EngagementEvent
    extra = 0
    readonly_fields = ["actor", "from_status", "to_status", "reason", "at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    """Read-only: states change through the services (with an audit event), and messages stay private."""

    list_display = ["id", "client", "broker", "status", "created_at", "accepted_at", "ended_at"]
    list_filter = ["status"]
    search_fields = ["client__email", "broker__email"]
    readonly_fields = [
        "client",
        "broker",
        "status",
        "created_at",
        "updated_at",
        "accepted_at",
        "ended_at",
        "client_nudged_at",
        "broker_nudged_at",
    ]
    inlines = [EngagementEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["engagement", "rating", "created_at"]
    list_filter = ["rating"]
    readonly_fields = ["engagement", "rating", "text", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
