from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.serializers import PersonSerializer
from audit.models import Event


class EventSerializer(serializers.ModelSerializer):
    """The contract's event: at, by, on_behalf_of (a client id), action, from, to, reason, via."""

    # null for a change the database's history saw made round the services (`plans.selectors.plan_events`)
    id = serializers.IntegerField(read_only=True, allow_null=True)
    by = PersonSerializer(read_only=True, allow_null=True)
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", read_only=True, allow_null=True)
    from_ = serializers.CharField(source="from_state", read_only=True, allow_null=True)
    to = serializers.CharField(source="to_state", read_only=True, allow_null=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "at", "by", "on_behalf_of", "action", "from_", "to", "reason", "via", "version", "data"]
        read_only_fields = fields

    def get_version(self, event: Event) -> int | None:
        return event.data.get("version")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields

    def to_representation(self, instance: Event) -> dict[str, Any]:
        data = super().to_representation(instance)
        for key in ("from", "to"):
            data[key] = data[key] or None
        return data
