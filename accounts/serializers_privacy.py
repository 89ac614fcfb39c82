"""The API shapes of the people who act for a client and of the person's data rights."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import ErasureRequest, Relationship, Representative, Scope, User
from accounts.serializers import PersonSerializer
from config.api import StrictJSON


class RepresentativeSerializer(StrictJSON, serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    person = PersonSerializer(read_only=True, allow_null=True)
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    scope = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), required=False, max_length=3)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    class Meta:
        model = Representative
        fields = [
            "id", "client", "person", "email", "name", "relationship", "scope", "reference", "valid_from",
            "valid_until", "status", "created_at", "accepted_at", "revoked_at",
        ]  # fmt: skip
        read_only_fields = ["id", "person", "status", "created_at", "accepted_at", "revoked_at"]
        validators: list = []  # one open invitation per address is the service's rule (409 already_invited)

    def to_representation(self, instance: Representative) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["client"] = instance.client_id
        return data


class RevokeSerializer(StrictJSON, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AccessLogSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    who = PersonSerializer()
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)
    record = serializers.CharField()
    record_id = serializers.IntegerField()


class ErasureRequestSerializer(StrictJSON, serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    class Meta:
        model = ErasureRequest
        fields = ["id", "person", "status", "reason", "requested_at", "decided_at", "decision_reason", "kept"]
        read_only_fields = ["id", "person", "status", "requested_at", "decided_at", "decision_reason", "kept"]


class DecisionReasonSerializer(StrictJSON, serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ExportAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField()
    url = serializers.CharField()
