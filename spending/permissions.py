"""Who may do what with a plan's statements and spending: the one place to look.

Seeing follows the plan (`selectors.spending_plans_visible_to`, built on the plan's own visibility). Doing is here:
the client, their broker while engaged, or a KMPT reviewer uploads statements; the client or their engaged broker
matches a payment by hand. Everything needs the plan approved.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Role, User
from brokers import selectors as brokers_selectors
from plans.models import Plan, PlanStatus


def _engaged_broker(user: User, plan: Plan) -> bool:
    return (
        user.pk == plan.broker_id
        and user.role == Role.BROKER
        and brokers_selectors.engagement_active_between(plan.client_id, user.pk) is not None
    )


def is_plan_client(user: User, plan: Plan) -> bool:
    return user.pk == plan.client_id


def may_upload_statement(user: User, plan: Plan) -> bool:
    return is_plan_client(user, plan) or _engaged_broker(user, plan) or user.role == Role.REVIEWER


def may_match_by_hand(user: User, plan: Plan) -> bool:
    return is_plan_client(user, plan) or _engaged_broker(user, plan)


def spending_started(plan: Plan) -> bool:
    """Statements and spending belong to approved plans."""
    return plan.status == PlanStatus.APPROVED


@dataclass(frozen=True)
class SpendingActions:
    """What this person may do with this plan's spending now: the pages show exactly these."""

    upload: bool
    match: bool


def spending_actions(user: User, plan: Plan) -> SpendingActions:
    started = spending_started(plan)
    return SpendingActions(
        upload=started and may_upload_statement(user, plan), match=started and may_match_by_hand(user, plan)
    )
