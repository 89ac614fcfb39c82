"""An approved plan with three lines at real-looking organisations, and everyone who might ask about it."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from brokers.models import Engagement, EngagementStatus
from plans.models import Decision, Plan, PlanStatus
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, ListingFactory, OrganizationFactory, PlanFactory

FILES = Path(__file__).resolve().parent / "files"
APPROVED_ON = datetime.date(2026, 1, 5)  # the test statements are for January to March 2026


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def approve(plan: Plan, reviewer, *, on: datetime.date = APPROVED_ON) -> Plan:
    """Approved by KMPT on that day (made directly: the workflow that leads here is the plans app's to test)."""
    decided_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(11)))
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPROVED, reviewer=reviewer, first_submitted_at=decided_at, submitted_at=decided_at
    )
    Decision.objects.create(plan=plan, version=plan.version, outcome="approved", by=reviewer, decided_at=decided_at)
    return Plan.objects.get(pk=plan.pk)


def lines_for(plan: Plan) -> dict:
    """Weekly art at Thanet Arts Hub (£8.50), weekly yoga at Kent Wellbeing Collective (£6), a monthly gym at
    Medway Community Sport Trust (£22)."""
    made = {}
    for key, organisation, title, category, cost, unit, frequency in [
        ("art", "Thanet Arts Hub", "Open studio art group", "art_class", "8.50", "session", "weekly"),
        ("yoga", "Kent Wellbeing Collective", "Gentle yoga for beginners", "yoga", "6.00", "session", "weekly"),
        ("gym", "Medway Community Sport Trust", "Wellbeing gym membership", "gym", "22.00", "month", "monthly"),
    ]:
        listing = ListingFactory(
            organization=OrganizationFactory(name=organisation),
            title=title,
            category=category,
            cost=Decimal(cost),
            cost_unit=unit,
        )
        made[key] = LineFactory(
            plan=plan,
            listing=listing,
            description=title,
            category=category,
            unit_cost=Decimal(cost),
            frequency=frequency,
            outcomes=["community_and_recreation"],
        )
    return made


@pytest.fixture
def plan_draft(db, client_user, broker_user, reviewer_user):
    plan = PlanFactory(
        budget__client=client_user,
        budget__recorded_by=reviewer_user,
        budget__annual_amount=Decimal("2000.00"),
        budget__outcomes=["community_and_recreation"],
        broker=broker_user,
    )
    lines_for(plan)
    return plan


@pytest.fixture
def plan(plan_draft, reviewer_user):
    """The approved plan (on 5 January 2026), between client_user and broker_user, reviewed by reviewer_user."""
    return approve(plan_draft, reviewer_user)


@pytest.fixture
def lines(plan):
    return {line.listing.organization.name: line for line in plan.lines.select_related("listing__organization")}


@pytest.fixture
def ended_broker(db, reviewer_user):
    """A broker whose engagement with their plan's client has ended; the plan is approved."""
    client = UserFactory(role=Role.CLIENT)
    broker = UserFactory(role=Role.BROKER)
    plan = PlanFactory(budget__client=client, budget__recorded_by=reviewer_user, broker=broker)
    lines_for(plan)
    approve(plan, reviewer_user)
    Engagement.objects.filter(client=client, broker=broker).update(
        status=EngagementStatus.ENDED, ended_at=timezone.now()
    )
    return {"broker": broker, "plan": Plan.objects.get(pk=plan.pk), "client": client}


@pytest.fixture
def people(client_user, broker_user, reviewer_user, provider_user, admin_user):
    return {
        "client": client_user,
        "broker": broker_user,
        "reviewer": reviewer_user,
        "other_client": UserFactory(role=Role.CLIENT),
        "other_broker": UserFactory(role=Role.BROKER),
        "provider": provider_user,
        "admin": admin_user,
        "anonymous": None,
    }
