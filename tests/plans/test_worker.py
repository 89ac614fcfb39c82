"""The workflow on a real Celery worker and Redis: the whole journey, a lost message recovered, a decision race."""

import datetime
import threading
import time

import kombu.pools
import pytest
from django.db import connection
from django.test import override_settings

from config.celery import app
from plans import services
from plans.models import Decision, Plan, PlanVersion
from plans.tasks import sweep_stuck_submissions
from tests.plans.factories import LineFactory, PlanFactory
from tests.plans.helpers import agree

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(plan_id, status, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        plan = Plan.objects.get(pk=plan_id)
        if plan.status == status:
            return plan
        time.sleep(0.05)
    raise AssertionError(f"plan {plan_id} stayed {Plan.objects.get(pk=plan_id).status}, expected {status}")


@pytest.fixture
def plan(client_user, broker_user, reviewer_user):
    plan = PlanFactory(budget__client=client_user, budget__recorded_by=reviewer_user, broker=broker_user)
    LineFactory(plan=plan)
    return plan


def test_the_whole_journey_on_a_real_worker(celery_worker_real, api, plan, client_user, broker_user, reviewer_user):
    client, broker, reviewer = api(client_user), api(broker_user), api(reviewer_user)
    url = f"/api/v1/plans/{plan.pk}"
    digest = broker.post(f"{url}/share").json()["shared"]["digest"]
    client.post(f"{url}/agree", {"digest": digest}, format="json")
    assert client.post(f"{url}/submit").status_code == 202
    assert wait_for(plan.pk, "in_review").reviewer == reviewer_user

    changes = reviewer.post(f"{url}/request-changes", {"reasons": ["Say who runs the class"]}, format="json")
    assert changes.status_code == 200 and changes.json()["status"] == "changes_requested"
    assert (
        broker.patch(
            f"{url}/lines/{plan.lines.get().pk}", {"description": "Art class at the Beaney"}, format="json"
        ).status_code
        == 200
    )
    assert client.get(url).json()["version"] == 2
    digest = broker.post(f"{url}/share").json()["shared"]["digest"]
    client.post(f"{url}/agree", {"digest": digest}, format="json")
    assert broker.post(f"{url}/submit").status_code == 202
    wait_for(plan.pk, "in_review")

    approved = reviewer.post(f"{url}/approve", {"note": "Clear and affordable"}, format="json").json()
    assert approved["status"] == "approved" and approved["review_dates"]["first"]
    assert list(Decision.objects.filter(plan=plan).values_list("version", "outcome")) == [
        (1, "changes_requested"),
        (2, "approved"),
    ]
    deadline = time.monotonic() + 60
    while PlanVersion.objects.filter(plan=plan, pdf__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not PlanVersion.objects.filter(plan=plan, pdf__isnull=True).exists(), "the pdf queue was not consumed"


def test_an_unreachable_broker_loses_nothing(api, plan, client_user, reviewer_user, request, caplog):
    original = app.conf.broker_url

    def point_at(url):
        app.conf.update(broker_url=url, broker_write_url=url)
        kombu.pools.reset()  # forget every pooled connection and producer for the old URL
        app._pool = None
        app.amqp._producer_pool = None

    request.addfinalizer(lambda: point_at(original))
    point_at("redis://127.0.0.1:6399/0")  # nothing listens there
    agree(plan, client_user)
    started = time.monotonic()
    response = api(client_user).post(f"/api/v1/plans/{plan.pk}/submit")
    assert response.status_code == 202 and response.json()["status"] == "submitted"
    assert time.monotonic() - started < 15
    assert "Error calling" in caplog.text  # the publish failed, and the committed submission stands
    assert Plan.objects.get(pk=plan.pk).status == "submitted"

    point_at(original)
    worker = request.getfixturevalue("celery_worker_real")
    assert worker is not None
    with override_settings(STALE_SUBMISSION_AFTER=datetime.timedelta(0)):
        assert sweep_stuck_submissions() == 1
    assert wait_for(plan.pk, "in_review").reviewer == reviewer_user


def test_two_concurrent_decisions_one_wins(api, plan, client_user, reviewer_user):
    agree(plan, client_user)
    services.plan_submit(plan=plan, by=client_user)
    services.submission_process(plan_id=plan.pk, version=1)
    barrier = threading.Barrier(2)
    answers = []

    def decide(action, body):
        try:
            barrier.wait()
            answers.append(
                api(reviewer_user).post(f"/api/v1/plans/{plan.pk}/{action}", body, format="json").status_code
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("approve", {"note": "yes"})),
        threading.Thread(target=decide, args=("decline", {"reasons": ["no"]})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409]
    assert Decision.objects.filter(plan=plan).count() == 1
    assert Plan.objects.get(pk=plan.pk).status == Decision.objects.get(plan=plan).outcome
