"""Where uploaded media (return photos) are kept: local files by default, or any
S3-compatible object store through django-storages, so that several web processes on several
machines share them (docs/scaling.md).

    RETOUR_MEDIA_STORAGE=local            files under RETOUR_DATA_DIR/media (default)
    RETOUR_MEDIA_STORAGE=s3               needs `pip install 'retour[s3]'` and:
      RETOUR_S3_BUCKET                    the bucket (required)
      RETOUR_S3_ENDPOINT_URL              for S3-compatible stores (MinIO, Scaleway, OVHcloud…)
      RETOUR_S3_REGION                    optional
      RETOUR_S3_ACCESS_KEY_ID, RETOUR_S3_SECRET_ACCESS_KEY
                                          optional: boto3's own chain otherwise (AWS_* variables,
                                          instance roles)
      RETOUR_S3_PREFIX                    a folder inside the bucket (default: none)

Photos are personal data: the bucket stays private; Retour serves them to the store's staff
only (``/media/…``), reading them through the storage.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from retour.config.env import ConfigError, env_str


def media_storage() -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry the environment asks for."""
    kind = env_str("RETOUR_MEDIA_STORAGE", "local").strip().lower() or "local"
    if kind == "local":  # personal data: readable by Retour's user only
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
        }
    if kind != "s3":
        raise ConfigError(f"RETOUR_MEDIA_STORAGE must be 'local' or 's3', not {kind!r}")
    bucket = env_str("RETOUR_S3_BUCKET").strip()
    if not bucket:
        raise ConfigError("RETOUR_S3_BUCKET is required when RETOUR_MEDIA_STORAGE=s3")
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ConfigError("RETOUR_MEDIA_STORAGE=s3 needs django-storages: pip install 'retour[s3]'")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,
        "file_overwrite": False,
    }
    for option, name in (
        ("endpoint_url", "RETOUR_S3_ENDPOINT_URL"),
        ("region_name", "RETOUR_S3_REGION"),
        ("access_key", "RETOUR_S3_ACCESS_KEY_ID"),
        ("secret_key", "RETOUR_S3_SECRET_ACCESS_KEY"),
        ("location", "RETOUR_S3_PREFIX"),
    ):
        value = env_str(name).strip()
        if value:
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
