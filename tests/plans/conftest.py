import pytest

from accounts.models import Role
from plans import services
from plans.models import Plan
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, PlanFactory
from tests.plans.helpers import agree


@pytest.fixture
def plan(db, client_user, broker_user, reviewer_user):
    """A draft plan between the role fixtures' client and broker, with one line covering every assessed outcome.
    Its budget was recorded by reviewer_user, the only reviewer."""
    plan = PlanFactory(budget__client=client_user, budget__recorded_by=reviewer_user, broker=broker_user)
    LineFactory(plan=plan)
    return plan


@pytest.fixture
def submitted_plan(plan, client_user):
    """The plan agreed and submitted (the workflow task is not run)."""
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    return Plan.objects.get(pk=plan.pk)


@pytest.fixture
def others(db):
    """Everyone else: another client, another broker, a provider, an admin."""
    return {
        "other_client": UserFactory(role=Role.CLIENT),
        "other_broker": UserFactory(role=Role.BROKER),
        "provider": UserFactory(role=Role.PROVIDER),
        "admin": UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True),
    }
