"""Production settings with this machine's services, for `make bench` only (tests/perf/bench.py sets the environment:
DATABASE_URL, REDIS_URL, CELERY_BROKER_URL, EMAIL_URL, SITE_URL, SECRET_KEY, and throttle rates above what one load
generator sends from one address). Everything production does stays on (DEBUG off, persistent connections,
throttles, the access log, JSON request logs); only what a benchmark cannot have differs: plain HTTP behind a proxy
that says https, and a URL conf that adds a plain JSON view to compare with (tests/perf/urls.py, never in
production)."""

from .prod import *  # noqa: F403

ROOT_URLCONF = "tests.perf.urls"
# wrk sends X-Forwarded-Proto: https like the proxy in front of production; no redirect for the in-process client.
SECURE_SSL_REDIRECT = False
