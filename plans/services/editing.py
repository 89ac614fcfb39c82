"""The broker's work on a plan with the client: creating it, its details and lines, sharing it, the client's
agreement to what was shared, and withdrawing it. Any write reopens the plan as a draft and clears what was shared
and agreed, so the client only ever agrees to a version they were shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import service
from config.errors import Conflict, InvalidTransition, NotAllowed
from plans import _deps, permissions, record, selectors
from plans.errors import PlanError
from plans.models import (
    LINE_CATEGORIES,
    LINES_MAX,
    UNIT_COST_MAX,
    UNITS_MAX,
    Budget,
    Plan,
    PlanLine,
    PlanStatus,
    PlanVersion,
)
from plans.services._base import plan_event, plan_locked


def _open_plan_exists(client: User) -> Conflict:
    return Conflict(
        "This client already has a plan that is not finished. Carry on with that one.", code="open_plan_exists"
    )


@service
def plan_create(*, by: User, client: User, budget: Budget, renews: Plan | None = None) -> Plan:
    """A broker starts a draft plan for a client they are actively working with, on the client's current budget."""
    if not permissions.may_create_plan(by):
        raise NotAllowed("Only support brokers create plans.")
    if not _deps.active_engagement(client, by):
        raise NotAllowed("You can only plan with a client you are actively working with.", code="no_active_engagement")
    if budget.client_id != client.pk:
        raise PlanError("This budget belongs to someone else.", code="budget_not_clients")
    current = selectors.budget_current(client)
    if current is None or current.pk != budget.pk:
        raise PlanError("Use the client's current budget: a newer one has been recorded.", code="budget_not_current")
    try:
        with transaction.atomic():
            plan = Plan.objects.create(client=client, broker=by, budget=budget, renews=renews)
    except IntegrityError:
        raise _open_plan_exists(client) from None
    plan_event(plan, action="created", by=by, from_status="", data={"budget": budget.pk, "renews": plan.renews_id})
    return plan


def _begin_write(plan: Plan, by: User) -> tuple[Plan, str]:
    """Lock the plan for a broker's edit: editable states only; reopens it as a draft, sharing and agreement gone."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "edit")
    from_status = locked.status
    if PlanVersion.objects.filter(plan=locked, number=locked.version).exists():
        locked.version += 1  # the first edit after a submission starts the next version
    locked.status = PlanStatus.DRAFT
    locked.shared_at, locked.shared_digest, locked.shared_record = None, "", None
    locked.client_agreed_at, locked.agreed_digest = None, ""
    return locked, from_status


def _finish_write(plan: Plan, by: User, from_status: str, action: str, data: dict[str, Any]) -> None:
    plan.save()
    plan_event(plan, action=action, by=by, from_status=from_status, data=data)


def _clean_outcomes(plan: Plan, outcomes: list[str]) -> list[str]:
    assessed = set(plan.budget.outcomes)
    unknown = [code for code in outcomes if code not in assessed]
    if unknown:
        raise PlanError(
            f"These outcomes are not among the client's assessed outcomes: {', '.join(unknown)}.",
            code="outcome_not_assessed",
        )
    return list(dict.fromkeys(outcomes))


def _move_budget(plan: Plan, budget: Budget) -> None:
    if budget.client_id != plan.client_id:
        raise PlanError(
            "This budget belongs to someone else.",
            code="budget_not_clients",
            extra={"budget": ["Not the client's budget."]},
        )
    current = selectors.budget_current(plan.client)
    if current is None or current.pk != budget.pk:
        raise PlanError(
            "Move the plan to the client's current budget.",
            code="budget_not_current",
            extra={"budget": ["Choose the client's current budget."]},
        )
    plan.budget = budget


@service
def plan_update(
    *,
    plan: Plan,
    by: User,
    summary: str | None = None,
    outcomes: list[dict[str, str]] | None = None,
    budget: Budget | None = None,
) -> Plan:
    """The broker changes the summary, what each assessed outcome means for the client, or moves the plan to the
    client's current budget (after KMPT corrected it)."""
    locked, from_status = _begin_write(plan, by)
    if budget is not None:
        _move_budget(locked, budget)
    if summary is not None:
        locked.summary = summary
    if outcomes is not None:
        codes = _clean_outcomes(locked, [item["code"] for item in outcomes])
        descriptions = {item["code"]: item.get("description", "") for item in outcomes}
        locked.outcome_descriptions = {**locked.outcome_descriptions, **{code: descriptions[code] for code in codes}}
    changed = [name for name, value in (("summary", summary), ("outcomes", outcomes), ("budget", budget)) if value]
    _finish_write(locked, by, from_status, "updated", {"fields": changed, "budget": locked.budget_id})
    return locked


def _bounded(name: str, value: Any, maximum: Decimal, message: str) -> None:
    if value is not None and Decimal(value) > maximum:
        raise PlanError(message, code="too_large", extra={name: [message]})


