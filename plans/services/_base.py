"""What every plans service shares: locking a plan, and the event (with its notifications) every change writes."""

from __future__ import annotations

from typing import Any

from audit.models import Event
from audit.services import event_record
from plans.models import Plan


def plan_locked(plan: Plan) -> Plan:
    """The plan's row, locked for this transaction (every change to a plan starts here)."""
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("budget", "client", "broker", "reviewer")
        .get(pk=plan.pk)
    )


def plan_event(
    plan: Plan,
    *,
    action: str,
    by: Any,
    from_status: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    on_behalf_of: Any = None,
) -> Event:
    """Record the change on the plan's trail and tell the people concerned, in this transaction (their emails
    leave after commit)."""
    from accounts.selectors import represents
    from plans.notifications import plan_event_notify

    if on_behalf_of is None and by is not None and by.pk != plan.client_id and represents(by, plan.client_id):
        on_behalf_of = plan.client  # a representative acting for the client
    event = event_record(
        action=action,
        record_type="plan",
        record_id=plan.pk,
        by=by,
        person=plan.client,
        on_behalf_of=on_behalf_of,
        from_state=from_status,
        to_state=plan.status,
        reason=reason,
        data={"version": plan.version, **(data or {})},
    )
    plan_event_notify(event, plan)
    return event
