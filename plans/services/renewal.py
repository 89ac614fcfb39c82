"""Next year's plan: the broker renews an approved plan into a new draft on the client's current budget, copying the
lines that can still be paid; when that draft is approved, the earlier plan is marked as superseded.

The renewed plan stays `approved` (and in effect) until its successor is approved. Both plans' trails say what
happened: `renewed` on the earlier one, `renewal_started` (with what was not copied, in plain words) on the new one,
and `superseded` on the earlier one once the new one is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from audit.services import service
from config.choices import Outcome
from plans import _deps, permissions, selectors
from plans.models import Plan, PlanLine, PlanStatus
from plans.services._base import plan_event, plan_locked
from plans.services.editing import plan_create


def _label(code: str) -> str:
    return Outcome(code).label if code in Outcome.values else code


def _money(value: Decimal) -> str:
    return f"£{value:,.2f}"


@dataclass
class Copying:
    """What renewal did with each line of the earlier plan."""

    lines: list[PlanLine]
    dropped: list[dict[str, str]]
    changed: list[dict[str, str]]

    def note(self, renews: Plan) -> str:
        """In plain words, for the new plan's trail and the builder."""
        parts = [f"Started from the plan approved for {renews.client.name or 'the client'} (plan {renews.pk})."]
        if self.dropped:
            parts.append(
                "Not copied: " + "; ".join(f"“{item['description']}” ({item['reason']})" for item in self.dropped) + "."
            )
        if self.changed:
            parts.append(
                "Changed: " + "; ".join(f"“{item['description']}” ({item['reason']})" for item in self.changed) + "."
            )
        if not self.dropped and not self.changed:
            parts.append("Every line was copied as it was.")
        return " ".join(parts)


def _copy_line(line: PlanLine, new_plan: Plan, assessed: list[str], copying: Copying) -> None:
    listing = line.listing
    if listing is not None and _deps.listing_unavailable(listing):
        organisation = listing.organization.name
        copying.dropped.append(
            {"description": line.description, "reason": f"{organisation} no longer offers it on Waymark"}
        )
        return
    reasons = []
    unit_cost = line.unit_cost
    if listing is not None and listing.cost is not None and listing.cost != line.unit_cost:
        # Next year's plan costs what the provider charges now.
        reasons.append(f"the price is now {_money(listing.cost)}, it was {_money(line.unit_cost)}")
        unit_cost = listing.cost
    outcomes = [code for code in line.outcomes if code in assessed]
    gone = [code for code in line.outcomes if code not in assessed]
    if gone:
        reasons.append(f"no longer for {', '.join(_label(code) for code in gone)}, which is not assessed now")
    if reasons:
        copying.changed.append({"description": line.description, "reason": "; ".join(reasons)})
    copying.lines.append(
        PlanLine(
            plan=new_plan,
            description=line.description,
            category=line.category,
            listing=listing,
            unit_cost=unit_cost,
            units=line.units,
            frequency=line.frequency,
            outcomes=outcomes,
        )
    )


@service
def plan_renew(*, plan: Plan, by: User) -> Plan:
    """The broker starts next year's plan from an approved one: a draft on the client's current budget with the
    lines that can still be paid."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "renew")
    budget = selectors.budget_current(locked.client)
    renewal = plan_create(by=by, client=locked.client, budget=budget, renews=locked)  # type: ignore[arg-type]
    assessed = list(renewal.budget.outcomes)
    renewal.summary = locked.summary
    renewal.outcome_descriptions = {
        code: text for code, text in locked.outcome_descriptions.items() if code in assessed
    }
    renewal.save(update_fields=["summary", "outcome_descriptions", "updated_at"])
    copying = Copying(lines=[], dropped=[], changed=[])
    for line in locked.lines.select_related("listing__organization").order_by("id"):
        _copy_line(line, renewal, assessed, copying)
    PlanLine.objects.bulk_create(copying.lines)
    data: dict[str, Any] = {
        "renews": locked.pk,
        "copied": [line.pk for line in copying.lines],
        "dropped": copying.dropped,
        "changed": copying.changed,
    }
    plan_event(renewal, action="renewal_started", by=by, from_status=renewal.status, reason=copying.note(locked),
               data=data)  # fmt: skip
    plan_event(locked, action="renewed", by=by, from_status=locked.status, data={"renewal": renewal.pk})
    return renewal


def predecessor_supersede(*, successor: Plan, by: User | None) -> Plan | None:
    """Once next year's plan is approved, the plan it renews is no longer in effect: marked as superseded in its
    history and its next review date cleared. Called inside the approval's transaction (`plan_decide`)."""
    if successor.renews_id is None or successor.status != PlanStatus.APPROVED:
        return None
    earlier = plan_locked(Plan(pk=successor.renews_id))
    if earlier.status != PlanStatus.APPROVED or earlier.superseded_at is not None:
        return None
    earlier.superseded_at = timezone.now()
    earlier.review_next_on = None
    earlier.save(update_fields=["superseded_at", "review_next_on", "updated_at"])
    reason = f"Replaced by next year's plan (plan {successor.pk}), approved by KMPT."
    plan_event(earlier, action="superseded", by=by, from_status=earlier.status, reason=reason,
               data={"successor": successor.pk})  # fmt: skip
    return earlier