def _apply_line_fields(line: PlanLine, plan: Plan, fields: dict[str, Any], *, creating: bool) -> None:
    listing = fields.get("listing", line.listing if not creating else None)
    newly_chosen = "listing" in fields and listing is not None and (creating or listing.pk != line.listing_id)
    if newly_chosen and listing is not None and _deps.listing_unavailable(listing):
        raise PlanError("That activity is not available: choose a published listing.", code="listing_unavailable")
    for name, value in fields.items():
        setattr(line, name, _clean_outcomes(plan, value) if name == "outcomes" else value)
    if listing is not None and creating:
        # The fields sent win; what was left out comes from the listing.
        if "description" not in fields:
            line.description = listing.title
        if "category" not in fields:
            line.category = listing.category or "other"
        if "unit_cost" not in fields:
            if listing.cost is None:
                raise PlanError("This listing has no price: give a unit cost.", code="unit_cost_required")
            line.unit_cost = listing.cost
    missing = [name for name in ("description", "category", "unit_cost", "frequency") if not _present(line, name)]
    if missing:
        messages = {
            "description": "Say what it is.",
            "category": "Choose the kind of spending.",
            "unit_cost": "Enter the cost each time, in pounds.",
            "frequency": "Choose how often.",
        }
        raise PlanError(
            f"Missing: {', '.join(missing)}.",
            code="required",
            extra={name: [messages[name]] for name in missing},
        )
    if line.category not in LINE_CATEGORIES:
        raise PlanError(f"Unknown category “{line.category}”.", code="invalid_category")
    _bounded("unit_cost", line.unit_cost, UNIT_COST_MAX, f"The cost each time must be £{UNIT_COST_MAX:,.2f} or less.")
    _bounded("units", line.units, UNITS_MAX, f"How many each time must be {UNITS_MAX:,.0f} or fewer.")
    if line.unit_cost is not None and Decimal(line.unit_cost) < 0:
        raise PlanError(
            "The cost cannot be negative.", code="invalid", extra={"unit_cost": ["The cost cannot be negative."]}
        )


def _present(line: PlanLine, name: str) -> bool:
    value = getattr(line, name)
    return value is not None and value != ""


@service
def line_add(*, plan: Plan, by: User, **fields: Any) -> PlanLine:
    """The broker adds a line; with a listing, omitted description, category and unit cost come from it."""
    locked, from_status = _begin_write(plan, by)
    if PlanLine.objects.filter(plan=locked).count() >= LINES_MAX:
        raise PlanError(f"A plan can hold up to {LINES_MAX} lines.", code="too_many_lines")
    line = PlanLine(plan=locked, units=Decimal("1"), outcomes=[])
    _apply_line_fields(line, locked, fields, creating=True)
    line.save()
    _finish_write(locked, by, from_status, "line_added", {"line": line.pk})
    return line


@service
def line_update(*, line: PlanLine, by: User, **fields: Any) -> PlanLine:
    """The broker changes a line."""
    locked, from_status = _begin_write(line.plan, by)
    line = PlanLine.objects.select_related("listing__organization").get(pk=line.pk, plan=locked)
    _apply_line_fields(line, locked, fields, creating=False)
    line.save()
    _finish_write(locked, by, from_status, "line_updated", {"line": line.pk, "fields": sorted(fields)})
    return line


@service
def line_remove(*, line: PlanLine, by: User) -> None:
    """The broker removes a line."""
    locked, from_status = _begin_write(line.plan, by)
    PlanLine.objects.filter(pk=line.pk, plan=locked).delete()
    _finish_write(locked, by, from_status, "line_removed", {"line": line.pk})


def _check_failed(check: Any) -> PlanError:
    return PlanError(
        "The plan cannot go ahead yet: fix the problems listed.",
        code="check_failed",
        extra={"issues": [issue.as_dict() for issue in check.issues]},
    )


@service
def plan_share(*, plan: Plan, by: User) -> Plan:
    """The broker shares the plan as it is now with the client, to read and agree to: it must pass the check."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "share")
    from_status = locked.status
    if locked.status == PlanStatus.CHANGES_REQUESTED:
        # Sharing what KMPT sent back starts the next version, for the client to agree to afresh.
        locked, _ = _begin_write(locked, by)
        locked.save()
    fresh = selectors.plans_with_details().get(pk=locked.pk)
    check = selectors.plan_run_check(fresh)
    if not check.ok:
        raise _check_failed(check)
    locked.shared_at = timezone.now()
    fresh.shared_at = locked.shared_at
    locked.shared_record = record.plan_record(fresh, check)
    locked.shared_digest = locked.shared_record["digest"]
    locked.client_agreed_at, locked.agreed_digest = None, ""
    locked.save(
        update_fields=["shared_at", "shared_record", "shared_digest", "client_agreed_at", "agreed_digest", "updated_at"]
    )
    plan_event(locked, action="shared", by=by, from_status=from_status, data={"digest": locked.shared_digest})
    return locked


@service
def plan_agree(*, plan: Plan, by: User, digest: str) -> Plan:
    """The client agrees to exactly the version the broker shared: the agreement carries its digest."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "agree")
    if not locked.shared_at or not locked.shared_digest:
        raise InvalidTransition("Your broker has not shared the plan with you yet.", code="not_shared")
    if digest != locked.shared_digest:
        raise InvalidTransition(
            "The plan has changed since it was shared with you. Read it again before you agree.",
            code="changed_since_shared",
        )
    locked.client_agreed_at = timezone.now()
    locked.agreed_digest = digest
    locked.save(update_fields=["client_agreed_at", "agreed_digest", "updated_at"])
    plan_event(locked, action="agreed", by=by, from_status=locked.status, data={"digest": digest})
    return locked


@service
def plan_change_ask(*, plan: Plan, by: User, message: str) -> Plan:
    """The client asks their broker to change something: it goes into their conversation and the plan's history."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "ask_change")
    message = (message or "").strip()
    if not message:
        raise PlanError(
            "Say what you would like to change.", code="required", extra={"message": ["Say what to change."]}
        )
    posted = _deps.conversation_post(client=locked.client, broker=locked.broker, by=by, body=message)
    plan_event(locked, action="change_asked", by=by, from_status=locked.status, data={"message": posted})
    return locked


@service
def plan_withdraw(*, plan: Plan, by: User) -> Plan:
    """The client or broker withdraws a plan that KMPT has not started reviewing."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "withdraw")
    from_status = locked.status
    locked.status = PlanStatus.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    plan_event(locked, action="withdrawn", by=by, from_status=from_status)
    return locked
