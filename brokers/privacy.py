"""What brokers holds about a person, for their copy and their erasure (registered with accounts.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts import registry
from brokers.models import BrokerProfile, Engagement, Feedback, Message

REMOVED = "[Removed at the writer's request]"


def _engagements(person: Any) -> list[dict[str, Any]]:
    engagements = Engagement.objects.filter(Q(client=person) | Q(broker=person)).select_related("client", "broker")
    return [
        {
            "id": engagement.pk, "client": engagement.client.name, "broker": engagement.broker.name,
            "status": engagement.status, "created_at": engagement.created_at.isoformat(),
            "messages": [
                {"from": message.sender.name, "body": message.body, "sent_at": message.sent_at.isoformat()}
                for message in engagement.messages.select_related("sender").order_by("sent_at")
            ],
        }
        for engagement in engagements
    ]  # fmt: skip


def _feedback(person: Any) -> list[dict[str, Any]]:
    given = Feedback.objects.filter(Q(engagement__client=person) | Q(engagement__broker=person))
    return [{"rating": item.rating, "text": item.text, "at": item.created_at.isoformat()} for item in given]


def _erase_messages(person: Any, pseudonym: str) -> list[str]:
    Message.objects.filter(sender=person).update(body=REMOVED)
    Feedback.objects.filter(engagement__client=person).update(text="")
    BrokerProfile.objects.filter(user=person).update(display_name=pseudonym, bio="", accepting_clients=False)
    return [
        "Your conversations with brokers are kept as a record that you worked together, with the messages you wrote "
        "removed; the broker's messages to you stay, without your name.",
    ]


def register() -> None:
    registry.register("engagements", export=_engagements, erase=_erase_messages)
    registry.register("feedback", export=_feedback)
