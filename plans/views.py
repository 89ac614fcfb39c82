"""Thin HTML views over plans' services and selectors: budgets, the plan builder, the client's plan, versions,
the review queue and page, and the notification centre. Every page works without JavaScript; htmx only swaps parts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.mfa import mfa_enrol_redirect, mfa_must_enrol, page_mfa_guard
from accounts.models import Role, User
from config.api import NotAllowed, ServiceError
from plans import _deps, notifications, permissions, presenters, selectors, services
from plans.checks import check_plan
from plans.diff import versions_diff
from plans.forms import (
    BudgetForm,
    ChangeRequestForm,
    ClientFindForm,
    DecisionForm,
    LineForm,
    ListingSearchForm,
    PlanDetailsForm,
    PlanStartForm,
    QueueFilterForm,
)
from plans.models import EDITABLE_STATUSES, Frequency, Notification, Plan, PlanLine, PlanStatus
from providers import selectors as providers_selectors
from providers.models import Listing

LISTING_RESULTS = 8
# How a listing's price unit becomes a line's frequency when a broker picks it.
FREQUENCY_FOR_UNIT = {
    "session": Frequency.WEEKLY,
    "hour": Frequency.WEEKLY,
    "week": Frequency.WEEKLY,
    "month": Frequency.MONTHLY,
    "year": Frequency.YEARLY,
    "once": Frequency.ONCE,
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _plan(request: HttpRequest, pk: int) -> Plan:
    """The plan if this person may see it; 404 otherwise, whoever they are."""
    return get_object_or_404(selectors.plans_visible_to(_user(request)), pk=pk)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _attempt(request: HttpRequest, action: Any, **kwargs: Any) -> bool:
    """Run a service; a refusal is a 403 page, any other rule that says no is a message on the next page."""
    try:
        action(**kwargs)
    except NotAllowed as refusal:
        raise PermissionDenied(refusal.message) from refusal
    except ServiceError as error:
        messages.error(request, error.message)
        return False
    return True


def require_mfa_for_decisions(request: HttpRequest) -> HttpResponse | None:
    """None when this person may decide; otherwise the response sending them to set up MFA."""
    return mfa_enrol_redirect(request) if mfa_must_enrol(request.user) else None


# --- Budgets (reviewers) --------------------------------------------------------------------------------------------


def _clients_matching(words: str) -> QuerySet[User]:
    words = words.strip()
    return User.objects.filter(role=Role.CLIENT, is_active=True).filter(
        Q(email__iexact=words) | Q(email__istartswith=words) | Q(name__icontains=words)
    )[:20]


@login_required
def budget_find(request: HttpRequest) -> HttpResponse:
    """A reviewer finds a client by email or name, to record or correct their budget."""
    _refuse_unless(permissions.may_record_budget(_user(request)))
    form = ClientFindForm(request.GET or None)
    clients = _clients_matching(form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "plans/budget_find.html", {"form": form, "clients": clients})


@login_required
def budget_record(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record a client's personal budget and outcomes; a correction is a new budget, so the history stays."""
    _refuse_unless(permissions.may_record_budget(_user(request)))
    if guard := page_mfa_guard(request):
        return guard
    client = get_object_or_404(User, pk=client_id, role=Role.CLIENT)
    current = selectors.budget_current(client)
    form = BudgetForm(request.POST or None, initial=BudgetForm.initial_from(current))
    saved = request.method == "POST" and form.is_valid()
    if saved and _attempt(request, services.budget_record, by=_user(request), client=client, **form.cleaned_data):
        messages.success(request, f"The personal budget for {client.name or client.email} is recorded.")
        return redirect("plans:budget-record", client_id=client.pk)
    history = selectors.budgets_visible_to(_user(request)).filter(client=client)
    return render(
        request, "plans/budget_record.html", {"form": form, "client": client, "current": current, "history": history}
    )


# --- Plans: list, start ---------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if permissions.is_reviewer(user):
        return redirect("plans:reviews")
    _refuse_unless(user.role in (Role.CLIENT, Role.BROKER) and not user.is_staff)
    plans = selectors.plans_visible_to(user).order_by("-updated_at")
    return render(request, "plans/plan_list.html", {"plans": plans})


def _startable_clients(broker: User) -> list[User]:
    clients = User.objects.filter(pk__in=_deps.clients_with_active_engagement(broker)).order_by("name", "email")
    return [client for client in clients if selectors.budget_current(client) is not None]


