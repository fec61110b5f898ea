"""The bare floor of the benchmark: Django + django-ninja, one model, only the middleware a
JSON API needs (no sessions, messages, CSRF, locale, auth, clickjacking, WhiteNoise).

It shares with Retour what the comparison must hold equal: the database settings (the very
``DATABASES`` of ``retour.config.settings``: same database, same persistent connections and
health checks, same SQLite options) and, in ``bench/run.py``, the gunicorn command line.
"""

from __future__ import annotations

from retour.config.settings import DATABASES as RETOUR_DATABASES

SECRET_KEY = "bench-floor: not a secret, never served outside 127.0.0.1"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bench.floor"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "bench.floor.urls"
WSGI_APPLICATION = "bench.floor.wsgi.application"
DATABASES = RETOUR_DATABASES
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
