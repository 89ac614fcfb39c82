"""Template helpers of the plan pages, the notification centre and the dashboard panels.

Every inclusion tag here needs only `request` in the context: `{% load plans_tags %}{% notification_centre %}`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from accounts.models import Role
from plans import notifications, presenters, selectors
from plans.models import LINE_CATEGORIES, OPEN_REVIEW_STATUSES, Frequency, PlanStatus

register = template.Library()

PANEL_SIZE = 5


@register.filter
def money(value: Any) -> str:
    """£1,234.50 from a Decimal, a number or a string."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    sign = "\u2212" if amount < 0 else ""  # a real minus sign
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def outcome_label(code: str) -> str:
    return presenters.outcome_label(code)


@register.filter
def category_label(code: str) -> str:
    return LINE_CATEGORIES.get(code, code)


@register.filter
def frequency_label(code: str) -> str:
    return Frequency(code).label.lower() if code in Frequency.values else code


@register.filter
def quantity(value: Any) -> str:
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def status_label(code: str) -> str:
    return PlanStatus(code).label if code in PlanStatus.values else code


STATUS_TAG_COLOURS = {
    PlanStatus.DRAFT: "grey",
    PlanStatus.SUBMITTED: "blue",
    PlanStatus.IN_REVIEW: "blue",
    PlanStatus.CHANGES_REQUESTED: "yellow",
    PlanStatus.APPROVED: "green",
    PlanStatus.DECLINED: "red",
    PlanStatus.WITHDRAWN: "grey",
}


@register.filter
def status_colour(code: str) -> str:
    return STATUS_TAG_COLOURS.get(code, "grey")  # type: ignore[call-overload]


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("plans/_notification_centre.html", takes_context=True)
def notification_centre(context: template.Context) -> dict[str, Any]:
    """Unread count and the latest notifications of whoever is signed in."""
    user = _user(context)
    if user is None or not user.is_authenticated:
        return {"show": False}
    latest = list(notifications.notifications_of(user)[:PANEL_SIZE])
    return {
        "show": True,
        "unread": notifications.notifications_unread_count(user),
        "latest": latest,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("plans/_dashboard_client.html", takes_context=True)
def client_plans_panel(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    if user is None or not user.is_authenticated or user.role != Role.CLIENT:
        return {"show": False}
    plans = list(selectors.plans_visible_to(user).order_by("-updated_at")[:PANEL_SIZE])
    return {"show": True, "plans": plans, "budget": selectors.budget_current(user)}


@register.inclusion_tag("plans/_dashboard_broker.html", takes_context=True)
def broker_plans_panel(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    if user is None or not user.is_authenticated or user.role != Role.BROKER:
        return {"show": False}
    plans = selectors.plans_visible_to(user).order_by("-updated_at")
    return {
        "show": True,
        "plans": list(plans[:PANEL_SIZE]),
        "count": plans.count(),
        "needs_work": plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED]).count(),
    }


@register.inclusion_tag("plans/_dashboard_reviewer.html", takes_context=True)
def reviewer_queue_panel(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    if user is None or not user.is_authenticated or user.role != Role.REVIEWER:
        return {"show": False}
    queue = selectors.review_queue(user)
    return {
        "show": True,
        "waiting": queue.count(),
        "mine": queue.filter(reviewer=user).count(),
        "unassigned": queue.filter(reviewer__isnull=True).count(),
        "overdue": selectors.review_queue(user, overdue=True).count(),
        "oldest": list(queue.filter(status__in=OPEN_REVIEW_STATUSES)[:PANEL_SIZE]),
    }


EVENT_LABELS = {
    "created": "Plan started",
    "updated": "Summary or outcomes changed",
    "line_added": "Line added",
    "line_updated": "Line changed",
    "line_removed": "Line removed",
    "agreed": "Client agreed",
    "submitted": "Sent to KMPT",
    "checks_failed": "Automatic checks found problems",
    "review_started": "Review started",
    "claimed": "Reviewer assigned",
    "approved": "Approved",
    "changes_requested": "Changes asked for",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
    "change_asked": "Client asked the broker for a change",
    "workflow_failed": "Processing failed (will be retried)",
}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " ").capitalize())