@login_required
def plan_start(request: HttpRequest) -> HttpResponse:
    """A broker starts a draft plan for a client they work with, on the client's current budget."""
    user = _user(request)
    _refuse_unless(permissions.may_create_plan(user))
    clients = _startable_clients(user)
    form = PlanStartForm(request.POST or None, clients=[(c.pk, c.name or c.email) for c in clients])
    if request.method == "POST" and form.is_valid():
        client = next(c for c in clients if c.pk == form.cleaned_data["client"])
        try:
            plan = services.plan_create(by=user, client=client, budget=selectors.budget_current(client))  # type: ignore[arg-type]
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/plan_start.html", {"form": form, "clients": clients})


# --- One plan: the broker's builder and the client's page ---------------------------------------------------------


def _listing_initial(listing: Listing) -> dict[str, Any]:
    return {
        "listing": listing.pk,
        "description": listing.title,
        "category": listing.category or "other",
        "unit_cost": listing.cost,
        "frequency": FREQUENCY_FOR_UNIT.get(listing.cost_unit or "", Frequency.WEEKLY),
        "units": Decimal("1"),
    }


def _public_listing(listing_id: Any) -> Listing | None:
    if not str(listing_id or "").isdigit():
        return None
    return _deps.listings_public().select_related("organization").filter(pk=int(listing_id)).first()


def _plan_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    check = selectors.plan_run_check(plan)
    decision = selectors.plan_latest_decision(plan)
    return {
        "plan": plan,
        "check": check,
        "meter": presenters.meter_for(check.totals, plan.budget.client_contribution),
        "groups": presenters.line_groups(plan, check),
        "general_issues": presenters.general_issues(check),
        "decision": decision,
        "steps": presenters.status_steps(plan, decision),
        "polling": presenters.polling(plan),
        "status_token": presenters.status_token(plan),
        "editable": plan.status in EDITABLE_STATUSES,
        "agreed": plan.client_agreed_at is not None and plan.agreed_version == plan.version,
        "may_withdraw": plan.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED),
        "has_versions": plan.first_submitted_at is not None,
    }


def _builder(
    request: HttpRequest, plan: Plan, *, line_form: LineForm | None = None, details_form: PlanDetailsForm | None = None
) -> HttpResponse:
    context = _plan_context(request, plan)
    outcomes = list(plan.budget.outcomes)
    search = ListingSearchForm(request.GET or None)
    results: list[Listing] = []
    if search.is_valid() and search.cleaned_data["q"].strip():
        query = providers_selectors.ListingSearch(q=search.cleaned_data["q"].replace("\x00", "").strip())
        results = list(providers_selectors.listings_search(query)[:LISTING_RESULTS])
    chosen = _public_listing(request.GET.get("listing")) if line_form is None else None
    if line_form is None:
        line_form = LineForm(initial=_listing_initial(chosen) if chosen else {}, outcomes=outcomes)
    initial = {"summary": plan.summary, **{f"outcome_{c}": plan.outcome_descriptions.get(c, "") for c in outcomes}}
    context.update(
        search_form=search,
        searched=bool(search.is_valid() and search.cleaned_data["q"].strip()),
        results=results,
        chosen=chosen or _public_listing(line_form.data.get("listing") if line_form.is_bound else None),
        line_form=line_form,
        details_form=details_form or PlanDetailsForm(initial=initial, outcomes=outcomes),
    )
    return render(request, "plans/plan_builder.html", context)


@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The broker's builder, the client's plan in plain English; reviewers go to the review page."""
    plan = _plan(request, pk)
    user = _user(request)
    if user.pk == plan.broker_id:
        return _builder(request, plan)
    if user.pk == plan.client_id:
        context = {**_plan_context(request, plan), "ask_form": ChangeRequestForm()}
        return render(request, "plans/plan_client.html", context)
    return redirect("plans:review", pk=plan.pk)


@login_required
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The live status partial: htmx asks every few seconds; 204 while nothing has changed."""
    plan = _plan(request, pk)
    if request.GET.get("since") == presenters.status_token(plan):
        return HttpResponse(status=204)
    decision = selectors.plan_latest_decision(plan)
    context = {
        "plan": plan,
        "decision": decision,
        "steps": presenters.status_steps(plan, decision),
        "polling": presenters.polling(plan),
        "status_token": presenters.status_token(plan),
    }
    return render(request, "plans/_status.html", context)


