"""The broker's pages: the list of plans, starting one, and the builder (lines, summary, sharing, sending).
Every post saves the draft at once; htmx only swaps parts, and every page works without JavaScript."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from config.errors import ServiceError
from config.pages import raise_for_refusal
from config.throttles import page_limit
from plans import _deps, access, permissions, presenters, selectors, services
from plans.forms import LineForm, ListingSearchForm, PlanDetailsForm, PlanStartForm
from plans.models import Frequency, Plan, PlanLine
from plans.templatetags.plans_tags import money
from plans.views._common import attempt, plan_for, refuse_unless, user_of
from plans.views.after_approval import after_approval_context
from providers import selectors as providers_selectors
from providers.models import Listing

LISTING_RESULTS = 8
PLANS_PER_PAGE = 25
# How a listing's price unit becomes a line's frequency when a broker picks it.
FREQUENCY_FOR_UNIT = {
    "session": Frequency.WEEKLY,
    "hour": Frequency.WEEKLY,
    "week": Frequency.WEEKLY,
    "month": Frequency.MONTHLY,
    "year": Frequency.YEARLY,
    "once": Frequency.ONCE,
}


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if permissions.is_reviewer(user):
        return redirect("plans:reviews")
    refuse_unless(user.role in (Role.CLIENT, Role.BROKER) and not user.is_staff)
    plans = selectors.plans_for_list(user)
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    access.plans_read(user, page)
    return render(request, "plans/plan_list.html", {"plans": page, "page": page})


def _startable_clients(broker: User) -> tuple[list[User], list[User]]:
    """The broker's active clients with a budget, and those still waiting for KMPT to record one."""
    clients = User.objects.filter(pk__in=_deps.clients_with_active_engagement(broker)).order_by("name", "email")
    with_budget = set(selectors.clients_with_budget(clients))
    return [c for c in clients if c.pk in with_budget], [c for c in clients if c.pk not in with_budget]


@login_required
def plan_start(request: HttpRequest) -> HttpResponse:
    """A broker starts a draft plan for a client they work with, on the client's current budget."""
    user = user_of(request)
    refuse_unless(permissions.may_create_plan(user))
    clients, waiting = _startable_clients(user)
    open_plans = selectors.open_plans_of(clients)
    choices = [(c.pk, c.name or c.email) for c in clients if c.pk not in open_plans]
    form = PlanStartForm(request.POST or None, clients=choices)
    if request.method == "POST" and form.is_valid():
        client = next(c for c in clients if c.pk == form.cleaned_data["client"])
        budget = selectors.budget_current(client)
        try:
            plan = services.plan_create(by=user, client=client, budget=budget)  # type: ignore[arg-type]
        except ServiceError as error:
            raise_for_refusal(request, error)
            form.add_error(None, error.message)
        else:
            return redirect("plans:plan", pk=plan.pk)
    context = {"form": form, "clients": clients, "waiting": waiting, "open_plans": open_plans, "choices": choices}
    return render(request, "plans/plan_start.html", context)


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


def plan_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    """What the builder and the status panel show about a plan now."""
    check = selectors.plan_run_check(plan)
    decision = selectors.plan_latest_decision(plan)
    actions = permissions.plan_actions_for(user_of(request), plan)
    agreed = bool(plan.shared_at and plan.agreed_digest and plan.agreed_digest == plan.shared_digest)
    return {
        "plan": plan,
        "check": check,
        "actions": actions,
        "meter": presenters.meter_for(check.totals, plan.budget.client_contribution),
        "groups": presenters.line_groups(plan, check),
        "general_issues": presenters.general_issues(check),
        **presenters.status_context(plan, decision, audience="broker"),
        "editable": "edit" in actions,
        "shared": plan.shared_at is not None,
        "agreed": agreed,
        "agreed_by": presenters.agreed_by_text(plan) if agreed else "",
        "may_withdraw": "withdraw" in actions,
        "has_versions": plan.first_submitted_at is not None,
        "newer_budget": None if selectors.budget_is_current(plan) else selectors.budget_current(plan.client),
    }


def _news(text: str, focus: str) -> dict[str, str]:
    """What the builder's polite live region announces after an htmx swap, and where focus goes (a CSS selector)."""
    return {"text": text, "focus": focus}


