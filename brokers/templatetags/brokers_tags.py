"""Labels for the directory's vocabularies, and the dashboard panels the pages app includes."""

from typing import Any

from django import template

from brokers.forms import language_name as _language_name
from brokers.models import Specialism
from config.choices import Area

register = template.Library()

MISSING_LABELS = {
    "display_name": "Add the name shown to people",
    "bio": "Write something about you",
    "areas": "Choose at least one area you work in",
    "hourly_rate": "Give your hourly rate",
    "charter_signature": "Sign the Quality Charter",
    "charter_verification": "Wait for an administrator to verify your charter signature",
    "charter_suspended": "Your charter signature is suspended: contact the Waymark team",
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
def stars(average: Any) -> str:
    """A rating for reading aloud and on screen alike: "4.5 out of 5"."""
    if average is None:
        return "No ratings yet"
    return f"{float(average):.1f} out of 5"


@register.inclusion_tag("brokers/_dashboard_broker_panel.html", takes_context=True)
def broker_dashboard(context: template.Context) -> dict[str, Any]:
    from brokers import selectors

    user = context["request"].user
    profile = selectors.broker_profile_for(user)
    engagements = selectors.engagements_visible_to(user).filter(broker=user)
    return {
        "listed": selectors.broker_is_listed(user),
        "missing": selectors.broker_profile_missing(profile),
        "requests_waiting": engagements.filter(status="requested").count(),
        "active_clients": engagements.filter(status="active").count(),
        "unread": selectors.messages_unread_count(user),
    }


@register.inclusion_tag("brokers/_dashboard_client_panel.html", takes_context=True)
def client_dashboard(context: template.Context) -> dict[str, Any]:
    from brokers import selectors

    user = context["request"].user
    engagements = selectors.engagements_with_unread(
        selectors.engagements_visible_to(user).filter(client=user, status__in=["requested", "active"]), user
    )
    return {"engagements": list(engagements), "unread": selectors.messages_unread_count(user)}


@register.filter
def words(text: str) -> list[str]:
    return text.split()
