from decimal import Decimal
from typing import Any

from rest_framework import serializers

from brokers.models import MESSAGE_MAX_LENGTH, BrokerProfile, Engagement, Feedback, Interest, Message, Specialism
from brokers.selectors import broker_is_listed, broker_profile_missing, broker_rating
from brokers.services import HOURLY_RATE_MAX
from charter.selectors import signature_current_of
from config.api import CONTROL_CHARACTERS, CONTROL_CHARACTERS_BUT_LINE_BREAKS, StrictJSON
from config.choices import Area


class BrokerSerializer(serializers.ModelSerializer):
    """One broker as search results show them. Rating `average` is a number with two decimals, null without feedback."""

    id = serializers.IntegerField(source="pk", read_only=True)
    charter = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()

    class Meta:
        model = BrokerProfile
        fields = [
            "id",
            "display_name",
            "bio",
            "areas",
            "specialisms",
            "languages",
            "hourly_rate",
            "accepting_clients",
            "charter",
            "rating",
        ]

    def get_charter(self, profile: BrokerProfile) -> dict[str, Any] | None:
        """The broker's verified signature of the current charter (stored on the profile), or null."""
        if profile.verified_charter is None or not getattr(profile, "charter_is_current", False):
            return None
        return {
            "version": profile.verified_charter.version,
            "verified_at": serializers.DateTimeField().to_representation(profile.charter_verified_at)
            if profile.charter_verified_at
            else None,
        }

    def get_rating(self, profile: BrokerProfile) -> dict[str, Any]:
        return broker_rating(profile)


class InterestSerializer(StrictJSON, serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    nature = serializers.CharField(max_length=300)
    schema_text_rules = {"nature": CONTROL_CHARACTERS}  # what brokers.services refuses: one line

    class Meta:
        model = Interest
        fields = ["organization", "organization_name", "nature", "declared_at"]
        read_only_fields = ["organization_name", "declared_at"]


class BrokerMeSerializer(BrokerSerializer):
    """The broker's own profile: the public fields, whether they are listed, what is missing, declared interests."""

    listed = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    interests = InterestSerializer(many=True, read_only=True)

    class Meta(BrokerSerializer.Meta):
        fields = [*BrokerSerializer.Meta.fields, "listed", "missing", "interests"]

    def get_listed(self, profile: BrokerProfile) -> bool:
        return broker_is_listed(profile.user)

    def get_missing(self, profile: BrokerProfile) -> list[str]:
        return broker_profile_missing(profile)

    def get_charter(self, profile: BrokerProfile) -> dict[str, Any] | None:
        signature = signature_current_of(profile.user)
        if signature is None:
            return None
        return {
            "version": signature.charter.version,
            "verified_at": serializers.DateTimeField().to_representation(signature.verified_at)
            if signature.verified_at and signature.status == "verified"
            else None,
            "status": signature.status,
        }


class BrokerMeUpdateSerializer(StrictJSON, serializers.Serializer):
    schema_text_rules = {"display_name": CONTROL_CHARACTERS, "bio": CONTROL_CHARACTERS_BUT_LINE_BREAKS}
    display_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    bio = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices), required=False)
    specialisms = serializers.ListField(child=serializers.ChoiceField(choices=Specialism.choices), required=False)
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-zA-Z]{2}$", error_messages={"invalid": "Use a two-letter code."}),
        required=False,
    )
    hourly_rate = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=HOURLY_RATE_MAX,
        allow_null=True,
        required=False,
    )
    accepting_clients = serializers.BooleanField(required=False)
    interests = InterestSerializer(many=True, required=False)


class FeedbackSerializer(StrictJSON, serializers.ModelSerializer):
    engagement = serializers.IntegerField(source="engagement_id", read_only=True)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")

    class Meta:
        model = Feedback
        fields = ["id", "engagement", "rating", "text", "created_at"]
        read_only_fields = ["id", "engagement", "created_at"]


class EngagementSerializer(serializers.ModelSerializer):
    """An engagement; `client` and `broker` are user ids (names alongside for display)."""

    client = serializers.IntegerField(source="client_id", read_only=True)
    broker = serializers.IntegerField(source="broker_id", read_only=True)
    client_name = serializers.CharField(source="client.get_full_name", read_only=True)
    broker_name = serializers.SerializerMethodField()
    unread_count = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id",
            "client",
            "client_name",
            "broker",
            "broker_name",
            "status",
            "created_at",
            "updated_at",
            "accepted_at",
            "ended_at",
            "unread_count",
            "feedback",
        ]

    def get_broker_name(self, engagement: Engagement) -> str:
        profile = getattr(engagement.broker, "broker_profile", None)
        return (profile.display_name if profile else "") or engagement.broker.get_full_name()

    def get_unread_count(self, engagement: Engagement) -> int:
        if hasattr(engagement, "unread_count"):
            return engagement.unread_count  # type: ignore[attr-defined]
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return 0
        return engagement.messages.filter(read_at__isnull=True).exclude(sender=user).count()

    def get_feedback(self, engagement: Engagement) -> dict[str, Any] | None:
        feedback = getattr(engagement, "feedback", None)
        return FeedbackSerializer(feedback).data if feedback else None


class EngagementCreateSerializer(StrictJSON, serializers.Serializer):
    schema_text_rules = {"message": CONTROL_CHARACTERS_BUT_LINE_BREAKS}  # and not only spaces, if any
    broker = serializers.IntegerField()
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, allow_blank=True, required=False, default="", trim_whitespace=False
    )


class EngagementActionSerializer(StrictJSON, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class MessageSerializer(StrictJSON, serializers.ModelSerializer):
    sender = serializers.IntegerField(source="sender_id", read_only=True)
    sender_name = serializers.CharField(source="sender.get_full_name", read_only=True)
    # The sender is who wrote it; a representative writes for the client, whose id this is (null for the parties).
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", read_only=True, allow_null=True)
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False)
    schema_text_rules = {"body": CONTROL_CHARACTERS_BUT_LINE_BREAKS}  # and not only spaces

    class Meta:
        model = Message
        fields = ["id", "sender", "sender_name", "on_behalf_of", "body", "sent_at", "read_at"]
        read_only_fields = ["id", "sender", "sender_name", "on_behalf_of", "sent_at", "read_at"]