def money_left(plan: Plan) -> str:
    """ "£1,234.00 left of £2,000.00 a year", or how far over the budget the plan is."""
    meter = presenters.meter_for(selectors.plan_run_check(plan).totals)
    if meter.over:
        return f"{money(meter.over_by)} over the budget of {money(meter.budget)} a year"
    return f"{money(meter.left)} left of {money(meter.budget)} a year"


def _line_name(line: PlanLine) -> str:
    return f"{line.description} at {line.listing.organization.name}" if line.listing else line.description


def _choice_news(request: HttpRequest, chosen: Listing | None, searched: bool, results: list[Listing]) -> Any:
    """Choosing a listing moves focus to its form; a search only says how many were found (the person types on)."""
    if not getattr(request, "htmx", False):
        return None
    if chosen is not None:
        return _news(
            f"{chosen.title} from {chosen.organization.name} chosen. Check the details, then add it.",
            "#line-form-heading",
        )
    if searched:
        found = f"{len(results)} {'activity' if len(results) == 1 else 'activities'} found"
        return _news(found, "")
    return None


def builder(
    request: HttpRequest,
    plan: Plan,
    *,
    line_form: LineForm | None = None,
    details_form: PlanDetailsForm | None = None,
    news: dict[str, str] | None = None,
) -> HttpResponse:
    context = {**plan_context(request, plan), **after_approval_context(request, plan)}
    outcomes = list(plan.budget.outcomes)
    search = ListingSearchForm(request.GET or None)
    results: list[Listing] = []
    searched = bool(search.is_valid() and search.cleaned_data["q"].strip())
    if searched:
        query = providers_selectors.ListingSearch(q=search.cleaned_data["q"].replace("\x00", "").strip())
        results = list(providers_selectors.listings_search(query)[:LISTING_RESULTS])
    chosen = _public_listing(request.GET.get("listing")) if line_form is None else None
    if line_form is None:
        line_form = LineForm(initial=_listing_initial(chosen) if chosen else {}, outcomes=outcomes)
    initial = {"summary": plan.summary, **{f"outcome_{c}": plan.outcome_descriptions.get(c, "") for c in outcomes}}
    details_form = details_form or PlanDetailsForm(initial=initial, outcomes=outcomes)
    failed = line_form.errors or details_form.errors
    context.update(
        search_form=search,
        searched=searched,
        results=results,
        chosen=chosen or _public_listing(line_form.data.get("listing") if line_form.is_bound else None),
        line_form=line_form,
        details_form=details_form,
        news=news,
        choice_news=_choice_news(request, chosen, searched, results),
        has_errors=bool(failed),
        # Without JavaScript the page reloads at its top: the error summary goes there, focused on load.
        errors_on_top=bool(failed) and not getattr(request, "htmx", False),
    )
    return render(request, "plans/plan_builder.html", context)


