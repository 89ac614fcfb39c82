import pytest

from accounts import demo as accounts_demo
from brokers import demo as brokers_demo
from brokers.models import Engagement, Feedback, Message
from brokers.selectors import broker_is_listed, brokers_search, engagement_active_between
from charter import demo as charter_demo
from charter.models import Signature

pytestmark = pytest.mark.django_db


def seed_all():
    accounts_demo.seed()
    charter_demo.seed()
    brokers_demo.seed()


def test_demo_brokers_match_the_contract_and_seeding_twice_changes_nothing(django_user_model):
    seed_all()
    counts = (Engagement.objects.count(), Message.objects.count(), Feedback.objects.count(), Signature.objects.count())
    seed_all()
    assert counts == (
        Engagement.objects.count(),
        Message.objects.count(),
        Feedback.objects.count(),
        Signature.objects.count(),
    )
    users = {user.email: user for user in django_user_model.objects.all()}
    broker, broker2 = users["broker@example.org"], users["broker2@example.org"]
    assert broker_is_listed(broker) and broker2.broker_profile.accepting_clients
    assert set(broker.broker_profile.areas) == {"kent", "canterbury"}
    assert "mental_health" in broker.broker_profile.specialisms
    assert broker_is_listed(broker2) and broker2.charter_signatures.count() == 1
    assert not Engagement.objects.filter(broker=broker2).exists()
    unsigned = users["unsigned-broker@example.org"]
    assert not broker_is_listed(unsigned) and not unsigned.charter_signatures.exists()
    assert engagement_active_between(users["client@example.org"], broker).messages.count() >= 3
    assert not Engagement.objects.filter(client=users["client2@example.org"]).exists()
    assert brokers_search().count() >= 10
    assert brokers_search(area="medway").exists() and brokers_search(language="pl").exists()
