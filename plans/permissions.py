"""Who may see and do what with budgets and plans: the one place to look.

`plan_actions_for(user, plan)` answers "what may this person do with this plan now?" from two tables: who may take
each action (`ACTION_PARTIES`) and the workflow's transitions (`plans.models.TRANSITIONS`, through the states each
action starts from). The services refuse with `plan_require`, and the pages show only what it allows.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role, User
from accounts.selectors import represents
from config.errors import InvalidTransition, NotAllowed
from plans import _deps
from plans.models import (
    EDITABLE_STATUSES,
    OPEN_REVIEW_STATUSES,
    TRANSITIONS,
    Plan,
    PlanStatus,
)

BUDGET_READER_ROLES = (Role.CLIENT, Role.BROKER, Role.REVIEWER)


def _from_states(target: str) -> frozenset[str]:
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


# The states each action may start from: the transitions table where the action moves the plan.
ACTION_STATES: dict[str, frozenset[str]] = {
    "edit": frozenset(EDITABLE_STATUSES),
    "share": frozenset(EDITABLE_STATUSES),
    "agree": frozenset({PlanStatus.DRAFT}),  # sharing a plan sent back for changes makes it a draft again
    "ask_change": frozenset(EDITABLE_STATUSES),
    "submit": _from_states(PlanStatus.SUBMITTED) - {PlanStatus.SUBMITTED},
    "withdraw": _from_states(PlanStatus.WITHDRAWN),
    "claim": frozenset(OPEN_REVIEW_STATUSES),
    "decide": _from_states(PlanStatus.APPROVED),
    "review": frozenset({PlanStatus.APPROVED}),
    "renew": frozenset({PlanStatus.APPROVED}),
    "give_view": frozenset({PlanStatus.APPROVED}),
}
# Actions on an approved plan while it is in effect: once next year's plan (its renewal) is approved, it is not.
IN_EFFECT_ACTIONS = frozenset({"review", "renew", "give_view"})
# Who takes each action: the plan's client, its broker (while engaged), any reviewer, or the plan's own reviewer.
ACTION_PARTIES: dict[str, frozenset[str]] = {
    "edit": frozenset({"broker"}),
    "share": frozenset({"broker"}),
    "agree": frozenset({"client"}),
    "ask_change": frozenset({"client"}),
    "submit": frozenset({"client", "broker"}),
    "withdraw": frozenset({"client", "broker"}),
    "claim": frozenset({"reviewer"}),
    "decide": frozenset({"plan_reviewer"}),
    "review": frozenset({"reviewer"}),
    "renew": frozenset({"broker"}),
    "give_view": frozenset({"client", "broker"}),
}
REFUSED_PARTY = {
    "edit": "Only the client's broker changes the plan.",
    "share": "Only the client's broker shares the plan.",
    "agree": "Only the client agrees to their plan.",
    "ask_change": "Only the client asks for changes to their plan.",
    "submit": "Only the client or their broker submits the plan.",
    "withdraw": "Only the client or their broker withdraws the plan.",
    "claim": "Only KMPT reviewers claim plans.",
    "decide": "Only the plan's reviewer decides. Claim the plan first.",
    "review": "Only KMPT reviewers record a review of a plan.",
    "renew": "Only the client's broker renews the plan.",
    "give_view": "Only the client and their broker say how the plan is going before a review.",
}
REFUSED_STATE = {
    "edit": "A plan that is {status} cannot be changed.",
    "share": "A plan that is {status} cannot be shared: only a draft can.",
    "agree": "A plan that is {status} cannot be agreed to: your broker shares the new version first.",
    "ask_change": "A plan that is {status} cannot be changed now.",
    "submit": "Only a draft plan can be submitted. Make the changes asked for first.",
    "withdraw": "This plan can no longer be withdrawn.",
    "claim": "Only a plan waiting for review can be claimed.",
    "decide": "This plan is not waiting for a decision: someone may have just decided it.",
    "review": "Only an approved plan is reviewed.",
    "renew": "Only an approved plan can be renewed.",
    "give_view": "You can say how the plan is going once it is approved.",
}
SUPERSEDED = "This plan was replaced by next year's plan, approved on {day}. Use that plan now."


# What a representative needs in their scope to take the client's part in each action (legal authorities hold all).
ACTION_SCOPES: dict[str, str] = {"agree": "agree", "submit": "agree", "withdraw": "agree", "ask_change": "message"}


def parties(user: Any, plan: Plan) -> frozenset[str]:
    """How this person stands to the plan (a representative stands as the client for the actions their scope
    covers)."""
    found = set()
    if user.pk == plan.client_id:
        found.add("client")
    for scope in ("view", "message", "agree"):
        if represents(user, plan.client_id, scope):
            found.add(f"rep:{scope}")
    if user.pk == plan.broker_id and _deps.active_engagement(plan.client_id, user.pk):
        found.add("broker")
    if user.role == Role.REVIEWER:
        found.add("reviewer")
        if plan.reviewer_id == user.pk:
            found.add("plan_reviewer")
    return frozenset(found)


def in_effect(plan: Plan) -> bool:
    """Approved and not yet replaced by an approved renewal."""
    return plan.status == PlanStatus.APPROVED and plan.superseded_at is None


def _state_allows(plan: Plan, action: str) -> bool:
    if plan.status not in ACTION_STATES[action]:
        return False
    return action not in IN_EFFECT_ACTIONS or plan.superseded_at is None


def plan_actions_for(user: Any, plan: Plan) -> frozenset[str]:
    """Everything this person may do with the plan now (the pages show exactly these)."""
    standing = _as_client(parties(user, plan))
    return frozenset(
        action for action in ACTION_STATES if _state_allows(plan, action) and standing(action) & ACTION_PARTIES[action]
    )


def _as_client(standing: frozenset[str]) -> Any:
    """The parties for one action: a representative counts as the client when their scope covers it."""

    def for_action(action: str) -> frozenset[str]:
        scope = ACTION_SCOPES.get(action)
        return standing | {"client"} if scope and f"rep:{scope}" in standing else standing

    return for_action


def plan_require(user: Any, plan: Plan, action: str, *, state: bool = True) -> None:
    """For services: NotAllowed when this person may not take the action, InvalidTransition when the state refuses.
    `state=False` asks only about the person (the API asks it before reading the input: 403 comes before 400)."""
    if not _as_client(parties(user, plan))(action) & ACTION_PARTIES[action]:
        code = "not_your_review" if action == "decide" and user.role == Role.REVIEWER else None
        raise NotAllowed(REFUSED_PARTY[action], code=code)
    if state and plan.status not in ACTION_STATES[action]:
        raise InvalidTransition(REFUSED_STATE[action].format(status=plan.get_status_display().lower()))
    if state and not _state_allows(plan, action):
        day = plan.superseded_at.strftime("%-d %B %Y") if plan.superseded_at else ""
        raise InvalidTransition(SUPERSEDED.format(day=day))


def may_record_budget(user: User) -> bool:
    return user.role == Role.REVIEWER


def may_list_budgets(user: User) -> bool:
    return user.role in BUDGET_READER_ROLES and not user.is_staff


def may_create_plan(user: User) -> bool:
    return user.role == Role.BROKER


def may_see_plan(user: User, plan: Plan) -> bool:
    """Its client always; its broker while engaged with the client; reviewers once it has been submitted."""
    if user.pk == plan.client_id or represents(user, plan.client_id, "view"):
        return True
    if user.pk == plan.broker_id:
        return _deps.active_engagement(plan.client_id, user.pk)
    return user.role == Role.REVIEWER and plan.first_submitted_at is not None


def is_reviewer(user: User) -> bool:
    return user.role == Role.REVIEWER
