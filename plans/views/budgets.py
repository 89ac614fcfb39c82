"""Budget pages (KMPT reviewers): find a client, record or correct their budget, or record one for someone new."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.mfa import decisions_blocked
from accounts.models import Role, User
from accounts.selectors import client_invitation_waiting
from config.errors import ServiceError
from config.pages import raise_for_refusal
from plans import access, permissions, selectors, services
from plans.forms import BudgetForm, ClientFindForm, InvitedClientBudgetForm
from plans.models import Budget
from plans.views._common import refuse_unless, user_of


def _clients_matching(words: str) -> QuerySet[User]:
    words = words.strip()
    return User.objects.filter(role=Role.CLIENT, is_active=True).filter(
        Q(email__iexact=words) | Q(email__istartswith=words) | Q(name__icontains=words)
    )[:20]


@login_required
def budget_find(request: HttpRequest) -> HttpResponse:
    """A reviewer finds a client by email or name, to record or correct their budget."""
    refuse_unless(permissions.may_record_budget(user_of(request)))
    form = ClientFindForm(request.GET or None)
    clients = _clients_matching(form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "plans/budget_find.html", {"form": form, "clients": clients})


def _record(request: HttpRequest, form: BudgetForm, here: str, **who: Any) -> Budget | None:
    """Record the budget; a rule's refusal (such as a route the council does not offer) goes on its field."""
    try:
        return services.budget_record(by=user_of(request), **who, **form.cleaned_data)
    except ServiceError as error:
        raise_for_refusal(request, error, next_url=here)
        fields = [name for name in error.extra if name in form.fields]
        for name in fields:
            form.add_error(name, error.extra[name])
        if not fields:
            form.add_error(None, error.message)
        return None


def _recorded_words(client: User) -> str:
    """The confirmation: the budget is recorded, and whether the person has an invitation or an account."""
    name = client.name or client.email
    if client_invitation_waiting(client) is not None:
        return (
            f"The personal budget for {name} is recorded. We have emailed {client.email} an invitation to set up "
            "their Waymark account. They will see the budget once they have signed in."
        )
    return (
        f"The personal budget for {name} is recorded. {client.email} already has a Waymark account, "
        "so the budget is added to it."
    )


@login_required
def budget_record_new(request: HttpRequest) -> HttpResponse:
    """A budget for someone by name and email: the same service as the API links their account or invites them."""
    refuse_unless(permissions.may_record_budget(user_of(request)))
    initial = {"client_email": request.GET.get("email", "")}
    form = InvitedClientBudgetForm(request.POST or None, initial=initial)
    here = reverse("plans:budget-new")
    if request.method == "POST" and form.is_valid():
        budget = _record(request, form, here)
        if budget is not None:
            messages.success(request, _recorded_words(budget.client))
            return redirect("plans:budget-record", client_id=budget.client_id)
    context = {"form": form, "second_factor_needed": decisions_blocked(user_of(request))}
    return render(request, "plans/budget_new.html", context)


@login_required
def budget_record(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record a client's personal budget and outcomes; a correction is a new budget, so the history stays."""
    refuse_unless(permissions.may_record_budget(user_of(request)))
    client = get_object_or_404(User, pk=client_id, role=Role.CLIENT)
    current = selectors.budget_current(client)
    form = BudgetForm(request.POST or None, initial=BudgetForm.initial_from(current))
    here = reverse("plans:budget-record", args=[client.pk])
    if request.method == "POST" and form.is_valid() and _record(request, form, here, client=client):
        messages.success(request, f"The personal budget for {client.name or client.email} is recorded.")
        return redirect(here)
    history = list(selectors.budgets_visible_to(user_of(request)).filter(client=client))
    access.budgets_read(user_of(request), history)
    context = {
        "form": form,
        "client": client,
        "current": current,
        "history": history,
        "invitation": client_invitation_waiting(client),
        "now": timezone.now(),
        "second_factor_needed": decisions_blocked(user_of(request)),
    }
    return render(request, "plans/budget_record.html", context)
