"""Reads: every queryset that reaches a person starts here, scoped to what they may see."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import clients_represented_by
from plans import _deps
from plans.checks import CheckResult, LineData, PlanData, check_plan
from plans.models import (
    OPEN_REVIEW_STATUSES,
    Budget,
    Decision,
    OutcomeView,
    Plan,
    PlanLine,
    PlanReview,
    PlanStatus,
    PlanVersion,
)

OVERDUE_AFTER_WORKING_DAYS = 5


def budgets_visible_to(user: User) -> QuerySet[Budget]:
    """Clients their own; brokers those of clients in an active engagement; a representative those of the clients
    they act for (within `view`); reviewers all."""
    budgets = Budget.objects.select_related("client", "recorded_by")
    represented = Q(client_id__in=clients_represented_by(user, "view"))
    if user.role == Role.CLIENT:
        return budgets.filter(Q(client=user) | represented)
    if user.role == Role.BROKER:
        return budgets.filter(Q(client_id__in=_deps.clients_with_active_engagement(user)) | represented)
    if user.role == Role.REVIEWER:
        return budgets
    return budgets.filter(represented)


def budget_current(client: User) -> Budget | None:
    """The newest budget is the current one."""
    return Budget.objects.filter(client=client).order_by("-created_at", "-id").first()


def budget_current_visible_to(user: User, client: User) -> Budget | None:
    """The client's current budget, if this person may see it."""
    return budgets_visible_to(user).filter(client=client).order_by("-created_at", "-id").first()


def plans_with_details(*, listings: bool = True) -> QuerySet[Plan]:
    """Plans with what their pages and the API show. The shared record (the whole plan as JSON, for the client's
    page alone) is left out: decoding it for every row was most of a page of plans' time. Lists of plans in the API
    show each line's listing by id only (`listings=False`): fetching every listing and organisation doubled their
    time."""
    lines = PlanLine.objects.all()
    if listings:
        lines = lines.select_related("listing__organization").defer(
            "listing__search_vector", "listing__description", "listing__accessibility", "listing__schedule"
        )
    return (
        Plan.objects.select_related("client", "broker", "reviewer", "budget")
        .defer("shared_record")
        .prefetch_related(
            Prefetch("lines", queryset=lines), Prefetch("decisions", queryset=Decision.objects.select_related("by"))
        )
    )


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """Its client always; its broker while their engagement with the client is active (404 once it ended);
    reviewers once it has been submitted; nobody else."""
    plans = plans_with_details()
    represented = Q(client_id__in=clients_represented_by(user, "view"))
    if user.role == Role.CLIENT:
        return plans.filter(Q(client=user) | represented)
    if user.role == Role.BROKER:
        return plans.filter(Q(broker=user, client_id__in=_deps.clients_with_active_engagement(user)) | represented)
    if user.role == Role.REVIEWER:
        return plans.filter(first_submitted_at__isnull=False)
    return plans.filter(represented)


def plans_for_list(user: User) -> QuerySet[Plan]:
    """The plans a person sees in their list: the people, not the lines (a busy broker has hundreds)."""
    return (
        plans_visible_to(user)
        .prefetch_related(None)
        .select_related("client", "broker")
        .defer("shared_record", "outcome_descriptions", "summary")
        .order_by("-updated_at", "-id")
    )


def clients_with_budget(clients: Any) -> set[int]:
    return set(Budget.objects.filter(client__in=clients).values_list("client_id", flat=True).distinct())


def open_plans_of(clients: list[User]) -> dict[int, Plan]:
    """Each client's plan that is not finished yet (at most one, by a database constraint)."""
    from plans.models import OPEN_STATUSES

    plans = Plan.objects.filter(client__in=clients, status__in=OPEN_STATUSES).only("pk", "client_id", "status")
    return {plan.client_id: plan for plan in plans}


def clients_with_submitted_plans(reviewer: User) -> QuerySet:
    """Ids of the clients whose submitted plan this reviewer can see (every reviewer sees every submitted plan)."""
    if reviewer.role != Role.REVIEWER:
        return Plan.objects.none().values("client_id")
    return Plan.objects.filter(first_submitted_at__isnull=False).values("client_id")


