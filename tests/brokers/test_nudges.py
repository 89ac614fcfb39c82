import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from brokers.models import Engagement, Message
from brokers.services import message_nudge_send, message_send
from tests.brokers.factories import engagement, listed_broker
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_nudge_goes_once_per_fifteen_minutes_per_recipient(client_user, listed, django_capture_on_commit_callbacks):
    item = engagement(client_user, listed, status="active")
    Message.objects.create(engagement=item, sender=client_user, body="one")
    with django_capture_on_commit_callbacks() as emails:
        assert message_nudge_send(engagement_id=item.pk, recipient_id=listed.pk) is True
        assert message_nudge_send(engagement_id=item.pk, recipient_id=listed.pk) is False
    assert len(emails) == 1
    # the other side has its own allowance
    Message.objects.create(engagement=item, sender=listed, body="reply")
    assert message_nudge_send(engagement_id=item.pk, recipient_id=client_user.pk) is True
    # after 15 minutes the broker can be nudged again
    Engagement.objects.filter(pk=item.pk).update(broker_nudged_at=timezone.now() - timedelta(minutes=16))
    assert message_nudge_send(engagement_id=item.pk, recipient_id=listed.pk) is True


@pytest.mark.django_db
def test_no_nudge_when_everything_is_read_or_for_strangers(client_user, listed):
    item = engagement(client_user, listed, status="active")
    Message.objects.create(engagement=item, sender=client_user, body="one", read_at=timezone.now())
    assert message_nudge_send(engagement_id=item.pk, recipient_id=listed.pk) is False
    assert message_nudge_send(engagement_id=item.pk, recipient_id=UserFactory().pk) is False
    assert message_nudge_send(engagement_id=999999, recipient_id=listed.pk) is False


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_recipient_is_emailed_that_a_message_arrived_never_what_it_says(celery_worker_real):
    from charter import demo

    demo.seed()
    client = UserFactory(name="Alex Client")
    broker = listed_broker()
    item = engagement(client, broker, status="active")
    mail.outbox.clear()
    message_send(engagement=item, by=client, body="My secret worry about money")

    def nudges():  # (the broker's "you are listed" email may arrive too, from setting them up)
        return [email for email in mail.outbox if f"/engagements/{item.pk}/" in email.body]

    assert wait_for(lambda: len(nudges()) == 1), "no nudge email arrived"
    email = nudges()[0]
    assert email.to == [broker.email]
    assert "secret worry" not in email.subject + email.body
    message_send(engagement=item, by=client, body="And another thing")
    time.sleep(1.0)
    assert len(nudges()) == 1, "a second nudge within 15 minutes"
