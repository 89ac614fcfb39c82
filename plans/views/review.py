"""The reviewer's desk: the queue, the review page (the frozen version, its check, history) and decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.mfa import decisions_blocked, second_factor_ensure
from config.errors import ServiceError
from config.pages import raise_for_refusal
from plans import access, permissions, presenters, selectors, services
from plans.checks import check_plan
from plans.diff import versions_diff
from plans.forms import DecisionForm, QueueFilterForm
from plans.models import Plan
from plans.views._common import attempt, plan_for, refuse_unless, user_of
from plans.views.after_approval import after_approval_context


def _waiting_days(plan: Plan) -> int | None:
    if plan.submitted_at is None:
        return None
    return (timezone.localdate() - timezone.localdate(plan.submitted_at)).days


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """KMPT's queue, oldest submission first, with filters in the URL."""
    user = user_of(request)
    refuse_unless(permissions.is_reviewer(user))
    form = QueueFilterForm(request.GET or None)
    flags = {name: bool(form.is_valid() and form.cleaned_data[name]) for name in ("mine", "unassigned", "overdue")}
    queue = selectors.review_queue(user, **flags)
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    overdue_cutoff = selectors.overdue_cutoff(timezone.localdate())
    access.plans_read(user, page)
    rows = [
        {
            "plan": plan,
            "waiting_days": _waiting_days(plan),
            "overdue": plan.submitted_at is not None and timezone.localdate(plan.submitted_at) <= overdue_cutoff,
            "actions": permissions.plan_actions_for(user, plan),
        }
        for plan in page
    ]
    return render(request, "plans/review_queue.html", {"form": form, "page": page, "rows": rows, "flags": flags})


def _review_plan(request: HttpRequest, pk: int) -> Plan:
    plan = plan_for(request, pk)
    refuse_unless(permissions.is_reviewer(user_of(request)))
    return plan


@login_required
def review_page(request: HttpRequest, pk: int, decision_form: DecisionForm | None = None) -> HttpResponse:
    """Everything a reviewer needs to decide: the frozen version, its check, the budget, history and the trail."""
    plan = _review_plan(request, pk)
    versions = list(selectors.plan_versions_visible(plan))
    under_review = versions[-1] if versions else None
    previous = versions[-2] if len(versions) > 1 else None
    if under_review is not None:
        access.versions_read(user_of(request), plan, [under_review])
    check = check_plan(selectors.version_check_data(plan, under_review)) if under_review else None
    user = user_of(request)
    actions = permissions.plan_actions_for(user, plan)
    context = {
        "plan": plan,
        "version": under_review,
        "snapshot": under_review.snapshot if under_review else None,
        "groups": presenters.snapshot_groups(under_review.snapshot) if under_review else [],
        "check": check,
        "meter": presenters.meter_for(check.totals, plan.budget.client_contribution) if check else None,
        "interest_warnings": [i for i in check.issues if i.code == "broker_interest"] if check else [],
        "other_issues": [i for i in check.issues if i.code != "broker_interest"] if check else [],
        "budget": plan.budget,
        "newer_budget": selectors.budget_current(plan.client),
        "decisions": list(plan.decisions.all()),
        "diff": versions_diff(previous.snapshot, under_review.snapshot) if previous and under_review else None,
        "previous": previous,
        "events": selectors.plan_events(plan),
        "actions": actions,
        "may_decide": "decide" in actions,
        "may_claim": "claim" in actions and plan.reviewer_id != user.pk,
        "second_factor_needed": decisions_blocked(user),
        "decision_form": decision_form or _decision_draft(request, plan) or DecisionForm(),
        "waiting_days": _waiting_days(plan),
        **after_approval_context(request, plan),
        "open_views": presenters.views_by_outcome(selectors.outcome_views_open(plan), list(plan.budget.outcomes)),
        "open_views_count": selectors.outcome_views_open(plan).count(),
    }
    return render(request, "plans/review.html", context)


@login_required
@require_POST
def review_claim(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _review_plan(request, pk)
    if attempt(request, services.plan_claim, plan=plan, by=user_of(request)):
        messages.success(request, "The plan is now assigned to you.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/reviews/") else reverse("plans:review", args=[plan.pk]))


