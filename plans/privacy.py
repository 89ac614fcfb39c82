"""What plans holds about a person, for their copy and their erasure (registered with accounts.registry)."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from accounts import registry
from audit.models import Event
from audit.serializers import EventSerializer
from plans.models import Budget, Notification, OutcomeView, Plan, PlanVersion

REMOVED = "[Removed at the writer's request]"

KEPT = [
    "Your personal budgets, support plans, the versions sent to KMPT and KMPT's decisions are kept, under a "
    "pseudonym: they are the council's record of how public money for your care was decided, which it must keep.",
    "The audit trail of those records is kept, under the same pseudonym, so that every decision stays accountable.",
]


def _budgets(person: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": budget.pk, "council": budget.council, "eligibility": budget.eligibility,
            "annual_amount": f"{budget.annual_amount:.2f}", "client_contribution": f"{budget.client_contribution:.2f}",
            "assessed_on": budget.assessed_on.isoformat(), "review_on": budget.review_on.isoformat(),
            "outcomes": budget.outcomes, "payment_route": budget.payment_route,
            "recorded_at": budget.created_at.isoformat(),
        }
        for budget in Budget.objects.filter(client=person).order_by("created_at")
    ]  # fmt: skip


def _plans(person: Any) -> list[dict[str, Any]]:
    from plans.serializers import DecisionSerializer, PlanSerializer

    plans = []
    for plan in Plan.objects.filter(client=person).select_related("client", "broker", "reviewer", "budget"):
        data = dict(PlanSerializer(plan).data)
        data["versions"] = [
            {"number": version.number, "submitted_at": version.submitted_at.isoformat(), "record": version.snapshot}
            for version in PlanVersion.objects.filter(plan=plan).defer("pdf", "decided_pdf").order_by("number")
        ]
        data["decisions"] = DecisionSerializer(plan.decisions.all(), many=True).data
        events = Event.objects.filter(record_type="plan", record_id=plan.pk).select_related("by")
        data["events"] = EventSerializer(events, many=True).data
        data["reviews"] = [
            {
                "held_on": review.held_on.isoformat(), "outcomes": review.outcomes, "client_view": review.client_view,
                "summary": review.summary, "result": review.result,
            }
            for review in plan.reviews.order_by("held_on")
        ]  # fmt: skip
        data["outcome_views"] = [
            {"outcome": view.outcome, "by": view.by.name, "text": view.text, "at": view.updated_at.isoformat()}
            for view in plan.outcome_views.select_related("by")
        ]
        plans.append(data)
    return plans


def _notifications(person: Any) -> list[dict[str, Any]]:
    return [
        {"kind": note.kind, "text": note.text, "at": note.created_at.isoformat(), "read": note.read_at is not None}
        for note in Notification.objects.filter(recipient=person).order_by("created_at")
    ]


def _erase_plans(person: Any, pseudonym: str) -> list[str]:
    """The client's own words in live plans go; the plans and their frozen versions stay (names scrubbed later).
    The stored PDFs of those versions are dropped: they print the name, and are rendered again, under the pseudonym,
    from the scrubbed record the next time anyone downloads one."""
    for plan in Plan.objects.filter(client=person):
        Plan.objects.filter(pk=plan.pk).update(
            summary="", outcome_descriptions=dict.fromkeys(plan.outcome_descriptions, "")
        )
    PlanVersion.objects.filter(plan__client=person).update(
        pdf=None, pdf_rendered_at=None, decided_pdf=None, decided_pdf_rendered_at=None
    )
    # What they wrote before a review ("how is it going"), and its history: the row stays so the review still shows
    # that a view was given.
    OutcomeView.objects.filter(by=person).update(text=REMOVED)
    apps.get_model("plans", "OutcomeViewHistory").objects.filter(by=person).update(text=REMOVED)
    return KEPT


def _erase_notifications(person: Any, pseudonym: str) -> list[str]:
    Notification.objects.filter(recipient=person).delete()
    return []


def _old_notifications(cutoff: Any) -> Any:
    return Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False)


def register() -> None:
    registry.register("budgets", export=_budgets)
    registry.register("plans", export=_plans, erase=_erase_plans)
    registry.register("notifications", export=_notifications, erase=_erase_notifications)
    registry.register_retention(
        "notifications",
        label="Notifications people have read",
        remove=lambda cutoff: _old_notifications(cutoff).delete()[0],
        due=lambda cutoff: _old_notifications(cutoff).count(),
    )
