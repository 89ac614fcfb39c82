"""The dashboards' "What to do next" is worked out from the person's state, most urgent first (issue 17)."""

import pytest
from django.test import Client

from brokers.models import Engagement, EngagementStatus
from plans import services
from tests.factories import UserFactory
from tests.plans.helpers import share

pytestmark = pytest.mark.django_db


def first_step(user) -> str:
    page = Client()
    page.force_login(user)
    html = page.get("/dashboard/").content.decode()
    block = html.split('data-testid="next-steps"', 1)[1]
    return block.split('class="nhsuk-card__link"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_a_client_whose_plan_waits_for_them_is_told_to_read_it(plan, client_user):
    assert first_step(client_user) == "Your broker is writing your plan"
    share(plan)
    assert first_step(client_user) == "Read your plan and agree to it"


def test_a_client_with_no_broker_is_told_to_find_one():
    assert first_step(UserFactory(role="client")) == "Find a support broker"


def test_a_broker_with_requests_waiting_is_told_to_reply_first(plan, broker_user):
    Engagement.objects.create(client=UserFactory(role="client"), broker=broker_user, status=EngagementStatus.REQUESTED)
    assert first_step(broker_user) == "Answer 1 request for help"


def test_a_new_broker_is_told_the_first_step_of_their_task_list():
    assert first_step(UserFactory(role="broker")) == "Complete your profile"


def test_a_broker_whose_plan_came_back_is_told_to_update_it(submitted_plan, broker_user, reviewer_user):
    from plans.tasks import process_submission

    process_submission(submitted_plan.pk, submitted_plan.version)
    services.plan_decide(plan=submitted_plan, by=reviewer_user, outcome="changes_requested", reasons=["More"])
    assert first_step(broker_user).startswith("Update ")


def test_a_reviewer_with_plans_assigned_is_told_to_review_them(submitted_plan, reviewer_user):
    from plans.tasks import process_submission

    assert first_step(reviewer_user) == "Take on a review"
    process_submission(submitted_plan.pk, submitted_plan.version)
    assert first_step(reviewer_user) == "Review your plans"


def test_an_admin_is_told_what_waits_not_to_open_the_admin(admin_user):
    from providers.models import Organization

    assert first_step(admin_user) == "Nothing is waiting for you"
    Organization.objects.create(name="New Org")
    assert first_step(admin_user).startswith("Check 1 organisation")


def test_a_provider_without_an_organisation_is_told_to_add_one():
    assert first_step(UserFactory(role="provider")) == "Add your organisation"


def test_a_client_waiting_for_kmpt_is_told_the_same_usual_time_as_the_plan_page(submitted_plan, client_user):
    from plans.presenters import kmpt_usual_time

    page = Client()
    page.force_login(client_user)
    dashboard = page.get("/dashboard/").content.decode()
    assert first_step(client_user) == "KMPT is looking at your plan"
    assert f"A reviewer {kmpt_usual_time().replace('usually', 'usually decides')}." in dashboard