def reviewer_can_see_client(reviewer: User, client: User) -> bool:
    """Reviewers may read the engagements of clients whose submitted plan they can see."""
    return clients_with_submitted_plans(reviewer).filter(client_id=client.pk).exists()


def plan_latest_decision(plan: Plan) -> Decision | None:
    decisions = list(plan.decisions.all())
    return decisions[-1] if decisions else None


def _line_data(line: PlanLine, today: date) -> LineData:
    listing = line.listing
    return LineData(
        id=line.pk,
        description=line.description,
        category=line.category,
        annual_cost=line.annual_cost,
        outcomes=tuple(line.outcomes),
        listing_id=line.listing_id,
        listing_title=listing.title if listing else "",
        listing_unavailable=_deps.listing_unavailable(listing) if listing else False,
        listing_stale=_deps.listing_stale(listing, today=today) if listing else False,
        organization_id=listing.organization_id if listing else None,
        organization_name=listing.organization.name if listing else "",
    )


def budget_is_current(plan: Plan, budget_id: int | None = None) -> bool:
    current = Budget.objects.filter(client_id=plan.client_id).order_by("-created_at", "-id").values("pk").first()
    return current is not None and current["pk"] == (budget_id if budget_id is not None else plan.budget_id)


def plan_check_data(plan: Plan) -> PlanData:
    today = timezone.localdate()
    return PlanData(
        budget=plan.budget.annual_amount,
        assessed_outcomes=tuple(plan.budget.outcomes),
        lines=tuple(_line_data(line, today) for line in plan.lines.all()),
        broker_interest_organization_ids=frozenset(_deps.interest_org_ids(plan.broker)),
        budget_current=budget_is_current(plan),
    )


def plan_run_check(plan: Plan) -> CheckResult:
    return check_plan(plan_check_data(plan))


def version_check_data(plan: Plan, version: PlanVersion) -> PlanData:
    """The frozen version's lines, judged against the listings and interests as they are now."""
    snapshot = version.snapshot
    today = timezone.localdate()
    listings = _deps.listings_by_id(line["listing"]["id"] for line in snapshot["lines"] if line.get("listing"))
    lines = []
    for line in snapshot["lines"]:
        listing = listings.get(line["listing"]["id"]) if line.get("listing") else None
        lines.append(
            LineData(
                id=line["id"],
                description=line["description"],
                category=line["category"],
                annual_cost=Decimal(line["annual_cost"]),
                outcomes=tuple(line["outcomes"]),
                listing_id=line["listing"]["id"] if line.get("listing") else None,
                listing_title=line["listing"].get("title", "") if line.get("listing") else "",
                listing_unavailable=listing is None or _deps.listing_unavailable(listing)
                if line.get("listing")
                else False,
                listing_stale=bool(listing and _deps.listing_stale(listing, today=today)),
                organization_id=listing.organization_id if listing else None,
                organization_name=listing.organization.name if listing else "",
            )
        )
    return PlanData(
        budget=Decimal(snapshot["budget"]["annual_amount"]),
        assessed_outcomes=tuple(snapshot["budget"]["outcomes"]),
        lines=tuple(lines),
        broker_interest_organization_ids=frozenset(_deps.interest_org_ids(plan.broker)),
        budget_current=budget_is_current(plan, snapshot["budget"].get("id")),
    )


def plan_versions_visible(plan: Plan) -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(plan=plan).select_related("submitted_by").defer("pdf").order_by("number")


def overdue_cutoff(today: date) -> date:
    """The latest submission date that has waited the overdue number of working days (weekends skipped)."""
    day, counted = today, 0
    while counted < OVERDUE_AFTER_WORKING_DAYS:
        if day.weekday() < 5:
            counted += 1
        day -= timedelta(days=1)
    return day


def review_queue(
    reviewer: User, *, mine: bool = False, unassigned: bool = False, overdue: bool = False
) -> QuerySet[Plan]:
    """Plans waiting for KMPT, oldest submission first."""
    plans = plans_with_details(listings=False).filter(status__in=OPEN_REVIEW_STATUSES)
    if mine:
        plans = plans.filter(reviewer=reviewer)
    if unassigned:
        plans = plans.filter(reviewer__isnull=True)
    if overdue:
        plans = plans.filter(submitted_at__date__lte=overdue_cutoff(timezone.localdate()))
    return plans.order_by("submitted_at", "id")


