"""Fixtures every test can use: people in each role, API clients, a real Celery worker."""

import os

import pytest
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server

hypothesis_settings.register_profile("ci", max_examples=15, deadline=None)
hypothesis_settings.register_profile("dev", max_examples=50, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session", autouse=True)
def _clean_test_redis():
    """Tests own their Redis db numbers: start from empty queues and caches."""
    from django.conf import settings
    from redis import Redis

    for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL):
        Redis.from_url(url).flushdb()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def client_user(db):
    return UserFactory(role=Role.CLIENT)


@pytest.fixture
def broker_user(db):
    return UserFactory(role=Role.BROKER)


@pytest.fixture
def provider_user(db):
    return UserFactory(role=Role.PROVIDER)


@pytest.fixture
def reviewer_user(db):
    return UserFactory(role=Role.REVIEWER)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    """`api(user)` is an API client signed in as that person; `api()` is anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real Celery worker (a thread in this process) consuming the test broker. It sees only committed data."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from redis import Redis

    from config.celery import app

    # What earlier tests in this process published (emails of transactional tests, say) is not this test's work.
    Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
