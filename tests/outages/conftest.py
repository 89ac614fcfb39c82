"""Fixtures of the outage drills: private servers (started by the test, always stopped), a real Celery worker in its
own process, the web process pointed at a private broker, and row locks that hold a task still on purpose."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import kombu.pools
import psycopg
import pytest
from django.db import connection
from django.test import override_settings

from tests.outages.servers import CeleryWorker, PostgresCluster, RedisServer, private_folder, worker_environment
from tests.plans.factories import LineFactory, PlanFactory
from tests.plans.helpers import agree

BROKER_DB, CACHE_DB = 0, 1


@pytest.fixture(autouse=True)
def production_logs() -> Iterator[None]:
    """This process logs as production does (JSON lines): the development console renders every logged exception
    with its locals, which takes seconds a time here and would stretch each outage the drills time."""
    import logging

    from structlog.stdlib import ProcessorFormatter

    from config.observability import formatter

    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, ProcessorFormatter)]
    saved = [(handler, handler.formatter) for handler in handlers]
    for handler in handlers:
        handler.setFormatter(formatter(json=True))
    yield
    for handler, original in saved:
        handler.setFormatter(original)


@pytest.fixture
def outage_folder() -> Iterator[Path]:
    """The drill's own folder for its servers' data and logs, removed afterwards (kept, to read the workers' logs,
    when OUTAGE_KEEP_LOGS is set)."""
    folder = private_folder("outage")
    yield folder
    if not os.environ.get("OUTAGE_KEEP_LOGS"):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_redis(outage_folder: Path) -> Iterator[RedisServer]:
    """A private redis-server (broker on db 0, cache on db 1), running; stopped at the end whatever happened."""
    server = RedisServer(outage_folder).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster, initialised and running; stopped and deleted at the end."""
    folder = private_folder("pg")
    cluster = PostgresCluster(folder)
    try:
        cluster.init().start()
        yield cluster
    finally:
        cluster.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PostgresCluster]:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def private_postgres_for_module() -> Iterator[PostgresCluster]:
    """One cluster for a module's drills (migrating a new database costs about ten seconds here)."""
    with postgres_cluster() as cluster:
        yield cluster


def tests_database_url() -> str:
    """pytest-django's test database, for the processes a drill starts (they see what the test committed)."""
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def start_worker(transactional_db, outage_folder: Path, private_redis: RedisServer) -> Iterator:
    """`start_worker(name, **environment)`: a real worker process on the private Redis and the test database.
    Every worker started is stopped before the test database is flushed."""
    started: list[CeleryWorker] = []

    def start(name: str, queues: str = "default,pdf,email,imports", **environment: str) -> CeleryWorker:
        env = worker_environment(
            DATABASE_URL=tests_database_url(),
            CELERY_BROKER_URL=private_redis.url(BROKER_DB),
            REDIS_URL=private_redis.url(CACHE_DB),
            **environment,
        )
        worker = CeleryWorker(name, outage_folder, env, queues=queues)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def point_celery_at(url: str) -> None:
    """Make this process's Celery app publish to `url`, forgetting every pooled connection to the old broker."""
    from config.celery import app

    app.conf.update(broker_url=url, broker_write_url=url)
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def web_on_private_redis(private_redis: RedisServer) -> Iterator[RedisServer]:
    """This process (the web side: the API, /healthz, the sweeper when called here) uses the private Redis as its
    broker and its cache, as a deployment sharing one Redis for both does."""
    from config.celery import app

    original = app.conf.broker_url
    redis_cache = "config.cache.ResilientRedisCache"
    cache = {"default": {"BACKEND": redis_cache, "LOCATION": private_redis.url(CACHE_DB)}}
    with override_settings(CELERY_BROKER_URL=private_redis.url(BROKER_DB), CACHES=cache):
        point_celery_at(private_redis.url(BROKER_DB))
        try:
            yield private_redis
        finally:
            point_celery_at(original)


@contextlib.contextmanager
def row_lock(model, pk: int, mode: str = "FOR KEY SHARE") -> Iterator[None]:
    """Hold a lock on one row from another connection, so that a task that locks the row waits (deterministically)
    until the block ends. FOR KEY SHARE stops `select_for_update` but lets plain UPDATEs (the sweeper's claim) by."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    ) as holder:
        holder.execute(f'SELECT 1 FROM "{model._meta.db_table}" WHERE id = %s {mode}', [pk])
        with connection.cursor() as cursor:
            # Should this process itself wait on the held row, fail the drill rather than hang it.
            cursor.execute("SET lock_timeout = '30s'")
        try:
            yield
        finally:
            holder.rollback()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")


def backends_waiting_for(table: str) -> int:
    """How many database sessions are waiting for a lock, in a statement on `table` (a task held by row_lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND query LIKE %s",
            [f'%"{table}"%'],
        )
        return cursor.fetchone()[0]


def submittable_plan(broker, reviewer):
    """A plan of a new client with the given (listed) broker, checked and agreed: ready to submit."""
    plan = PlanFactory(budget__recorded_by=reviewer, broker=broker)
    LineFactory(plan=plan)
    return agree(plan)
