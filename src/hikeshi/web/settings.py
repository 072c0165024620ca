"""Django settings; every value that varies comes from an environment variable (hikeshi.config)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from hikeshi import config
from hikeshi.web.uploads import upload_folder

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("HIKESHI_DEBUG")
ALLOWED_HOSTS = config.env_list("HIKESHI_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # django-ninja's templates and static files: the API docs page is served from the
    # installed Swagger UI under the site's CSP, not from a CDN.
    "ninja",
    "hikeshi.accounts",
    "hikeshi.incidents",
    "hikeshi.directory",
    "hikeshi.sitelog",
    # Background jobs: django-tasks with its database backend (the queue is a table, so
    # SQLite needs nothing else and PostgreSQL serves any number of workers).
    "django_tasks",
    "django_tasks_db",
    "hikeshi.jobs",
    "hikeshi.web",
]

MIDDLEWARE = [
    # First: the scheme a trusted proxy reports decides the redirect to https below.
    "hikeshi.web.proxies.forwarded_scheme",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hikeshi.web.middleware.content_security_policy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hikeshi.accounts.middleware.user_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it tells a site admin why they were sent to enrolment.
    "hikeshi.accounts.middleware.two_factor_enrolment_required",
    # A refusal of the access rules raised by a view: 404 or 403, as Django answers them.
    "hikeshi.web.refusals.AccessRefusals",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hikeshi.web.urls"
WSGI_APPLICATION = "hikeshi.web.wsgi.application"

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
            ],
        },
    },
]


# Each server thread keeps its connection between requests instead of opening one per
# request (a PostgreSQL connection costs a few milliseconds, an SQLite one its set-up
# statements); one checked before use after an error or a restart of the database is
# replaced. PostgreSQL holds up to processes x threads of them (`hikeshi serve`).
CONNECTION_SECONDS = 600


def _database() -> dict[str, Any]:
    url = config.env_str("DATABASE_URL")
    if url:
        return dict(
            dj_database_url.parse(url, conn_max_age=CONNECTION_SECONDS, conn_health_checks=True)
        )
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "hikeshi.sqlite3",
        "CONN_MAX_AGE": CONNECTION_SECONDS,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # WAL lets readers work while one writer commits; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}

# One queue in the database; `hikeshi worker` (and the worker `hikeshi serve` starts) runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:list"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = config.env_int("HIKESHI_LOGIN_FAILURE_LIMIT", minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=config.env_int("HIKESHI_LOCKOUT_MINUTES", minimum=1))
# Failures count per user name *and* address: someone guessing from elsewhere locks only
# themselves out, never the account's owner.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address behind trusted proxies, decided in one place (hikeshi.web.proxies).
AXES_CLIENT_IP_CALLABLE = "hikeshi.web.proxies.client_address"
# Attempts during a lock are refused without being counted: they must not prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Says how long the lock still lasts and which step (password, code, password change) it stops.
AXES_LOCKOUT_CALLABLE = "hikeshi.accounts.throttle.lockout_response"
# Axes keeps the posted form with each attempt and logs each failure; these values are
# masked in both. The user name too (people type passwords into it by mistake); the client
# address is not: the log must say where attempts came from.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "old_password",
    "new_password1",
    "new_password2",
    "code",
]
AXES_VERBOSE = False

HIKESHI_TRUSTED_PROXIES = config.env_networks("HIKESHI_TRUSTED_PROXIES")
HIKESHI_REQUIRE_2FA_FOR_ADMINS = config.env_bool("HIKESHI_REQUIRE_2FA_FOR_ADMINS")

# The audit trail's keys and checkpoints live outside the database (incidents.audit).
AUDIT_KEYS_DIR = DATA_DIR / "keys"
AUDIT_SEAL_KEY_FILE = config.env_existing_file("HIKESHI_SEAL_KEY_FILE")
AUDIT_CHECKPOINT_KEY_FILE = config.env_existing_file("HIKESHI_CHECKPOINT_KEY_FILE")
AUDIT_CHECKPOINT_DIR = (
    config.env_optional_path("HIKESHI_CHECKPOINT_DIR") or DATA_DIR / "checkpoints"
)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the apps' folders (finders) but expects the root to exist.
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Large uploads are spooled to disk inside the data folder, never /tmp: what a crash leaves
# there is cleared at the next start (hikeshi.web.uploads).
FILE_UPLOAD_TEMP_DIR = str(upload_folder(DATA_DIR))
# Serve straight from the apps' static folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if config.env_bool("HIKESHI_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    # No SECURE_PROXY_SSL_HEADER: it would believe X-Forwarded-Proto from any client.
    # hikeshi.web.proxies.forwarded_scheme believes it from HIKESHI_TRUSTED_PROXIES only.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Refusals (403, 404, CSRF, bad Host) as one line each, without a traceback.
    "filters": {"refusals": {"()": "hikeshi.web.request_log.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
