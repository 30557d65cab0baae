"""SaferWork settings: one module, every value from the environment through strict readers.

The embedded default (no environment at all) is SQLite, the database cache, and tasks
that run inline. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` moves caches and
rate-limit counters to Redis, ``TASK_BACKEND=database`` queues tasks for ``make worker``.
Production hardening lives in ``saferwork.settings_production``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from saferwork.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SAFERWORK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("SAFERWORK_TESTING", False)

_DEV_SECRET = "dev-only-insecure-key-never-used-in-production-5b2a86"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if (DEBUG or TESTING) else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "SaferWork"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "saferwork.core",
    "saferwork.accounts",
    "saferwork.organisations",
    "saferwork.audit",
    "saferwork.badges",
    "saferwork.recruitment",
    "saferwork.training",
    "saferwork.law",
    "saferwork.reporting",
    "saferwork.delivery",
    "saferwork.reach",
    "saferwork.fees",
    "saferwork.surveys",
    "saferwork.actions",
    "saferwork.duty",
    "saferwork.risk",
    "saferwork.dialogue",
    "saferwork.learning",
    "saferwork.standards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "saferwork.lib.sessions.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "saferwork.organisations.middleware.CurrentOrganisationMiddleware",
    "saferwork.accounts.middleware.SecondFactorRequiredMiddleware",
    # Before anything reads the body (CSRF reads it in process_view, after every __call__).
    "saferwork.core.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "saferwork.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "saferwork.urls"
WSGI_APPLICATION = "saferwork.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saferwork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saferwork.organisations.context_processors.organisation",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
_database_url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'saferwork.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the single writer work side by side; the timeout makes a
    # second web process wait for the write lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A persistent connection that died with its server (a restart, a fail-over) is replaced
# at the start of the next request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches hold sessions' helpers and the rate-limit counters, so they must be shared by
# every web process: the database by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            # Django's database cache with an atomic incr: rate-limit counts hold under concurrency.
            "BACKEND": "saferwork.lib.cache.DatabaseCache",
            "LOCATION": "saferwork_cache",
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# Idle timeout: a request pushes the expiry forward, saving the session at most once a
# SESSION_TOUCH_SECONDS (saferwork.lib.sessions.IdleSessionMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "saferwork_session"
CSRF_COOKIE_HTTPONLY = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

OTP_TOTP_ISSUER = "SaferWork"
# The Django admin must never show an authenticator's key, its QR code or backup codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Our own per-account counters (RATE_LIMIT_SECOND_FACTOR) limit guessing; django-otp's
# growing delays would also refuse a right code typed just after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
SUDO_SECONDS = env_int("SUDO_SECONDS", 10 * 60, minimum=60)
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)

# Rate limits: (attempts, window in seconds).
RATE_LIMIT_SIGN_IN_ACCOUNT = (env_int("RATE_LIMIT_SIGN_IN_ACCOUNT", 5, minimum=1), 15 * 60)
RATE_LIMIT_SIGN_IN_ADDRESS = (env_int("RATE_LIMIT_SIGN_IN_ADDRESS", 20, minimum=1), 15 * 60)
RATE_LIMIT_SECOND_FACTOR = (env_int("RATE_LIMIT_SECOND_FACTOR", 5, minimum=1), 15 * 60)
RATE_LIMIT_ANONYMOUS_FORM = (env_int("RATE_LIMIT_ANONYMOUS_FORM", 10, minimum=1), 60 * 60)
# Climate survey answers (each page and the last check are one POST) per address per hour.
RATE_LIMIT_SURVEY_ANSWER = (env_int("RATE_LIMIT_SURVEY_ANSWER", 300, minimum=1), 60 * 60)
# Behind a proxy, the client address comes from this header (set by the proxy only).
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The service is written in British English only and has no translation catalogue. With
# translation on, every rendered value asked the thread-local active language (a fifth
# of a 40-row table's rendering); off, dates and numbers keep en-gb's formats.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "saferwork" / "static"]
# In development and tests WhiteNoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Uploaded files: the local folder by default; an S3-compatible bucket when STORAGE_BUCKET
# is set, so that every web host reads the same files. Either way a file is stamped with
# its day only, and files are streamed back through Django, never handed out as links.
STORAGE_BUCKET = env_str("STORAGE_BUCKET", "")
if STORAGE_BUCKET:
    _default_storage: dict[str, Any] = {
        "BACKEND": "saferwork.lib.s3storage.DayStampedS3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": env_str("STORAGE_ENDPOINT_URL", "") or None,
            "region_name": env_str("STORAGE_REGION", "") or None,
            "access_key": env_str("STORAGE_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("STORAGE_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("STORAGE_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env_str("STORAGE_ADDRESSING_STYLE", "path"),
        },
    }
else:
    _default_storage = {
        "BACKEND": "saferwork.lib.storage.DayStampedStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: the console in development, SMTP in production (see settings_production).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SaferWork <no-reply@saferwork.invalid>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Who signs the programme's emails (training, recruitment, fees, reach, badges, accounts,
# organisations): a named person, their role, and the address replies go to. The defaults
# are the demo's; `manage.py check --deploy` warns until they are set. Reporting's emails
# are signed by the organisation's reporting team instead, never by a named handler.
PROGRAMME_CONTACT_NAME = env_str("PROGRAMME_CONTACT_NAME", "Amira Khan")
PROGRAMME_CONTACT_ROLE = env_str("PROGRAMME_CONTACT_ROLE", "Programme manager, Confederation of Workplace Unions")
PROGRAMME_CONTACT_EMAIL = env_str("PROGRAMME_CONTACT_EMAIL", "programme@saferwork.invalid")

# Background tasks: inline by default; TASK_BACKEND=database queues them for a worker.
_task_backend = env_str("TASK_BACKEND", "immediate")
if _task_backend not in {"immediate", "database"}:
    raise ImproperlyConfigured("TASK_BACKEND must be 'immediate' or 'database'.")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _task_backend == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# /health/ fails when the oldest task waiting for a worker is older than this.
HEALTH_TASK_QUEUE_MAX_AGE = env_int("HEALTH_TASK_QUEUE_MAX_AGE", 10 * 60, minimum=10)

# Security headers that hold in every environment.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# ---------------------------------------------------------------- reporting (saferwork.reporting)
# Argon2id strength for receipts and handler passwords. GlobaLeaks' strength (opslimit 16,
# 128 MiB) by default; tests use a cheap setting. Parameters are stored with every wrapped
# key, so raising them later never locks anyone out of an older report.
REPORTING_ARGON2_OPSLIMIT = env_int("REPORTING_ARGON2_OPSLIMIT", 1 if TESTING else 16, minimum=1)
REPORTING_ARGON2_MEMLIMIT_KIB = env_int("REPORTING_ARGON2_MEMLIMIT_KIB", 64 if TESTING else 128 * 1024, minimum=8)
# Argon2id derivations running at once in one web process (each holds the memory limit):
# the rest wait. Size workers by it (README, "Sizing web workers").
KDF_CONCURRENCY = env_int("KDF_CONCURRENCY", 1, minimum=1)
# Working days (Monday to Friday) a handler has to acknowledge a new report.
REPORTING_ACK_WORKING_DAYS = env_int("REPORTING_ACK_WORKING_DAYS", 2, minimum=1)
REPORTING_MAX_ATTACHMENT_BYTES = env_int("REPORTING_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024, minimum=1024)
REPORTING_MAX_ATTACHMENTS = env_int("REPORTING_MAX_ATTACHMENTS", 5, minimum=0)
# What a reporter's files may take on disk, together, in one draft, record or report.
REPORTING_MAX_STORED_BYTES = env_int("REPORTING_MAX_STORED_BYTES", 25 * 1024 * 1024, minimum=1024)
# Months a closed case (or a private record nobody has added to) is kept before the
# erase_closed_reports command erases it; its --months option overrides this.
REPORTING_RETENTION_MONTHS = env_int("REPORTING_RETENTION_MONTHS", 12, minimum=1)
# Follow-up with a receipt: wrong receipts per address; server-side key derivations (the
# no-JavaScript path, ~1 s of CPU each) per address; submissions per address.
RATE_LIMIT_REPORT_FOLLOW_UP = (env_int("RATE_LIMIT_REPORT_FOLLOW_UP", 10, minimum=1), 60 * 60)
RATE_LIMIT_REPORT_DERIVE = (env_int("RATE_LIMIT_REPORT_DERIVE", 20, minimum=1), 60 * 60)
RATE_LIMIT_REPORT_SUBMIT = (env_int("RATE_LIMIT_REPORT_SUBMIT", 10, minimum=1), 60 * 60)
# Files added without an account (evidence, record files, files with a follow-up message):
# per address, and for everybody together (a ceiling on what strangers can make us store).
RATE_LIMIT_ANONYMOUS_UPLOAD = (env_int("RATE_LIMIT_ANONYMOUS_UPLOAD", 10, minimum=1), 60 * 60)
RATE_LIMIT_ANONYMOUS_UPLOAD_TOTAL = (env_int("RATE_LIMIT_ANONYMOUS_UPLOAD_TOTAL", 200, minimum=1), 60 * 60)
# The cookies holding the per-session keys are Secure unless this is a development setup.
REPORTING_COOKIE_SECURE = env_bool("REPORTING_COOKIE_SECURE", not (DEBUG or TESTING))
# ---------------------------------------------------------------- end reporting

# ---------------------------------------------------------------- recruitment (saferwork.recruitment)
# Unsuccessful applications are erased this many months after their round closes, by the
# erase_expired_applications command (run it daily from the scheduler); counts are kept.
RECRUITMENT_RETENTION_MONTHS = env_int("RECRUITMENT_RETENTION_MONTHS", 6, minimum=1)
# The public application form and the "send me my draft link" form, per address.
RATE_LIMIT_RECRUITMENT_APPLY = (env_int("RATE_LIMIT_RECRUITMENT_APPLY", 30, minimum=1), 60 * 60)
RATE_LIMIT_RECRUITMENT_RESUME = (env_int("RATE_LIMIT_RECRUITMENT_RESUME", 5, minimum=1), 60 * 60)
# Days a "resume your draft" link works.
RECRUITMENT_RESUME_LINK_DAYS = env_int("RECRUITMENT_RESUME_LINK_DAYS", 30, minimum=1)
# ---------------------------------------------------------------- end recruitment

# ---------------------------------------------------------------- badges (saferwork.badges)
# The programme's Ed25519 signing key for Open Badges 3.0 credentials: a base64 32-byte seed
# (BADGE_SIGNING_KEY, or BADGE_SIGNING_KEY_FILE naming a file that holds it). Without one,
# DEBUG and tests sign with a development key kept in var/ and say so; anywhere else the
# badges system check stops the server. Generate one with:
#   python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())"
BADGE_SIGNING_KEY = env_str("BADGE_SIGNING_KEY", "")
# Public halves of retired signing keys (base64 raw Ed25519, comma-separated), so badges
# signed before a key rotation still verify.
BADGE_RETIRED_PUBLIC_KEYS = env_list("BADGE_RETIRED_PUBLIC_KEYS", [])
# Years a badge stays valid after it is issued (0: it never expires).
BADGE_VALIDITY_YEARS = env_int("BADGE_VALIDITY_YEARS", 3, minimum=0)
# The issuer name inside every credential; empty means the programme host's own name.
BADGE_ISSUER_NAME = env_str("BADGE_ISSUER_NAME", "")
# Pasted credentials checked on the public verification form, per address.
RATE_LIMIT_BADGE_VERIFY = (env_int("RATE_LIMIT_BADGE_VERIFY", 30, minimum=1), 60 * 60)
# ---------------------------------------------------------------- end badges

# ---------------------------------------------------------------- delivery, reach, fees
# Participants' personal data is erased this many months after their session by the
# erase_expired_participants command (run it daily from the scheduler); reach counts stay.
PARTICIPANT_RETENTION_MONTHS = env_int("PARTICIPANT_RETENTION_MONTHS", 12, minimum=1)
# A session's evaluation results appear only once this many answers exist (never below 5).
EVALUATION_RESULTS_THRESHOLD = env_int("EVALUATION_RESULTS_THRESHOLD", 5, minimum=5)
# Reach counts below this are shown as "hidden", with complementary suppression (protection-range rule).
REACH_SUPPRESSION_THRESHOLD = env_int("REACH_SUPPRESSION_THRESHOLD", 5, minimum=5)
# Behavioural standards: acknowledgement counts below this are hidden, with complementary suppression.
STANDARDS_SUPPRESSION_THRESHOLD = env_int("STANDARDS_SUPPRESSION_THRESHOLD", 10, minimum=5)
# One-time evaluation links, badge claim links and "email me my data" requests, per address.
RATE_LIMIT_EVALUATION_LINK = (env_int("RATE_LIMIT_EVALUATION_LINK", 30, minimum=1), 60 * 60)
RATE_LIMIT_BADGE_CLAIM = (env_int("RATE_LIMIT_BADGE_CLAIM", 30, minimum=1), 60 * 60)
RATE_LIMIT_DATA_REQUEST = (env_int("RATE_LIMIT_DATA_REQUEST", 5, minimum=1), 60 * 60)
# Hours a "download or erase my data" link works.
DATA_ACCESS_LINK_HOURS = env_int("DATA_ACCESS_LINK_HOURS", 24, minimum=1)
# Receipts attached to trainer fee statements.
FEES_RECEIPT_MAX_BYTES = env_int("FEES_RECEIPT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
FEES_RECEIPT_TYPES = env_list("FEES_RECEIPT_TYPES", ["pdf", "png", "jpg", "jpeg"])

# Request bodies. The largest file any form accepts; a form with a file may be that plus
# room for the form around it; any other body at most DATA_UPLOAD_MAX_MEMORY_SIZE. Bigger
# bodies are refused by their Content-Length with a 413, before any of them is read
# (saferwork.core.middleware).
MAX_UPLOAD_FILE_BYTES = max(REPORTING_MAX_ATTACHMENT_BYTES, FEES_RECEIPT_MAX_BYTES)
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_FILE_BYTES + 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=64 * 1024)
# An accepted upload stays in memory (the cap above bounds it, and it is read whole to be
# cleaned anyway): evidence never reaches a temporary file on disk before it is sealed.
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_REQUEST_BYTES
# ---------------------------------------------------------------- end delivery, reach, fees

# Where "Exit this page" sends people: a busy, neutral site. Our own /exit/ redirects
# there, so no page of ours links or loads another host.
# Paths whose pages are personal even for someone who is not signed in: no-store always
# (every signed-in response is no-store too; see saferwork.core.middleware).
NO_STORE_PATH_PREFIXES = [
    "/report/",
    "/reporting/",
    "/evaluation/",
    "/badge/claim/",
    "/account/",
    "/invitations/",
    "/my-data/",
    "/training/register/",
    "/training/enquire/",
    "/training/become-a-trainer/",
    "/exit/",
]
EXIT_PAGE_URL = env_str("EXIT_PAGE_URL", "https://www.bbc.co.uk/weather")

# Error reports never show receipts, answers, messages, passwords or codes (lib/errorfilter.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "saferwork.lib.errorfilter.SaferworkExceptionReporterFilter"
ADMINS = [("Administrator", address) for address in env_list("ADMINS", [])]

# Records about reporting, survey and evaluation paths name neither the path nor the
# address (saferwork/lib/privatelog.py); Django's own loggers go through the same handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "private_paths": {"()": "saferwork.lib.privatelog.PrivatePathFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["private_paths"]},
        # Errors to ADMINS, rendered through DEFAULT_EXCEPTION_REPORTER_FILTER; plain text only.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "private_paths"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {
            "handlers": ["console", "mail_admins"],
            "level": env_str("LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# ---------------------------------------------------------------- learning (saferwork.learning)
# Completion counts below this (including zero) are hidden on the page, in exports and in the duty record.
LEARNING_SUPPRESSION_THRESHOLD = env_int("LEARNING_SUPPRESSION_THRESHOLD", 10, minimum=5)

# ---------------------------------------------------------------- performance (issue #12)
# Before any other middleware touches the database: Django's per-request health check
# (CONN_HEALTH_CHECKS, a SELECT 1) is skipped on a connection whose socket is quiet.
MIDDLEWARE.insert(0, "saferwork.lib.connections.QuietConnectionCheckMiddleware")
# PostgreSQL's JIT compiles any query the planner guesses costly (jit_above_cost): on the
# shortlist sorted by spread that was 130 ms of compiling for a 60 ms query. Pages here
# are short queries; set DB_JIT=true to leave it on (or if a pooler refuses "options").
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# After a worker's first request, what it loaded is moved out of the garbage collector's way.
MIDDLEWARE.insert(1, "saferwork.lib.gcfreeze.FreezeAfterFirstRequestMiddleware")
