"""Benchmark (make bench only): how long a submitted plan takes to reach a reviewer on a real worker, next to a
no-op task's round trip through the same Redis broker. Run: `make bench` or
`pytest tests/perf/test_workflow_bench.py -m perf -s -p no:randomly`."""

import statistics
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker

from accounts.models import Role
from config.celery import app
from plans import services
from plans.models import Plan
from tests.factories import UserFactory
from tests.plans.factories import LineFactory, PlanFactory

pytestmark = [pytest.mark.perf, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 100
_done = threading.Event()


@app.task(name="tests.perf.noop")
def noop() -> None:
    _done.set()


@pytest.fixture
def default_queue_worker(transactional_db):
    """A worker on the workflow's queue only: in production PDFs render on their own worker (`-Q pdf`)."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=["default"]) as worker:
        yield worker


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return statistics.median(samples) * 1000, cuts[94] * 1000


def _noop_round_trips(count: int) -> list[float]:
    samples = []
    for _ in range(count):
        _done.clear()
        started = time.perf_counter()
        noop.delay()
        assert _done.wait(5), "the worker did not run the no-op task"
        samples.append(time.perf_counter() - started)
    return samples


def _submit_to_review(plan: Plan, client) -> float:
    started = time.perf_counter()
    services.plan_submit(plan=plan, by=client)  # commits; the workflow task is sent after commit
    deadline = started + 10
    while time.perf_counter() < deadline:
        if Plan.objects.filter(pk=plan.pk, status="in_review").exists():
            return time.perf_counter() - started
        time.sleep(0.001)
    raise AssertionError(f"plan {plan.pk} did not reach in_review")


def test_submit_to_in_review_on_a_real_worker(default_queue_worker):
    reviewer = UserFactory(role=Role.REVIEWER)
    plans = []
    for _ in range(SUBMISSIONS):
        plan = PlanFactory(budget__recorded_by=reviewer)
        LineFactory(plan=plan)
        services.plan_agree(plan=plan, by=plan.client)
        plans.append(plan)
    _noop_round_trips(5)  # warm the connections
    noop_p50, noop_p95 = _percentiles(_noop_round_trips(SUBMISSIONS))
    review_p50, review_p95 = _percentiles([_submit_to_review(plan, plan.client) for plan in plans])
    print(
        f"\nno-op task round trip: p50 {noop_p50:.1f} ms, p95 {noop_p95:.1f} ms"
        f"\nsubmit -> in_review ({SUBMISSIONS} submissions): p50 {review_p50:.1f} ms, p95 {review_p95:.1f} ms"
    )
    assert Plan.objects.filter(status="in_review").count() == SUBMISSIONS
    assert review_p95 < 2000, "a submission should reach a reviewer within two seconds"


def _submitted_backlog(count: int) -> list[int]:
    """`count` agreed plans submitted while no worker runs: their messages wait in Redis."""
    reviewer = UserFactory(role=Role.REVIEWER)
    ids = []
    for _ in range(count):
        plan = PlanFactory(budget__recorded_by=reviewer)
        LineFactory(plan=plan)
        services.plan_agree(plan=plan, by=plan.client)
        services.plan_submit(plan=plan, by=plan.client)
        ids.append(plan.pk)
    return ids


def _drain_seconds(ids: list[int], processes: int) -> float:
    """Start `celery -A config worker -c N` (real processes); time from the first plan reaching a reviewer to the
    last, so the worker's start-up is left out."""
    import os
    import subprocess
    import sys

    from django.db import connection

    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/{database['NAME']}",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default", "-c", str(processes),
               "-P", "prefork", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]  # fmt: skip
    started = time.perf_counter()
    first = None
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while (done := Plan.objects.filter(pk__in=ids, status="in_review").count()) < len(ids):
            assert time.perf_counter() - started < 120, "the worker did not drain the backlog"
            if done and first is None:
                first = time.perf_counter()
            time.sleep(0.01)
        return time.perf_counter() - (first or started)
    finally:
        worker.terminate()
        worker.wait(20)


def test_how_fast_one_and_two_worker_processes_drain_submissions(transactional_db):
    """Throughput, not latency: a backlog of submissions drained by 1, then 2, worker processes."""
    for processes in (1, 2):
        ids = _submitted_backlog(SUBMISSIONS)
        seconds = _drain_seconds(ids, processes)
        print(f"\n{processes} worker process(es): {SUBMISSIONS} submissions drained in {seconds:.2f} s "
              f"= {SUBMISSIONS / seconds:.0f} submissions/s")  # fmt: skip
