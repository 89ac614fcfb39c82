"""Celery tasks of the plan workflow: they take ids, only call services, and are safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from plans import services

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class WorkflowTask(Task):
    """A workflow task that fails for good leaves a visible trace on the plan, never a silently stuck one."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        named = {**dict(zip(("plan_id", "version"), args, strict=False)), **kwargs}
        plan_id, version = named.get("plan_id"), named.get("version")
        if plan_id is not None:
            services.submission_failed(plan_id=plan_id, version=version, reason=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=WorkflowTask,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    acks_late=True,
    soft_time_limit=30,
    time_limit=60,
)
def process_submission(plan_id: int, version: int) -> str:
    """Carry a submitted version on: re-check it, then to a reviewer or back for changes."""
    return services.submission_process(plan_id=plan_id, version=version)


@shared_task(
    queue="pdf",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def render_plan_pdf(plan_id: int, version: int) -> bool:
    """Render and keep a submitted version's PDF, on its own queue so it never delays a review."""
    return services.plan_pdf_render(plan_id=plan_id, version=version)


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def sweep_stuck_submissions() -> int:
    """Beat: re-send submissions (and PDFs) whose message was lost while the broker or a worker was down."""
    return services.submissions_sweep()


@shared_task(
    autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3, acks_late=True, soft_time_limit=120, time_limit=180
)
def send_reminders() -> int:
    """Beat: remind reviewers of waiting reviews (5 and 10 working days) and people of plan reviews two weeks
    ahead. Each occasion is sent once, however often beat fires."""
    from plans.notifications import reminders_send

    return reminders_send()
