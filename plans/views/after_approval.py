"""Pages after approval: reviews (the list for everyone who may see the plan; recording one, with a check-your-answers
step, for KMPT), the client's and broker's view before a review, and starting next year's plan.

`after_approval_context` is what the client's page, the broker's builder and the reviewer's page show of it."""

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

from accounts.models import Role, User
from config.errors import ServiceError
from config.pages import raise_for_refusal
from plans import _deps, permissions, presenters, selectors, services
from plans.forms import OutcomeViewsForm, ReviewForm
from plans.models import OPEN_STATUSES, Plan, PlanStatus
from plans.views._common import attempt, plan_for, refuse_unless, user_of

REVIEWS_PER_PAGE = 10


def plan_url(user: User, plan_id: int) -> str:
    """Where this person reads a plan: reviewers at the review desk, everyone else on the plan's page."""
    name = "plans:review" if user.role == Role.REVIEWER else "plans:plan"
    return reverse(name, args=[plan_id])


def _thread(user: User, plan: Plan) -> dict[str, Any]:
    """The plan it renews and its renewals, each only if this person may see it."""
    thread = selectors.plan_thread(plan)
    ids = [p.pk for p in [thread["renews"], *thread["renewals"]] if p is not None]
    visible = set(selectors.plans_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    renews = thread["renews"] if thread["renews"] is not None and thread["renews"].pk in visible else None
    return {
        "renews": renews and {"plan": renews, "url": plan_url(user, renews.pk)},
        "renewals": [{"plan": p, "url": plan_url(user, p.pk)} for p in thread["renewals"] if p.pk in visible],
    }


def _approved_on(plan: Plan) -> Any:
    approvals = [decision for decision in plan.decisions.all() if decision.outcome == "approved"]
    return timezone.localdate(approvals[-1].decided_at) if approvals else None


def after_approval_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    """Reviews, views, renewal and the thread, for the plan pages (the spending panel is its own template tag)."""
    user = user_of(request)
    actions = permissions.plan_actions_for(user, plan)
    approved = plan.status == PlanStatus.APPROVED
    reviews = list(selectors.plan_reviews(plan)[:1]) if approved else []
    latest = presenters.review_view(reviews[0]) if reviews else None
    own_views = selectors.outcome_views_open(plan).filter(by=user).count() if "give_view" in actions else 0
    thread = _thread(user, plan)
    open_renewal = next((item for item in thread["renewals"] if item["plan"].status in OPEN_STATUSES), None)
    return {
        "approved": approved,
        "in_effect": permissions.in_effect(plan),
        "approved_on": _approved_on(plan) if approved else None,
        "latest_review": latest,
        "reviews_count": selectors.plan_reviews(plan).count() if approved else 0,
        "reviewed": bool(latest),
        "own_views_count": own_views,
        "thread": thread,
        "open_renewal": open_renewal,
        # The client's confirmation panel: while the approved plan is in effect and no review has ended it.
        "confirmation": permissions.in_effect(plan) and not (latest and latest.ended),
        "renewal_note": selectors.plan_renewal_note(plan) if plan.status != PlanStatus.APPROVED else "",
        "payment": presenters.payment_info(plan.budget),
        "may_review": "review" in actions,
        "may_renew": "renew" in actions,
        "may_give_view": "give_view" in actions,
    }


def bookings(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What the client books, and with whom: each line of the approved version with its provider's contacts now."""
    lines = (record or {}).get("lines", [])
    listings = _deps.listings_by_id(line["listing"]["id"] for line in lines if line.get("listing"))
    found = []
    for line in lines:
        listing = listings.get(line["listing"]["id"]) if line.get("listing") else None
        found.append({"line": line, "listing": listing})
    return found


@login_required
def plan_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """Every review of the plan, newest first, in plain words, for everyone who may see the plan."""
    plan = plan_for(request, pk)
    page = Paginator(selectors.plan_reviews(plan), REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "page": page,
        "reviews": [presenters.review_view(review) for review in page],
        "back_url": plan_url(user_of(request), plan.pk),
        **after_approval_context(request, plan),
        "is_client": user_of(request).pk == plan.client_id,
    }
    return render(request, "plans/plan_reviews.html", context)


def _draft_key(plan: Plan) -> str:
    return f"plan-review-draft-{plan.pk}"


def _review_plan(request: HttpRequest, pk: int) -> Plan:
    plan = plan_for(request, pk)
    refuse_unless(permissions.is_reviewer(user_of(request)))
    return plan


def _review_refused(request: HttpRequest, plan: Plan) -> HttpResponse | None:
    """Back to the review desk with the reason, when this plan cannot be reviewed now."""
    try:
        permissions.plan_require(user_of(request), plan, "review")
    except ServiceError as error:
        raise_for_refusal(request, error)
        messages.error(request, error.message)
        return redirect("plans:review", pk=plan.pk)
    return None


@login_required
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A KMPT reviewer records a review: the form (with what the client and broker said), then the check page."""
    plan = _review_plan(request, pk)
    refused = _review_refused(request, plan)
    if refused is not None:
        return refused
    outcomes = list(plan.budget.outcomes)
    draft = request.session.get(_draft_key(plan))
    if request.method == "POST":
        form = ReviewForm(request.POST, outcomes=outcomes)
        if form.is_valid():
            request.session[_draft_key(plan)] = form.draft()
            return redirect("plans:review-check", pk=plan.pk)
    else:
        initial = draft or {"held_on": timezone.localdate().isoformat()}
        form = ReviewForm(initial=initial, outcomes=outcomes)
    context = {
        "plan": plan,
        "form": form,
        "rows": [
            {**row, "views": group["views"]}
            for row, group in zip(
                form.outcome_rows(),
                presenters.views_by_outcome(selectors.outcome_views_open(plan), outcomes),
                strict=False,
            )
        ],
    }
    return render(request, "plans/review_form.html", context)


@login_required
def review_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then record the review (the service checks everything again)."""
    plan = _review_plan(request, pk)
    refused = _review_refused(request, plan)
    if refused is not None:
        return refused
    draft = request.session.get(_draft_key(plan))
    form = ReviewForm(draft or None, outcomes=list(plan.budget.outcomes))
    if not draft or not form.is_valid():
        return redirect("plans:review-new", pk=plan.pk)
    if request.method == "POST":
        try:
            services.review_record(plan=plan, by=user_of(request), **form.service_fields())
        except ServiceError as error:
            raise_for_refusal(request, error)
            messages.error(request, error.message)
            return redirect("plans:review-new", pk=plan.pk)
        request.session.pop(_draft_key(plan), None)
        messages.success(request, "The review is recorded. The client and broker have been told.")
        return redirect("plans:plan-reviews", pk=plan.pk)
    fields = form.service_fields()
    context = {
        "plan": plan,
        "fields": fields,
        "outcomes": presenters.outcome_progress(fields["outcomes"]),
        "result_words": presenters.RESULT_WORDS.get(fields["result"], ""),
    }
    return render(request, "plans/review_check.html", context)


@login_required
def outcome_views(request: HttpRequest, pk: int) -> HttpResponse:
    """The client (or their broker) says how each outcome is going, for KMPT to read at the next review."""
    plan = plan_for(request, pk)
    user = user_of(request)
    refuse_unless(bool(permissions.parties(user, plan) & {"client", "broker"}))
    if "give_view" not in permissions.plan_actions_for(user, plan):
        messages.error(request, "You can say how the plan is going while it is approved and in effect.")
        return redirect("plans:plan", pk=plan.pk)
    outcomes = list(plan.budget.outcomes)
    writer = "your" if user.pk == plan.client_id else "your own"
    current = {f"view_{view.outcome}": view.text for view in selectors.outcome_views_open(plan).filter(by=user)}
    form = OutcomeViewsForm(request.POST or None, initial=current, outcomes=outcomes, writer=writer)
    if request.method == "POST" and form.is_valid():
        if attempt(request, services.outcome_views_record, plan=plan, by=user, views=form.views()):
            messages.success(request, "Saved. KMPT will read it at the next review.")
        return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/outcome_views.html", {"plan": plan, "form": form, "is_client": writer == "your"})


@login_required
@require_POST
def plan_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """The broker starts next year's plan from this approved one."""
    plan = plan_for(request, pk)
    try:
        renewal = services.plan_renew(plan=plan, by=user_of(request))
    except ServiceError as error:
        raise_for_refusal(request, error)
        messages.error(request, error.message)
        return redirect("plans:plan", pk=plan.pk)
    messages.success(request, "Next year's plan is started as a draft. Check what was copied below.")
    return redirect("plans:plan", pk=renewal.pk)
