"""SalesTrack settings: one module, every knob read from the environment.

Every variable is documented in `.env.example`. A `.env` file beside manage.py is read if
present; real environment variables win over it.
"""

from datetime import timedelta
from pathlib import Path

import environ
import phonenumbers
import plotly
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from core.currencies import CODES as CURRENCY_CODES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A fixed key is acceptable only on a developer's machine; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (see .env.example), or set DEBUG=true "
        "on a development machine."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_ratelimit",
    "ninja",
    "anymail",
    "users",
    "webhooks",
    "imports",
    "pipeline",
    "activities",
    "quotas",
    "dashboards",
    "capture",
    "api",
]

# Developer tooling (seed_demo, bench, the load test's helpers): on with DEBUG, off in
# production unless asked for (DEVTOOLS=true, e.g. to seed a demo server).
DEVTOOLS = env.bool("DEVTOOLS", default=DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware, after authentication so that a signed-in person's own
    # language wins over the browser's (users/middleware.py; docs/i18n.md#choosing-the-language).
    "users.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salestrack.urls"
WSGI_APPLICATION = "salestrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "users.context_processors.navigation",
                "salestrack.catalogue.context",
            ],
            # `dated`: dates in the reader's language on every page (core/dates.py).
            "builtins": ["core.dates"],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file beside manage.py for a quick local demo.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's import thread (IMPORTS_IN_THREAD) writes while its page polls: in WAL mode
    # readers never wait for a writer, so the page reads on rather than "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "init_command", "PRAGMA journal_mode=WAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-ins from a locked-out account and address.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with one password hash per attempt whatever the account (users/auth.py).
    "users.auth.EmailBackend",
]
# Lock an account + address pair out for 15 minutes after 5 failed sign-ins. Admins unlock
# with `python manage.py axes_reset_username EMAIL` or in the Django admin (Access attempts).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in forms post the email as "username"; failures count per canonical account, so
# every spelling of an email shares one counter.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "users.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, one function for the sign-in lockout and the password-reset limits
# (users.auth.client_ip; docs/operations.md#the-clients-address).
# TRUSTED_PROXY_COUNT is how many proxies of ours stand in front of the app, each writing
# the address it was reached from into X-Forwarded-For: the client is then that many
# entries from the right-hand end, which no client can write. 1 behind the shipped nginx
# (deploy/nginx.conf, the default with DEBUG off); 0 when nothing stands in front (the
# header is ignored and REMOTE_ADDR is the address; the default with DEBUG on).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is a number of proxies: 0 or more.")
AXES_CLIENT_IP_CALLABLE = "users.auth.client_ip"
# Argon2id first (users/hashers.py); the others only read passwords stored before.
PASSWORD_HASHERS = [
    "users.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# English is the source language, written the British way (docs/i18n.md). Spanish and
# Simplified Chinese come from the project's catalogues in locale/; each language is named
# in itself in the switchers. A browser asking for any English (en-us too) gets en-gb.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("es", "Español"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How each language writes numbers and dates beyond Django's own formats: Spanish groups
# thousands with ".", Chinese with ","; and the patterns of core/formats.py (a percentage,
# money, a date range) (docs/i18n.md#numbers-and-dates).
FORMAT_MODULE_PATH = ["salestrack.formats"]
# Grouping where no language is active (a command run with translations off). It groups
# only where asked (core/formats.py): USE_THOUSAND_SEPARATOR stays off, so ids and form
# values are never grouped.
NUMBER_GROUPING = 3
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# The month the fiscal year starts in (1 = January); quarters and FY periods follow it.
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=1)
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be a month number from 1 to 12.")

# The organisation's currency, an ISO 4217 code ("EUR", "USD", "GBP"): every amount is in
# it; pages write it with its symbol or code, CSV money columns end in it, the API's and
# `report`'s JSON name it (docs/contracts.md#currency).
CURRENCY = env.str("CURRENCY", default="EUR").strip().upper()
if CURRENCY not in CURRENCY_CODES:
    raise ImproperlyConfigured(
        f"CURRENCY must be an ISO 4217 currency code, like EUR, USD or GBP, not {CURRENCY!r}."
    )

# The country a phone number without its country code is read in (an ISO 3166 code, "US",
# "GB", "ES"): prospects' numbers and a dialer's are compared as E.164
# (docs/operations.md#pointing-a-dialer-at-salestrack).
PHONE_REGION = env.str("PHONE_REGION", default="US").strip().upper()
if PHONE_REGION not in phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(
        f"PHONE_REGION must be a two-letter country code phonenumbers knows, like US or GB "
        f"(not {PHONE_REGION!r})."
    )

