"""What every plans page shares: the person, the plan they may see (404 otherwise), and running a service."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import User
from config.pages import attempt
from plans import access, selectors
from plans.models import Plan

__all__ = ["attempt", "plan_for", "refuse_unless", "user_of"]


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def plan_for(request: HttpRequest, pk: int, *, read: str | None = "plan") -> Plan:
    """The plan if this person may see it (a page showing it is noted in the access log); 404 otherwise."""
    plan = get_object_or_404(selectors.plans_visible_to(user_of(request)), pk=pk)
    if read and request.method == "GET" and not getattr(request, "htmx", False):
        access.plan_read(user_of(request), plan, record=read)
    return plan


def refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
