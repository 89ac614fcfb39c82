"""Who may do what with an engagement: one place to answer "may this person accept, withdraw, end...?"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brokers.models import Engagement, EngagementStatus


@dataclass(frozen=True)
class Transition:
    party: str  # "client", "broker" or "either"
    source: EngagementStatus
    target: EngagementStatus


# The engagement's workflow: requested -> active -> ended, requested -> declined, requested -> withdrawn.
ENGAGEMENT_TRANSITIONS = {
    "accept": Transition("broker", EngagementStatus.REQUESTED, EngagementStatus.ACTIVE),
    "decline": Transition("broker", EngagementStatus.REQUESTED, EngagementStatus.DECLINED),
    "withdraw": Transition("client", EngagementStatus.REQUESTED, EngagementStatus.WITHDRAWN),
    "end": Transition("either", EngagementStatus.ACTIVE, EngagementStatus.ENDED),
}

CONVERSATION_OPEN = (EngagementStatus.REQUESTED, EngagementStatus.ACTIVE)
FEEDBACK_ALLOWED = (EngagementStatus.ACTIVE, EngagementStatus.ENDED)


def engagement_party(user: Any, engagement: Engagement) -> str | None:
    """Which side of the engagement this person is on, if any."""
    if user.pk == engagement.client_id:
        return "client"
    if user.pk == engagement.broker_id:
        return "broker"
    return None


def may_act(user: Any, engagement: Engagement, action: str) -> bool:
    party = engagement_party(user, engagement)
    wanted = ENGAGEMENT_TRANSITIONS[action].party
    return party is not None and wanted in (party, "either")


def actions_for(user: Any, engagement: Engagement) -> list[str]:
    """The actions this person could take now (for pages: which buttons to show)."""
    return [
        action
        for action, rule in ENGAGEMENT_TRANSITIONS.items()
        if engagement.status == rule.source and may_act(user, engagement, action)
    ]


def may_message(user: Any, engagement: Engagement) -> bool:
    return engagement_party(user, engagement) is not None and engagement.status in CONVERSATION_OPEN


def may_give_feedback(user: Any, engagement: Engagement) -> bool:
    return engagement_party(user, engagement) == "client" and engagement.status in FEEDBACK_ALLOWED