@login_required
@require_POST
def plan_details(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for(request, pk)
    form = PlanDetailsForm(request.POST, outcomes=list(plan.budget.outcomes))
    if not form.is_valid():
        return builder(request, plan, details_form=form)
    fields = {"summary": form.cleaned_data["summary"], "outcomes": form.outcome_items()}
    if attempt(request, services.plan_update, plan=plan, by=user_of(request), **fields):
        messages.success(request, "Draft saved.")
    return redirect(reverse("plans:plan", args=[plan.pk]) + "#details")


@login_required
@require_POST
def plan_move_budget(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the plan to the client's current budget, after KMPT recorded a correction."""
    plan = plan_for(request, pk)
    current = selectors.budget_current(plan.client)
    if current is not None and attempt(request, services.plan_update, plan=plan, by=user_of(request), budget=current):
        messages.success(request, "The plan now uses the client's current budget. Draft saved.")
    return redirect("plans:plan", pk=plan.pk)


def _line_fields(form: LineForm) -> dict[str, Any]:
    fields = {name: form.cleaned_data[name] for name in ("description", "category", "unit_cost", "units", "frequency")}
    fields["outcomes"] = list(form.cleaned_data["outcomes"])
    return fields


def _save_line(request: HttpRequest, form: LineForm, action: Any, **target: Any) -> PlanLine | None:
    """Call the line service; its refusals become errors on the form, so nothing typed is lost."""
    fields = _line_fields(form)
    if form.cleaned_data.get("listing"):
        listing = Listing.objects.select_related("organization").filter(pk=form.cleaned_data["listing"]).first()
        if listing is None:
            form.add_error(None, "That activity no longer exists. Search again.")
            return None
        fields["listing"] = listing
    try:
        line: PlanLine = action(by=user_of(request), **target, **fields)
    except ServiceError as error:
        raise_for_refusal(request, error)
        for field, problems in error.extra.items():
            if field in form.fields and isinstance(problems, list):
                form.add_error(field, problems)
        if not any(field in form.fields for field in error.extra):
            form.add_error(None, error.message)
        return None
    return line


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a line (typed, or from a listing). Saved at once: the draft is always the latest."""
    plan = plan_for(request, pk)
    refuse_unless("edit" in permissions.plan_actions_for(user_of(request), plan))
    form = LineForm(request.POST, outcomes=list(plan.budget.outcomes))
    line = _save_line(request, form, services.line_add, plan=plan) if form.is_valid() else None
    if line is None:
        failed = _news("The activity was not added. Fix the problems shown.", "#line-form .nhsuk-error-summary")
        return builder(request, plan_for(request, pk), line_form=form, news=failed)
    if getattr(request, "htmx", False):  # stay on the page: focus the new line, announce it and the money left
        plan = plan_for(request, pk)
        added = _news(f"Added {_line_name(line)}. {money_left(plan)}.", f"#line-{line.pk}-title")
        return builder(request, plan, news=added)
    left = money_left(plan_for(request, pk))
    messages.success(request, f"Added “{form.cleaned_data['description']}”. Draft saved. {left}.")
    return redirect(reverse("plans:plan", args=[plan.pk]) + f"#line-{line.pk}")


@login_required
def line_edit(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    plan = plan_for(request, pk)
    refuse_unless("edit" in permissions.plan_actions_for(user_of(request), plan))
    line = get_object_or_404(PlanLine.objects.select_related("listing__organization"), pk=line_id, plan=plan)
    initial: dict[str, Any] = {
        name: getattr(line, name) for name in ("description", "category", "unit_cost", "units", "frequency")
    }
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
    plan = plan_for(request, pk)
    line = get_object_or_404(PlanLine.objects.select_related("listing__organization"), pk=line_id, plan=plan)
    removed = attempt(request, services.line_remove, line=line, by=user_of(request))
    if removed and getattr(request, "htmx", False):  # focus the list, announce what went and the money left
        plan = plan_for(request, pk)
        return builder(request, plan, news=_news(f"Removed {_line_name(line)}. {money_left(plan)}.", "#lines"))
    if removed:
        messages.success(request, f"Removed “{line.description}”. Draft saved. {money_left(plan_for(request, pk))}.")
    elif getattr(request, "htmx", False):  # the refusal is said in the live region: htmx swaps only the workspace
        reason = " ".join(str(message) for message in messages.get_messages(request))
        return builder(request, plan_for(request, pk), news=_news(reason, "#lines"))
    return redirect(reverse("plans:plan", args=[plan.pk]) + "#lines")


@login_required
@require_POST
@page_limit("email")
def plan_share(request: HttpRequest, pk: int) -> HttpResponse:
    """The broker shares the plan as it is now with the client, to read and agree to."""
    plan = plan_for(request, pk)
    if attempt(request, services.plan_share, plan=plan, by=user_of(request)):
        name = plan.client.name or "Your client"
        messages.success(request, f"Shared. {name} has been told the plan is ready to read and agree to.")
    return redirect(reverse("plans:plan", args=[plan.pk]) + "#share")


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for(request, pk)
    if attempt(request, services.plan_submit, plan=plan, by=user_of(request)):
        messages.success(request, "The plan was sent to KMPT. The automatic checks run first, in a few seconds.")
    return redirect("plans:plan", pk=plan.pk)


@login_required
def plan_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the withdrawal."""
    plan = plan_for(request, pk)
    if "withdraw" not in permissions.plan_actions_for(user_of(request), plan):
        refuse_unless(bool(permissions.parties(user_of(request), plan) & {"client", "broker"}))
        messages.error(request, permissions.REFUSED_STATE["withdraw"])
        return redirect("plans:plan", pk=plan.pk)
    if request.method == "POST":
        if attempt(request, services.plan_withdraw, plan=plan, by=user_of(request)):
            messages.success(request, "The plan was withdrawn.")
        return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/plan_withdraw.html", {"plan": plan})
