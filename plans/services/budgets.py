"""Personal budgets: recorded by KMPT reviewers; a correction is a new budget, so the history stays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.mfa import second_factor_ensure
from accounts.models import Role, User
from accounts.services import client_invite
from audit.services import event_record, service
from config.errors import NotAllowed
from plans import councils, permissions
from plans.errors import PlanError
from plans.models import BUDGET_MAX, Budget


def _field_error(field: str, message: str, code: str) -> PlanError:
    return PlanError(message, code=code, extra={field: [message]})


def _check_amounts(annual_amount: Decimal, client_contribution: Decimal) -> None:
    if not Decimal("0") <= annual_amount <= BUDGET_MAX:
        raise _field_error("annual_amount", f"Enter a yearly amount between £0 and £{BUDGET_MAX:,.0f}.", "invalid")
    if client_contribution < 0:
        raise _field_error("client_contribution", "The client's contribution cannot be negative.", "invalid")
    if client_contribution > annual_amount:
        raise _field_error(
            "client_contribution",
            "The client's contribution cannot be more than the whole budget.",
            "contribution_over_budget",
        )


@service
def budget_record(
    *,
    by: User,
    client: User | None = None,
    client_email: str = "",
    client_name: str = "",
    council: str,
    eligibility: str,
    annual_amount: Decimal,
    assessed_on: date,
    review_on: date,
    outcomes: list[str],
    payment_route: str,
    client_contribution: Decimal = Decimal("0.00"),
) -> Budget:
    """A reviewer records a client's personal budget; a correction is recorded as a new budget."""
    if not permissions.may_record_budget(by):
        raise NotAllowed("Only KMPT reviewers record personal budgets.")
    second_factor_ensure(by)
    if client is None:
        # Someone KMPT assessed before they ever heard of Waymark: their account is made and they are invited.
        client, _invited = client_invite(by=by, email=client_email, name=client_name)
    if client.role != Role.CLIENT:
        raise PlanError("A personal budget can only be recorded for a client.", code="not_a_client")
    if review_on < assessed_on:
        raise _field_error("review_on", "The review date cannot be before the assessment.", "invalid_dates")
    _check_amounts(annual_amount, client_contribution)
    refusal = councils.route_refusal(council, payment_route)
    if refusal:
        raise _field_error("payment_route", refusal, "payment_route_not_offered")
    previous = Budget.objects.filter(client=client).order_by("-created_at", "-id").first()
    budget = Budget.objects.create(
        client=client,
        council=council,
        eligibility=eligibility,
        annual_amount=annual_amount,
        client_contribution=client_contribution,
        assessed_on=assessed_on,
        review_on=review_on,
        outcomes=list(dict.fromkeys(outcomes)),
        payment_route=payment_route,
        recorded_by=by,
    )
    _tell_about_budget(budget, corrected=previous is not None)
    event_record(
        action="budget_corrected" if previous else "budget_recorded",
        record_type="budget",
        record_id=budget.pk,
        by=by,
        person=client,
        data={"supersedes": previous.pk if previous else None},
    )
    return budget


def _tell_about_budget(budget: Budget, *, corrected: bool) -> None:
    """The client (once they can sign in) and the brokers working with them hear that the budget is recorded."""
    from plans import _deps
    from plans.notifications import notify

    what = "corrected" if corrected else "recorded"
    client = budget.client
    if client.has_usable_password():
        notify(
            recipient=client, plan=None, kind="budget_recorded",
            text=f"KMPT has {what} your personal budget: £{budget.annual_amount:,.2f} a year.",
            email_subject=f"Your personal budget has been {what}",
            email_body=f"KMPT has {what} your personal budget. Sign in to see it and plan with your broker.",
        )  # fmt: skip
    for broker in _deps.brokers_working_with(client):
        notify(
            recipient=broker, plan=None, kind="budget_recorded",
            text=f"KMPT has {what} the personal budget of {client.name or 'your client'}. You can plan with them now.",
            email_subject=f"A client's personal budget has been {what}",
            email_body=f"KMPT has {what} the personal budget of one of your clients. Sign in to plan with them.",
        )  # fmt: skip
