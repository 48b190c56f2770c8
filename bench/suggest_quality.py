"""Suggestion quality and latency on the labelled set (beheer/knowledge/tests/suggest_set.py).

`python bench/suggest_quality.py [sqlite|postgres|both]` migrates a fresh small database per backend,
loads the labelled articles and solved meldingen through the services, and reports precision@5,
hit@5, MRR and recall@5, plus the p50/p95 of one suggestion call (articles + meldingen) over the
queries. `make bench` calls `measure(db)` from bench/run.py for each backend and stores the figures
as suggest_precision_at_5 etc. in bench/results/latest.json. Standalone, the figures are merged into
latest.json under "suggest_quality".
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ROUNDS = 5
PG_NAME = "beheer_suggest_quality"


def _inner() -> dict[str, Any]:
    """Runs inside a Django process on an empty, migrated database."""
    import django

    django.setup()
    from beheer.accounts import services as accounts
    from beheer.accounts.models import Role
    from beheer.knowledge.tests.suggest_set import QUERIES, evaluate, load
    from beheer.servicedesk.suggestions import suggest

    def person(role: str, name: str) -> Any:
        return accounts.register_person(
            actor=None,
            first_name=name,
            last_name="Bench",
            username=f"{name.lower()}-suggest",
            email=f"{name.lower()}@bench.example",
            role=role,
            password="correct-horse-battery",
        )

    operator, caller = person(Role.OPERATOR, "Operator"), person(Role.CALLER, "Caller")
    corpus = load(operator, caller)
    quality = evaluate(corpus, operator).as_dict()
    timings: list[float] = []
    for _round in range(ROUNDS):
        for brief, request, _a, _m in QUERIES:
            t = time.perf_counter()
            suggest(brief, request, operator)
            timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    quality["suggest_small_p50_ms"] = round(statistics.median(timings), 2)
    quality["suggest_small_p95_ms"] = round(timings[int(len(timings) * 0.95) - 1], 2)
    quality["suggest_documents"] = len(corpus.articles) + len(corpus.meldingen)
    return quality


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEHEER_")}
    env.update(
        {
            "DATABASE_URL": url,
            "BEHEER_DATA_DIR": str(WORK / "suggest"),
            "BEHEER_SECRET_KEY": "bench-suggest-secret-not-for-production-0123456789abcdef",
            "BEHEER_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "beheer.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def measure(db: str) -> dict[str, Any]:
    """Fresh database for `db` (sqlite or postgres), migrate, load, evaluate; returns the figures."""
    (WORK / "suggest").mkdir(parents=True, exist_ok=True)
    admin_dsn = ""
    if db == "sqlite":
        path = WORK / "suggest" / "suggest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beheer_bench")
        url = base.rsplit("/", 1)[0] + "/" + PG_NAME
        admin_dsn = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    try:
        env = _env(url)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--inner"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return {"db": db, **json.loads(out.stdout.strip().splitlines()[-1])}
    finally:
        if admin_dsn:
            import psycopg

            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    if argv[:1] == ["--inner"]:
        print(json.dumps(_inner()))
        return 0
    choice = argv[0] if argv else "both"
    backends = ["sqlite", "postgres"] if choice == "both" else [choice]
    runs = [measure(db) for db in backends]
    for run in runs:
        print(json.dumps(run))
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    data = json.loads(latest.read_text(encoding="utf-8")) if latest.exists() else {}
    data["suggest_quality"] = {run["db"]: run for run in runs}
    latest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
