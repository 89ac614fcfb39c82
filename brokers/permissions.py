"""Who may do what with an engagement, and its one transition table: the services apply it, the pages show it.

`actions_for(user, engagement)` answers "what may this person do with this engagement now"; the templates show
exactly those actions and never compare states themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brokers.models import Engagement, EngagementStatus


@dataclass(frozen=True)
class Transition:
    party: str  # "client", "broker" or "either"
    source: EngagementStatus
    target: EngagementStatus
    event: str  # the action's name in the audit trail


# The engagement's workflow: requested -> active -> ended, requested -> declined, requested -> withdrawn.
ENGAGEMENT_TRANSITIONS = {
    "accept": Transition("broker", EngagementStatus.REQUESTED, EngagementStatus.ACTIVE, "accepted"),
    "decline": Transition("broker", EngagementStatus.REQUESTED, EngagementStatus.DECLINED, "declined"),
    "withdraw": Transition("client", EngagementStatus.REQUESTED, EngagementStatus.WITHDRAWN, "withdrawn"),
    "end": Transition("either", EngagementStatus.ACTIVE, EngagementStatus.ENDED, "ended"),
}
ENGAGEMENT_INITIAL = EngagementStatus.REQUESTED

# Where else the state decides: writing in the conversation, and giving feedback.
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


def acts_for_client(user: Any, engagement: Engagement, scope: str) -> bool:
    """A representative of the engagement's client, within `scope` (`view` to read, `message` to write)."""
    from accounts.selectors import represents

    return engagement_party(user, engagement) is None and represents(user, engagement.client_id, scope)


def may_message(user: Any, engagement: Engagement) -> bool:
    writer = engagement_party(user, engagement) is not None or acts_for_client(user, engagement, "message")
    return writer and engagement.status in CONVERSATION_OPEN


def may_read_conversation(user: Any, engagement: Engagement) -> bool:
    """The conversation is its two parties' (and the client's representatives' within `view`) in every state;
    reviewers see that an engagement exists, no more."""
    return engagement_party(user, engagement) is not None or acts_for_client(user, engagement, "view")


def may_give_feedback(user: Any, engagement: Engagement) -> bool:
    """The client, once, while the engagement is active or after it ended."""
    return (
        engagement_party(user, engagement) == "client"
        and engagement.status in FEEDBACK_ALLOWED
        and not hasattr(engagement, "feedback")
    )


def actions_for(user: Any, engagement: Engagement) -> list[str]:
    """What this person may do with this engagement now: its transitions, then `message` and `feedback`."""
    actions = [
        action
        for action, rule in ENGAGEMENT_TRANSITIONS.items()
        if engagement.status == rule.source and may_act(user, engagement, action)
    ]
    if may_message(user, engagement):
        actions.append("message")
    if may_give_feedback(user, engagement):
        actions.append("feedback")
    return actions
