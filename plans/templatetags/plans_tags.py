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
    budget = selectors.budget_current(user)
    return {"show": True, "person": user, "plans": plans, "budget": budget, "payment": presenters.payment_info(budget)}


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
    "shared": "Shared with the client",
    "agreed": "Client agreed to the shared version",
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
    "review_held": "Review held",
    "outcome_views_given": "Client or broker said how it is going",
    "renewal_started": "Started as next year's plan",
    "renewed": "Next year's plan started",
    "superseded": "Replaced by next year's plan",
    "changed_outside_the_service_insert": "Added directly in the database",
    "changed_outside_the_service_update": "Changed directly in the database",
    "changed_outside_the_service_delete": "Deleted directly in the database",
}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action.replace("_", " ").capitalize())


@register.filter
def when(value: Any) -> str:
    """ "1 November 2026, 14:05" from a datetime or an ISO 8601 string, in the site's time zone."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key, []) if hasattr(mapping, "get") else []


@register.filter
def payment_route_label(code: str) -> str:
    from plans.models import PaymentRoute

    return PaymentRoute(code).label if code in PaymentRoute.values else code


@register.filter
def agreed_by_words(record: dict[str, Any]) -> str:
    """ "Sam Taylor, carer, for Alex Morgan" (or the client's name) from a plan record; records made before
    `agreed_by` existed name the client."""
    from plans.record import agreed_by_words as words

    return words(record.get("agreed_by"), (record.get("client") or {}).get("name", ""))


@register.filter
def day(value: Any) -> str:
    """ "1 November 2026" from a date, a datetime or an ISO 8601 string."""
    import datetime

    from django.utils import timezone
    from django.utils.dateparse import parse_date, parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value[:10])
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.strftime("%-d %B %Y") if isinstance(value, datetime.date) else ""


@register.filter
def date_parts(field: Any) -> list[str]:
    """Day, month and year as typed (a bound form) or from the stored date, for the GOV.UK date input."""
    value = field.value()
    if not isinstance(value, list | tuple):
        value = field.field.widget.decompress(value)
    return ["" if part is None else str(part) for part in value]


@register.filter
def money_or_free(value: Any) -> str:
    """ "Free" for nothing to pay, else £1,234.50."""
    try:
        if Decimal(str(value)) == 0:
            return "Free"
    except (InvalidOperation, ValueError):
        return ""
    return money(value)


UNIT_WORDS = {"session": "a session", "hour": "an hour", "week": "a week", "month": "a month", "year": "a year"}


@register.filter
def price(listing: Any) -> str:
    """What a listing costs in plain words: "Free", "£45.00 one-off", "£25.00 a session"."""
    cost = getattr(listing, "cost", None)
    if cost is None:
        return "Ask the provider"
    if Decimal(str(cost)) == 0:
        return "Free"
    unit = getattr(listing, "cost_unit", "") or "session"
    if unit == "once":
        return f"{money(cost)} one-off"
    return f"{money(cost)} {UNIT_WORDS.get(unit, 'a ' + unit)}"


@register.filter
def line_cost(line: Any) -> str:
    """A line's cost in plain words: "Free", "£45.00 one-off" or "£1,300.00 a year" (a frozen line is a dict)."""
    frequency = line.get("frequency") if isinstance(line, dict) else line.frequency
    cost = line.get("annual_cost") if isinstance(line, dict) else line.annual_cost
    if Decimal(str(cost)) == 0:
        return "Free"
    return f"{money(cost)} one-off" if frequency == Frequency.ONCE else f"{money(cost)} a year"


@register.filter
def outcome_short(code: str) -> str:
    """The outcome's short everyday name, for clients (the full Care Act name goes beside it as a hint)."""
    return presenters.outcome_short(code)
