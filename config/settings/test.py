"""Tests: real PostgreSQL and Redis (their own db number), a real broker, emails kept in memory."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHE_OPTIONS, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Under pytest-xdist each worker process has its own Redis db numbers (pytest-django gives its database a _gwN suffix).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = env("REDIS_URL", default=f"redis://127.0.0.1:6379/{14 - 2 * _WORKER}")
CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "OPTIONS": CACHE_OPTIONS}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=f"redis://127.0.0.1:6379/{15 - 2 * _WORKER}")
CELERY_TASK_ALWAYS_EAGER = False
MFA_REQUIRED_FOR_DECISIONS = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Rate limits are tested on purpose; elsewhere they would make fast tests flaky.
ACCOUNT_RATE_LIMITS = {"login_failed": "1000/m/ip,5/5m/key"}
# Rate limits are tested on purpose (with their own settings); elsewhere fast tests would trip them.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"person": None, "address": None, "email": None, "render": None},
}
# Serve static files straight from the apps (no collectstatic needed outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Stored documents (decided PDFs, exports) go to a throw-away folder per test process, never the project's media/.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"waymark-test-media-{os.getpid()}"
