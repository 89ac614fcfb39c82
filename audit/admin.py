from django.contrib import admin
from django.http import HttpRequest

from audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail, to read: nobody changes history, not even an administrator."""

    list_display = ["at", "action", "record_type", "record_id", "by", "on_behalf_of", "via", "from_state", "to_state"]
    list_filter = ["record_type", "via", "action"]
    search_fields = ["record_type", "action", "request_id"]
    list_select_related = ["by", "on_behalf_of"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
