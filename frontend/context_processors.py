from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from frontend.next_steps import helps_others_only


def navigation_for(user: Any) -> list[tuple[str, str]]:
    """The header's links for this person: what their role does most."""
    if not user.is_authenticated:
        return [("Find a broker", "/brokers/"), ("Find activities", "/listings/")]
    links = [("Dashboard", reverse("dashboard"))]
    if user.role == "client" and helps_others_only(user):  # a carer, say: nothing of their own to plan
        return [*links, ("People I help", reverse("people-i-help")), ("Find activities", "/listings/")]
    links += {
        "client": [
            ("Your plan", "/plans/"),
            ("My brokers", "/engagements/"),
            ("Find a broker", "/brokers/"),
            ("Find activities", "/listings/"),
        ],
        "broker": [
            ("Plans", "/plans/"),
            ("Clients and requests", "/engagements/"),
            ("Your profile", "/brokers/me/"),
            ("Find activities", "/listings/"),
        ],
        "provider": [("Your listings", "/provider/"), ("Find activities", "/listings/")],
        "reviewer": [("Review queue", "/reviews/"), ("Personal budgets", "/budgets/")],
        "admin": [
            ("Charter signatures", "/charter/review/"),
            ("Concerns", "/charter/concerns/"),
            ("Organisations to verify", "/provider/verify/"),
            ("Erasure requests", reverse("erasure-queue")),
            ("Admin", reverse("admin:index")),
        ],
    }.get(user.role, [])
    return links


def site(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": settings.SITE_NAME, "navigation": navigation_for(request.user)}
