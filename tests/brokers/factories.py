"""Brokers in every state the tests need: listed, unlisted, signed but pending, suspended."""

from decimal import Decimal
from typing import Any

from accounts.models import Role
from brokers.models import BrokerProfile, Engagement, EngagementStatus
from charter import demo as charter_demo
from charter.models import Signature
from charter.selectors import charter_current
from charter.services import signature_create, signature_verify
from tests.factories import UserFactory

COMPLETE_PROFILE = {
    "display_name": "Jo Example",
    "bio": "Independent broker helping people in Kent plan their personal budgets.",
    "areas": ["kent"],
    "specialisms": ["mental_health"],
    "languages": ["en"],
    "hourly_rate": Decimal("30.00"),
    "accepting_clients": True,
}


def broker_with_profile(**profile: Any):
    user = UserFactory(role=Role.BROKER)
    BrokerProfile.objects.filter(pk=user.pk).update(**{**COMPLETE_PROFILE, **profile})
    return user


def sign(broker) -> Signature:
    charter_demo.seed()
    charter = charter_current()
    attestations = {principle.key: True for principle in charter.principles.all()}
    return signature_create(broker=broker, version=charter.version, attestations=attestations)


def verify(signature: Signature) -> Signature:
    from tests.mfa import signed_in_with_mfa

    admin = UserFactory(role=Role.ADMIN, is_staff=True)
    with signed_in_with_mfa(admin):
        return signature_verify(signature=signature, by=admin)


def listed_broker(**profile: Any):
    """A broker with a complete profile and a verified signature of the current charter."""
    broker = broker_with_profile(**profile)
    verify(sign(broker))
    return broker


def engagement(client, broker, status: str = EngagementStatus.ACTIVE) -> Engagement:
    return Engagement.objects.create(client=client, broker=broker, status=status)


def make_listed(broker, **profile: Any):
    """Make an existing broker listed: complete profile and a verified signature of the current charter."""
    from brokers.selectors import broker_is_listed

    BrokerProfile.objects.update_or_create(user=broker, defaults={**COMPLETE_PROFILE, **profile})
    if not broker_is_listed(broker):
        verify(sign(broker))
    return broker
