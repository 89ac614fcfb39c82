"""The Celery app: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery
from celery.signals import task_failure, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("waymark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _task_started(**kwargs):  # type: ignore[no-untyped-def]
    from config.observability import task_started

    task_started(**kwargs)


@task_postrun.connect
def _task_finished(**kwargs):  # type: ignore[no-untyped-def]
    from config.observability import task_finished

    task_finished(**kwargs)


@task_failure.connect
def _task_failed(**kwargs):  # type: ignore[no-untyped-def]
    from config.observability import task_failed

    task_failed(**kwargs)