# Static files: our own in static/, plotly.min.js straight from the installed plotly package
# (served as /static/plotly/plotly.min.js, never copied into git), all served by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded import files wait here between the check and the confirmation: a directory of
# the app's own (mode 0700, files 0600), never a shared /tmp. Every web and worker process
# must see the same one (docker-compose.yml mounts a volume). The nightly purge deletes
# files older than a day.
IMPORT_STAGING_DIR = env.path("IMPORT_STAGING_DIR", default=str(BASE_DIR / "var" / "imports"))
IMPORT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Email as a URL (django-environ), turned into Django 6.1's MAILERS: the console in
# development, so password-reset links show in the server's output; in production e.g.
# EMAIL_URL=smtp+tls://user:password@mail.example.com:587.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {key: value for key, value in _smtp_options.items() if value}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SalesTrack <no-reply@localhost>")

# Celery: Redis is broker and result backend. Without REDIS_URL tasks run eagerly in-process,
# which is what a laptop demo on SQLite wants (DEBUG on). Production (DEBUG off) refuses to
# start without a broker: imports and the nightly job would otherwise run inside requests.
REDIS_URL = env.str("REDIS_URL", default="")
# RUN_TASKS_IN_PROCESS=true is the explicit way to run without one (the benchmark, a build).
if not REDIS_URL and not DEBUG and not env.bool("RUN_TASKS_IN_PROCESS", default=False):
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DEBUG is off: it is Celery's broker and the shared cache "
        "(see .env.example), or set DEBUG=true for a laptop demo that runs tasks in-process."
    )
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Without a broker (the laptop demo) an import job's check and apply run in a thread of the
# web process rather than inside the request, so its page shows the progress bar moving as
# with a worker (docs/operations.md#import-jobs). Off with a broker, and off by default
# without DEBUG (RUN_TASKS_IN_PROCESS: the benchmark wants them in the request).
IMPORTS_IN_THREAD = env.bool("IMPORTS_IN_THREAD", default=DEBUG and not REDIS_URL)
# Tasks queued from a request (after commit) must not hold the rep up when Redis is down:
# two quick retries, then the failure is logged (on_commit(robust=True)) and the page answers.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# Plan and alert refreshes that writes queue gather in Redis for this many seconds and run
# once per rep (docs/architecture.md#coalesced-refreshes); 0 queues each at once, as does
# running tasks in-process (no REDIS_URL).
REFRESH_COALESCE_SECONDS = env.int("REFRESH_COALESCE_SECONDS", default=60)
# How long a report worked out for the team page, the leaderboard or a rep page is kept in
# the cache at most; a write that changes it makes the next read work it out again anyway
# (docs/architecture.md#cached-reports). 0 keeps none: the default without Redis, whose
# per-process cache would not hear of a write made by another process (a command run
# beside the demo's server).
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=600 if REDIS_URL else 0)

# The cache: Redis when there is one, shared by every web process (the password-reset rate
# limits must hold across gunicorn workers and containers), else this process's memory,
# which is all a one-process laptop demo has. django-ratelimit warns about any backend it
# has not tested; Django's own RedisCache increments atomically, as it needs.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "salestrack",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# Password-reset requests (each sends an email): per client address and per account.
PASSWORD_RESET_RATE_PER_ADDRESS = env.str("PASSWORD_RESET_RATE_PER_ADDRESS", default="10/h")
PASSWORD_RESET_RATE_PER_ACCOUNT = env.str("PASSWORD_RESET_RATE_PER_ACCOUNT", default="3/h")

# The REST API (docs/api.md#limits): requests a minute per token (or signed-in user), the
# largest body and the most items in one request.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_MAX_BODY_BYTES = 5 * 1024 * 1024
API_MAX_ITEMS = 1000

# Outbound webhooks (docs/api.md#outbound-webhooks): a URL that resolves to a private,
# loopback or link-local address is refused (at save and again at each attempt) unless this
# is on — on by default with DEBUG, for a receiver on the developer's own machine.
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", default=DEBUG)

# The email services' webhooks (docs/operations.md#email-services). Each provider's URL
# answers only once ANYMAIL_WEBHOOK_SECRET ("user:password", given to the provider as
# basic auth in the URL) and, for Mailgun, its webhook signing key are set. SES: SNS
# subscriptions are confirmed by hand in the AWS console, never by the app calling out.
ANYMAIL = {
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,
    # Brevo's inbound view wants an API key for fetching attachments, which is never done.
    "BREVO_API_KEY": "",
}

# Security. The production defaults switch on with DEBUG off; each can be overridden, e.g.
# SECURE_SSL_REDIRECT=false behind a proxy that already redirects.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container's health check asks over plain HTTP from inside: answer it, don't redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# No inline script anywhere: scripts come from our own origin only. Plotly and htmx inject
# <style> elements at run time, so styles allow 'unsafe-inline' (styles cannot run code).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A calendar feed's address is its credential (docs/operations.md#calendar-feed).
    "filters": {"redact_secret_paths": {"()": "core.redaction.RedactSecretPaths"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_paths"],
        }
    },
    # Django's "Not Found: <path>" warnings, before any handler (Django's own included).
    "loggers": {"django.request": {"filters": ["redact_secret_paths"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
