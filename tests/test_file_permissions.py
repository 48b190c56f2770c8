"""Under a 022 umask, what Beheer creates in its data folder is readable by its own user only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import beheer

ROOT = Path(beheer.__file__).resolve().parent.parent

SCRIPT = r"""
import json, os, stat, sys
import django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
data = settings.DATA_DIR
database = settings.DATABASES["default"]["NAME"]
saved = default_storage.save("attachments/2026/12/report.pdf", ContentFile(b"%PDF-1.4 secret"))
paths = {
    "data": data,
    "database": database,
    "database-wal": database + "-wal",
    "database-shm": database + "-shm",
    "secret_key": data / "secret_key",
    "media": settings.MEDIA_ROOT,
    "media/attachments": settings.MEDIA_ROOT / "attachments",
    "media/attachments/2026/12": settings.MEDIA_ROOT / "attachments" / "2026" / "12",
    "upload": default_storage.path(saved),
}
print(json.dumps({name: stat.S_IMODE(os.stat(path).st_mode) for name, path in paths.items()}))
"""


def test_fresh_files_and_folders_have_no_group_or_other_bits(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BEHEER_", "DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "beheer.settings",
        "BEHEER_DATA_DIR": str(tmp_path / "data"),  # does not exist yet
        "DATABASE_URL": "sqlite:",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the umask is the point of the test
    )
    assert result.returncode == 0, result.stderr[-3000:]
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(modes) == 9
    for name, mode in modes.items():
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
    folders = {"data", "media", "media/attachments", "media/attachments/2026/12"}
    assert {name: modes[name] for name in folders} == dict.fromkeys(folders, 0o700)
    assert {name: modes[name] for name in modes if name not in folders} == dict.fromkeys(
        set(modes) - folders, 0o600
    )
    assert stat.S_IMODE((tmp_path / "data" / "beheer.sqlite3").stat().st_mode) == 0o600
