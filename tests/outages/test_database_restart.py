"""Drill: the database restarts under a running site.

The site runs as it is deployed (gunicorn, sync workers, persistent connections with health checks) against a private
PostgreSQL cluster with the migrations applied; the drill stops the cluster, asks the site things, and starts it again.
The cache and the broker stay up (this drill's own Redis db numbers), so /healthz must name the database alone.
"""

import json
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings

from tests.outages.servers import BASE_DIR, AppServer, PostgresCluster, worker_environment

pytestmark = [pytest.mark.outage]

ALL_UP = {"database": "ok", "cache": "ok", "broker": "ok"}
# What a person or a client asks for: the public broker search (API and page) both read the database.
API, PAGE = "/api/v1/brokers", "/brokers/"
NEVER_HANG = 10.0  # seconds: a request during the outage answers within this, whatever it answers


@pytest.fixture(scope="module")
def site(private_postgres_for_module):
    """gunicorn serving the site from the private cluster, with the migrations applied."""
    cluster: PostgresCluster = private_postgres_for_module
    cluster.create_database("waymark")
    environment = worker_environment(
        DATABASE_URL=cluster.url("waymark"),
        CONN_MAX_AGE="60",
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, f"migrate failed on the private cluster:\n{migrate.stderr[-3000:]}"
    server = AppServer(cluster.folder, environment).start()
    try:
        yield server, cluster
    finally:
        server.stop()


def timed_get(server: AppServer, path: str) -> tuple[int, dict, bytes, float]:
    started = time.monotonic()
    status, headers, body = server.get(path, timeout=NEVER_HANG + 20)
    return status, headers, body, time.monotonic() - started


def health(server: AppServer) -> tuple[int, dict]:
    status, _, body = server.get("/healthz")
    return status, json.loads(body)


def sessions_of_the_site(cluster: PostgresCluster) -> int:
    with psycopg.connect(**cluster.connection_settings("postgres"), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'waymark' AND backend_type = 'client backend'"
        ).fetchone()[0]


def test_the_site_answers_again_after_the_database_restarts_without_being_restarted(site):
    server, cluster = site
    assert server.get(API)[0] == 200 and server.get(PAGE)[0] == 200
    assert health(server) == (200, ALL_UP)
    workers = server.worker_pids()
    assert sessions_of_the_site(cluster) >= 1, "the site keeps no persistent connection, so the drill proves nothing"

    cluster.stop()
    try:
        assert health(server) == (503, {**ALL_UP, "database": "down"})
        # What the public directory answered a moment ago is kept (providers.cache) and still served...
        assert server.get(API)[0] == 200 and server.get(PAGE)[0] == 200
        # ...and a question that needs the database is answered at once, with the site's own "unavailable".
        for path in (f"{API}?q=outage", f"{PAGE}?q=outage"):
            status, _, body, seconds = timed_get(server, path)
            assert seconds < NEVER_HANG, f"{path} took {seconds:.1f} s to answer during the outage"
            assert status in (500, 503), f"{path} answered {status} during the outage"
            assert b"Traceback" not in body and b"OperationalError" not in body, body[:500]
            assert b"unavailable" in body  # the site's own answer: come back shortly
    finally:
        cluster.start()

    for path in (f"{API}?q=outage", f"{PAGE}?q=outage", f"{API}?q=after", f"{PAGE}?q=after"):  # from the database
        assert server.get(path)[0] == 200, f"{path} still fails after the database came back"
    assert health(server) == (200, ALL_UP)
    assert server.worker_pids() == workers, "a gunicorn worker was restarted (killed on a timeout, or crashed)"


def test_during_a_database_outage_the_site_says_it_is_unavailable(site):
    server, cluster = site
    cluster.stop()
    try:
        status, headers, body, _ = timed_get(server, f"{API}?q=unavailable")  # not kept: needs the database
        assert status == 503 and headers.get("Content-Type", "").startswith("application/json"), (status, body[:200])
        assert "Retry-After" in headers and "detail" in json.loads(body)
        status, headers, _, _ = timed_get(server, f"{PAGE}?q=unavailable")
        assert status == 503 and "Retry-After" in headers
    finally:
        cluster.start()
