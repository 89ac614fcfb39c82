"""`GET /healthz`: can this process reach its database, cache and broker?"""

from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from kombu import Connection


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    cache.set("healthz", "ok", 10)
    return "ok" if cache.get("healthz") == "ok" else "down"


@lru_cache(maxsize=4)
def _redis_broker(url: str) -> redis.Redis:
    """One client per process (it reconnects by itself): a new broker connection per probe was 71 % of the time of
    `/healthz` at scale (issue 19)."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        return "ok" if _redis_broker(url).ping() else "down"
    with Connection(url, connect_timeout=2) as conn:  # another broker (RabbitMQ): connect and let go
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    report = {}
    for name, probe in (("database", _database), ("cache", _cache), ("broker", _broker)):
        try:
            report[name] = probe()
        except Exception:  # any failure of a dependency is reported, never raised
            report[name] = "down"
    healthy = all(value in ("ok", "eager") for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
