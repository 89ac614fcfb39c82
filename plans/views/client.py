"""One plan's page for whoever may see it: the broker's builder, the client's page (always the version that was
shared with them or sent to KMPT, never the broker's work in progress), the live status, agreeing and asking."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import representation_of, represents
from plans import permissions, presenters, selectors, services
from plans.forms import AgreeForm, ChangeRequestForm
from plans.models import Plan, PlanStatus
from plans.views._common import attempt, plan_for, refuse_unless, user_of
from plans.views.after_approval import after_approval_context, bookings
from plans.views.builder import builder


def client_record(plan: Plan) -> tuple[dict[str, Any] | None, str]:
    """What the client reads, and which it is: the shared version while a draft waits for them, else the newest
    version sent to KMPT; nothing while the broker is still writing."""
    if plan.status == PlanStatus.DRAFT and plan.shared_record:
        return plan.shared_record, "shared"
    latest = selectors.plan_versions_visible(plan).order_by("-number").first()
    if latest is not None:
        return latest.snapshot, "submitted"
    return None, "writing"


def _issues_by_line(record: dict[str, Any]) -> tuple[dict[Any, list[dict[str, Any]]], list[dict[str, Any]]]:
    by_line: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for issue in record.get("check", {}).get("issues", []):
        by_line[issue.get("line")].append(issue)
    return by_line, by_line.pop(None, [])


@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The broker's builder, the client's plan in plain English; reviewers go to the review page."""
    plan = plan_for(request, pk)
    user = user_of(request)
    if user.pk == plan.broker_id and "broker" in permissions.parties(user, plan):
        return builder(request, plan)
    acting_for = user.pk != plan.client_id and represents(user, plan.client_id, "view")
    if user.pk != plan.client_id and not acting_for:
        return redirect("plans:review", pk=plan.pk)
    record, kind = client_record(plan)
    decision = selectors.plan_latest_decision(plan)
    by_line, general = _issues_by_line(record or {})
    actions = permissions.plan_actions_for(user, plan)
    agreed = bool(plan.shared_at and plan.agreed_digest == plan.shared_digest)
    context = {
        "plan": plan,
        "record": record,
        "record_kind": kind,
        "groups": presenters.snapshot_groups(record) if record else [],
        "issues_by_line": dict(by_line),
        "general_issues": general,
        **presenters.status_context(plan, decision, audience="client"),
        "actions": actions,
        "agreed": agreed,
        "agreement": presenters.agreement_for(plan, user) if agreed else None,
        "agree_form": AgreeForm(initial={"digest": plan.shared_digest}),
        "ask_form": ChangeRequestForm(),
        "may_withdraw": "withdraw" in actions,
        "has_versions": plan.first_submitted_at is not None,
        "acting_for": representation_of(user, plan.client_id) if acting_for else None,
        **after_approval_context(request, plan),
        "bookings": bookings(record) if plan.status == PlanStatus.APPROVED else [],
        "is_client": True,
    }
    return render(request, "plans/plan_client.html", context)


@login_required
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The live status partial: htmx asks every few seconds; 204 while nothing has changed."""
    plan = plan_for(request, pk)
    if request.GET.get("since") == presenters.status_token(plan):
        return HttpResponse(status=204)
    decision = selectors.plan_latest_decision(plan)
    user = user_of(request)
    audience = "broker" if user.pk == plan.broker_id else "client"
    context = {"plan": plan, **presenters.status_context(plan, decision, audience=audience)}
    return render(request, "plans/_status.html", context)


@login_required
@require_POST
def plan_agree(request: HttpRequest, pk: int) -> HttpResponse:
    """The client agrees to the version they read: the form carries its digest."""
    plan = plan_for(request, pk)
    form = AgreeForm(request.POST)
    digest = form.cleaned_data["digest"] if form.is_valid() else ""
    if attempt(request, services.plan_agree, plan=plan, by=user_of(request), digest=digest):
        for_whom = "" if user_of(request).pk == plan.client_id else f" for {plan.client.name or 'them'}"
        messages.success(request, f"Thank you. You agreed to this plan{for_whom}. It can now be sent to KMPT.")
    return redirect("plans:plan", pk=plan.pk)


@login_required
def plan_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """The client asks their broker to change something: it goes into their conversation and the plan's history."""
    plan = plan_for(request, pk)
    refuse_unless("ask_change" in permissions.plan_actions_for(user_of(request), plan))
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"]
        if attempt(request, services.plan_change_ask, plan=plan, by=user_of(request), message=message):
            messages.success(request, "Your message was sent to your broker. You will find it in your conversation.")
        return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/plan_ask.html", {"plan": plan, "form": form})
