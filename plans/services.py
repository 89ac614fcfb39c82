"""Every write to budgets and plans: permission, state, one transaction, an event, side effects after commit."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from config.api import InvalidTransition, NotAllowed, ServiceError
from config.choices import Outcome
from plans import _deps, permissions, selectors
from plans.models import (
    EDITABLE_STATUSES,
    LINE_CATEGORIES,
    Budget,
    Decision,
    Plan,
    PlanEvent,
    PlanLine,
    PlanStatus,
    PlanVersion,
    can_transition,
)

logger = logging.getLogger(__name__)


class PlanError(ServiceError):
    """A plan or budget rule said no (400)."""


# --- Budgets ---------------------------------------------------------------------------------------------------


def budget_record(
    *,
    by: User,
    client: User,
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
    if client.role != Role.CLIENT:
        raise PlanError("A personal budget can only be recorded for a client.", code="not_a_client")
    if review_on < assessed_on:
        raise PlanError("The review date cannot be before the assessment.", code="invalid_dates")
    return Budget.objects.create(
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


# --- Plans -----------------------------------------------------------------------------------------------------


def _event(plan: Plan, *, action: str, by: User | None, from_status: str, data: dict | None = None) -> PlanEvent:
    from plans.notifications import plan_event_notify

    event = PlanEvent.objects.create(
        plan=plan,
        action=action,
        by=by,
        from_status=from_status,
        to_status=plan.status,
        version=plan.version,
        data=data or {},
    )
    # The people concerned are told in this transaction; their emails leave on Celery after commit.
    plan_event_notify(event)
    return event


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("budget").get(pk=plan.pk)


@transaction.atomic
def plan_create(*, by: User, client: User, budget: Budget) -> Plan:
    """A broker starts a draft plan for a client they are actively working with, on the client's current budget."""
    if not permissions.may_create_plan(by):
        raise NotAllowed("Only support brokers create plans.")
    if not _deps.active_engagement(client, by):
        raise NotAllowed("You can only plan with a client you are actively working with.", code="no_active_engagement")
    if budget.client_id != client.pk:
        raise PlanError("This budget belongs to someone else.", code="budget_not_clients")
    current = selectors.budget_current(client)
    if current is None or current.pk != budget.pk:
        raise PlanError("Use the client's current budget: a newer one has been recorded.", code="budget_not_current")
    plan = Plan.objects.create(client=client, broker=by, budget=budget)
    _event(plan, action="created", by=by, from_status="", data={"budget": budget.pk})
    return plan


def _begin_write(plan: Plan, by: User) -> tuple[Plan, str]:
    """Lock the plan for a broker's edit: editable state only; reopens the plan as a draft without agreement."""
    locked = _locked(plan)
    if not permissions.may_edit_plan(by, locked):
        raise NotAllowed("Only the client's broker changes the plan.")
    if locked.status not in EDITABLE_STATUSES:
        raise InvalidTransition(f"A plan that is {locked.get_status_display().lower()} cannot be changed.")
    from_status = locked.status
    if PlanVersion.objects.filter(plan=locked, number=locked.version).exists():
        locked.version += 1  # the first edit after a submission starts the next version
    locked.status = PlanStatus.DRAFT
    locked.client_agreed_at = None
    locked.agreed_version = None
    return locked, from_status


def _finish_write(plan: Plan, by: User, from_status: str, action: str, data: dict) -> None:
    plan.save()
    _event(plan, action=action, by=by, from_status=from_status, data=data)


def _clean_outcomes(plan: Plan, outcomes: list[str]) -> list[str]:
    assessed = set(plan.budget.outcomes)
    unknown = [code for code in outcomes if code not in assessed]
    if unknown:
        raise PlanError(
            f"These outcomes are not among the client's assessed outcomes: {', '.join(unknown)}.",
            code="outcome_not_assessed",
        )
    return list(dict.fromkeys(outcomes))


