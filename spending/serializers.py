"""The contract's shapes for statements, transactions and spending."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.api import StrictJSON
from spending.models import Statement, Transaction


class StatementSerializer(serializers.ModelSerializer):
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    rejected = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "plan",
            "file_name",
            "kind",
            "status",
            "rows",
            "imported",
            "duplicates",
            "rejected",
            "matched",
            "flagged",
            "processed",
            "uploaded_by",
            "uploaded_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_rejected(self, statement: Statement) -> list[dict[str, Any]]:
        return [{"row": item["row"], "reason": item["reason"]} for item in statement.rejected]


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # an empty file gets the service's own plain reason
        error_messages={"required": "Choose a statement file to upload.", "invalid": "Choose a statement file."},
    )


class TransactionSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    line: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "date",
            "description",
            "payee",
            "amount",
            "merchant_category_code",
            "reference",
            "line",
            "match_source",
            "flags",
            "statement",
        ]
        read_only_fields = fields


class TransactionMatchSerializer(StrictJSON, serializers.Serializer):
    line = serializers.IntegerField(
        allow_null=True, error_messages={"required": "Say which line this pays for, or null for none."}
    )


class SpendingLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    description = serializers.CharField()
    annual_cost = serializers.CharField()
    planned_to_date = serializers.CharField()
    spent = serializers.CharField()
    left = serializers.CharField()


class SpendingSerializer(serializers.Serializer):
    """Documentation only: the view answers `selectors.Spending.as_dict()`."""

    from_ = serializers.DateField()
    to = serializers.DateField()
    budget = serializers.CharField()
    planned_to_date = serializers.CharField()
    spent = serializers.CharField()
    remaining = serializers.CharField()
    lines = SpendingLineSerializer(many=True)
    unmatched_total = serializers.CharField()
    flags = serializers.DictField(child=serializers.IntegerField())

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields
