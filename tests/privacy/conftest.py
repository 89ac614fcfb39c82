import pytest

from config.celery import app
from tests.plans.conftest import plan, submitted_plan  # noqa: F401  (the plans fixtures, here too)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`with sent() as emails:` runs what the calls inside leave for after commit (emails through Celery, at once)."""
    from contextlib import contextmanager

    from django.core import mail

    @contextmanager
    def sending():
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        mail.outbox.clear()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield mail.outbox
        finally:
            app.conf.task_always_eager = eager

    return sending
