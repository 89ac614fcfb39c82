from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from charter import services
from charter.models import CharterEvent, CharterVersion, Concern, Principle, Signature
from config.api import ServiceError


class PrincipleInline(admin.TabularInline):
    model = Principle
    extra = 0


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_on"]
    inlines = [PrincipleInline]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["broker", "charter", "status", "signed_at", "verified_at", "suspended_at"]
    list_filter = ["status", "charter"]
    search_fields = ["broker__email", "broker__name"]
    readonly_fields = [
        "broker",
        "charter",
        "status",
        "attestations",
        "signed_at",
        "verified_at",
        "verified_by",
        "suspended_at",
        "suspended_by",
        "suspension_reason",
    ]
    actions = ["verify"]

    @admin.action(description="Verify the selected signatures")
    def verify(self, request: HttpRequest, queryset: QuerySet[Signature]) -> None:
        for signature in queryset:
            try:
                services.signature_verify(signature=signature, by=request.user)  # type: ignore[arg-type]
            except ServiceError as error:
                self.message_user(request, f"{signature}: {error.message}", messages.WARNING)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # brokers sign through the site; suspensions need a reason (the staff pages ask for one)


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["broker", "raised_by", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["broker", "raised_by", "text", "status", "created_at", "resolved_at", "resolution"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CharterEvent)
class CharterEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "actor", "broker", "from_status", "to_status"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
