"""Local development: DEBUG on, emails to the console, tasks eager when no broker is configured."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
MFA_REQUIRED_FOR_DECISIONS = env.bool("MFA_REQUIRED_FOR_DECISIONS", default=False)
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedStaticFilesStorage"  # noqa: F405
# Serve static files straight from the apps (no collectstatic needed outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