def reviewer_with_fewest_open_reviews() -> User | None:
    """Share the work: the active reviewer with the fewest plans in review (ties go to the longest-serving).
    Each reviewer's count is read from the partial index of plans in review, never the whole plans table: `COUNT(*)`
    (not of the id) lets PostgreSQL count from the index alone, 0.7 ms instead of 4.9 ms for 60 reviewers and 6,378
    plans in review (issue 19's EXPLAIN), where counting ids visited each plan's row."""
    in_review = (
        Plan.objects.filter(reviewer=OuterRef("pk"), status=PlanStatus.IN_REVIEW)
        .order_by()
        .values("reviewer")
        .annotate(count=Count("*"))
        .values("count")
    )
    return (
        User.objects.filter(role=Role.REVIEWER, is_active=True)
        .annotate(open_reviews=Coalesce(Subquery(in_review, output_field=IntegerField()), 0))
        .order_by("open_reviews", "id")
        .first()
    )


def plan_events(plan: Plan) -> list[dict[str, Any]]:
    """The plan's whole trail: what the services recorded, and any change to the plan or its lines that went round
    them (raw SQL, a shell), read from the database-level history, oldest first."""
    from audit.selectors import events_of, history_outside_services
    from audit.serializers import EventSerializer
    from plans.models import PlanHistory, PlanLineHistory  # type: ignore[attr-defined]  # made by pghistory

    recorded = EventSerializer(events_of("plan", plan.pk), many=True).data
    outside = [
        *history_outside_services(PlanHistory.objects.filter(pgh_obj_id=plan.pk)),
        *history_outside_services(PlanLineHistory.objects.filter(plan_id=plan.pk)),
    ]
    return sorted([*recorded, *(_outside_event(row) for row in outside)], key=lambda event: str(event["at"]))


def _outside_event(row: Any) -> dict[str, Any]:
    what = "a line" if hasattr(row, "plan_id") else "the plan"
    status = getattr(row, "status", None)
    return {
        "id": None,
        "at": row.pgh_created_at.isoformat(),
        "by": None,
        "on_behalf_of": None,
        "action": f"changed_outside_the_service_{row.pgh_label}",
        "from": None,
        "to": status,
        "reason": f"{what.capitalize()} was changed directly in the database ({row.pgh_label}), not through Waymark.",
        "via": "system",
        "version": getattr(row, "version", None),
        "data": {"table": row._meta.model_name, "object": row.pgh_obj_id},
    }


# --- After approval: reviews, views before them, and the thread of renewals ----------------------------------------


def plan_reviews(plan: Plan) -> QuerySet[PlanReview]:
    """The plan's reviews, newest first, with the client's and broker's views each one took in."""
    views = OutcomeView.objects.select_related("by").order_by("outcome", "created_at", "id")
    return (
        PlanReview.objects.filter(plan=plan)
        .select_related("by")
        .prefetch_related(Prefetch("views_before", queryset=views))
        .order_by("-held_on", "-id")
    )


def outcome_views_open(plan: Plan) -> QuerySet[OutcomeView]:
    """What the client and broker have said about each outcome since the last review."""
    return OutcomeView.objects.filter(plan=plan, review__isnull=True).select_related("by").order_by("outcome", "id")


def plan_thread(plan: Plan) -> dict[str, Any]:
    """The plans around this one in its history: the plan it renews and its renewals (newest first). Only ids,
    dates and states: each link is followed through the reader's own `plans_visible_to`."""
    earlier = None
    if plan.renews_id is not None:
        earlier = Plan.objects.filter(pk=plan.renews_id).only("pk", "status", "created_at").first()
    later = list(Plan.objects.filter(renews=plan).only("pk", "status", "created_at").order_by("-created_at", "-id"))
    return {"renews": earlier, "renewals": later}


def plan_renewal_note(plan: Plan) -> str:
    """What renewal copied and left out, in plain words, for a plan started as next year's plan."""
    from audit.selectors import events_of

    if plan.renews_id is None:
        return ""
    started = events_of("plan", plan.pk).filter(action="renewal_started").last()
    return started.reason if started else ""
