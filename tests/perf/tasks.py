"""A no-op task for the workflow benchmark's round trip (the bench's worker imports it with `--include`)."""

from django.core.cache import cache

from config.celery import app


@app.task(name="tests.perf.bench_noop", ignore_result=True)
def noop(key: str) -> None:
    cache.set(key, 1, 60)
