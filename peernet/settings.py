"""PeerNet settings: one module; every difference between environments comes from variables.

DJANGO_DEBUG, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_URL,
DJANGO_DEFAULT_FROM_EMAIL, DJANGO_SECURE_SSL (HTTPS hardening, default on when not debugging),
PEERNET_BASE_URL, DJANGO_ADMINS (who gets error reports), … Every one is read here, and only
here; README.md, "Configuration", lists them all. Importing this module has no other effect.
"""

import base64
import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from core.env import env_bool, env_list, mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Local files (SQLite, file cache, filesystem broker, development mail, static files). Importing
# the settings creates nothing: each folder is made where it is used (scripts/run.sh and
# scripts/test.sh make this one; see README "Configuration").
VAR_DIR = Path(os.environ.get("PEERNET_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Absolute links in emails and calendar feeds.
BASE_URL = os.environ.get("PEERNET_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "peernet",
    "core",
    "members",
    "groups.apps.GroupsConfig",
    "meetings",
]

MIDDLEWARE = [
    # First, so every response (redirects and error pages too) and every log line has its id.
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML (whitenoise serves static files precompressed, before it); before every
    # middleware that reads or changes the body. BREACH: Django adds random bytes to each gzip
    # response ("Heal the Breach") and masks the CSRF token afresh in every response.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.HtmxAwareLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside MessageMiddleware: messages of an htmx response become toasts before they are stored.
    "core.middleware.HtmxMessagesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "core.middleware.UserTimezoneMiddleware",
    "peernet.middleware.MfaRequiredMiddleware",
]

ROOT_URLCONF = "peernet.urls"
WSGI_APPLICATION = "peernet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peernet.context_processors.navigation",
            ],
        },
    }
]

# Database: PostgreSQL in production (DATABASE_URL); a SQLite file when unset.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'peernet.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that a Celery worker process started by a test sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;"}
    _sqlite_folder = Path(DATABASES["default"]["NAME"]).parent
    if not _sqlite_folder.is_dir():
        raise ImproperlyConfigured(
            f"The SQLite database goes in {_sqlite_folder}, which does not exist. Create it "
            f"(mkdir -p {_sqlite_folder}), set PEERNET_VAR_DIR to a folder that exists, or set "
            "DATABASE_URL."
        )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis serves the cache (allauth's rate limits, sessions stay in the database) and Celery.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "peernet",
        }
    }
else:
    # A file cache is shared by runserver, the worker and any other local process,
    # so rate limits hold across them (a per-process memory cache would not).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: the email address is the login; it must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PeerNet] "
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
# Sign-up takes as long for a taken address as for a new one (no account enumeration).
ACCOUNT_FORMS = {"signup": "members.forms.SignupForm"}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# Rate limits count per client address. Behind our reverse proxies every connection comes from
# the last of them, so the client is the address the first of ours appended to X-Forwarded-For
# (entries further left are the client's own say and are ignored). 0: reached directly.
_proxy_count = os.environ.get("PEERNET_TRUSTED_PROXY_COUNT", "0").strip()
if not _proxy_count.isdigit():
    raise ImproperlyConfigured(
        "PEERNET_TRUSTED_PROXY_COUNT must be a whole number of proxies (0 when clients reach "
        f"the app directly), not {_proxy_count!r}."
    )
ALLAUTH_TRUSTED_PROXY_COUNT = int(_proxy_count)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PeerNet"
# TOTP secrets and recovery-code seeds are encrypted at rest (members/mfa.py) with Fernet keys
# from PEERNET_MFA_KEYS: comma-separated, the first encrypts, every one decrypts, so a key can
# be rotated (README, "Two-factor secrets"). Their own keys, not ones derived from SECRET_KEY:
# rotating SECRET_KEY must not lock every admin out of their authenticator app, and a leaked
# SECRET_KEY must not unlock the secrets too. Development derives one from SECRET_KEY.
MFA_ADAPTER = "members.adapters.MfaAdapter"
PEERNET_MFA_KEYS = env_list("PEERNET_MFA_KEYS", [])
if not PEERNET_MFA_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set PEERNET_MFA_KEYS (the key that encrypts two-factor secrets), e.g. to the output "
            "of: python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32))"
            ".decode())'"
        )
    PEERNET_MFA_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"mfa:{SECRET_KEY}".encode()).digest()).decode()
    ]
for _key in PEERNET_MFA_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "Each PEERNET_MFA_KEYS entry must be 32 random bytes in URL-safe base64 (44 "
            "characters ending in '='), as the command in README, \"Two-factor secrets\", prints."
        ) from None
# Tracking "last seen" would cost four queries on every request; sessions still list IP and start.
USERSESSIONS_TRACK_ACTIVITY = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Made by collectstatic (the Docker image runs it); with DEBUG, whitenoise serves from the apps.
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (profile photos): a folder under PEERNET_VAR_DIR, or any Django storage
# backend named by PEERNET_FILE_STORAGE with its options as JSON in
# PEERNET_FILE_STORAGE_OPTIONS, e.g. S3-compatible storage through django-storages (README,
# "Configuration"). Photos are served only through a scoped view, so MEDIA_URL is never routed.
MEDIA_ROOT = Path(os.environ.get("PEERNET_MEDIA_DIR", VAR_DIR / "media"))
MEDIA_URL = "/media/"
try:
    _file_storage_options = json.loads(os.environ.get("PEERNET_FILE_STORAGE_OPTIONS", "{}"))
except ValueError:
    raise ImproperlyConfigured("PEERNET_FILE_STORAGE_OPTIONS must be a JSON object.") from None
