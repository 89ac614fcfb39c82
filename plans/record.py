"""The frozen record of a plan: what a client reads and agrees to when it is shared, and what a submission freezes.

Built here, not by the API's serializer, so that changing what the API shows can never change what was agreed.
`SCHEMA` versions the shape: readers of old versions (schema 1 had no `schema`, `digest` or `shared_at`) keep working
because every later schema only adds keys. The `digest` covers exactly what the client agrees to (the budget, the
summary, what each outcome means for them, and every line), so it changes whenever any of that changes.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from plans.checks import CheckResult
from plans.models import Budget, Plan, PlanLine

SCHEMA = 2


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": user.name, "role": user.role}


def _budget(budget: Budget) -> dict[str, Any]:
    return {
        "id": budget.pk,
        "council": budget.council,
        "eligibility": budget.eligibility,
        "annual_amount": _money(budget.annual_amount),
        "client_contribution": _money(budget.client_contribution),
        "assessed_on": budget.assessed_on.isoformat(),
        "review_on": budget.review_on.isoformat(),
        "outcomes": list(budget.outcomes),
        "payment_route": budget.payment_route,
    }


def _line(line: PlanLine) -> dict[str, Any]:
    listing = line.listing
    return {
        "id": line.pk,
        "description": line.description,
        "category": line.category,
        "listing": None
        if listing is None
        else {
            "id": listing.pk,
            "title": listing.title,
            "organization": {"id": listing.organization_id, "name": listing.organization.name},
        },
        "unit_cost": _money(line.unit_cost),
        "units": f"{line.units:.2f}",
        "frequency": line.frequency,
        "outcomes": list(line.outcomes),
        "annual_cost": _money(line.annual_cost),
    }


def agreed_content(plan: Plan) -> dict[str, Any]:
    """What the client agrees to: the part of the record the digest covers."""
    return {
        "budget": _budget(plan.budget),
        "summary": plan.summary,
        "outcomes": [
            {"code": code, "description": plan.outcome_descriptions.get(code, "")} for code in plan.budget.outcomes
        ],
        "lines": [_line(line) for line in plan.lines.all()],
    }


def digest_of(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def plan_digest(plan: Plan) -> str:
    return digest_of(agreed_content(plan))


def plan_record(plan: Plan, check: CheckResult) -> dict[str, Any]:
    """The whole plan as plain JSON, with the check already made (never re-run here)."""
    content = agreed_content(plan)
    totals = {**check.totals.as_dict(), "client_contribution": _money(plan.budget.client_contribution)}
    return {
        "schema": SCHEMA,
        "id": plan.pk,
        "version": plan.version,
        "client": _person(plan.client),
        "broker": _person(plan.broker),
        **content,
        "totals": totals,
        "check": check.as_dict(),
        "digest": digest_of(content),
        "shared_at": plan.shared_at.isoformat() if plan.shared_at else None,
        "client_agreed_at": plan.client_agreed_at.isoformat() if plan.client_agreed_at else None,
        "agreed_by": agreed_by(plan),
    }


def agreed_by(plan: Plan) -> dict[str, Any] | None:
    """Who agreed, when it was not the client themself: "Sam Taylor, carer, for Alex Morgan"."""
    from accounts.selectors import relationship_to
    from audit.models import Event

    if not plan.client_agreed_at:
        return None
    event = (
        Event.objects.filter(record_type="plan", record_id=plan.pk, action="agreed")
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    if event is None or event.on_behalf_of_id is None or event.by is None:
        return None
    relationship = relationship_to(event.by.pk, plan.client_id)
    return {"id": event.by.pk, "name": event.by.name, "relationship": relationship, "for": plan.client.name}


def agreed_by_words(agreed: dict[str, Any] | None, client_name: str) -> str:
    """Who agreed to a plan, as the PDF and the pages say it: "Sam Taylor, carer, for Alex Morgan" when a
    representative agreed (`agreed_by`), else the client's name."""
    if agreed:
        return f"{agreed['name']}, {agreed['relationship']}, for {agreed['for']}"
    return client_name or "the client"
