"""Demo data: a Kent personal budget for client@example.org and a draft plan built by broker@example.org."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import Role
from brokers.models import OPEN_ENGAGEMENT_STATUSES, BrokerProfile, Engagement, EngagementStatus
from plans import _deps, services
from plans.models import Budget, Council, Eligibility, PaymentRoute, Plan

DEMO_OUTCOMES = ["community_and_recreation", "relationships", "work_education_volunteering"]

# (listing category, fallback description, fallback category, unit cost, units, frequency, outcomes)
DEMO_LINES = [
    (
        "art_class",
        "Weekly art class",
        "art_class",
        "12.00",
        "1",
        "weekly",
        ["community_and_recreation", "relationships"],
    ),
    ("walking_group", "Walking group", "walking_group", "3.00", "1", "weekly", ["community_and_recreation"]),
    (
        "employment_skills",
        "Confidence at work course",
        "employment_skills",
        "150.00",
        "1",
        "once",
        ["work_education_volunteering"],
    ),
    (None, "Support broker's fee", "brokerage_fee", "35.00", "6", "once", []),
]


def seed() -> None:
    _client_plan()
    _plan_in_review()


@transaction.atomic
def _plan_in_review() -> None:
    """A second client's plan waiting in KMPT's queue, so the reviewers' pages have something to show."""
    client = demo_user("jamie.client@example.org", "Jamie Lewis", Role.CLIENT)
    broker = demo_user("broker@example.org", "Jo Fletcher", Role.BROKER)
    reviewer = demo_user("reviewer@example.org", "Dr Helen Carter", Role.REVIEWER)
    if Plan.objects.filter(client=client).exists():
        return
    BrokerProfile.objects.get_or_create(user=broker)  # brokers.demo (seeded earlier) normally made it already
    budget = _budget(client, reviewer, amount=Decimal("1800.00"), outcomes=["community_and_recreation"])
    if not Engagement.objects.filter(client=client, broker=broker, status__in=OPEN_ENGAGEMENT_STATUSES).exists():
        Engagement.objects.create(
            client=client, broker=broker, status=EngagementStatus.ACTIVE, accepted_at=timezone.now()
        )
    plan = services.plan_create(by=broker, client=client, budget=budget)
    services.line_add(
        plan=plan,
        by=broker,
        description="Swimming sessions",
        category="sports_club",
        unit_cost=Decimal("5.50"),
        units=Decimal("1"),
        frequency="weekly",
        outcomes=["community_and_recreation"],
    )
    services.plan_agree(plan=plan, by=client)
    services.plan_submit(plan=plan, by=client)
    services.plan_claim(plan=plan, by=reviewer)


@transaction.atomic
def _client_plan() -> None:
    client = demo_user("client@example.org", "Alex Morgan", Role.CLIENT)
    broker = demo_user("broker@example.org", "Jo Fletcher", Role.BROKER)
    reviewer = demo_user("reviewer@example.org", "Dr Helen Carter", Role.REVIEWER)
    budget = Budget.objects.filter(client=client).first() or _budget(client, reviewer)
    engagement = Engagement.objects.filter(client=client, broker=broker, status__in=OPEN_ENGAGEMENT_STATUSES).first()
    if engagement is None:
        engagement = Engagement.objects.create(
            client=client, broker=broker, status=EngagementStatus.ACTIVE, accepted_at=timezone.now()
        )
    if engagement.status != EngagementStatus.ACTIVE or Plan.objects.filter(client=client, broker=broker).exists():
        return
    plan = services.plan_create(by=broker, client=client, budget=budget)
    services.plan_update(
        plan=plan,
        by=broker,
        summary="Alex wants to get out of the house more, make friends and feel ready to look for work.",
        outcomes=[
            {"code": "community_and_recreation", "description": "Go to a regular activity every week."},
            {"code": "relationships", "description": "Meet people with similar interests."},
            {"code": "work_education_volunteering", "description": "Build confidence to apply for part-time work."},
        ],
    )
    public = _deps.listings_public()
    for category, description, fallback_category, cost, units, frequency, outcomes in DEMO_LINES:
        listing = public.filter(category=category).first() if category else None
        fields = {"units": Decimal(units), "frequency": frequency, "outcomes": outcomes}
        if listing is None:
            fields.update(description=description, category=fallback_category, unit_cost=Decimal(cost))
        elif listing.cost is None:
            fields.update(listing=listing, unit_cost=Decimal(cost))
        else:
            fields.update(listing=listing)
        services.line_add(plan=plan, by=broker, **fields)


def _budget(client, reviewer, *, amount=Decimal("3200.00"), outcomes=DEMO_OUTCOMES) -> Budget:  # type: ignore[no-untyped-def]
    assessed = timezone.localdate() - datetime.timedelta(days=30)
    return services.budget_record(
        by=reviewer,
        client=client,
        council=Council.KENT,
        eligibility=Eligibility.SUBSTANTIAL,
        annual_amount=amount,
        client_contribution=Decimal("0.00"),
        assessed_on=assessed,
        review_on=assessed + datetime.timedelta(days=365),
        outcomes=outcomes,
        payment_route=PaymentRoute.KENT_CARD,
    )
