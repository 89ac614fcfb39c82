from allauth.mfa.utils import is_mfa_enabled
from rest_framework import serializers

from accounts.models import User
from config.api import StrictJSON


class MeSerializer(StrictJSON, serializers.ModelSerializer):
    mfa_enabled = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "mfa_enabled"]
        read_only_fields = ["id", "email", "role", "mfa_enabled"]

    def get_mfa_enabled(self, user: User) -> bool:
        return is_mfa_enabled(user)


class PersonSerializer(serializers.ModelSerializer):
    """How one person appears inside another object (`client`, `broker`, `by`...)."""

    class Meta:
        model = User
        fields = ["id", "name", "role"]
