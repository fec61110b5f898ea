"""Settings come from the environment, strictly: a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retour.config.env import ConfigError, env_bool, env_int, env_url, secret_key

ROOT = Path(__file__).resolve().parents[3]


def test_booleans_accept_the_usual_spellings_and_refuse_others(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG"):
        env_bool("X_FLAG")


def test_integers_are_checked(monkeypatch):
    monkeypatch.setenv("X_N", "12")
    assert env_int("X_N", 1) == 12
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(ConfigError, match="whole number"):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "-3")
    with pytest.raises(ConfigError, match="at least 0"):
        env_int("X_N", 1)


def test_urls_must_have_a_known_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        env_url("DATABASE_URL", "", schemes=("sqlite", "postgres"))


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("RETOUR_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50 and secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_short_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("RETOUR_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="32 characters"):
        secret_key(tmp_path)


def test_start_up_stops_with_a_clear_message_on_a_bad_value(tmp_path):
    env = {
        **os.environ,
        "RETOUR_DATA_DIR": str(tmp_path),
        "RETOUR_DEBUG": "perhaps",
        "DJANGO_SETTINGS_MODULE": "retour.config.settings",
    }
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "configuration error: RETOUR_DEBUG" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_debug_is_off_by_default():
    from django.conf import settings

    if "RETOUR_DEBUG" not in os.environ:
        assert settings.DEBUG is False


def test_media_are_local_files_unless_s3_is_asked_for(monkeypatch):
    from retour.config.storage import media_storage

    monkeypatch.delenv("RETOUR_MEDIA_STORAGE", raising=False)
    local = media_storage()
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["OPTIONS"]["file_permissions_mode"] == 0o600
    monkeypatch.setenv("RETOUR_MEDIA_STORAGE", "ftp")
    with pytest.raises(ConfigError, match="RETOUR_MEDIA_STORAGE"):
        media_storage()
    monkeypatch.setenv("RETOUR_MEDIA_STORAGE", "s3")
    monkeypatch.delenv("RETOUR_S3_BUCKET", raising=False)
    with pytest.raises(ConfigError, match="RETOUR_S3_BUCKET"):
        media_storage()


def test_s3_media_options_come_from_the_environment(monkeypatch):
    import importlib.util

    from retour.config import storage

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())  # as if installed
    monkeypatch.setenv("RETOUR_MEDIA_STORAGE", "S3")
    monkeypatch.setenv("RETOUR_S3_BUCKET", "photos")
    monkeypatch.setenv("RETOUR_S3_ENDPOINT_URL", "https://s3.fr-par.scw.cloud")
    monkeypatch.setenv("RETOUR_S3_PREFIX", "retour")
    monkeypatch.delenv("RETOUR_S3_REGION", raising=False)
    config = storage.media_storage()
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"]["bucket_name"] == "photos"
    assert config["OPTIONS"]["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert config["OPTIONS"]["location"] == "retour"
    assert config["OPTIONS"]["default_acl"] is None and "region_name" not in config["OPTIONS"]
