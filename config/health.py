"""`GET /healthz`: can this process reach its database, cache and broker?"""

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


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
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
