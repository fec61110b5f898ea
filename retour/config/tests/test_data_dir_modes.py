"""RETOUR_DATA_DIR holds personal data: created readable by Retour's user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_its_database_secret_and_photos_are_private(tmp_path):
    data = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(RETOUR_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    save_photo = (
        "from retour.cli import setup_django; setup_django(); "
        "from django.core.files.base import ContentFile; "
        "from django.core.files.storage import default_storage; "
        "print(default_storage.save('returns/x/photo.jpg', ContentFile(b'jpeg')))"
    )
    subprocess.run(
        [sys.executable, "-m", "retour.cli", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    subprocess.run([sys.executable, "-c", save_photo], env=env, cwd=ROOT, check=True, timeout=60)

    assert _mode(data) == 0o700
    assert _mode(data / "retour.sqlite3") == 0o600
    assert _mode(data / "secret_key") == 0o600
    photo = next((data / "media").rglob("photo*.jpg"))
    assert _mode(photo) == 0o600
    assert _mode(photo.parent) == 0o700