@transaction.atomic
def plan_update(
    *, plan: Plan, by: User, summary: str | None = None, outcomes: list[dict[str, str]] | None = None
) -> Plan:
    """The broker changes the summary or what each assessed outcome means for the client."""
    locked, from_status = _begin_write(plan, by)
    if summary is not None:
        locked.summary = summary
    if outcomes is not None:
        codes = _clean_outcomes(locked, [item["code"] for item in outcomes])
        descriptions = {item["code"]: item.get("description", "") for item in outcomes}
        locked.outcome_descriptions = {**locked.outcome_descriptions, **{code: descriptions[code] for code in codes}}
    _finish_write(
        locked,
        by,
        from_status,
        "updated",
        {"fields": [k for k, v in (("summary", summary), ("outcomes", outcomes)) if v is not None]},
    )
    return locked


LINE_FIELDS = ("description", "category", "listing", "unit_cost", "units", "frequency", "outcomes")


def _apply_line_fields(line: PlanLine, plan: Plan, fields: dict[str, Any], *, creating: bool) -> None:
    listing = fields.get("listing", line.listing if not creating else None)
    newly_chosen = "listing" in fields and listing is not None and (creating or listing.pk != line.listing_id)
    if newly_chosen and _deps.listing_unavailable(listing):  # type: ignore[arg-type]
        raise PlanError("That activity is not available: choose a published listing.", code="listing_unavailable")
    for name, value in fields.items():
        setattr(line, name, _clean_outcomes(plan, value) if name == "outcomes" else value)
    if listing is not None and creating:
        # The fields sent win; what was left out comes from the listing.
        if "description" not in fields:
            line.description = listing.title
        if "category" not in fields:
            line.category = listing.category or "other"
        if "unit_cost" not in fields:
            if listing.cost is None:
                raise PlanError("This listing has no price: give a unit cost.", code="unit_cost_required")
            line.unit_cost = listing.cost
    missing = [name for name in ("description", "category", "unit_cost", "frequency") if not _present(line, name)]
    if missing:
        raise PlanError(
            f"Missing: {', '.join(missing)}.",
            code="required",
            extra={name: ["This field is required."] for name in missing},
        )
    if line.category not in LINE_CATEGORIES:
        raise PlanError(f"Unknown category “{line.category}”.", code="invalid_category")


def _present(line: PlanLine, name: str) -> bool:
    value = getattr(line, name)
    return value is not None and value != ""


@transaction.atomic
def line_add(*, plan: Plan, by: User, **fields: Any) -> PlanLine:
    """The broker adds a line; with a listing, omitted description, category and unit cost come from it."""
    locked, from_status = _begin_write(plan, by)
    line = PlanLine(plan=locked, units=Decimal("1"), outcomes=[])
    _apply_line_fields(line, locked, fields, creating=True)
    line.save()
    _finish_write(locked, by, from_status, "line_added", {"line": line.pk, "description": line.description})
    return line


@transaction.atomic
def line_update(*, line: PlanLine, by: User, **fields: Any) -> PlanLine:
    """The broker changes a line."""
    locked, from_status = _begin_write(line.plan, by)
    line = PlanLine.objects.select_related("listing__organization").get(pk=line.pk, plan=locked)
    _apply_line_fields(line, locked, fields, creating=False)
    line.save()
    _finish_write(locked, by, from_status, "line_updated", {"line": line.pk, "fields": sorted(fields)})
    return line


@transaction.atomic
def line_remove(*, line: PlanLine, by: User) -> None:
    """The broker removes a line."""
    locked, from_status = _begin_write(line.plan, by)
    data = {"line": line.pk, "description": line.description}
    PlanLine.objects.filter(pk=line.pk, plan=locked).delete()
    _finish_write(locked, by, from_status, "line_removed", data)