def _decision_key(plan: Plan) -> str:
    return f"plan-decision-draft-{plan.pk}"


def _decision_draft(request: HttpRequest, plan: Plan) -> DecisionForm | None:
    """The decision kept between the form and its check page, while it is still about this version."""
    draft = request.session.get(_decision_key(plan))
    if not draft or draft.get("version") != plan.version:
        return None
    form = DecisionForm(draft)
    return form if form.is_valid() else None


def _decide_refused(request: HttpRequest, plan: Plan, here: str) -> HttpResponse | None:
    """Before the check page: only the plan's reviewer, while the plan waits for a decision."""
    try:
        permissions.plan_require(user_of(request), plan, "decide")
    except ServiceError as error:
        raise_for_refusal(request, error, next_url=here)
        messages.error(request, error.message)
        return redirect("plans:review", pk=plan.pk)
    return None


OUTCOME_NEXT = {
    "approved": "The plan is approved. {client} and {broker} are told by email, with how the money is paid and "
    "when the first review is.",
    "changes_requested": "The plan goes back to {broker}, who changes it with {client} and sends it to you again. "
    "They are told your reasons by email.",
    "declined": "The plan is declined and cannot be sent again. {client} and {broker} are told your reasons by email.",
}
CONFIRM_WORDS = {
    "approved": "Approve the plan",
    "changes_requested": "Ask for changes",
    "declined": "Decline the plan",
}


def _decision_answers(request: HttpRequest, plan: Plan, here: str) -> HttpResponse:
    """The first step: the answers, checked and kept in the session; then the check page."""
    refused = _decide_refused(request, plan, here)
    if refused is not None:
        return refused
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return review_page(request, plan.pk, decision_form=form)
    answers = {name: request.POST.get(name, "") for name in ("outcome", "reasons", "note")}
    request.session[_decision_key(plan)] = {**answers, "version": plan.version}
    try:  # the answers are kept: after the second factor the reviewer comes back to the check page
        second_factor_ensure(user_of(request))
    except ServiceError as error:
        raise_for_refusal(request, error, next_url=here)
    return redirect(here)


@login_required
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision in two steps (GOV.UK check your answers): the form on the review page keeps the answers in the
    session, this page shows them with "Change" links, and only its confirm button records the decision."""
    plan = _review_plan(request, pk)
    here = reverse("plans:review-decide", args=[plan.pk])
    if request.method == "POST" and request.POST.get("confirm") != "yes":
        return _decision_answers(request, plan, here)
    draft = _decision_draft(request, plan)
    if draft is None or "decide" not in permissions.plan_actions_for(user_of(request), plan):
        request.session.pop(_decision_key(plan), None)
        return redirect(reverse("plans:review", args=[plan.pk]) + "#decide")
    data = draft.cleaned_data
    if request.method == "POST":
        fields = {"outcome": data["outcome"], "reasons": data["reason_list"], "note": data["note"]}
        if attempt(request, services.plan_decide, next_url=here, plan=plan, by=user_of(request), **fields):
            request.session.pop(_decision_key(plan), None)
            messages.success(request, "Your decision is recorded. The client and broker have been told by email.")
        return redirect("plans:review", pk=plan.pk)
    return render(request, "plans/review_decide_check.html", _check_context(request, plan, data))


def _check_context(request: HttpRequest, plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    versions = list(selectors.plan_versions_visible(plan))
    snapshot = versions[-1].snapshot if versions else {}
    names = {"client": plan.client.name or "the client", "broker": plan.broker.name or "the broker"}
    return {
        "plan": plan,
        "snapshot": snapshot,
        "outcome": data["outcome"],
        "outcome_words": dict(DecisionForm.base_fields["outcome"].choices)[data["outcome"]],  # type: ignore[attr-defined]
        "reasons": data["reason_list"],
        "note": data["note"],
        "what_next": OUTCOME_NEXT[data["outcome"]].format(**names),
        "confirm_words": CONFIRM_WORDS[data["outcome"]],
        "second_factor_needed": decisions_blocked(user_of(request)),
    }
