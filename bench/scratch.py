"""A scratch database of its own for a benchmark that runs outside `bench/run.py`'s seeded one (the
monitor, the CMDB): a SQLite file in bench/work, or a PostgreSQL database next to BENCH_DATABASE_URL's,
created fresh and migrated, and the environment a Beheer process needs to use it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WORK = ROOT / "bench" / "work"
SECRET = "bench-secret-key-not-for-production-0123456789abcdefghijklmnop"


class Scratch:
    """The scratch database named `beheer_bench_<name>` (PostgreSQL) or `<name>.sqlite3` (SQLite)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def postgres_url(self) -> str:
        base = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/beheer_bench"
        return base.rsplit("/", 1)[0] + f"/beheer_bench_{self.name}"

    def postgres_reachable(self) -> bool:
        try:
            import psycopg

            with psycopg.connect(self.postgres_url().rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
                return True
        except Exception:
            return False

    def env_for(self, database_url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BEHEER_")}
        env.update(
            {
                "DATABASE_URL": database_url,
                "BEHEER_DATA_DIR": str(WORK),
                "BEHEER_SECRET_KEY": SECRET,
                "BEHEER_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "beheer.settings",
                "PYTHONPATH": str(ROOT),
            }
        )
        return env

    def fresh_database(self, db: str) -> str:
        """An empty, migrated database on `db` ("sqlite" or "postgres"); its URL."""
        WORK.mkdir(parents=True, exist_ok=True)
        if db == "sqlite":
            path = WORK / f"{self.name}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            import psycopg

            url = self.postgres_url()
            name = url.rsplit("/", 1)[1]
            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env_for(url), check=True)
        return url