@transaction.atomic
def plan_agree(*, plan: Plan, by: User) -> Plan:
    """The client agrees to the plan as it is now (its current version)."""
    locked = _locked(plan)
    if not permissions.may_agree_plan(by, locked):
        raise NotAllowed("Only the client agrees to their plan.")
    if locked.status != PlanStatus.DRAFT:
        raise InvalidTransition("Only a draft plan can be agreed to.")
    locked.client_agreed_at = timezone.now()
    locked.agreed_version = locked.version
    locked.save(update_fields=["client_agreed_at", "agreed_version", "updated_at"])
    _event(locked, action="agreed", by=by, from_status=locked.status)
    return locked


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The whole plan, its totals and its check, as plain JSON: what a submission freezes."""
    from plans.serializers import PlanSnapshotSerializer

    plan = selectors.plans_with_details().get(pk=plan.pk)
    return PlanSnapshotSerializer(plan).data


@transaction.atomic
def plan_submit(*, plan: Plan, by: User) -> Plan:
    """Freeze the agreed, checked version and send it to KMPT; the workflow continues on Celery after commit."""
    locked = _locked(plan)
    if not permissions.may_submit_plan(by, locked):
        raise NotAllowed("Only the client or their broker submits the plan.")
    if not can_transition(locked.status, PlanStatus.SUBMITTED):
        raise InvalidTransition("Only a draft plan can be submitted. Make the changes asked for first.")
    check = selectors.plan_run_check(locked)
    if not check.ok:
        raise PlanError(
            "The plan cannot be sent yet: fix the problems listed.",
            code="check_failed",
            extra={"issues": [issue.as_dict() for issue in check.issues]},
        )
    if locked.client_agreed_at is None or locked.agreed_version != locked.version:
        raise PlanError("The client has not agreed to this version of the plan yet.", code="not_agreed")
    now = timezone.now()
    from_status = locked.status
    locked.status = PlanStatus.SUBMITTED
    locked.submitted_at = now
    locked.first_submitted_at = locked.first_submitted_at or now
    locked.save()
    PlanVersion.objects.create(
        plan=locked, number=locked.version, snapshot=plan_snapshot(locked), submitted_by=by, submitted_at=now
    )
    _event(locked, action="submitted", by=by, from_status=from_status)
    _enqueue_submission(locked.pk, locked.version)
    return locked


def _enqueue_submission(plan_id: int, version: int) -> None:
    """After commit, and never failing the request: the sweeper re-sends what an unreachable broker lost."""
    from plans.tasks import process_submission

    def send() -> None:
        process_submission.delay(plan_id, version)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def plan_withdraw(*, plan: Plan, by: User) -> Plan:
    """The client or broker withdraws a plan that KMPT has not started reviewing."""
    locked = _locked(plan)
    if not permissions.may_withdraw_plan(by, locked):
        raise NotAllowed("Only the client or their broker withdraws the plan.")
    if not can_transition(locked.status, PlanStatus.WITHDRAWN):
        raise InvalidTransition("This plan can no longer be withdrawn.")
    from_status = locked.status
    locked.status = PlanStatus.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, action="withdrawn", by=by, from_status=from_status)
    return locked


def outcome_codes() -> list[str]:
    return list(Outcome.values)


# --- The KMPT workflow -------------------------------------------------------------------------------------------


def _after_commit_render_pdf(plan_id: int, version: int) -> None:
    from plans.tasks import render_plan_pdf

    transaction.on_commit(lambda: render_plan_pdf.delay(plan_id, version), robust=True)


def _reviewer_for(plan: Plan) -> User | None:
    """Whoever reviewed the earlier version keeps the plan; otherwise the reviewer with fewest open reviews."""
    if plan.reviewer is not None and plan.reviewer.is_active and permissions.is_reviewer(plan.reviewer):
        return plan.reviewer
    return selectors.reviewer_with_fewest_open_reviews()


@transaction.atomic
def submission_process(*, plan_id: int, version: int) -> str:
    """Re-check the frozen version, then send it to a reviewer or back for changes. Idempotent per plan and version."""
    from plans.checks import check_plan
    from plans.models import Decision

    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("broker", "client", "reviewer")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or plan.status != PlanStatus.SUBMITTED or plan.version != version:
        return "already_processed"
    frozen = PlanVersion.objects.defer("pdf").get(plan=plan, number=version)
    check = check_plan(selectors.version_check_data(plan, frozen))
    reasons = [issue.message for issue in check.errors]
    if not _deps.broker_still_listed(plan.broker):
        reasons.append("The support broker is not currently listed, so the plan cannot go to KMPT yet.")
    now = timezone.now()
    if reasons:
        plan.status = PlanStatus.CHANGES_REQUESTED
        plan.save(update_fields=["status", "updated_at"])
        Decision.objects.create(
            plan=plan, version=version, outcome=PlanStatus.CHANGES_REQUESTED, reasons=reasons, by=None, decided_at=now
        )
        _event(plan, action="checks_failed", by=None, from_status=PlanStatus.SUBMITTED, data={"reasons": reasons})
        outcome = PlanStatus.CHANGES_REQUESTED
    else:
        plan.status = PlanStatus.IN_REVIEW
        plan.reviewer = _reviewer_for(plan)
        plan.save(update_fields=["status", "reviewer", "updated_at"])
        _event(
            plan,
            action="review_started",
            by=None,
            from_status=PlanStatus.SUBMITTED,
            data={"reviewer": plan.reviewer_id},
        )
        outcome = PlanStatus.IN_REVIEW
    _after_commit_render_pdf(plan.pk, version)
    return outcome


@transaction.atomic
def submission_failed(*, plan_id: int, version: int | None, reason: str) -> None:
    """A workflow task failed for good: say so on the plan's trail (the sweeper will try again)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None and plan.status == PlanStatus.SUBMITTED:
        _event(
            plan,
            action="workflow_failed",
            by=None,
            from_status=plan.status,
            data={"version": version, "reason": reason[:500]},
        )


