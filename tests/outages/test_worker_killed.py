"""Drill: a worker is SIGKILLed in the middle of carrying a submission on.

The drill holds a lock on the plan's row so that the task waits, deterministically, inside `submission_process`
(in its transaction, before any write), and kills it there. Two cases: only the pool process that runs the task dies
(the OOM killer's usual victim), or the whole worker dies with its machine.
"""

import pytest
from django.utils import timezone
from kombu import Connection

from audit.models import Event
from config.celery import app
from plans.models import Notification, NotificationKind, Plan, PlanStatus, PlanVersion
from tests.outages.conftest import BROKER_DB, backends_waiting_for, row_lock, submittable_plan
from tests.outages.servers import wait_until

pytestmark = [pytest.mark.outage, pytest.mark.django_db(transaction=True)]
PLANS = Plan._meta.db_table


def assert_carried_on_once(plan: Plan, reviewer) -> None:
    """One transition, one event, one notification each, one PDF; and no failure written on the plan's trail."""
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW and plan.reviewer == reviewer
    actions = list(Event.objects.filter(record_type="plan", record_id=plan.pk).values_list("action", flat=True))
    assert actions.count("submitted") == actions.count("review_started") == 1, actions
    assert "workflow_failed" not in actions and "checks_failed" not in actions, actions
    kinds = [NotificationKind.REVIEW_STARTED, NotificationKind.REVIEW_ASSIGNED]
    told = Notification.objects.filter(plan=plan, kind__in=kinds)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([plan.client_id, plan.broker_id, reviewer.pk])
    version = PlanVersion.objects.get(plan=plan)
    assert version.pdf is not None and version.pdf_rendered_at is not None


def wait_for_the_task_to_block(worker, expected: int = 1) -> None:
    wait_until(
        lambda: backends_waiting_for(PLANS) >= expected,
        timeout=60,
        message=lambda: f"the submission task never reached the plan's lock:\n{worker.tail()}",
    )


def queues_drained(redis) -> bool:
    queued = sum(redis.queue_length(queue) for queue in ("default", "pdf", "email", "imports"))
    return queued + redis.unacked_count() == 0


def test_a_pool_process_killed_mid_task_is_replaced_and_the_task_runs_again_once(
    web_on_private_redis, start_worker, api, broker_user, reviewer_user
):
    redis = web_on_private_redis
    plan = submittable_plan(broker_user, reviewer_user)
    assert api(plan.client).post(f"/api/v1/plans/{plan.pk}/submit").status_code == 202
    with row_lock(Plan, plan.pk):
        worker = start_worker("killed-child")
        wait_for_the_task_to_block(worker)
        killed = worker.kill_pool_child()
        # acks late + reject on worker lost: the main process hands the message back, a new child takes it (and
        # waits on the same lock, beside the killed child's orphaned database session).
        wait_until(
            lambda: worker.pool_child() != killed and backends_waiting_for(PLANS) >= 2,
            timeout=60,
            message=lambda: f"the message was not redelivered to a new pool process:\n{worker.tail()}",
        )
    wait_until(
        lambda: Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW and queues_drained(redis),
        timeout=90,
        message=lambda: f"the redelivered submission was not carried on:\n{worker.tail()}",
    )
    assert "WorkerLostError" in worker.text() or "SIGKILL" in worker.text()
    assert worker.result_counts("plans.tasks.process_submission") == {"in_review": 1}
    assert worker.result_counts("plans.tasks.render_plan_pdf") == {"True": 1}
    assert_carried_on_once(plan, reviewer_user)
    assert not worker.exited(), "the worker's main process died with its child"


def test_a_whole_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(
    web_on_private_redis, start_worker, api, broker_user, reviewer_user
):
    redis = web_on_private_redis
    plan = submittable_plan(broker_user, reviewer_user)
    assert api(plan.client).post(f"/api/v1/plans/{plan.pk}/submit").status_code == 202
    with row_lock(Plan, plan.pk):
        first = start_worker("killed-whole")
        wait_for_the_task_to_block(first)
        first.kill()
    # Nobody acknowledged the message and nobody gave it back: Redis keeps it as unacked until its visibility
    # timeout (kombu's default, an hour). The sweeper is what carries the submission on meanwhile.
    assert redis.unacked_count() == 1 and redis.queue_length("default") == 0
    second = start_worker("after-the-crash", STALE_SUBMISSION_SECONDS="1")
    wait_until(
        lambda: timezone.now() - Plan.objects.get(pk=plan.pk).workflow_sent_at > timezone.timedelta(seconds=1),
        timeout=10,
        message="the submission never became stale for the sweeper",
    )
    app.send_task("plans.tasks.sweep_stuck_submissions")  # beat's tick
    wait_until(
        lambda: (
            Plan.objects.get(pk=plan.pk).status == PlanStatus.IN_REVIEW
            and PlanVersion.objects.filter(plan=plan, pdf__isnull=False).exists()
        ),
        timeout=90,
        message=lambda: f"the sweeper did not carry the submission on after the crash:\n{second.tail()}",
    )
    # An hour on, the killed worker's message becomes visible again, and runs: it must change nothing.
    with Connection(redis.url(BROKER_DB), transport_options={"visibility_timeout": 0}) as broker:
        broker.default_channel.qos.restore_visible(num=100, interval=1)
    wait_until(
        lambda: len(second.results("plans.tasks.process_submission")) == 2 and queues_drained(redis),
        timeout=60,
        message=lambda: f"the restored message did not run:\n{second.tail()}",
    )
    assert second.result_counts("plans.tasks.sweep_stuck_submissions") == {"1": 1}
    assert second.result_counts("plans.tasks.process_submission") == {"in_review": 1, "already_processed": 1}
    assert_carried_on_once(plan, reviewer_user)
    assert Plan.objects.get(pk=plan.pk).workflow_resends == 1
