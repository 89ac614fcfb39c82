"""Drill: the sweeper under a backlog, where messages are not lost, only slow.

Beat runs the sweeper every minute and it re-sends a submission that has not moved for `STALE_SUBMISSION_AFTER`
(here one minute, as deployed), each again only after twice as long, and answers how many it re-sent. The drill
plays beat's minutes by moving the submissions' clocks back (`age`), so it needs no sleeping; the worker is a real
process, first stopped, then slow (held on one plan's row lock), then free.
"""

import base64
import json
import math
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import override_settings

from plans import services
from plans.models import Plan, PlanStatus, PlanVersion
from plans.tasks import sweep_stuck_submissions
from tests.outages.conftest import backends_waiting_for, row_lock, submittable_plan
from tests.outages.servers import wait_until

pytestmark = [
    pytest.mark.outage,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("one_minute_threshold"),
]
THRESHOLD = timedelta(minutes=1)
PROCESS = "plans.tasks.process_submission"


@pytest.fixture
def one_minute_threshold():
    with override_settings(STALE_SUBMISSION_AFTER=THRESHOLD):
        yield


def age(seconds: float) -> None:
    """Let `seconds` pass, as far as the sweeper can tell: every submission and version was sent that much earlier."""
    delta = timedelta(seconds=seconds)
    Plan.objects.filter(workflow_sent_at__isnull=False).update(workflow_sent_at=F("workflow_sent_at") - delta)
    PlanVersion.objects.update(submitted_at=F("submitted_at") - delta)


def submit(plans) -> None:
    for plan in plans:
        services.plan_submit(plan=plan, by=plan.client)


def queued_submissions(redis) -> dict[str, int]:
    """task id -> plan id of every process_submission message waiting in the queue or taken by a worker."""
    client = redis.client()
    messages = [json.loads(raw) for raw in client.lrange("default", 0, -1)]
    messages += [json.loads(raw)[0] for raw in client.hvals("unacked")]
    found = {}
    for message in messages:
        if message["headers"]["task"] == PROCESS:
            args = json.loads(base64.b64decode(message["body"]))[0]
            found[message["headers"]["id"]] = args[0]
    return found


def status_of(plans) -> dict[str, list[int]]:
    by_status: dict[str, list[int]] = {}
    for pk, status in Plan.objects.filter(pk__in=[p.pk for p in plans]).values_list("pk", "status"):
        by_status.setdefault(status, []).append(pk)
    return by_status


def test_the_sweeper_resends_only_what_made_no_progress_and_never_multiplies_a_backlog(
    web_on_private_redis, start_worker, broker_user, reviewer_user
):
    redis = web_on_private_redis
    early = [submittable_plan(broker_user, reviewer_user) for _ in range(6)]
    late = [submittable_plan(broker_user, reviewer_user) for _ in range(4)]
    everyone = early + late

    # Minute 0: the worker is down; six submissions queue up.
    submit(early)
    assert sweep_stuck_submissions() == 0, "nothing is stale yet"
    # Minute 1: four more arrive; the six have made no progress for a minute and are re-sent, the four are not.
    age(61)
    submit(late)
    assert sweep_stuck_submissions() == len(early)
    # Beat's next tick, half a minute on: the six were re-sent just now, the four are still fresh.
    age(30)
    assert sweep_stuck_submissions() == 0
    seen = queued_submissions(redis)
    assert len(seen) == len(everyone) + len(early)

    # The worker comes back, slow: it carries on everything queued before the second of the late plans, then sticks.
    stuck = late[1]
    with row_lock(Plan, stuck.pk):
        worker = start_worker("backlog", queues="default")
        done = [*early, late[0]]
        wait_until(
            lambda: (
                backends_waiting_for(Plan._meta.db_table) >= 1
                and sorted(status_of(everyone).get(PlanStatus.IN_REVIEW, [])) == sorted(p.pk for p in done)
            ),
            timeout=90,
            message=lambda: f"the worker did not reach the held plan: {status_of(everyone)}\n{worker.tail()}",
        )
        # Minute 2.5: the six were re-sent 90 s ago (not yet due again, and carried on anyway); of the four, the
        # first was carried on; the held one and the two behind it made no progress: only those three go again.
        age(60)
        assert sweep_stuck_submissions() == 3
        assert sorted(Plan.objects.filter(workflow_resends=1).values_list("pk", flat=True)) == sorted(
            p.pk for p in [*early, *late[1:]]
        )
        age(30)
        assert sweep_stuck_submissions() == 0
        waiting = queued_submissions(redis)
        seen |= waiting
        # Queued now: what the worker has not reached (the held plan's and the two behind it, the six re-sends) and
        # the three just re-sent; nothing else.
        assert len(waiting) == 3 + len(early) + 3

    wait_until(
        lambda: (
            status_of(everyone).keys() == {PlanStatus.IN_REVIEW}
            and redis.queue_length("default") + redis.unacked_count() == 0
        ),
        timeout=90,
        message=lambda: f"the backlog did not drain: {status_of(everyone)}\n{worker.tail()}",
    )
    runs = worker.results(PROCESS)
    resends = dict(Plan.objects.filter(pk__in=[p.pk for p in everyone]).values_list("pk", "workflow_resends"))
    assert sum(resends.values()) == len(early) + 3, "the sweeper's answers and its re-sends disagree"
    assert len(runs) == len(everyone) + sum(resends.values()), "a message ran that nobody sent"
    for plan in everyone:
        results = [result for task_id, result in runs if seen.get(task_id) == plan.pk]
        # Carried on once; any other run found it done. At most once more than needed: re-sent at most once.
        assert sorted(results) == sorted(["in_review"] + ["already_processed"] * resends[plan.pk]), (plan.pk, results)
        assert resends[plan.pk] <= 1


def test_a_long_backlog_is_resent_ever_more_rarely(web_on_private_redis, broker_user, reviewer_user):
    """The worker stays down for an hour while beat ticks every minute: each submission is re-sent at minutes 1, 3,
    7, 15 and 31 (each wait twice the last), five times, not sixty; the queue holds six messages a submission."""
    redis = web_on_private_redis
    plans = [submittable_plan(broker_user, reviewer_user) for _ in range(3)]
    submit(plans)
    answers = []
    for _ in range(60):
        age(61)
        answers.append(sweep_stuck_submissions())
    messages_each = 1 + math.floor(math.log2(61))  # its own, and one re-send at each minute 2**k - 1 of the hour
    assert [minute + 1 for minute, resent in enumerate(answers) if resent] == [1, 3, 7, 15, 31]
    assert set(answers) == {0, len(plans)}
    assert sum(answers) == len(plans) * (messages_each - 1) == sum(p.workflow_resends for p in Plan.objects.all())
    assert len(queued_submissions(redis)) == len(plans) * messages_each


def test_the_pdf_queue_stays_bounded_while_the_pdf_worker_is_down(web_on_private_redis, broker_user, reviewer_user):
    redis = web_on_private_redis
    plans = [submittable_plan(broker_user, reviewer_user) for _ in range(3)]
    submit(plans)
    for plan in plans:  # carried on to review (as the default-queue worker would); each asks for its PDF
        services.submission_process(plan_id=plan.pk, version=plan.version)
    assert redis.queue_length("pdf") == len(plans)
    for _ in range(60):  # an hour of beat with the PDF worker down
        age(61)
        sweep_stuck_submissions()
    # As bounded as submissions are (one message each, and a re-send each doubling), with one to spare.
    assert redis.queue_length("pdf") <= len(plans) * (1 + math.floor(math.log2(61)) + 1)