def submissions_sweep() -> int:
    """Re-send submissions nobody has carried on after the threshold: a lost message never means lost work."""
    from django.conf import settings

    from plans.tasks import process_submission, render_plan_pdf

    cutoff = timezone.now() - settings.STALE_SUBMISSION_AFTER
    stuck = list(Plan.objects.filter(status=PlanStatus.SUBMITTED, submitted_at__lt=cutoff).values_list("pk", "version"))
    for plan_id, version in stuck:
        process_submission.delay(plan_id, version)
    unrendered = PlanVersion.objects.filter(pdf__isnull=True, submitted_at__lt=cutoff).exclude(
        plan__status=PlanStatus.SUBMITTED
    )
    for plan_id, number in unrendered.values_list("plan_id", "number")[:100]:
        render_plan_pdf.delay(plan_id, number)
    return len(stuck)


@transaction.atomic
def plan_claim(*, plan: Plan, by: User) -> Plan:
    """A reviewer takes the plan over (or takes an unassigned one)."""
    from plans.models import OPEN_REVIEW_STATUSES

    if not permissions.is_reviewer(by):
        raise NotAllowed("Only KMPT reviewers claim plans.")
    locked = _locked(plan)
    if locked.status not in OPEN_REVIEW_STATUSES:
        raise InvalidTransition("Only a plan waiting for review can be claimed.")
    previous = locked.reviewer_id
    locked.reviewer = by
    locked.save(update_fields=["reviewer", "updated_at"])
    _event(locked, action="claimed", by=by, from_status=locked.status, data={"previous_reviewer": previous})
    return locked


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


DECISION_STATUSES = {
    "approved": PlanStatus.APPROVED,
    "changes_requested": PlanStatus.CHANGES_REQUESTED,
    "declined": PlanStatus.DECLINED,
}


