"""How a conversation reads on its page: each message named by who really wrote it, as the reader sees them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accounts.selectors import acting_words, relationships_to
from brokers.models import Engagement, Message
from brokers.services import party_name


@dataclass(frozen=True)
class ConversationEntry:
    message: Message
    mine: bool
    sender: str  # "You", "Jo Smith", or "Sam Taylor (carer, for Alex Morgan)"


def conversation_entries(reader: Any, engagement: Engagement, messages: Iterable[Message]) -> list[ConversationEntry]:
    """The messages with their writers named: the client, the broker, or a representative for the client (the
    client reads "for you"). The representatives' relationships are read in one query."""
    messages = list(messages)
    for_client = "you" if reader.pk == engagement.client_id else party_name(engagement.client)
    written_for_client = {message.sender_id for message in messages if message.on_behalf_of_id}
    relationships = relationships_to(engagement.client_id, written_for_client) if written_for_client else {}

    def sender(message: Message) -> str:
        if message.sender_id == reader.pk:
            return f"You (for {for_client})" if message.on_behalf_of_id else "You"
        if message.on_behalf_of_id:
            relationship = relationships.get(message.sender_id, "representative")
            return acting_words(party_name(message.sender), relationship, for_name=for_client)
        return party_name(engagement.client if message.sender_id == engagement.client_id else engagement.broker)

    return [ConversationEntry(message, message.sender_id == reader.pk, sender(message)) for message in messages]