if not isinstance(_file_storage_options, dict):
    raise ImproperlyConfigured("PEERNET_FILE_STORAGE_OPTIONS must be a JSON object.")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "PEERNET_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": _file_storage_options,
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email through Django 6.1 mailers. EMAIL_URL: smtp://user:pass@host:port, smtp+tls://…,
# file:///folder, console://. Without it, development writes one .eml file per message under
# var/mail/, read at /dev/mail/ (core/dev_mail.py); production must set it.
EMAIL_URL = os.environ.get("EMAIL_URL", (VAR_DIR.resolve() / "mail").as_uri() if DEBUG else "")
if not EMAIL_URL:
    raise ImproperlyConfigured("Set EMAIL_URL, e.g. smtp+tls://user:password@mail.example.com:587.")
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "PeerNet <noreply@peernet.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Error reports: each server error (500) is emailed, with its request id and traceback, to
# DJANGO_ADMINS ("ops@example.com, Dana <dana@example.com>"), outside development.
ADMINS = env_list("DJANGO_ADMINS", [])
EMAIL_SUBJECT_PREFIX = "[PeerNet] "

# Content-Security-Policy: nothing inline, nothing evaluated, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# HTTPS hardening: on in production, behind a proxy that sets X-Forwarded-Proto.
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Celery. With REDIS_URL: Redis is broker and result store. Without it (the demo, local
# tests) the "embedded" mode uses kombu's filesystem transport: a real worker and beat run as
# processes and exchange messages through files under var/celery. See README "Background work".
CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "celery"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # A host is named only to keep kombu from warning that none was given.
    CELERY_BROKER_URL = "filesystem://localhost/"
    # The folders are made when Celery first reads this configuration (peernet/celery.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
# Workers consume this queue; tests and benchmarks give each run its own (CELERY_QUEUE).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task is acknowledged after it ran; if the worker dies mid-task the message goes back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic job, in one place. The core's tasks keep the names they had in peernet/tasks.py
# (core/tasks.py).
CELERY_BEAT_SCHEDULE = {
    "record-heartbeat": {
        "task": "peernet.tasks.heartbeat_record",
        "schedule": crontab(minute="*"),
    },
    "notifications-dispatch": {
        "task": "peernet.tasks.notifications_dispatch",
        "schedule": crontab(minute="*"),
    },
    "meetings-top-up": {
        "task": "meetings.tasks.occurrences_top_up",
        "schedule": crontab(minute=17, hour=3),
    },
    "norms-evaluate": {
        "task": "meetings.tasks.norms_evaluate_all",
        "schedule": crontab(minute=37, hour=4),
    },
    "renewals-daily": {
        "task": "groups.tasks.renewals_daily",
        "schedule": crontab(minute=7, hour=5),
    },
}

# How many active cohorts one member may belong to at once (groups/services.py refuses more).
_max_cohorts = os.environ.get("PEERNET_MAX_ACTIVE_COHORTS", "1").strip()
if not _max_cohorts.isdigit() or int(_max_cohorts) < 1:
    raise ImproperlyConfigured(
        f"PEERNET_MAX_ACTIVE_COHORTS must be a whole number of cohorts, 1 or more, not "
        f"{_max_cohorts!r}."
    )
PEERNET_MAX_ACTIVE_COHORTS = int(_max_cohorts)
# Annual renewal: prompts this many days before the renewal date, and how many days after it
# an unrenewed membership lapses (and its cohort seats end).
PEERNET_RENEWAL_PROMPT_DAYS = (60, 30, 7)
_grace = os.environ.get("PEERNET_RENEWAL_GRACE_DAYS", "30").strip()
if not _grace.isdigit():
    raise ImproperlyConfigured(
        f"PEERNET_RENEWAL_GRACE_DAYS must be a whole number of days, not {_grace!r}."
    )
PEERNET_RENEWAL_GRACE_DAYS = int(_grace)

# Notifications (core/notifications/; README "Notifications"). Hours before a meeting
# starts; a cohort may override each (meetings.NotificationSchedule).
NOTIFICATION_OFFSETS_HOURS = {"agenda_prompt": 7 * 24, "rsvp_nudge": 3 * 24, "reminder": 24}
# Rows handed to one send task, sent over one SMTP connection.
NOTIFICATION_BATCH_SIZE = int(os.environ.get("PEERNET_NOTIFY_BATCH_SIZE", "100"))
# A row left "sending" this long is abandoned (its worker died) and may be claimed again.
# A sender starts no new message once its claim is half this old, so a live claim never
# reaches it.
NOTIFICATION_CLAIM_SECONDS = float(os.environ.get("PEERNET_NOTIFY_CLAIM_SECONDS", "600"))
# SMTP failures: first retry after this many seconds, doubling, capped; then "failed".
NOTIFICATION_RETRY_SECONDS = float(os.environ.get("PEERNET_NOTIFY_RETRY_SECONDS", "30"))
NOTIFICATION_RETRY_MAX_SECONDS = 1800
NOTIFICATION_MAX_ATTEMPTS = 8
# After downtime, meetings that started up to this long ago still get their missed rows,
# recorded as skipped with a reason; older ones are left alone.
NOTIFICATION_CATCH_UP_HOURS = 24
# Attendees may evaluate a meeting for this many days after it ended (one prompt when it ends).
EVALUATION_OPEN_DAYS = 14

# Every line names the request it was written for (core/request_id.py; "-" outside one);
# the 500 page quotes the same id. Errors are also emailed to ADMINS when not debugging.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.request_id.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "request": {
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "request",
        },
        "mail_admins": {
            "class": "core.errors.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_id"],
            "formatter": "request",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Replaces Django's default handlers for "django" (its console one only printed when
        # debugging; the root's console prints everything, once).
        "django": {"handlers": ["mail_admins"]},
    },
}