@transaction.atomic
def plan_decide(*, plan: Plan, by: User, outcome: str, reasons: list[str] | None = None, note: str = "") -> Plan:
    """The plan's reviewer decides. A conditional update from in_review: when two decisions race, one wins."""
    from django.conf import settings

    from plans.models import Decision

    if not permissions.is_reviewer(by):
        raise NotAllowed("Only KMPT reviewers decide plans.")
    to_status = DECISION_STATUSES[outcome]
    current = Plan.objects.get(pk=plan.pk)
    if current.status == PlanStatus.IN_REVIEW and not permissions.may_decide_plan(by, current):
        raise NotAllowed("Only the plan's reviewer decides. Claim the plan first.", code="not_your_review")
    today = timezone.localdate()
    changes: dict[str, Any] = {"status": to_status, "updated_at": timezone.now()}
    if to_status == PlanStatus.APPROVED:
        changes["review_first_on"] = today + settings.PLAN_FIRST_REVIEW_AFTER
        changes["review_next_on"] = add_months(today, settings.PLAN_REVIEW_EVERY_MONTHS)
    won = Plan.objects.filter(pk=plan.pk, status=PlanStatus.IN_REVIEW, reviewer=by, version=current.version).update(
        **changes
    )
    if not won:
        raise InvalidTransition("This plan is not waiting for a decision: someone may have just decided it.")
    decided = Plan.objects.select_related("client", "broker").get(pk=plan.pk)
    Decision.objects.create(
        plan=decided,
        version=decided.version,
        outcome=outcome,
        reasons=list(reasons or []),
        note=note,
        by=by,
        decided_at=changes["updated_at"],
    )
    _event(
        decided,
        action=outcome,
        by=by,
        from_status=PlanStatus.IN_REVIEW,
        data={"reasons": list(reasons or []), "note": note},
    )
    return decided


def plan_pdf_render(*, plan_id: int, version: int) -> bool:
    """Render a submitted version's PDF once and keep it; running again changes nothing."""
    frozen = PlanVersion.objects.defer("pdf").filter(plan_id=plan_id, number=version).first()
    if frozen is None or PlanVersion.objects.filter(pk=frozen.pk, pdf__isnull=False).exists():
        return False
    pdf = render_pdf(frozen.snapshot, version=version, submitted_at=frozen.submitted_at)
    return bool(
        PlanVersion.objects.filter(pk=frozen.pk, pdf__isnull=True).update(pdf=pdf, pdf_rendered_at=timezone.now())
    )


def render_pdf(
    snapshot: dict[str, Any],
    *,
    version: int | None,
    submitted_at: Any = None,
    decision: Decision | None = None,
    review_dates: tuple[Any, Any] | None = None,
) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML

    context = {
        "plan": snapshot,
        "version": version,
        "submitted_at": submitted_at,
        "decision": decision,
        "review_first": review_dates[0] if review_dates else None,
        "review_next": review_dates[1] if review_dates else None,
    }
    return HTML(string=render_to_string("plans/plan_pdf.html", context)).write_pdf()


def plan_pdf(*, plan: Plan) -> bytes:
    """The stored PDF of the newest submitted version, or a fresh rendering (of the draft, if never submitted)."""
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    decision = plan.decisions.filter(version=latest.number).first() if latest is not None else None
    if latest is not None and decision is not None:
        # Decided: the submitted version with KMPT's decision and the review dates it set.
        dates = (plan.review_first_on, plan.review_next_on) if plan.review_first_on else None
        return render_pdf(
            latest.snapshot,
            version=latest.number,
            submitted_at=latest.submitted_at,
            decision=decision,
            review_dates=dates,
        )
    if latest is not None and latest.pdf is not None:
        return bytes(latest.pdf)
    if latest is not None and plan.version == latest.number:
        return render_pdf(latest.snapshot, version=latest.number, submitted_at=latest.submitted_at)
    return render_pdf(plan_snapshot(plan), version=None)