@login_required
@require_POST
def plan_details(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = PlanDetailsForm(request.POST, outcomes=list(plan.budget.outcomes))
    if not form.is_valid():
        return _builder(request, plan, details_form=form)
    if _attempt(
        request,
        services.plan_update,
        plan=plan,
        by=_user(request),
        summary=form.cleaned_data["summary"],
        outcomes=form.outcome_items(),
    ):
        messages.success(request, "Draft saved.")
    return redirect(reverse("plans:plan", args=[plan.pk]) + "#details")


def _line_fields(form: LineForm) -> dict[str, Any]:
    fields = {name: form.cleaned_data[name] for name in ("description", "category", "unit_cost", "units", "frequency")}
    fields["outcomes"] = list(form.cleaned_data["outcomes"])
    return fields


def _save_line(request: HttpRequest, form: LineForm, action: Any, **target: Any) -> bool:
    """Call the line service; its refusals become errors on the form, so nothing typed is lost."""
    fields = _line_fields(form)
    if form.cleaned_data.get("listing"):
        listing = Listing.objects.select_related("organization").filter(pk=form.cleaned_data["listing"]).first()
        if listing is None:
            form.add_error(None, "That activity no longer exists. Search again.")
            return False
        fields["listing"] = listing
    try:
        action(by=_user(request), **target, **fields)
    except NotAllowed as refusal:
        raise PermissionDenied(refusal.message) from refusal
    except ServiceError as error:
        form.add_error(None, error.message)
        return False
    return True


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a line (typed, or from a listing). Saved at once: the draft is always the latest."""
    plan = _plan(request, pk)
    _refuse_unless(permissions.may_edit_plan(_user(request), plan))
    form = LineForm(request.POST, outcomes=list(plan.budget.outcomes))
    if form.is_valid() and _save_line(request, form, services.line_add, plan=plan):
        messages.success(request, f"Added “{form.cleaned_data['description']}”. Draft saved.")
        return redirect(reverse("plans:plan", args=[plan.pk]) + "#lines")
    return _builder(request, _plan(request, pk), line_form=form)


@login_required
def line_edit(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    _refuse_unless(permissions.may_edit_plan(_user(request), plan))
    line = get_object_or_404(PlanLine.objects.select_related("listing__organization"), pk=line_id, plan=plan)
    initial = {name: getattr(line, name) for name in ("description", "category", "unit_cost", "units", "frequency")}
    initial["outcomes"] = line.outcomes
    form = LineForm(request.POST or None, initial=initial, outcomes=list(plan.budget.outcomes))
    form.fields["listing"].disabled = True  # a line keeps its listing; choose another by adding a new line
    if request.method == "POST" and form.is_valid() and _save_line(request, form, services.line_update, line=line):
        messages.success(request, f"Changed “{form.cleaned_data['description']}”. Draft saved.")
        return redirect(reverse("plans:plan", args=[plan.pk]) + "#lines")
    return render(request, "plans/line_edit.html", {"plan": plan, "line": line, "form": form})


@login_required
@require_POST
def line_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = get_object_or_404(PlanLine, pk=line_id, plan=plan)
    if _attempt(request, services.line_remove, line=line, by=_user(request)):
        messages.success(request, f"Removed “{line.description}”. Draft saved.")
    return redirect(reverse("plans:plan", args=[plan.pk]) + "#lines")


@login_required
@require_POST
def plan_agree(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if _attempt(request, services.plan_agree, plan=plan, by=_user(request)):
        messages.success(request, "Thank you. You agreed to this plan. It can now be sent to KMPT.")
    return redirect("plans:plan", pk=plan.pk)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if _attempt(request, services.plan_submit, plan=plan, by=_user(request)):
        messages.success(request, "The plan was sent to KMPT. The automatic checks run first.")
    return redirect("plans:plan", pk=plan.pk)


@login_required
def plan_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the withdrawal."""
    plan = _plan(request, pk)
    _refuse_unless(permissions.may_withdraw_plan(_user(request), plan))
    if request.method == "POST":
        if _attempt(request, services.plan_withdraw, plan=plan, by=_user(request)):
            messages.success(request, "The plan was withdrawn.")
        return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/plan_withdraw.html", {"plan": plan})


@login_required
def plan_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """The client asks their broker to change something."""
    plan = _plan(request, pk)
    _refuse_unless(permissions.may_agree_plan(_user(request), plan))
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _attempt(
            request, notifications.plan_change_ask, plan=plan, by=_user(request), message=form.cleaned_data["message"]
        ):
            messages.success(request, "Your message was sent to your broker.")
        return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/plan_ask.html", {"plan": plan, "form": form})


# --- Versions and the PDF -------------------------------------------------------------------------------------------


@login_required
def plan_versions(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    decisions = {decision.version: decision for decision in plan.decisions.all()}
    versions = [(version, decisions.get(version.number)) for version in selectors.plan_versions_visible(plan)]
    return render(request, "plans/plan_versions.html", {"plan": plan, "versions": versions})


@login_required
def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan(request, pk)
    versions = selectors.plan_versions_visible(plan)
    version = get_object_or_404(versions, number=number)
    previous = versions.filter(number__lt=number).order_by("-number").first()
    decision = next((d for d in plan.decisions.all() if d.version == number), None)
    context = {
        "plan": plan,
        "version": version,
        "snapshot": version.snapshot,
        "groups": presenters.snapshot_groups(version.snapshot),
        "previous": previous,
        "diff": versions_diff(previous.snapshot, version.snapshot) if previous else None,
        "decision": decision,
    }
    return render(request, "plans/plan_version.html", context)


@login_required
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as a PDF, through the same permission check as the page (never a public media URL)."""
    plan = _plan(request, pk)
    response = HttpResponse(services.plan_pdf(plan=plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="support-plan-{plan.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The reviewer's desk ------------------------------------------------------------------------------------------


def _waiting_days(plan: Plan) -> int | None:
    if plan.submitted_at is None:
        return None
    return (timezone.localdate() - timezone.localdate(plan.submitted_at)).days


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """KMPT's queue, oldest submission first, with filters in the URL."""
    user = _user(request)
    _refuse_unless(permissions.is_reviewer(user))
    form = QueueFilterForm(request.GET or None)
    flags = {name: bool(form.is_valid() and form.cleaned_data[name]) for name in ("mine", "unassigned", "overdue")}
    queue = selectors.review_queue(user, **flags)
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    overdue_cutoff = selectors.overdue_cutoff(timezone.localdate())
    rows = [
        {
            "plan": plan,
            "waiting_days": _waiting_days(plan),
            "overdue": plan.submitted_at is not None and timezone.localdate(plan.submitted_at) <= overdue_cutoff,
        }
        for plan in page
    ]
    return render(request, "plans/review_queue.html", {"form": form, "page": page, "rows": rows, "flags": flags})


def _review_plan(request: HttpRequest, pk: int) -> Plan:
    plan = _plan(request, pk)
    _refuse_unless(permissions.is_reviewer(_user(request)))
    return plan


@login_required
def review_page(request: HttpRequest, pk: int, decision_form: DecisionForm | None = None) -> HttpResponse:
    """Everything a reviewer needs to decide: the frozen version, its check, the budget, history and the trail."""
    plan = _review_plan(request, pk)
    versions = list(selectors.plan_versions_visible(plan))
    under_review = versions[-1] if versions else None
    previous = versions[-2] if len(versions) > 1 else None
    check = check_plan(selectors.version_check_data(plan, under_review)) if under_review else None
    user = _user(request)
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
        "events": plan.events.select_related("by").order_by("created_at", "id"),
        "may_decide": permissions.may_decide_plan(user, plan) and plan.status == PlanStatus.IN_REVIEW,
        "may_claim": plan.status in (PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW) and plan.reviewer_id != user.pk,
        "decision_form": decision_form or DecisionForm(),
        "waiting_days": _waiting_days(plan),
    }
    return render(request, "plans/review.html", context)


@login_required
@require_POST
def review_claim(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _review_plan(request, pk)
    if _attempt(request, services.plan_claim, plan=plan, by=_user(request)):
        messages.success(request, "The plan is now assigned to you.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/reviews/") else reverse("plans:review", args=[plan.pk]))


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _review_plan(request, pk)
    guard = require_mfa_for_decisions(request)
    if guard is not None:
        return guard
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return review_page(request, pk, decision_form=form)
    data = form.cleaned_data
    if _attempt(
        request,
        services.plan_decide,
        plan=plan,
        by=_user(request),
        outcome=data["outcome"],
        reasons=data["reason_list"],
        note=data["note"],
    ):
        messages.success(request, "Your decision is recorded. The client and broker have been told.")
    return redirect("plans:review", pk=plan.pk)


# --- The notification centre --------------------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.notifications_of(_user(request)), 25).get_page(request.GET.get("page"))
    return render(request, "plans/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notification, pk=pk, recipient=_user(request))
    notifications.notification_read(notification=notice, by=_user(request))
    return redirect(notice.link or "plans:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_read_all(by=_user(request))
    messages.success(request, "All notifications are marked as read.")
    return redirect("plans:notifications")
