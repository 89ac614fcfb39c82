"""The charter in the Django admin: to read, never to edit. Every change goes through the services (and so through
their rules, the second factor and the audit trail): the staff pages, or the admin's "verify" action, which calls
the same service and reports each refusal."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from charter import services
from charter.models import CharterVersion, Concern, Principle, Signature
from charter.permissions import request_user
from config.errors import ServiceError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Workflow records: shown, never added, changed or deleted here (there is no back door round the services)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PrincipleInline(admin.TabularInline):
    model = Principle
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CharterVersion)
class CharterVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "published_on"]
    inlines = [PrincipleInline]


@admin.register(Principle)
class PrincipleAdmin(ReadOnlyAdmin):
    list_display = ["charter", "position", "key", "title"]
    list_filter = ["charter"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["broker", "charter", "status", "signed_at", "verified_at", "suspended_at"]
    list_filter = ["status", "charter"]
    search_fields = ["broker__email", "broker__name"]
    list_select_related = ["broker", "charter"]
    actions = ["verify"]

    @admin.action(description="Verify the selected signatures")
    def verify(self, request: HttpRequest, queryset: QuerySet[Signature]) -> None:
        verified = 0
        for signature in queryset.select_related("broker", "charter"):
            try:
                services.signature_verify(signature=signature, by=request_user(request))
            except ServiceError as error:
                self.message_user(request, f"{signature}: {error.message}", messages.WARNING)
            else:
                verified += 1
        if verified:
            self.message_user(
                request, f"{verified} signature{'s' if verified != 1 else ''} verified.", messages.SUCCESS
            )


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["broker", "raised_by", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["broker", "raised_by"]
