"""Who may see and do what with budgets and plans: the one place to look."""

from __future__ import annotations

from accounts.models import Role, User
from plans.models import Plan

BUDGET_READER_ROLES = (Role.CLIENT, Role.BROKER, Role.REVIEWER)


def may_record_budget(user: User) -> bool:
    return user.role == Role.REVIEWER


def may_list_budgets(user: User) -> bool:
    return user.role in BUDGET_READER_ROLES and not user.is_staff


def may_create_plan(user: User) -> bool:
    return user.role == Role.BROKER


def may_see_plan(user: User, plan: Plan) -> bool:
    """Its client and its broker always; reviewers once it has been submitted; nobody else."""
    if user.pk in (plan.client_id, plan.broker_id):
        return True
    return user.role == Role.REVIEWER and plan.first_submitted_at is not None


def may_edit_plan(user: User, plan: Plan) -> bool:
    return user.pk == plan.broker_id


def may_agree_plan(user: User, plan: Plan) -> bool:
    return user.pk == plan.client_id


def may_submit_plan(user: User, plan: Plan) -> bool:
    return user.pk in (plan.client_id, plan.broker_id)


may_withdraw_plan = may_submit_plan


def is_reviewer(user: User) -> bool:
    return user.role == Role.REVIEWER


def may_decide_plan(user: User, plan: Plan) -> bool:
    """Only the plan's own reviewer decides; another reviewer must claim it first."""
    return is_reviewer(user) and plan.reviewer_id == user.pk
