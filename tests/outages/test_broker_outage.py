"""Drill: the Redis that is both broker and cache stops while plans are submitted, then comes back.

The web side is this process (the API through the test client); the worker is a real `celery worker` process. Both
use a private redis-server that the drill stops and starts again (empty, as a Redis that keeps nothing on disk).
"""

import base64
import importlib
import json

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from audit.models import Event
from config.celery import app
from config.settings import base
from plans import services
from plans.models import Decision, Notification, NotificationKind, Plan, PlanStatus
from tests.factories import PASSWORD
from tests.outages.conftest import submittable_plan
from tests.outages.servers import wait_until

pytestmark = [pytest.mark.outage, pytest.mark.django_db(transaction=True)]

SUBMITTED_DURING_OUTAGE = 3


def reviews_started(plan_id: int) -> int:
    return Event.objects.filter(record_type="plan", record_id=plan_id, action="review_started").count()


def test_plans_submitted_while_redis_is_down_each_reach_review_once(
    web_on_private_redis, start_worker, api, broker_user, reviewer_user
):
    redis = web_on_private_redis
    # The PDF queue is left to itself: rendering is slow here and beside the point of this drill.
    worker = start_worker("broker-drill", queues="default", STALE_SUBMISSION_SECONDS="1")
    plans = [submittable_plan(broker_user, reviewer_user) for _ in range(SUBMITTED_DURING_OUTAGE)]
    assert api().get("/healthz").json() == {"database": "ok", "cache": "ok", "broker": "ok"}

    redis.stop()
    for plan in plans:
        answer = api(plan.client).post(f"/api/v1/plans/{plan.pk}/submit")
        assert answer.status_code == 202, answer.content  # the submission is committed; only its message is lost
    health = api().get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"database": "ok", "cache": "down", "broker": "down"}

    redis.start()
    assert api().get("/healthz").status_code == 200
    assert Plan.objects.filter(pk__in=[p.pk for p in plans], status=PlanStatus.SUBMITTED).count() == len(plans)
    # Beat's tick: the sweeper goes to the worker through the broker and re-sends what the outage lost.
    wait_until(
        lambda: all(timezone.now() - p.workflow_sent_at > timezone.timedelta(seconds=1) for p in Plan.objects.all()),
        timeout=10,
        message="the submissions never became stale for the sweeper",
    )
    app.send_task("plans.tasks.sweep_stuck_submissions")
    wait_until(
        lambda: Plan.objects.filter(status=PlanStatus.IN_REVIEW).count() == len(plans),
        timeout=90,
        message=lambda: f"not every plan reached in_review after the outage:\n{worker.tail()}",
    )
    # The web process publishes again without a restart: a plan submitted now needs no sweeper.
    late = submittable_plan(broker_user, reviewer_user)
    assert api(late.client).post(f"/api/v1/plans/{late.pk}/submit").status_code == 202
    wait_until(
        lambda: Plan.objects.get(pk=late.pk).status == PlanStatus.IN_REVIEW,
        timeout=60,
        message=lambda: f"a plan submitted after the outage was not carried on:\n{worker.tail()}",
    )
    wait_until(
        lambda: redis.queue_length("default") + redis.unacked_count() == 0,
        timeout=90,
        message=lambda: f"the worker never drained its queues:\n{worker.tail()}",
    )

    assert worker.result_counts("plans.tasks.sweep_stuck_submissions") == {str(len(plans)): 1}
    for plan in [*plans, late]:
        assert reviews_started(plan.pk) == 1
        assert Plan.objects.get(pk=plan.pk).reviewer == reviewer_user
        assert not Decision.objects.filter(plan_id=plan.pk).exists()
        reviewer_told = Notification.objects.filter(
            plan_id=plan.pk, recipient=reviewer_user, kind=NotificationKind.REVIEW_ASSIGNED
        )
        assert reviewer_told.count() == 1
    assert worker.result_counts("plans.tasks.process_submission") == {"in_review": len(plans) + 1}
    assert list(Plan.objects.filter(pk__in=[p.pk for p in plans]).values_list("workflow_resends", flat=True)) == [
        1
    ] * len(plans)
    assert Plan.objects.get(pk=late.pk).workflow_resends == 0
    assert not worker.exited(), "the worker had to be restarted"


PRODUCTION_LIMITS = override_settings(
    REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
    ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS,
)


def test_the_api_keeps_answering_with_its_rate_limits_while_the_cache_is_down(
    web_on_private_redis, api, broker_user, reviewer_user
):
    plan = submittable_plan(broker_user, reviewer_user)
    web_on_private_redis.stop()
    with PRODUCTION_LIMITS:
        public, client = api(), api(plan.client)
        public.raise_request_exception = client.raise_request_exception = False
        assert public.get("/api/v1/brokers").status_code == 200
        assert client.post(f"/api/v1/plans/{plan.pk}/submit").status_code == 202
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_people_can_sign_in_while_the_cache_is_down(web_on_private_redis, api, broker_user):
    web_on_private_redis.stop()
    with PRODUCTION_LIMITS:
        anonymous = api()
        anonymous.raise_request_exception = False
        answer = anonymous.post(
            "/_allauth/app/v1/auth/login", {"email": broker_user.email, "password": PASSWORD}, format="json"
        )
    assert answer.status_code == 200, answer.content[:300]


def emails_queued(redis, subject: str) -> list[list[str]]:
    """The recipients of every send_email message with this subject waiting on the private broker (the `email`
    queue: emails have their own)."""
    found = []
    for raw in redis.client().lrange("email", 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == "accounts.tasks.send_email":
            kwargs = json.loads(base64.b64decode(message["body"]))[1]
            if kwargs["subject"] == subject:
                found.append(kwargs["to"])
    return found


def test_emails_sent_while_the_broker_is_down_go_once_it_is_back(web_on_private_redis, api, broker_user, reviewer_user):
    redis = web_on_private_redis
    plan = submittable_plan(broker_user, reviewer_user)
    services.plan_submit(plan=plan, by=plan.client)
    services.submission_process(plan_id=plan.pk, version=plan.version)
    redis.stop()
    decided = api(reviewer_user).post(f"/api/v1/plans/{plan.pk}/approve", {"note": "Clear"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    redis.start()
    with override_settings(STALE_SUBMISSION_AFTER=timezone.timedelta(0)):
        for entry in settings.CELERY_BEAT_SCHEDULE.values():  # everything beat runs, once
            module, name = entry["task"].rsplit(".", 1)
            getattr(importlib.import_module(module), name).apply()
    recipients = sorted(to for found in emails_queued(redis, "KMPT approved a support plan") for to in found)
    assert recipients == sorted([plan.client.email, broker_user.email])
