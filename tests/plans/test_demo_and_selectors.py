from decimal import Decimal

from accounts.models import User
from plans import demo, selectors, services
from plans.models import Budget, Plan
from tests.factories import UserFactory
from tests.plans.factories import ListingFactory
from tests.plans.helpers import agree


def test_demo_seed_is_idempotent_and_uses_listings(db):
    ListingFactory(category="art_class", title="Painting for wellbeing", cost=Decimal("10.00"))
    demo.seed()
    demo.seed()
    client = User.objects.get(email="client@example.org")
    budget = Budget.objects.get(client=client)
    assert budget.council == "kent" and budget.recorded_by.email == "reviewer@example.org"
    plan = Plan.objects.get(client=client)
    assert plan.status == "draft" and plan.broker.email == "broker@example.org"
    assert "Painting for wellbeing" in plan.lines.values_list("description", flat=True)
    assert selectors.plan_run_check(plan).ok
    waiting = Plan.objects.get(client__email="jamie.client@example.org")
    assert waiting.status == "submitted" and waiting.reviewer.email == "reviewer@example.org"
    assert Plan.objects.count() == 2


def test_demo_seed_without_listings(db):
    demo.seed()
    plan = Plan.objects.get(client__email="client@example.org")
    assert plan.lines.count() == 4 and not plan.lines.filter(listing__isnull=False).exists()


def test_reviewer_can_see_client_once_a_plan_was_submitted(plan, client_user, reviewer_user, broker_user):
    assert not selectors.reviewer_can_see_client(reviewer_user, client_user)
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    assert selectors.reviewer_can_see_client(reviewer_user, client_user)
    assert not selectors.reviewer_can_see_client(broker_user, client_user)
    assert not selectors.reviewer_can_see_client(reviewer_user, UserFactory())
