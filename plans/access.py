"""Noting who read a client's budgets and plans (the access log: who, when, what, for whom; never the content)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts.selectors import acting_for_id
from audit.access import note_read


def plans_read(user: Any, plans: Iterable[Any], *, record: str = "plan") -> None:
    for plan in plans:
        client_id = plan.client_id if hasattr(plan, "client_id") else plan.plan.client_id
        note_read(
            user, record=record, record_id=plan.pk, person_id=client_id, on_behalf_of_id=acting_for_id(user, client_id)
        )


def plan_read(user: Any, plan: Any, *, record: str = "plan") -> None:
    plans_read(user, [plan], record=record)


def statements_read(user: Any, plan: Any) -> None:
    """A plan's statements, payments or spending read: one row for the plan, as the contract's `statement` record."""
    plan_read(user, plan, record="statement")


def versions_read(user: Any, plan: Any, versions: Iterable[Any]) -> None:
    behalf = acting_for_id(user, plan.client_id)
    for version in versions:
        note_read(user, record="plan_version", record_id=version.pk, person_id=plan.client_id, on_behalf_of_id=behalf)


def budgets_read(user: Any, budgets: Iterable[Any]) -> None:
    for budget in budgets:
        note_read(
            user, record="budget", record_id=budget.pk, person_id=budget.client_id,
            on_behalf_of_id=acting_for_id(user, budget.client_id),
        )  # fmt: skip
