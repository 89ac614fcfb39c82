"""The KMPT workflow: submission (freezing the agreed version), the checks on a worker, review and decisions."""

from __future__ import annotations

from datetime import date
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.mfa import second_factor_ensure
from accounts.models import User
from audit.services import service
from config.errors import InvalidTransition, NotAllowed
from plans import _deps, permissions, record, selectors
from plans.checks import check_plan
from plans.errors import PlanError
from plans.models import Decision, Plan, PlanStatus, PlanVersion
from plans.services._base import plan_event, plan_locked

logger = structlog.get_logger("waymark.workflow")


@service
def plan_submit(*, plan: Plan, by: User) -> Plan:
    """Freeze the shared, agreed, checked version and send it to KMPT; the workflow goes on on Celery after commit."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "submit")
    fresh = selectors.plans_with_details().get(pk=locked.pk)
    check = selectors.plan_run_check(fresh)
    if not check.ok:
        raise PlanError(
            "The plan cannot be sent yet: fix the problems listed.",
            code="check_failed",
            extra={"issues": [issue.as_dict() for issue in check.issues]},
        )
    agreed = locked.shared_at and locked.agreed_digest and locked.agreed_digest == locked.shared_digest
    if not agreed or record.plan_digest(fresh) != locked.agreed_digest:
        raise PlanError("The client has not agreed to this version of the plan yet.", code="not_agreed")
    now = timezone.now()
    from_status = locked.status
    locked.status = PlanStatus.SUBMITTED
    locked.submitted_at = locked.workflow_sent_at = now
    locked.first_submitted_at = locked.first_submitted_at or now
    locked.save()
    fresh.client_agreed_at, fresh.shared_at = locked.client_agreed_at, locked.shared_at
    PlanVersion.objects.create(
        plan=locked, number=locked.version, snapshot=record.plan_record(fresh, check), submitted_by=by, submitted_at=now
    )
    plan_event(locked, action="submitted", by=by, from_status=from_status)
    _deps.share_engagements_with_reviewers(client=locked.client, by=by)
    _enqueue_submission(locked.pk, locked.version)
    return locked


def _enqueue_submission(plan_id: int, version: int) -> None:
    """After commit, and never failing the request: the sweeper re-sends what an unreachable broker lost."""
    from plans.tasks import process_submission

    transaction.on_commit(lambda: process_submission.delay(plan_id, version), robust=True)


def _after_commit_render_pdf(plan_id: int, version: int) -> None:
    from plans.tasks import render_plan_pdf

    PlanVersion.objects.filter(plan_id=plan_id, number=version).update(render_sent_at=timezone.now(), render_resends=0)
    transaction.on_commit(lambda: render_plan_pdf.delay(plan_id, version), robust=True)


def _reviewer_for(plan: Plan) -> User | None:
    """Whoever reviewed the earlier version keeps the plan; otherwise the reviewer with fewest open reviews."""
    if plan.reviewer is not None and plan.reviewer.is_active and permissions.is_reviewer(plan.reviewer):
        return plan.reviewer
    return selectors.reviewer_with_fewest_open_reviews()


@service
def submission_process(*, plan_id: int, version: int) -> str:
    """Re-check the frozen version, then send it to a reviewer or back for changes. Idempotent per plan and version."""
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("broker", "client", "reviewer")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or plan.status != PlanStatus.SUBMITTED or plan.version != version:
        return "already_processed"
    frozen = PlanVersion.objects.defer("pdf", "decided_pdf").get(plan=plan, number=version)
    check = check_plan(selectors.version_check_data(plan, frozen))
    reasons = [issue.message for issue in check.errors]
    if not _deps.broker_still_listed(plan.broker):
        reasons.append("The support broker is not currently listed, so the plan cannot go to KMPT yet.")
    if reasons:
        plan.status = PlanStatus.CHANGES_REQUESTED
        plan.save(update_fields=["status", "updated_at"])
        Decision.objects.create(
            plan=plan, version=version, outcome=PlanStatus.CHANGES_REQUESTED, reasons=reasons, by=None,
            decided_at=timezone.now(),
        )  # fmt: skip
        plan_event(
            plan, action="checks_failed", by=None, from_status=PlanStatus.SUBMITTED, reason="\n".join(reasons),
            data={"reasons": reasons},
        )  # fmt: skip
    else:
        plan.status = PlanStatus.IN_REVIEW
        plan.reviewer = _reviewer_for(plan)
        plan.save(update_fields=["status", "reviewer", "updated_at"])
        plan_event(
            plan, action="review_started", by=None, from_status=PlanStatus.SUBMITTED,
            data={"reviewer": plan.reviewer_id},
        )  # fmt: skip
    _after_commit_render_pdf(plan.pk, version)
    return str(plan.status)


@service
def submission_failed(*, plan_id: int, version: int | None, reason: str) -> None:
    """A workflow task failed for good: say so on the plan's trail and in the logs (the sweeper will try again)."""
    logger.error("workflow_failed", plan=plan_id, version=version, error=reason.split(":", 1)[0])
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None and plan.status == PlanStatus.SUBMITTED:
        plan_event(
            plan, action="workflow_failed", by=None, from_status=plan.status, reason=reason[:500],
            data={"failed_version": version},
        )  # fmt: skip


