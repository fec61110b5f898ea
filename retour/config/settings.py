"""Retour settings. Everything comes from the environment (see README, "Configuration")."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url

from retour.config.env import (
    ConfigError,
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
    private_file,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

try:
    DATA_DIR = data_dir()
    SECRET_KEY = secret_key(DATA_DIR)
    DEBUG = env_bool("RETOUR_DEBUG", False)
    # Staff workspace: sign-in tries per account per 15 minutes (per IP: 4 times as many), and
    # how long a staff session lasts without activity.
    STAFF_LOGIN_RATE_LIMIT = env_int("RETOUR_STAFF_LOGIN_RATE_LIMIT", 5, minimum=1)
    STAFF_SESSION_MINUTES = env_int("RETOUR_STAFF_SESSION_MINUTES", 8 * 60, minimum=5)
    BASE_URL = env_url("RETOUR_BASE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
    ALLOWED_HOSTS = env_list("RETOUR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
    DATABASE_URL = env_url(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'retour.sqlite3'}",
        schemes=("sqlite", "postgres", "postgresql", "pgsql"),
    )
    EMAIL_URL = env_url(
        "RETOUR_EMAIL_URL",
        "file://" + str(DATA_DIR / "mail"),
        schemes=("file", "smtp", "smtps", "console", "memory"),
    )
    LOOKUP_RATE_LIMIT = env_int("RETOUR_LOOKUP_RATE_LIMIT", 10, minimum=1)
    REPLY_ADDRESS = env_str("RETOUR_REPLY_ADDRESS", "")
    if REPLY_ADDRESS and (REPLY_ADDRESS.count("@") != 1 or "+" in REPLY_ADDRESS or " " in REPLY_ADDRESS):
        raise ConfigError("RETOUR_REPLY_ADDRESS must be one plain address, e.g. replies@inbound.example.com")
    WEBHOOK_TIMEOUT_SECONDS = env_int("RETOUR_WEBHOOK_TIMEOUT", 10, minimum=1)
    WEBHOOK_LEASE_SECONDS = env_int("RETOUR_WEBHOOK_LEASE", 60, minimum=1)
    # Webhook URLs are https and public by default; these open plain http and internal addresses
    # (loopback, private networks, cloud metadata) for development and tests only.
    WEBHOOKS_ALLOW_HTTP = env_bool("RETOUR_WEBHOOKS_ALLOW_HTTP", False)
    WEBHOOKS_ALLOW_PRIVATE = env_bool("RETOUR_WEBHOOKS_ALLOW_PRIVATE", False)
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    TRUSTED_PROXIES = env_networks("RETOUR_TRUSTED_PROXIES")
    DB_CONNECT_TIMEOUT = env_int("RETOUR_DB_CONNECT_TIMEOUT", 5, minimum=1)  # seconds
    DB_STATEMENT_TIMEOUT = env_int("RETOUR_DB_STATEMENT_TIMEOUT", 25, minimum=0)  # seconds, 0 = none
    # Retention of records that only serve a while (`retour purge`, and the worker's sweep).
    RETAIN_IDEMPOTENCY_DAYS = env_int("RETOUR_RETAIN_IDEMPOTENCY_DAYS", 7, minimum=1)
    RETAIN_TASK_RESULTS_DAYS = env_int("RETOUR_RETAIN_TASK_RESULTS_DAYS", 14, minimum=1)
    API_RATE_LIMIT = env_int("RETOUR_API_RATE_LIMIT", 0, minimum=0)  # requests/minute per key, 0 = off
    # Where the payment SDKs send their calls (stripe-mock or a test double instead of the providers).
    STRIPE_API_BASE = env_url(
        "RETOUR_STRIPE_API_BASE", "https://api.stripe.com", schemes=("http", "https")
    ).rstrip("/")
    MOLLIE_API_BASE = env_url(
        "RETOUR_MOLLIE_API_BASE", "https://api.mollie.com", schemes=("http", "https")
    ).rstrip("/")
    PAYMENT_TIMEOUT = env_int("RETOUR_PAYMENT_TIMEOUT", 20, minimum=1)  # seconds per provider call
    # Shop connectors: seconds per call to a shop; where Shopify calls go (a test double) when set.
    SHOP_TIMEOUT_SECONDS = env_int("RETOUR_SHOP_TIMEOUT", 30, minimum=1)
    # A WooCommerce or PrestaShop shop on this server or its private network (self-hosted side by
    # side): off by default, so a store admin cannot point Retour at internal services.
    SHOPS_ALLOW_PRIVATE = env_bool("RETOUR_SHOPS_ALLOW_PRIVATE", False)
    SHOPIFY_API_BASE = env_url("RETOUR_SHOPIFY_API_BASE", "", schemes=("http", "https")).rstrip("/")
except ConfigError as exc:  # stop with a clear message rather than a traceback
    sys.stderr.write(f"retour: configuration error: {exc}\n")
    raise SystemExit(2) from None

MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_URL = "/static/"

INSTALLED_APPS = [
    "retour.core.apps.RetourAdminConfig",  # django.contrib.admin, closed to partners
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "retour.core",
    "retour.stores",
    "retour.catalog",
    "retour.orders",
    "retour.policies",
    "retour.returns",
    "retour.resolutions",
    "retour.notifications",
    "retour.helpdesk",
    "retour.portal",
    "retour.integrations.webhooks",
    "retour.integrations.storefront",
    "retour.integrations.inbound",
    "retour.integrations.shops",
    "retour.backoffice",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "retour.core.middleware.BodySizeLimitMiddleware",
    "retour.core.middleware.NullCharacterMiddleware",
    # Django's session, CSRF, auth, messages and X-Frame-Options middleware, which a
    # bearer-token /api/ call skips (it uses none of them): retour/core/middleware.py
    "retour.core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "retour.core.middleware.CsrfViewMiddleware",
    "retour.core.middleware.AuthenticationMiddleware",
    "retour.core.middleware.MessageMiddleware",
    "retour.core.middleware.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "retour.config.urls"
WSGI_APPLICATION = "retour.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["retour.core.dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database holds personal data: create it 0600 (SQLite gives its -wal/-shm files the same mode).
    if str(DATABASES["default"]["NAME"]).startswith(str(DATA_DIR)):
        private_file(Path(DATABASES["default"]["NAME"]))
    # Write transactions take the lock at BEGIN and wait on a busy timeout, so that
    # parallel requests queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": str(DATA_DIR / "test.sqlite3")} if env_bool("RETOUR_TEST_FILE_DB") else {}
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that accepts connections but never answers must not hold a request until the
    # web server kills it: give up connecting after RETOUR_DB_CONNECT_TIMEOUT seconds and cancel a
    # statement after RETOUR_DB_STATEMENT_TIMEOUT seconds (0 = no limit; `retour migrate` has none).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT:
        _options["options"] = (
            _options.get("options", "") + f" -c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"
        ).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email: file:///path (default, under ./var/mail), smtp://user:pass@host:port, console://, memory://
from retour.config.email import email_settings  # noqa: E402

globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("RETOUR_EMAIL_FROM", "Retour <no-reply@localhost>")
# Inbound email (replies to Retour's emails) through django-anymail; each ESP's webhook answers
# only once its check is set (retour/integrations/inbound/urls.py).
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": env_str("RETOUR_INBOUND_WEBHOOK_SECRET"),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env_str("RETOUR_MAILGUN_WEBHOOK_SIGNING_KEY"),
    }.items()
    if value
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_BODY_BYTES = 1024 * 1024
MAX_UPLOAD_BODY_BYTES = 60 * 1024 * 1024  # the portal's photo form: 5 images of up to 10 MB

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [BASE_URL]

# Media: local files, or S3-compatible object storage (RETOUR_MEDIA_STORAGE=s3, see storage.py)
from retour.config.storage import media_storage  # noqa: E402

try:
    MEDIA_STORAGE = media_storage()
except ConfigError as exc:
    sys.stderr.write(f"retour: configuration error: {exc}\n")
    raise SystemExit(2) from None

STORAGES = {
    # uploaded photos are personal data: local files readable by Retour's user only (storage.py)
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "retour.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("RETOUR_LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
