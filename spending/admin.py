"""Statements and payments in the admin: to look, never to change (imports and matches go through the services,
so the audit trail stays whole)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from spending.models import Flag, Statement, Transaction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "plan",
        "file_name",
        "kind",
        "status",
        "rows",
        "imported",
        "duplicates",
        "flagged",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["plan__client__email", "file_name"]
    exclude = ["content"]
    raw_id_fields = ["plan", "uploaded_by"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "plan", "date", "description", "amount", "merchant_category_code", "line", "flags"]
    list_filter = ["match_source"]
    search_fields = ["plan__client__email", "description", "payee"]
    raw_id_fields = ["plan", "statement", "line"]
    date_hierarchy = "date"


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "code", "raised_at", "resolved_at", "escalated_at"]
    list_filter = ["code"]
    raw_id_fields = ["transaction"]
