"""Reads: every queryset that reaches a person starts here, scoped to what they may see."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from plans import _deps
from plans.checks import CheckResult, LineData, PlanData, check_plan
from plans.models import OPEN_REVIEW_STATUSES, Budget, Decision, Plan, PlanLine, PlanStatus, PlanVersion

OVERDUE_AFTER_WORKING_DAYS = 5


def budgets_visible_to(user: User) -> QuerySet[Budget]:
    """Clients their own; brokers those of clients in an active engagement; reviewers all."""
    budgets = Budget.objects.select_related("client", "recorded_by")
    if user.role == Role.CLIENT:
        return budgets.filter(client=user)
    if user.role == Role.BROKER:
        return budgets.filter(client_id__in=_deps.clients_with_active_engagement(user))
    if user.role == Role.REVIEWER:
        return budgets
    return budgets.none()


def budget_current(client: User) -> Budget | None:
    """The newest budget is the current one."""
    return Budget.objects.filter(client=client).order_by("-created_at", "-id").first()


def plans_with_details() -> QuerySet[Plan]:
    lines = PlanLine.objects.select_related("listing__organization")
    return Plan.objects.select_related("client", "broker", "reviewer", "budget").prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("decisions", queryset=Decision.objects.select_related("by"))
    )


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """Its client and broker always; reviewers once it has been submitted; nobody else."""
    plans = plans_with_details()
    if user.role == Role.CLIENT:
        return plans.filter(client=user)
    if user.role == Role.BROKER:
        return plans.filter(broker=user)
    if user.role == Role.REVIEWER:
        return plans.filter(first_submitted_at__isnull=False)
    return plans.none()


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


def plan_check_data(plan: Plan) -> PlanData:
    today = timezone.localdate()
    return PlanData(
        budget=plan.budget.annual_amount,
        assessed_outcomes=tuple(plan.budget.outcomes),
        lines=tuple(_line_data(line, today) for line in plan.lines.all()),
        broker_interest_organization_ids=frozenset(_deps.interest_org_ids(plan.broker)),
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
                annual_cost=_decimal(line["annual_cost"]),
                outcomes=tuple(line["outcomes"]),
                listing_id=line["listing"]["id"] if line.get("listing") else None,
                listing_unavailable=listing is None or _deps.listing_unavailable(listing)
                if line.get("listing")
                else False,
                listing_stale=bool(listing and _deps.listing_stale(listing, today=today)),
                organization_id=listing.organization_id if listing else None,
                organization_name=listing.organization.name if listing else "",
            )
        )
    return PlanData(
        budget=_decimal(snapshot["budget"]["annual_amount"]),
        assessed_outcomes=tuple(snapshot["budget"]["outcomes"]),
        lines=tuple(lines),
        broker_interest_organization_ids=frozenset(_deps.interest_org_ids(plan.broker)),
    )


def _decimal(value: str):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    return Decimal(value)


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
    plans = plans_with_details().filter(status__in=OPEN_REVIEW_STATUSES)
    if mine:
        plans = plans.filter(reviewer=reviewer)
    if unassigned:
        plans = plans.filter(reviewer__isnull=True)
    if overdue:
        plans = plans.filter(submitted_at__date__lte=overdue_cutoff(timezone.localdate()))
    return plans.order_by("submitted_at", "id")


def reviewer_with_fewest_open_reviews() -> User | None:
    """Share the work: the active reviewer with the fewest plans in review (ties go to the longest-serving)."""
    open_reviews = Count("plans_to_review", filter=Q(plans_to_review__status=PlanStatus.IN_REVIEW))
    return (
        User.objects.filter(role=Role.REVIEWER, is_active=True)
        .annotate(open_reviews=open_reviews)
        .order_by("open_reviews", "id")
        .first()
    )
