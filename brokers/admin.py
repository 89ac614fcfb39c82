"""Brokers in the Django admin: to read, never to edit. Profiles and interests are the broker's own words, changed
through their pages or the API; engagements and feedback change only through the services, with their events."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from audit.selectors import events_of
from brokers.models import BrokerProfile, Engagement, Feedback, Interest, ReviewerAccess
from charter.admin import ReadOnlyAdmin


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    fields = ["organization", "nature", "declared_at"]
    readonly_fields = ["organization", "nature", "declared_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BrokerProfile)
class BrokerProfileAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "user", "listed", "accepting_clients", "hourly_rate", "updated_at"]
    list_filter = ["listed", "accepting_clients"]
    search_fields = ["display_name", "user__email", "user__name"]
    list_select_related = ["user"]
    exclude = ["search_vector"]
    inlines = [InterestInline]


@admin.register(Interest)
class InterestAdmin(ReadOnlyAdmin):
    list_display = ["broker", "organization", "nature", "declared_at"]
    list_select_related = ["broker", "organization"]


@admin.register(Engagement)
class EngagementAdmin(ReadOnlyAdmin):
    """States change through the services (with an audit event), and messages stay private to the two parties."""

    list_display = ["id", "client", "broker", "status", "created_at", "accepted_at", "ended_at"]
    list_filter = ["status"]
    search_fields = ["client__email", "broker__email"]
    list_select_related = ["client", "broker"]
    readonly_fields = ["history"]

    @admin.display(description="History")
    def history(self, engagement: Engagement) -> str:
        events = events_of("engagement", engagement.pk).exclude(action__in=["message_sent", "messages_read"])
        return (
            format_html_join(
                "\n",
                "<p>{}: {} by {}{}</p>",
                (
                    (
                        f"{event.at:%d %B %Y %H:%M}",
                        event.action.replace("_", " "),
                        event.by or "the system",
                        f" ({event.from_state} to {event.to_state})" if event.from_state else "",
                    )
                    for event in events
                ),
            )
            or "No events."
        )


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["engagement", "rating", "created_at"]
    list_filter = ["rating"]


@admin.register(ReviewerAccess)
class ReviewerAccessAdmin(ReadOnlyAdmin):
    list_display = ["client", "granted_at", "granted_by"]
    list_select_related = ["client", "granted_by"]
