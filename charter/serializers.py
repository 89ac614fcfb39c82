from rest_framework import serializers

from charter.models import CharterVersion, Concern, Principle, Signature


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


class SignatureCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    attestations = serializers.DictField(child=serializers.BooleanField())


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ConcernSerializer(serializers.ModelSerializer):
    broker = serializers.IntegerField(source="broker_id")
    raised_by = serializers.IntegerField(source="raised_by_id", read_only=True)

    class Meta:
        model = Concern
        fields = ["id", "broker", "raised_by", "text", "status", "created_at", "resolved_at", "resolution"]
        read_only_fields = ["id", "raised_by", "status", "created_at", "resolved_at", "resolution"]
        extra_kwargs = {"text": {"max_length": 5000}}
