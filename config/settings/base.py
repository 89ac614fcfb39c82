"""Settings shared by every environment; each value comes from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files: no CDN
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "csp",
    "pgtrigger",
    "pghistory",
    "audit",
    "accounts",
    "charter",
    "brokers",
    "providers",
    "plans",
    "spending",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts through what (page, API, admin), for the services and the audit trail; one log line per request.
    "config.observability.RequestMiddleware",
    "config.pages.RefusedMiddleware",
    "config.http.RequestHygieneMiddleware",
    "audit.access.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.sessions.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # frontend's templates first, so that its overrides of allauth's pages win over allauth's own.
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    },
]

# A new PostgreSQL connection costs ~85 ms here: keep them, and check them before reuse.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/waymark")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# A cache that is down must never hold a request up: short timeouts, then a miss (config.cache).
CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "OPTIONS": CACHE_OPTIONS}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions (and so API tokens) are read from the shared cache, written through to the database: a signed-in
# request no longer spends queries on its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# Reviewers and admins: signed out after 30 minutes idle and after 8 hours in all (accounts.sessions).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=8 * 60 * 60)
LOGIN_REDIRECT_URL = "dashboard"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Waymark <no-reply@waymark.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_NAME = "Waymark"
# The public address, for links in emails sent from tasks (which have no request to build them from).
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# --- django-allauth: email is the login, there is no username ---
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
# Mandatory everywhere: with optional verification allauth cannot hide whether an address already has an account
# (sign-up would answer `email_taken`), and an unverified address must never pass for its owner.
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
# Someone locked out by failed logins (perhaps by a stranger guessing) still has a way in: a code by email, or a
# password reset. The failed-login limit itself stays.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.RoleSignupForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Waymark: "
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Failed logins are limited per account and per IP on the shared cache (Redis outside dev).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/accounts/signup/",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# allauth's pages in plain English (labels and hints only): frontend/forms.py.
ACCOUNT_FORMS = {
    "login": "frontend.forms.LoginForm",
    "signup": "frontend.forms.SignupForm",
    "reset_password": "frontend.forms.ResetPasswordForm",
    "reset_password_from_key": "frontend.forms.ResetPasswordKeyForm",
    "change_password": "frontend.forms.ChangePasswordForm",
    "set_password": "frontend.forms.SetPasswordForm",
    "add_email": "frontend.forms.AddEmailForm",
    "reauthenticate": "frontend.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "frontend.forms.AuthenticateForm",
    "reauthenticate": "frontend.forms.MFAReauthenticateForm",
    "activate_totp": "frontend.forms.ActivateTOTPForm",
}
MFA_TOTP_ISSUER = "Waymark"
# Reviewers and admins must enrol MFA before deciding anything; DEBUG switches the guard off (see accounts.mfa).
MFA_REQUIRED_FOR_DECISIONS = env.bool("MFA_REQUIRED_FOR_DECISIONS", default=not DEBUG)

# --- Content Security Policy (django-csp 4): our own origin only; the one inline script carries the nonce ---
CONTENT_SECURITY_POLICY = {
    # Swagger UI (served from our static files) styles itself inline: its page keeps no policy.
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the TOTP QR code is a data: SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Django REST Framework: conventions in one place (config.api) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttles.PersonRateThrottle",
        "config.throttles.AddressRateThrottle",
        "config.throttles.ActionRateThrottle",
    ],
    # Above the contract's floors (300/min a person, 1,000/min an address, 20/hour on the tighter scopes).
    "DEFAULT_THROTTLE_RATES": {
        "person": env("THROTTLE_PERSON", default="600/min"),
        "address": env("THROTTLE_ADDRESS", default="3000/min"),
        "email": env("THROTTLE_EMAIL", default="60/hour"),
        "render": env("THROTTLE_RENDER", default="60/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Waymark API",
    "DESCRIPTION": "Find a support broker, plan a personal budget and get it approved by KMPT.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["config.api.schema_without_slash_twins"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema_with_errors",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OutcomeEnum": "config.choices.Outcome",
        "AreaEnum": "config.choices.Area",
        "ListingStatusEnum": "providers.models.ListingStatus",
        "PlanStatusEnum": "plans.models.PlanStatus",
        "EngagementStatusEnum": "brokers.models.EngagementStatus",
        "CategoryEnum": "providers.models.Category",
    },
}

# --- Celery: JSON only, late acks, one message at a time, time limits ---
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_DEFAULT_QUEUE = "default"
# Every queue is declared so that a plain `celery -A config worker` consumes them all. In production slow work has
# workers of its own (docs/scaling.md): PDFs (`-Q pdf`), email (`-Q email`: every submission sends some, and they
# must not queue in front of the next submission) and imports and exports (`-Q imports`).
CELERY_TASK_QUEUES = (Queue("default"), Queue("pdf"), Queue("email"), Queue("imports"))
CELERY_TASK_ROUTES = {
    "accounts.tasks.send_email": {"queue": "email"},
    "brokers.tasks.message_nudge": {"queue": "email"},
    "accounts.tasks.build_export": {"queue": "imports"},
    "spending.tasks.import_statement": {"queue": "imports"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A short publish timeout: an unreachable broker must never turn a committed write into an error.
# A task a dead worker held comes back after 15 minutes (longer than any task may run), not Redis's default hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": 15 * 60,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "providers-freshness-reminders": {"task": "providers.tasks.send_freshness_reminders", "schedule": 6 * 60 * 60},
}
STALE_SUBMISSION_AFTER = timedelta(seconds=env.int("STALE_SUBMISSION_SECONDS", default=60))
# Plans: re-send stuck submissions; a first review 6 to 8 weeks after approval, then every 12 months (Care Act).
CELERY_BEAT_SCHEDULE["plans-sweep-stuck-submissions"] = {
    "task": "plans.tasks.sweep_stuck_submissions",
    "schedule": 60.0,
}
# Reminders are recorded per occasion, so an hourly beat never repeats one; it only catches each one early.
CELERY_BEAT_SCHEDULE["plans-send-reminders"] = {"task": "plans.tasks.send_reminders", "schedule": 60 * 60}
PLAN_FIRST_REVIEW_AFTER = timedelta(weeks=7)

# --- Retention (accounts.retention): how long each kind of record is kept once it has served its purpose ---
RETENTION_DAYS = {
    # A copy of someone's data holds everything about them: only long enough to download it.
    "data_exports": 7,
    # In-app notifications repeat what the plan's trail records; two years covers a plan's year and its review.
    "notifications": 730,
    # Out-of-date reports on listings, once resolved: a year, for a provider's questions about them.
    "stale_reports": 365,
    # Emails already sent: kept a month, to answer "did it go?", then removed (they name people).
    "sent_emails": 30,
    # Sign-in sessions that have expired carry nothing anyone needs.
    "sessions": 0,
}
# Budgets, plans, frozen versions, decisions, the audit trail and the access log are KMPT's record of decisions
# about public money and care: they have no period here and survive erasure under a pseudonym.
# The search's word dictionary (for misspellings) is rebuilt nightly; listing writes add their words at once.
CELERY_BEAT_SCHEDULE["providers-rebuild-search-words"] = {
    "task": "providers.tasks.rebuild_search_words",
    "schedule": 24 * 60 * 60,
}
CELERY_BEAT_SCHEDULE["accounts-resend-emails"] = {"task": "accounts.tasks.resend_emails", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["accounts-apply-retention"] = {"task": "accounts.tasks.apply_retention", "schedule": 24 * 60 * 60}
PLAN_REVIEW_EVERY_MONTHS = 12

# One structured line per request and per task (config.observability); JSON in production, readable in dev.
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "config.observability.formatter", "json": LOG_FORMAT == "json"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Our own request line replaces Django's, which names the path (and so, at times, personal data).
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
