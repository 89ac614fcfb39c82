"""Celery tasks of spending: they take ids, only call services, and are safe to run twice."""

from __future__ import annotations

from celery import current_app, shared_task
from django.db import InterfaceError, OperationalError

from spending import services

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def import_statement(statement_id: int) -> bool:
    """Import a large statement kept at upload, resuming from its cursor if an earlier run stopped."""
    return services.statement_import_run(statement_id=statement_id)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def escalate_persistent_flags() -> int:
    """Beat: tell a plan's reviewer about flags the client and broker have left open for two weeks, once each."""
    return services.flags_escalate()


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def sweep_statements() -> int:
    """Beat: send statements whose import stalled (a lost message, a worker gone) to the task again."""
    return services.statements_sweep()


# The beat schedule of this app, registered with Celery's own API so that settings stay the lead's: flags are
# checked every six hours (each is told once, whenever the beat runs), stalled imports every five minutes.
current_app.add_periodic_task(6 * 60 * 60, escalate_persistent_flags.s(), name="spending-escalate-persistent-flags")
current_app.add_periodic_task(5 * 60, sweep_statements.s(), name="spending-sweep-statements")