def submissions_sweep() -> int:
    """Re-send submissions that made no progress: still submitted and not sent for a while. Each one waits twice
    as long before every further re-send, so a backlog (messages that are there, only slow) is never multiplied.
    Answers how many it re-sent."""
    from plans.tasks import process_submission

    now = timezone.now()
    threshold = settings.STALE_SUBMISSION_AFTER
    stuck = Plan.objects.filter(status=PlanStatus.SUBMITTED, workflow_sent_at__lt=now - threshold)
    resent = 0
    fields = ("pk", "version", "workflow_resends", "workflow_sent_at")
    for plan_id, version, resends, sent_at in stuck.values_list(*fields)[:500]:
        if sent_at >= now - threshold * (2 ** min(resends, 10)):
            continue
        # Claim the re-send: two sweepers at once never send one submission twice.
        claimed = Plan.objects.filter(pk=plan_id, workflow_sent_at=sent_at).update(
            workflow_sent_at=now, workflow_resends=resends + 1
        )
        if claimed:
            process_submission.delay(plan_id, version)
            resent += 1
    resent += _renders_resend(now, threshold)
    logger.info("submissions_swept", resent=resent)
    return resent


def _renders_resend(now: Any, threshold: Any) -> int:
    """Ask again for PDFs a lost message left unrendered, with the same claim and doubling wait as submissions."""
    from django.db.models import Q

    from plans.tasks import render_plan_pdf

    asked_long_ago = Q(render_sent_at__lt=now - threshold) | Q(
        render_sent_at__isnull=True, submitted_at__lt=now - threshold
    )
    waiting = (
        PlanVersion.objects.filter(asked_long_ago)
        .filter(Q(pdf__isnull=True) | Q(decided_pdf__isnull=True, plan__decisions__isnull=False))
        .exclude(plan__status=PlanStatus.SUBMITTED)
        .values_list("pk", "plan_id", "number", "render_resends", "render_sent_at", "submitted_at")
        .distinct()
    )
    resent = 0
    for pk, plan_id, number, resends, sent_at, submitted_at in waiting[:100]:
        if (sent_at or submitted_at) >= now - threshold * (2 ** min(resends, 10)):
            continue
        claimed = (
            PlanVersion.objects.filter(pk=pk, render_sent_at=sent_at)
            if sent_at
            else PlanVersion.objects.filter(pk=pk, render_sent_at__isnull=True)
        )
        if claimed.update(render_sent_at=now, render_resends=resends + 1):
            render_plan_pdf.delay(plan_id, number)
            resent += 1
    return resent


@service
def plan_claim(*, plan: Plan, by: User) -> Plan:
    """A reviewer takes the plan over (or takes an unassigned one)."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "claim")
    previous = locked.reviewer_id
    locked.reviewer = by
    locked.save(update_fields=["reviewer", "updated_at"])
    plan_event(locked, action="claimed", by=by, from_status=locked.status, data={"previous_reviewer": previous})
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


@service
def plan_decide(*, plan: Plan, by: User, outcome: str, reasons: list[str] | None = None, note: str = "") -> Plan:
    """The plan's reviewer decides. A conditional update from in_review: when two decisions race, one wins."""
    if outcome not in DECISION_STATUSES:
        raise PlanError("Choose approve, ask for changes or decline.", code="invalid_outcome")
    current = Plan.objects.get(pk=plan.pk)
    if not permissions.is_reviewer(by):
        raise NotAllowed("Only KMPT reviewers decide plans.")
    second_factor_ensure(by)
    if current.status == PlanStatus.IN_REVIEW:
        permissions.plan_require(by, current, "decide")
    reasons = [reason.strip() for reason in reasons or [] if reason.strip()]
    if outcome != "approved" and not reasons:
        raise PlanError("Give at least one reason.", code="reasons_required", extra={"reasons": ["Give a reason."]})
    to_status = DECISION_STATUSES[outcome]
    today = timezone.localdate()
    changes: dict[str, Any] = {"status": to_status, "updated_at": timezone.now()}
    if to_status == PlanStatus.APPROVED:
        changes["review_first_on"] = today + settings.PLAN_FIRST_REVIEW_AFTER
        changes["review_next_on"] = add_months(today, settings.PLAN_REVIEW_EVERY_MONTHS)
    won = Plan.objects.filter(pk=plan.pk, status=PlanStatus.IN_REVIEW, reviewer=by, version=current.version).update(
        **changes
    )
    if not won:
        raise InvalidTransition(permissions.REFUSED_STATE["decide"])
    decided = Plan.objects.select_related("client", "broker").get(pk=plan.pk)
    Decision.objects.create(
        plan=decided, version=decided.version, outcome=outcome, reasons=reasons, note=note, by=by,
        decided_at=changes["updated_at"],
    )  # fmt: skip
    plan_event(
        decided, action=outcome, by=by, from_status=PlanStatus.IN_REVIEW, reason=note or "\n".join(reasons),
        data={"reasons": reasons, "note": note},
    )  # fmt: skip
    if to_status == PlanStatus.APPROVED and decided.renews_id:
        from plans.services.renewal import predecessor_supersede

        predecessor_supersede(successor=decided, by=by)
    _after_commit_render_pdf(decided.pk, decided.version)
    return decided
