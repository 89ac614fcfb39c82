"""Celery tasks of the plan workflow (filled in by the workflow issue)."""

from celery import shared_task


@shared_task(acks_late=True)
def process_submission(plan_id: int, version: int) -> None:
    """Carry a submitted version on to review (the workflow issue builds this)."""
