"""The plan as a document: a tagged, accessible PDF of a version, rendered once and kept (never from a public URL)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from plans import presenters, record, selectors
from plans.models import Decision, DecisionOutcome, Plan, PlanVersion


def render_pdf(
    snapshot: dict[str, Any],
    *,
    version: int | None,
    submitted_at: Any = None,
    decision: Decision | None = None,
    review_dates: tuple[Any, Any] | None = None,
    reviews: list[Any] | None = None,
) -> bytes:
    """A tagged PDF (PDF/UA), with its title and language set, from a frozen record; once approved, with its reviews
    and the spending chart (`spending_tags`, which shows nothing for a plan that is not approved)."""
    from weasyprint import HTML

    context = {
        "plan": snapshot,
        "version": version,
        "submitted_at": submitted_at,
        "decision": decision,
        "review_first": review_dates[0] if review_dates else None,
        "review_next": review_dates[1] if review_dates else None,
        "reviews": [presenters.review_view(review) for review in reviews or []],
    }
    html = render_to_string("plans/plan_pdf.html", context)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def _decided_pdf(plan: Plan, frozen: PlanVersion, decision: Decision) -> bytes:
    dates = (plan.review_first_on, plan.review_next_on) if plan.review_first_on else None
    return render_pdf(
        frozen.snapshot, version=frozen.number, submitted_at=frozen.submitted_at, decision=decision, review_dates=dates
    )


def plan_pdf_render(*, plan_id: int, version: int) -> bool:
    """Render a submitted version's PDF once and keep it, and once decided the decided one; running again changes
    nothing."""
    frozen = PlanVersion.objects.defer("pdf", "decided_pdf").filter(plan_id=plan_id, number=version).first()
    if frozen is None:
        return False
    rendered = False
    if not PlanVersion.objects.filter(pk=frozen.pk, pdf__isnull=False).exists():
        pdf = render_pdf(frozen.snapshot, version=version, submitted_at=frozen.submitted_at)
        rendered |= bool(
            PlanVersion.objects.filter(pk=frozen.pk, pdf__isnull=True).update(pdf=pdf, pdf_rendered_at=timezone.now())
        )
    decision = Decision.objects.filter(plan_id=plan_id, version=version).select_related("by").first()
    if decision is not None and not PlanVersion.objects.filter(pk=frozen.pk, decided_pdf__isnull=False).exists():
        pdf = _decided_pdf(frozen.plan, frozen, decision)
        rendered |= bool(
            PlanVersion.objects.filter(pk=frozen.pk, decided_pdf__isnull=True).update(
                decided_pdf=pdf, decided_pdf_rendered_at=timezone.now()
            )
        )
    return rendered


def _approved_pdf(plan: Plan, latest: PlanVersion, decision: Decision) -> bytes:
    """An approved plan's PDF is rendered when asked for: its spending and review dates move on after the decision,
    so the copy kept at the decision (`decided_pdf`, the record of what was decided) would soon be out of date."""
    current = Plan.objects.only("review_first_on", "review_next_on").get(pk=plan.pk)
    dates = (current.review_first_on, current.review_next_on) if current.review_first_on else None
    return render_pdf(
        latest.snapshot, version=latest.number, submitted_at=latest.submitted_at, decision=decision,
        review_dates=dates, reviews=list(selectors.plan_reviews(plan).order_by("held_on", "id")),
    )  # fmt: skip


def plan_pdf(*, plan: Plan) -> bytes:
    """The newest submitted version as a PDF (with KMPT's decision once decided), from the stored copy when it is
    ready, rendered now (and kept) when it is not; a plan never submitted is rendered from its current state, and an
    approved one is rendered now, with its reviews and spending to date."""
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    if latest is None:
        fresh = selectors.plans_with_details().get(pk=plan.pk)
        return render_pdf(record.plan_record(fresh, selectors.plan_run_check(fresh)), version=None)
    decision = plan.decisions.filter(version=latest.number).select_related("by").first()
    if decision is not None and decision.outcome == DecisionOutcome.APPROVED:
        return _approved_pdf(plan, latest, decision)
    if decision is not None:
        if latest.decided_pdf is None:
            plan_pdf_render(plan_id=plan.pk, version=latest.number)
            latest.refresh_from_db(fields=["decided_pdf"])
        return bytes(latest.decided_pdf or b"")
    if latest.pdf is None:
        plan_pdf_render(plan_id=plan.pk, version=latest.number)
        latest.refresh_from_db(fields=["pdf"])
    return bytes(latest.pdf or b"")
