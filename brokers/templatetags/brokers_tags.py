"""Labels for the directory's vocabularies, the formats people read, and the dashboard panels the pages app includes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import format_html

from brokers.languages import language_name as _language_name
from brokers.models import EngagementStatus, Specialism
from brokers.onboarding import MISSING_LABELS, broker_next_step, onboarding_tasks
from config.choices import Area

register = template.Library()

# How each side reads an engagement's state, and its tag colour.
ENGAGEMENT_WORDS: dict[str, tuple[str, str]] = {
    EngagementStatus.REQUESTED: ("Waiting for the broker to accept", "nhsuk-tag--yellow"),
    EngagementStatus.ACTIVE: ("Working together", "nhsuk-tag--green"),
    EngagementStatus.DECLINED: ("Declined", "nhsuk-tag--grey"),
    EngagementStatus.WITHDRAWN: ("Withdrawn", "nhsuk-tag--grey"),
    EngagementStatus.ENDED: ("Ended", "nhsuk-tag--grey"),
}


@register.filter
def area_label(slug: str) -> str:
    return dict(Area.choices).get(slug, slug)


@register.filter
def specialism_label(slug: str) -> str:
    return dict(Specialism.choices).get(slug, slug)


@register.filter
def language_name(code: str) -> str:
    return _language_name(code)


@register.filter
def missing_label(code: str) -> str:
    return MISSING_LABELS.get(code, code)


@register.filter
def engagement_words(status: str) -> str:
    return ENGAGEMENT_WORDS.get(status, (status, ""))[0]


@register.filter
def engagement_tag_class(status: str) -> str:
    return ENGAGEMENT_WORDS.get(status, ("", "nhsuk-tag--grey"))[1]


@register.filter
def stars(average: Any) -> str:
    """A rating for reading aloud and on screen alike: "4.5 out of 5"."""
    if average is None:
        return "No ratings yet"
    return f"{float(average):.1f} out of 5"


@register.filter
def pounds(amount: Any) -> str:
    """Money as people write it: "£1,250.00", "£30.00"."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    return f"£{value:,.2f}"


@register.filter
def tel_link(number: str) -> str:
    """A phone number people can tap to call (the text as written, the link as digits)."""
    digits = re.sub(r"[^\d+]", "", number or "")
    if not digits:
        return number
    return format_html('<a href="tel:{}">{}</a>', digits, number)


@register.inclusion_tag("brokers/_dashboard_broker_panel.html", takes_context=True)
def broker_dashboard(context: template.Context) -> dict[str, Any]:
    from brokers import selectors
    from charter.selectors import signature_current_of

    user = context["request"].user
    profile = selectors.broker_profile_for(user)
    engagements = selectors.engagements_visible_to(user).filter(broker=user)
    listed = selectors.broker_is_listed(user)
    tasks = onboarding_tasks(selectors.broker_profile_missing(profile), signature_current_of(user))
    requests_waiting = engagements.filter(status=EngagementStatus.REQUESTED).count()
    return {
        "listed": listed,
        "tasks": tasks,
        "onboarded": all(task.done for task in tasks),
        "next_step": broker_next_step(requests_waiting=requests_waiting, tasks=tasks, listed=listed),
        # On the dashboard, "What to do next" is the page's own (frontend.next_steps, the same words): not twice.
        "show_next_step": "next_steps" not in context,
        "requests_waiting": requests_waiting,
        "active_clients": engagements.filter(status=EngagementStatus.ACTIVE).count(),
        "unread": selectors.messages_unread_count(user),
    }


@register.inclusion_tag("brokers/_dashboard_client_panel.html", takes_context=True)
def client_dashboard(context: template.Context) -> dict[str, Any]:
    from brokers import selectors
    from brokers.models import OPEN_ENGAGEMENT_STATUSES

    user = context["request"].user
    engagements = selectors.engagements_with_unread(
        selectors.engagements_visible_to(user).filter(client=user, status__in=OPEN_ENGAGEMENT_STATUSES), user
    )
    return {"engagements": list(engagements), "unread": selectors.messages_unread_count(user)}
