"""The demo's client3@example.org: Kent, working with broker@example.org, an approved plan some months old (so the
spending demo's three months of Kent Card payments fall inside its year) with its first review held."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import Event
from plans import demo, selectors
from plans.models import Decision, Notification, OutcomeView, Plan, PlanLine, PlanReview
from spending import demo as spending_demo
from spending.models import Transaction
from tests.brokers.factories import make_listed
from tests.factories import UserFactory
from tests.plans.factories import ListingFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed_broker():
    from accounts.models import Role

    broker = UserFactory(role=Role.BROKER, email="broker@example.org", name="Jo Fletcher")
    make_listed(broker)
    ListingFactory(
        organization=OrganizationFactory(name="Kent Wellbeing Collective"), title="Gentle yoga for beginners",
        category="yoga", cost=Decimal("6.00"),
    )  # fmt: skip
    ListingFactory(
        organization=OrganizationFactory(name="Thanet Arts Hub"), title="Open studio for adults", cost=Decimal("3.00")
    )
    return broker


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Plan, PlanLine, PlanReview, OutcomeView, Decision, Notification, Event, Transaction)
    }


def test_client3_has_an_approved_plan_months_old_with_its_first_review_and_seeding_twice_changes_nothing(
    listed_broker,
):
    demo.seed()
    plan = Plan.objects.get(client__email="client3@example.org")
    assert plan.client.name == "Robin Hale" and plan.broker == listed_broker and plan.status == "approved"
    assert plan.budget.council == "kent" and plan.budget.payment_route == "kent_card"
    lines = list(plan.lines.select_related("listing__organization"))
    assert {line.listing.organization.name for line in lines} == {"Kent Wellbeing Collective", "Thanet Arts Hub"}
    assert selectors.plan_run_check(plan).ok  # every outcome covered, within budget
    today = timezone.localdate()
    approved_on = timezone.localdate(plan.decisions.get(outcome="approved").decided_at)
    assert today - approved_on >= datetime.timedelta(weeks=13)
    assert timezone.localdate(plan.submitted_at) < approved_on
    assert plan.review_first_on > approved_on
    review = PlanReview.objects.get(plan=plan)
    assert review.held_on - approved_on == datetime.timedelta(weeks=7) and review.by.email == "reviewer@example.org"
    assert plan.review_next_on == review.next_review_on and review.views_before.count() == 1
    before = counts()
    demo.seed()
    assert counts() == before


def test_the_spending_demo_imports_three_months_inside_client3s_plan_year(listed_broker):
    demo.seed()
    spending_demo.seed()
    plan = Plan.objects.get(client__email="client3@example.org")
    payments = Transaction.objects.filter(plan=plan)
    approved_on = timezone.localdate(plan.decisions.get(outcome="approved").decided_at)
    assert payments.count() >= 30 and min(payments.values_list("date", flat=True)) >= approved_on
    assert payments.filter(line__isnull=False).count() >= 26
    assert payments.exclude(flags=[]).exists()


def test_without_a_listed_broker_client3_has_no_plan():
    demo.seed()
    assert User.objects.filter(email="client3@example.org").exists()
    assert not Plan.objects.filter(client__email="client3@example.org").exists()
