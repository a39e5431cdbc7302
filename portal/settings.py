"""Django settings for the PATEN portal; every deployment-specific value comes from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from portal.core.content_policy import WATERMARK_STYLE_HASHES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PATEN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


DEBUG = _env_bool("PATEN_DEBUG", False)
SECRET_KEY = os.environ.get("PATEN_SECRET_KEY", "")
if not SECRET_KEY:
    # Development only: a key kept in var/ so sessions survive restarts. Production sets PATEN_SECRET_KEY.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("PATEN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal.core",
    "portal.accounts",
    "portal.directory",
    "portal.catalogue",
    "portal.notifications",
    "portal.workflow",
    "portal.web",
    "portal.letters",
    "portal.documents",
    "portal.officecalendar",
    "portal.tracking",
    "portal.citizen",
    "portal.survey",
    "portal.officework",
    "portal.delegation",
    "portal.approvals",
    "portal.operations",
    "portal.publication",
    "portal.designer",
    "portal.audit",
    "portal.incidents",
    "portal.analytics",
]

MIDDLEWARE = [
    "portal.core.middleware.SecurityHeadersMiddleware",
    "portal.core.middleware.AllowedHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.core.middleware.ServiceErrorPageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.web.navigation.navigation",
            ],
        },
    },
]

# SQLite is the embedded default. Write transactions start IMMEDIATE so two processes never
# interleave a read-then-write on an instance; WAL lets readers proceed meanwhile.
_CONN_MAX_AGE = int(os.environ.get("PATEN_DB_CONN_MAX_AGE", "60"))
DATABASES: dict[str, dict[str, object]] = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PATEN_DB_PATH", str(VAR_DIR / "paten.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        # Reusing connections saves opening SQLite (and its PRAGMAs) on every request.
        "CONN_MAX_AGE": _CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": os.environ.get("PATEN_TEST_DB_PATH", str(VAR_DIR / "test-paten.sqlite3"))},
    }
}
# Production: PostgreSQL (or any database Django supports) from a URL, for example
# PATEN_DATABASE_URL=postgres://paten:secret@db.internal:5432/paten
if os.environ.get("PATEN_DATABASE_URL"):
    import dj_database_url

    DATABASES["default"] = {
        **dj_database_url.parse(os.environ["PATEN_DATABASE_URL"], conn_max_age=_CONN_MAX_AGE, conn_health_checks=True),
        "TEST": {"NAME": os.environ.get("PATEN_TEST_DB_NAME") or None},
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA, the time zone of Babulu; storage stays UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages from npm (bpmn-js): `make setup` copies the files the pages use from
# node_modules/ into this build folder, so nothing vendored is committed.
ASSETS_BUILD_DIR = BASE_DIR / "var" / "build" / "static"
ASSETS_BUILD_DIR.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [ASSETS_BUILD_DIR]

LOGIN_URL = "/masuk/"
LOGIN_REDIRECT_URL = "/"  # the home page sends each role on to what it works on
LOGOUT_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.ApiTokenAuthentication",  # hashed, expiring, revocable
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "portal.core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("PATEN_LOGIN_RATE", "20/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PATEN API",
    "DESCRIPTION": "Pelayanan Administrasi Terpadu Kecamatan: requests, human tasks and audit events.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: a broker that needs no server by default (SQLAlchemy over SQLite); Redis in production,
# for example PATEN_BROKER_URL=redis://127.0.0.1:6379/0.
CELERY_BROKER_URL = os.environ.get("PATEN_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task taken by a worker that dies is handed to another after this long (acks are late);
    # longer than any task we run, so a slow task is never run twice while it is still going.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("PATEN_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Queues, pool and beat's scheduler: tasks/celery.py. The liveness check (manage.py worker_health, the
# admin's home, tasks.supervise): beat or a sweep not started for its period plus this long has
# stopped; letters without their PDF and unsent notifications are shown to the admin after the other.
PATEN_WORKER_STALE_SECONDS = float(os.environ.get("PATEN_WORKER_STALE_SECONDS", "300"))
PATEN_PENDING_ALERT_SECONDS = float(os.environ.get("PATEN_PENDING_ALERT_SECONDS", "600"))
_SWEEP = float(os.environ.get("PATEN_SWEEP_SECONDS", "5"))
_TIMER_SWEEP = float(os.environ.get("PATEN_TIMER_SWEEP_SECONDS", "30"))
# How long one timer sweep may run before it leaves the rest to the next (seconds).
PATEN_TIMER_SWEEP_BUDGET = float(os.environ.get("PATEN_TIMER_SWEEP_BUDGET", "120"))
# Requests finished (completed or cancelled) more than this many days ago leave the hot tables in the
# nightly archive run (portal/workflow/services/archive.py); 0 or less: never.
PATEN_HISTORY_AFTER_DAYS = int(os.environ.get("PATEN_HISTORY_AFTER_DAYS", "365"))


def _sweep(task: str, every: float) -> dict[str, object]:
    # A sweep still queued long after the next was due is redundant: let it expire instead of
    # piling up (the margin covers the embedded broker's polling delay).
    return {"task": task, "schedule": every, "options": {"expires": max(3 * every, 10.0)}}


CELERY_BEAT_SCHEDULE = {
    # Letters to draw and notifications to send are rows in the database; these sweeps work them off.
    "render-pending-letters": _sweep("tasks.letters.render_pending_letters_task", _SWEEP),
    "send-pending-notifications": _sweep("tasks.notifications.send_pending_notifications_task", _SWEEP),
    "fire-due-timers": _sweep("tasks.timers.fire_due_timers_task", _TIMER_SWEEP),
    "prune-attempts": _sweep("tasks.core.prune_attempts_task", 3600.0),
    "notify-overdue": _sweep(
        "tasks.notifications.notify_overdue_task", float(os.environ.get("PATEN_OVERDUE_SWEEP_SECONDS", "300"))
    ),
    # The transparency log: committed events sealed into the tree each minute, a signed checkpoint
    # every five minutes when it has grown, and everything verified nightly at 03:00 WITA.
    "seal-audit-log": _sweep("tasks.audit.seal_task", float(os.environ.get("PATEN_SEAL_SECONDS", "60"))),
    "issue-checkpoint": _sweep("tasks.audit.checkpoint_task", float(os.environ.get("PATEN_CHECKPOINT_SECONDS", "300"))),
    "verify-audit-log": {
        "task": "tasks.audit.verify_task",
        "schedule": crontab(hour=19, minute=0),
        "options": {"expires": 6 * 3600.0},
    },
    # Nightly at 02:00 WITA (18:00 UTC), when no one works: finished requests leave the hot tables.
    # A run still queued by morning is dropped; the next night's picks up what it left.
    "archive-history": {
        "task": "tasks.history.archive_history_task",
        "schedule": crontab(hour=18, minute=0),
        "options": {"expires": 6 * 3600.0},
    },
}

PATEN_DEMO_PASSWORD = os.environ.get("PATEN_DEMO_PASSWORD", "paten-demo-2026")
PATEN_PROCESSES_DIR = BASE_DIR / "processes"
# Letters: the base of the verification links printed as QR codes, where issued PDFs are kept
# (outside the database) and the office named in the letterhead and the signature block.
# By default the address `make run` serves on (its PORT), so receipts, letters and QR codes point
# at the portal that printed them; a real deployment names its public address.
PATEN_PUBLIC_URL = os.environ.get("PATEN_PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
# "celery": the worker's sweep draws a signed letter's PDF within seconds of the signing (make run
# starts one); "inline": the signing request draws it itself once its transaction is over.
PATEN_LETTER_RENDER = os.environ.get("PATEN_LETTER_RENDER", "celery")
# Behind a TLS-terminating proxy (PATEN_PUBLIC_URL=https://...): cookies only over HTTPS, and the
# proxy's X-Forwarded-Proto trusted to say the request came in over HTTPS.
CSRF_TRUSTED_ORIGINS = [PATEN_PUBLIC_URL.rstrip("/")]
_HTTPS = PATEN_PUBLIC_URL.startswith("https://")
if _HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain HTTP answers with a redirect to HTTPS, and browsers are told to use only HTTPS for a
    # year (PATEN_HSTS_SECONDS=0 while trying HTTPS out: a browser that saw HSTS cannot go back).
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("PATEN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages load scripts, styles, images and data from the portal itself only: no inline script or
# style (they live in static files), nothing from elsewhere, no framing. Private files set their own.
PATEN_CSP = "; ".join(
    [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
        *(["upgrade-insecure-requests"] if _HTTPS else []),
    ]
)  # fmt: skip
# The designer's modeler pages also allow the decision table editor's watermark styles, by hash.
PATEN_DESIGNER_CSP = f"{PATEN_CSP}; style-src-attr 'unsafe-hashes' {WATERMARK_STYLE_HASHES}"
PATEN_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
                    "microphone", "midi", "payment", "usb", "xr-spatial-tracking")
)  # fmt: skip

# Sessions end after PATEN_SESSION_IDLE_MINUTES without a request and PATEN_SESSION_MAX_HOURS after
# the login at the latest (portal.core.middleware.SessionTimeoutMiddleware); the cookie and the
# session store forget an idle session a few minutes later on their own.
PATEN_SESSION_IDLE_MINUTES = max(1, int(os.environ.get("PATEN_SESSION_IDLE_MINUTES", "30")))
PATEN_SESSION_MAX_HOURS = max(1, int(os.environ.get("PATEN_SESSION_MAX_HOURS", "12")))
SESSION_COOKIE_AGE = min(PATEN_SESSION_IDLE_MINUTES * 60 + 300, PATEN_SESSION_MAX_HOURS * 3600)
# API tokens (POST /api/v1/auth/token/) stop working this long after they were issued.
PATEN_TOKEN_HOURS = max(1, int(os.environ.get("PATEN_TOKEN_HOURS", "12")))

PATEN_LETTERS_DIR = Path(os.environ.get("PATEN_LETTERS_DIR", VAR_DIR / "letters"))
# The transparency log over every request event: its checkpoints name this origin (a plain name,
# no spaces) and are signed with the Ed25519 key in PATEN_AUDIT_KEY_FILE, kept outside the
# database (`make setup` creates one for the embedded default; production keeps it on the server).
PATEN_AUDIT_LOG_ORIGIN = os.environ.get("PATEN_AUDIT_LOG_ORIGIN", "paten.penajampaserutarakab.go.id/log")
PATEN_AUDIT_KEY_FILE = Path(os.environ.get("PATEN_AUDIT_KEY_FILE", VAR_DIR / "audit" / "checkpoint.key"))
# Each kecamatan's letterhead, camat and numbering live in its Office row (admin: Wilayah > Kecamatan).

# Office hours for working-day deadlines (WITA; spans per weekday, the gaps between them are breaks,
# a weekday left out is closed). Regular: 37.5 h a week (Perpres 21/2023), the Keppres 68/1995
# schedule; Ramadan: 32.5 h, the MenPAN-RB circular. The dates of each Ramadan, and days the office
# opens or closes against the holiday list, are kept in the admin (Kalender kerja kantor).
_MON_THU, _RAMADAN_MON_THU = ["07:30-12:00", "13:00-16:00"], ["08:00-12:00", "12:30-15:00"]
PATEN_OFFICE_HOURS = {"mon": _MON_THU, "tue": _MON_THU, "wed": _MON_THU, "thu": _MON_THU,
                      "fri": ["07:30-11:30", "13:00-16:30"]}  # fmt: skip
PATEN_RAMADAN_HOURS = {"mon": _RAMADAN_MON_THU, "tue": _RAMADAN_MON_THU, "wed": _RAMADAN_MON_THU,
                       "thu": _RAMADAN_MON_THU, "fri": ["08:00-11:30", "12:30-15:30"]}  # fmt: skip

# Requirement documents citizens and the counter upload: kept outside the database and outside any
# static or public URL; served only through the API to who may see the request.
PATEN_MEDIA_DIR = Path(os.environ.get("PATEN_MEDIA_DIR", VAR_DIR / "media"))
# Files go through Django's storage API ("letters" and "documents" aliases): the local disk by
# default, or any backend (django-storages: S3, GCS, Azure) for several machines, e.g.
# PATEN_FILE_STORAGE=storages.backends.s3.S3Storage PATEN_FILE_STORAGE_OPTIONS='{"bucket_name": "paten"}'
# (each kind of file then lives under its own "location" prefix, letters/ and documents/).
PATEN_FILE_STORAGE = os.environ.get("PATEN_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
PATEN_FILE_STORAGE_OPTIONS = json.loads(os.environ.get("PATEN_FILE_STORAGE_OPTIONS") or "{}")


def file_storages(*, letters_dir: Path, documents_dir: Path) -> dict[str, dict[str, object]]:
    """The STORAGES setting for the given local folders (used when the backend is the local disk)."""
    local = PATEN_FILE_STORAGE == "django.core.files.storage.FileSystemStorage"

    def kind(folder: Path, prefix: str) -> dict[str, object]:
        location = str(folder) if local else prefix
        options = {**PATEN_FILE_STORAGE_OPTIONS, "location": location}
        if local:  # private files: never under a public URL, readable by the service's user only
            options |= {"file_permissions_mode": 0o640, "directory_permissions_mode": 0o750}
        return {"BACKEND": PATEN_FILE_STORAGE, "OPTIONS": options}

    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
        "letters": kind(letters_dir, "letters"),
        "documents": kind(documents_dir, "documents"),
    }


STORAGES = file_storages(letters_dir=PATEN_LETTERS_DIR, documents_dir=PATEN_MEDIA_DIR)
PATEN_DOCUMENT_MAX_BYTES = int(os.environ.get("PATEN_DOCUMENT_MAX_BYTES", str(5 * 1024 * 1024)))
PATEN_DOCUMENT_MAX_PIXELS = int(os.environ.get("PATEN_DOCUMENT_MAX_PIXELS", "40000000"))
# Each file's content is checked in a child process bounded in address space (bytes) and CPU seconds.
PATEN_DOCUMENT_CHECK_MEMORY = int(os.environ.get("PATEN_DOCUMENT_CHECK_MEMORY", str(512 * 1024 * 1024)))
PATEN_DOCUMENT_CHECK_SECONDS = int(os.environ.get("PATEN_DOCUMENT_CHECK_SECONDS", "5"))
# Quotas on stored documents: per request; per applicant (NIK) over a rolling number of days; and per
# day for what applicants upload themselves (one address without an account, or one citizen's account).
PATEN_DOCUMENT_MAX_FILES_PER_REQUEST = int(os.environ.get("PATEN_DOCUMENT_MAX_FILES_PER_REQUEST", "20"))
PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST = int(
    os.environ.get("PATEN_DOCUMENT_MAX_BYTES_PER_REQUEST", str(25 * 1024 * 1024))
)
PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT = int(os.environ.get("PATEN_DOCUMENT_MAX_FILES_PER_APPLICANT", "60"))
PATEN_DOCUMENT_MAX_BYTES_PER_APPLICANT = int(
    os.environ.get("PATEN_DOCUMENT_MAX_BYTES_PER_APPLICANT", str(100 * 1024 * 1024))
)
PATEN_DOCUMENT_APPLICANT_DAYS = int(os.environ.get("PATEN_DOCUMENT_APPLICANT_DAYS", "30"))
PATEN_UPLOAD_BYTES_PER_DAY = int(os.environ.get("PATEN_UPLOAD_BYTES_PER_DAY", str(50 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PATEN_LOG_LEVEL", "WARNING")},
    # SpiffWorkflow logs every task state change at INFO: several lines per step, none of use here.
    "loggers": {"spiff": {"level": "WARNING"}},
}

# Notifications: channel name -> class; SMS and WhatsApp gateways are adapters (default: log only).
PATEN_NOTIFICATION_CHANNELS = {
    "email": "portal.notifications.channels.EmailChannel",
    "sms": os.environ.get("PATEN_SMS_CHANNEL", "portal.notifications.channels.LoggingChannel"),
    "whatsapp": os.environ.get("PATEN_WHATSAPP_CHANNEL", "portal.notifications.channels.LoggingChannel"),
}
PATEN_NOTIFY_PHONE_CHANNELS = [c for c in os.environ.get("PATEN_NOTIFY_PHONE_CHANNELS", "sms").split(",") if c]
EMAIL_BACKEND = os.environ.get("PATEN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("PATEN_FROM_EMAIL", "paten@babulu.invalid")

# Diagram code (scripts, conditions, timer and due expressions) that could loop or allocate runs in
# a sandbox process: at most this much wall-clock time and memory per evaluation.
PATEN_SCRIPT_SECONDS = float(os.environ.get("PATEN_SCRIPT_SECONDS", "2"))
PATEN_SCRIPT_MEMORY_MB = int(os.environ.get("PATEN_SCRIPT_MEMORY_MB", "256"))
