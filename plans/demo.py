"""Demo data: a Kent personal budget for client@example.org and a draft plan built by broker@example.org; a plan in
KMPT's queue; and client3@example.org's approved plan, some months old, with its first review held."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import Role
from brokers.models import OPEN_ENGAGEMENT_STATUSES, BrokerProfile, Engagement, EngagementStatus
from plans import _deps, services
from plans.models import Budget, Council, Decision, Eligibility, PaymentRoute, Plan, PlanVersion
from plans.services import add_months

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
    _approved_plan()


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
    shared = services.plan_share(plan=plan, by=broker)
    services.plan_agree(plan=plan, by=client, digest=shared.shared_digest)
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


def _budget(client, reviewer, *, amount=Decimal("3200.00"), outcomes=DEMO_OUTCOMES, assessed=None) -> Budget:  # type: ignore[no-untyped-def]
    assessed = assessed or timezone.localdate() - datetime.timedelta(days=30)
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


# --- client3: an approved plan in its first year -------------------------------------------------------------------

CLIENT3 = ("client3@example.org", "Robin Hale")
CLIENT3_OUTCOMES = ["community_and_recreation", "relationships"]
# (listing title in providers.demo, its category if the title is gone, outcomes): weekly, at two organisations, so
# the spending demo's Kent Card payments match each line by its organisation.
CLIENT3_LINES = [
    ("Gentle yoga for beginners", "yoga", ["community_and_recreation"]),
    ("Open studio for adults", "art_class", ["relationships", "community_and_recreation"]),
]
APPROVED_WEEKS_AGO = 15  # the spending demo imports the plan's first three months: they must have passed
FIRST_REVIEW_AFTER = datetime.timedelta(weeks=7)


@transaction.atomic
def _approved_plan() -> None:
    """Robin's plan through the real services (shared, agreed, submitted, checked, approved), then moved back in
    time, then its first review held (through the review service) seven weeks after the approval."""
    client = demo_user(*CLIENT3, Role.CLIENT)
    broker = demo_user("broker@example.org", "Jo Fletcher", Role.BROKER)
    reviewer = demo_user("reviewer@example.org", "Dr Helen Carter", Role.REVIEWER)
    if Plan.objects.filter(client=client).exists() or not _deps.broker_still_listed(broker):
        return  # KMPT's checks send a plan back while its broker is not listed (brokers.demo lists this one)
    approved_on = timezone.localdate() - datetime.timedelta(weeks=APPROVED_WEEKS_AGO)
    budget = Budget.objects.filter(client=client).first() or _budget(
        client, reviewer, amount=Decimal("1500.00"), outcomes=CLIENT3_OUTCOMES,
        assessed=approved_on - datetime.timedelta(weeks=6),
    )  # fmt: skip
    if not Engagement.objects.filter(client=client, broker=broker, status=EngagementStatus.ACTIVE).exists():
        Engagement.objects.create(
            client=client, broker=broker, status=EngagementStatus.ACTIVE, accepted_at=timezone.now()
        )
    plan = _client3_lines(services.plan_create(by=broker, client=client, budget=budget), broker)
    shared = services.plan_share(plan=plan, by=broker)
    services.plan_agree(plan=plan, by=client, digest=shared.shared_digest)
    services.plan_submit(plan=plan, by=broker)
    services.submission_process(plan_id=plan.pk, version=plan.version)
    services.plan_claim(plan=Plan.objects.get(pk=plan.pk), by=reviewer)
    services.plan_decide(
        plan=Plan.objects.get(pk=plan.pk), by=reviewer, outcome="approved", note="A clear plan. Enjoy the classes."
    )
    _back_date(plan, approved_on)
    services.outcome_views_record(
        plan=plan, by=client, views={"relationships": "I have got to know two people at the art studio."}
    )
    services.review_record(
        plan=Plan.objects.get(pk=plan.pk), by=reviewer, held_on=approved_on + FIRST_REVIEW_AFTER, result="continue",
        outcomes=[
            {"code": "community_and_recreation", "progress": "partly",
             "note": "Goes to yoga most weeks; finds the bus there hard on bad days."},
            {"code": "relationships", "progress": "achieved", "note": "Has made friends at the open studio."},
        ],
        client_view="The art studio is the best part of my week.",
        summary="Good start. Carry on; look at transport before the next review.",
    )  # fmt: skip


def _client3_lines(plan: Plan, broker: Any) -> Plan:
    services.plan_update(
        plan=plan, by=broker, summary="Robin wants to feel calmer, get out more and meet people.",
        outcomes=[
            {"code": "community_and_recreation", "description": "Get out of the flat twice a week."},
            {"code": "relationships", "description": "Make a friend or two."},
        ],
    )  # fmt: skip
    public = _deps.listings_public()
    for title, category, outcomes in CLIENT3_LINES:
        listing = public.filter(title=title).first() or public.filter(category=category).first()
        fields: dict[str, Any] = {"units": Decimal("1"), "frequency": "weekly", "outcomes": outcomes}
        if listing is None:
            fields.update(description=title, category=category, unit_cost=Decimal("5.00"))
        else:
            fields.update(listing=listing, unit_cost=listing.cost or Decimal("5.00"))
        services.line_add(plan=plan, by=broker, **fields)
    return plan


def _back_date(plan: Plan, approved_on: datetime.date) -> None:
    """Demo only, and on purpose round the services: move the submission and the approval back in time, so that the
    plan's year has begun some months ago and the spending demo's three months of Kent Card payments fall inside it.
    (The audit events keep the real time they were written: the trail cannot be rewritten, not even here.)"""
    decided_at = timezone.make_aware(datetime.datetime.combine(approved_on, datetime.time(11, 30)))
    submitted_at = decided_at - datetime.timedelta(days=3)
    Decision.objects.filter(plan=plan).update(decided_at=decided_at)
    PlanVersion.objects.filter(plan=plan).update(submitted_at=submitted_at)
    Plan.objects.filter(pk=plan.pk).update(
        first_submitted_at=submitted_at,
        submitted_at=submitted_at,
        review_first_on=approved_on + settings.PLAN_FIRST_REVIEW_AFTER,
        review_next_on=add_months(approved_on, settings.PLAN_REVIEW_EVERY_MONTHS),
    )
