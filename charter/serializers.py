from rest_framework import serializers

from charter.models import CharterVersion, Concern, Principle, Signature
from charter.services import ID_MAX, NOT_NAMEABLE
from config.api import StrictJSON


class PrincipleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Principle
        fields = ["key", "title", "text"]


class CharterSerializer(serializers.ModelSerializer):
    principles = PrincipleSerializer(many=True, read_only=True)

    class Meta:
        model = CharterVersion
        fields = ["version", "title", "published_on", "principles"]


class SignatureSerializer(serializers.ModelSerializer):
    broker = serializers.IntegerField(source="broker_id", read_only=True)
    broker_name = serializers.CharField(source="broker.display_name", read_only=True)
    version = serializers.IntegerField(source="charter.version", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "id",
            "broker",
            "broker_name",
            "version",
            "status",
            "signed_at",
            "verified_at",
            "suspended_at",
            "suspension_reason",
        ]


class SignatureCreateSerializer(StrictJSON, serializers.Serializer):
    version = serializers.IntegerField()
    attestations = serializers.DictField(child=serializers.BooleanField())


class SuspendSerializer(StrictJSON, serializers.Serializer):
    # Blank passes here so that the service answers in the contract's order (403 without MFA before 400).
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ConcernSerializer(StrictJSON, serializers.ModelSerializer):
    # Every wrong broker (not a number, no such account, not a broker, one the person may not name) reads the same.
    broker = serializers.IntegerField(
        source="broker_id",
        min_value=1,
        max_value=ID_MAX,
        error_messages=dict.fromkeys(("invalid", "max_string_length", "min_value", "max_value"), NOT_NAMEABLE),
    )
    raised_by = serializers.IntegerField(source="raised_by_id", read_only=True)

    class Meta:
        model = Concern
        fields = ["id", "broker", "raised_by", "text", "status", "created_at", "resolved_at", "resolution"]
        read_only_fields = ["id", "raised_by", "status", "created_at", "resolved_at", "resolution"]
        extra_kwargs = {"text": {"max_length": 5000}}
