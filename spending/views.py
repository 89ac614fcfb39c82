"""Thin HTML views over spending's services and selectors: the spending page, uploads and their progress, hand
matches. Every page works without JavaScript; htmx only refreshes an import's progress in place."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from config.errors import ServiceError
from config.pages import raise_for_refusal
from config.throttles import page_limit
from plans import access
from plans.models import Plan
from spending import charts, permissions, presenters, selectors, services
from spending.forms import MatchForm, StatementUploadForm
from spending.models import Statement, StatementStatus, Transaction

TRANSACTIONS_PER_PAGE = 25
SHOW = {"all": {}, "flagged": {"flagged": True}, "unmatched": {"unmatched": True}}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _plan(request: HttpRequest, pk: int) -> Plan:
    """The plan if this person may see it (its statements' reading noted in the access log); 404 otherwise."""
    plan = get_object_or_404(selectors.spending_plans_visible_to(_user(request)), pk=pk)
    if request.method == "GET":
        access.statements_read(_user(request), plan)
    return plan


def plan_page_url(user: User, plan: Plan) -> str:
    return (
        reverse("plans:review", args=[plan.pk]) if user.role == Role.REVIEWER else reverse("plans:plan", args=[plan.pk])
    )


def _spending_context(request: HttpRequest, plan: Plan, *, upload_form: StatementUploadForm | None) -> dict[str, Any]:
    user = _user(request)
    spending = selectors.plan_spending(plan)
    show = request.GET.get("show", "all") if request.GET.get("show") in SHOW else "all"
    payments = Paginator(selectors.transactions_of(plan, **SHOW[show]), TRANSACTIONS_PER_PAGE)
    page = payments.get_page(request.GET.get("page"))
    return {
        "plan": plan,
        "spending": spending,
        "chart": charts.burn_down_chart(spending.period, spending.budget, spending.points),
        "chart_text": presenters.burn_down_text(spending),
        "flag_counts": presenters.flag_counts(spending),
        "actions": permissions.spending_actions(user, plan),
        "upload_form": upload_form or StatementUploadForm(),
        "statements": selectors.statements_of(plan)[:10],
        "page": page,
        "rows": [{"payment": payment, "flags": presenters.flag_list(payment)} for payment in page.object_list],
        "show": show,
        "is_client": permissions.is_plan_client(user, plan),
        "plan_url": plan_page_url(user, plan),
    }


@login_required
def spending_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Per line planned to date, spent and left; the year's burn-down; statements; payments and their flags."""
    plan = _plan(request, pk)
    if not permissions.spending_started(plan):
        return render(
            request, "spending/not_started.html", {"plan": plan, "plan_url": plan_page_url(_user(request), plan)}
        )
    return render(request, "spending/spending.html", _spending_context(request, plan, upload_form=None))


@login_required
@require_POST
@page_limit("render")  # as the API's upload: each file is parsed by a task
def statement_upload(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not permissions.spending_actions(_user(request), plan).upload:
        raise PermissionDenied
    form = StatementUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = services.statement_upload(
                plan=plan, by=_user(request), file_name=upload.name or "", content=upload.read()
            )
        except ServiceError as error:
            raise_for_refusal(request, error, next_url=request.path)
            form.add_error("file", error.message)
        else:
            return redirect("spending:statement", pk=plan.pk, statement_id=statement.pk)
    context = _spending_context(request, plan, upload_form=form)
    return render(request, "spending/spending.html", context)


def _statement(request: HttpRequest, pk: int, statement_id: int) -> tuple[Plan, Statement]:
    plan = _plan(request, pk)
    return plan, get_object_or_404(selectors.statements_of(plan), pk=statement_id)


@login_required
def statement_page(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """One import's result: what was added, what was already here, the rows we could not read (and why)."""
    plan, statement = _statement(request, pk, statement_id)
    return render(request, "spending/statement.html", {"plan": plan, "statement": statement})


@login_required
def statement_progress(request: HttpRequest, pk: int, statement_id: int) -> HttpResponse:
    """The progress partial htmx asks for while a large file is imported; 204 while nothing has moved."""
    plan, statement = _statement(request, pk, statement_id)
    if statement.status == StatementStatus.PROCESSING and request.GET.get("since") == str(statement.processed):
        return HttpResponse(status=204)
    return render(request, "spending/_statement_progress.html", {"plan": plan, "statement": statement})


@login_required
def transaction_match(request: HttpRequest, pk: int, transaction_id: int) -> HttpResponse:
    """Say which line a payment pays for (or none); the client or their broker."""
    plan = _plan(request, pk)
    if not permissions.spending_started(plan):
        return redirect("spending:spending", pk=plan.pk)
    payment: Transaction = get_object_or_404(selectors.transactions_of(plan), pk=transaction_id)
    if not permissions.spending_actions(_user(request), plan).match:
        raise PermissionDenied
    lines = [(line.pk, presenters.line_label(line)) for line in plan.lines.all()]
    initial = {
        "line": str(payment.line_id) if payment.line_id else ("none" if payment.match_source == "by_hand" else "")
    }
    form = MatchForm(request.POST if request.method == "POST" else None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        line = next((line for line in plan.lines.all() if line.pk == form.line_id()), None)
        try:
            services.transaction_match(transaction=payment, by=_user(request), line=line)
        except ServiceError as error:
            raise_for_refusal(request, error, next_url=request.path)
            form.add_error("line", error.message)
        else:
            messages.success(request, f"Saved: the payment of £{payment.amount:,.2f} on {payment.date:%-d %B %Y}.")
            return redirect(reverse("spending:spending", args=[plan.pk]) + "#payments")
    return render(
        request,
        "spending/match.html",
        {"plan": plan, "payment": payment, "form": form, "flags": presenters.flag_list(payment)},
    )
