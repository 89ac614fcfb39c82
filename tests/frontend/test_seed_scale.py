"""`seed_scale` (issue 19) at a tiny size: what it makes is real enough for the services to work on it."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from brokers.selectors import brokers_listed
from frontend import scale
from plans import record, selectors, services
from plans.models import Plan, PlanStatus

pytestmark = pytest.mark.django_db

TINY = scale.Sizes(brokers=20, listings=300, organizations=10, clients=60, plans=90, messages=50, reviewers=2, ready=5)


def test_every_state_and_an_agreed_plan_that_really_submits():
    scale.Seeder(TINY, log=lambda text: None).run()
    assert User.objects.filter(role="client").count() == TINY.clients + 1  # and the fifty-line plan's client
    assert brokers_listed().filter(pk=User.objects.get(email=f"broker1@{scale.DOMAIN}").pk).exists()
    assert Plan.objects.count() >= TINY.plans - 1
    assert Plan.objects.get(client__email=f"fifty-lines@{scale.DOMAIN}").lines.count() == 50
    ready = Plan.objects.filter(status=PlanStatus.DRAFT, client_agreed_at__isnull=False).select_related("client")
    assert ready.count() == TINY.ready
    plan = ready.first()
    assert plan is not None
    assert record.plan_digest(selectors.plans_with_details().get(pk=plan.pk)) == plan.shared_digest
    assert services.plan_submit(plan=plan, by=plan.client).status == PlanStatus.SUBMITTED


def test_it_refuses_a_database_that_has_accounts(client_user):
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_scale", "--brokers", "1")
