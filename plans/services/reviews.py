"""Reviews of approved plans: KMPT's review (progress on each assessed outcome, what the client said, the result),
and what the client and broker say about each outcome before it ("my view").

A review moves the plan's next review date to 12 months after it was held, or clears it when the result is `end`.
The contract has no `ended` plan state, so an ended plan stays `approved` with no next review: the review's result
says it ended, the pages say so in words, and reminders stop because there is no date to remind of.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.services import service
from config.choices import Outcome
from plans import permissions
from plans.errors import PlanError
from plans.models import OutcomeView, Plan, PlanReview, ReviewProgress, ReviewResult
from plans.services._base import plan_event, plan_locked
from plans.services.workflow import add_months

NOTE_MAX = 5000
TEXT_MAX = 10000


def _label(code: str) -> str:
    return Outcome(code).label if code in Outcome.values else code


def _field_error(field: str, message: str, code: str, **extra: Any) -> PlanError:
    return PlanError(message, code=code, extra={field: [message], **extra})


def _clean_outcomes(plan: Plan, outcomes: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Exactly one entry for every assessed outcome, in the budget's order; 400 naming what is missing or wrong."""
    assessed = list(plan.budget.outcomes)
    given: dict[str, dict[str, Any]] = {}
    for item in outcomes:
        code = str(item.get("code", ""))
        if code in given:
            raise _field_error("outcomes", f"{_label(code)} is there twice: give it once.", "outcome_repeated")
        given[code] = item
    unknown = [code for code in given if code not in assessed]
    if unknown:
        names = ", ".join(f"{_label(code)} ({code})" for code in unknown)
        raise _field_error(
            "outcomes", f"Not among the client's assessed outcomes: {names}.", "outcome_not_assessed", unknown=unknown
        )
    missing = [code for code in assessed if code not in given]
    if missing:
        names = ", ".join(f"{_label(code)} ({code})" for code in missing)
        raise _field_error(
            "outcomes", f"Say how the client is doing with every assessed outcome. Missing: {names}.",
            "outcomes_missing", missing=missing,
        )  # fmt: skip
    cleaned = []
    for code in assessed:
        progress, note = str(given[code].get("progress", "")), str(given[code].get("note") or "").strip()
        if progress not in ReviewProgress.values:
            raise _field_error(
                "outcomes", f"Choose achieved, partly or not yet for {_label(code)}.", "invalid_progress"
            )
        if len(note) > NOTE_MAX:
            raise _field_error("outcomes", f"The note on {_label(code)} is too long.", "too_long")
        cleaned.append({"code": code, "progress": progress, "note": note})
    return cleaned


def _approved_on(plan: Plan) -> date | None:
    approvals = plan.decisions.filter(outcome="approved").order_by("-decided_at").values_list("decided_at", flat=True)
    decided_at = approvals.first()
    return timezone.localdate(decided_at) if decided_at else None


def _check_held_on(plan: Plan, held_on: date) -> None:
    if held_on > timezone.localdate():
        raise _field_error("held_on", "The review date cannot be in the future.", "held_in_future")
    approved_on = _approved_on(plan)
    if approved_on is not None and held_on < approved_on:
        when = approved_on.strftime("%-d %B %Y")
        raise _field_error(
            "held_on", f"A review is held after the plan was approved on {when}.", "held_before_approval"
        )
    latest = PlanReview.objects.filter(plan=plan).order_by("-held_on").values_list("held_on", flat=True).first()
    if latest is not None and held_on < latest:
        when = latest.strftime("%-d %B %Y")
        raise _field_error("held_on", f"The last review recorded was held on {when}: this one cannot be earlier.",
                           "held_before_last_review")  # fmt: skip


def _check_texts(result: str, client_view: str, summary: str) -> None:
    if result not in ReviewResult.values:
        raise _field_error("result", "Choose carry on, change the plan or end it.", "invalid_result")
    for field, value in (("client_view", client_view), ("summary", summary)):
        if len(value) > TEXT_MAX:
            raise _field_error(field, f"Keep it under {TEXT_MAX:,} characters.", "too_long")


RESULT_WORDS = {
    ReviewResult.CONTINUE: "carry on with the plan",
    ReviewResult.REVISE: "change the plan",
    ReviewResult.END: "end the plan",
}


@service
def review_record(
    *,
    plan: Plan,
    by: User,
    held_on: date,
    outcomes: list[dict[str, Any]],
    result: str,
    client_view: str = "",
    summary: str = "",
) -> PlanReview:
    """A KMPT reviewer records a review of an approved plan; its next review date follows (none after `end`)."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "review", state=False)
    cleaned = _clean_outcomes(locked, outcomes)
    client_view, summary = (client_view or "").strip(), (summary or "").strip()
    _check_texts(result, client_view, summary)
    _check_held_on(locked, held_on)
    permissions.plan_require(by, locked, "review")  # the state last: the contract's 400 before 409
    next_review_on = None if result == ReviewResult.END else add_months(held_on, settings.PLAN_REVIEW_EVERY_MONTHS)
    review = PlanReview.objects.create(
        plan=locked, held_on=held_on, outcomes=cleaned, client_view=client_view, summary=summary, result=result,
        next_review_on=next_review_on, by=by,
    )  # fmt: skip
    OutcomeView.objects.filter(plan=locked, review__isnull=True).update(review=review)
    locked.review_next_on = next_review_on
    locked.save(update_fields=["review_next_on", "updated_at"])
    held = held_on.strftime("%-d %B %Y")
    reason = f"KMPT reviewed the plan on {held}: {RESULT_WORDS[ReviewResult(result)]}."
    plan_event(
        locked, action="review_held", by=by, from_status=locked.status, reason=reason,
        data={
            "review": review.pk, "held_on": held_on.isoformat(), "result": result,
            "next_review_on": next_review_on.isoformat() if next_review_on else None,
        },
    )  # fmt: skip
    return review


@service
def outcome_views_record(*, plan: Plan, by: User, views: dict[str, str]) -> list[OutcomeView]:
    """The client or their broker says how each outcome is going, for the reviewer to read at the next review.
    Each person has one open view per outcome: writing again replaces it; an empty one takes it back."""
    locked = plan_locked(plan)
    permissions.plan_require(by, locked, "give_view", state=False)
    assessed = list(locked.budget.outcomes)
    unknown = [code for code in views if code not in assessed]
    if unknown:
        raise _field_error("views", "Only the client's assessed outcomes can have a view.", "outcome_not_assessed")
    too_long = [code for code, text in views.items() if len(text or "") > NOTE_MAX]
    if too_long:
        raise _field_error("views", f"Keep each view under {NOTE_MAX:,} characters.", "too_long")
    permissions.plan_require(by, locked, "give_view")
    changed = []
    for code in assessed:
        if code not in views:
            continue
        text = (views[code] or "").strip()
        open_views = OutcomeView.objects.filter(plan=locked, outcome=code, by=by, review__isnull=True)
        if not text:
            changed += [code] if open_views.delete()[0] else []
            continue
        current = open_views.first()
        if current is None:
            OutcomeView.objects.create(plan=locked, outcome=code, by=by, text=text)
        elif current.text != text:
            current.text = text
            current.save(update_fields=["text", "updated_at"])
        else:
            continue
        changed.append(code)
    if changed:
        plan_event(locked, action="outcome_views_given", by=by, from_status=locked.status, data={"outcomes": changed})
    return list(OutcomeView.objects.filter(plan=locked, by=by, review__isnull=True))
