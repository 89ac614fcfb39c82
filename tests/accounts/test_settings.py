"""Production settings refuse to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "a1b2c3d4e5f6g7h8" * 4


SERVICES = {
    "DATABASE_URL": "postgres://waymark@db.invalid/waymark",
    "REDIS_URL": "redis://redis.invalid:6379/1",
    "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
    "EMAIL_URL": "smtp://mail.invalid:25",
    "SITE_URL": "https://waymark.example.org",
}


def load_prod_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", *SERVICES)}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.prod", **env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_production_starts_with_a_real_key_real_services_and_debug_off():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], "
        "s.EMAIL_BACKEND.rsplit('.', 1)[-1], s.SITE_URL)"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=GOOD_KEY, **SERVICES)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "ResilientRedisCache",
        "EmailBackend",
        "https://waymark.example.org",
    ]


@pytest.mark.parametrize("missing", sorted(SERVICES))
def test_production_refuses_to_start_without_each_real_service(missing):
    """With a missing variable it would fall back to eager tasks, a per-process cache or console email: it stops."""
    result = load_prod_settings(SECRET_KEY=GOOD_KEY, **{k: v for k, v in SERVICES.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_with_only_a_secret_key_does_not_start():
    result = load_prod_settings(SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(
    "env,message",
    [
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": "insecure-dev-only-key-change-me"}, "SECRET_KEY must be"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be"),
        ({}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_unsafe(env, message):
    result = load_prod_settings(**{**SERVICES, **env})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "task, queue",
    [
        ("plans.tasks.process_submission", "default"),
        ("plans.tasks.render_plan_pdf", "pdf"),
        ("accounts.tasks.send_email", "email"),
        ("brokers.tasks.message_nudge", "email"),
        ("spending.tasks.import_statement", "imports"),
        ("accounts.tasks.build_export", "imports"),
    ],
)
def test_slow_and_numerous_work_has_a_queue_of_its_own_that_a_plain_worker_also_consumes(task, queue):
    """A burst of submissions' emails once queued in front of the next submission (issue 19): each kind of work is
    routed to its queue, and every queue is declared, so `celery -A config worker` with no -Q still runs them all."""
    from config.celery import app

    app.loader.import_default_modules()
    own = getattr(app.tasks[task], "queue", None)  # a task may name its queue itself (the PDF's does)
    assert app.amqp.router.route({"queue": own} if own else {}, task)["queue"].name == queue
    assert queue in {declared.name for declared in app.conf.task_queues}
