"""Time the operator's melding page and its on-demand action forms (development aid).

Usage:
    python tools/melding_page_timing.py seed PATH N    migrate a new SQLite database at PATH and seed
                                                       N meldingen with bench/seed.py
    python tools/melding_page_timing.py time PATH      time the pages against that database

Requests go through Django's test client (the whole middleware stack, no network), logged in as the
seeded operator, with the configuration cache on as in production. The pages are those of the
seeded meldingen with a history (bench/seed.py's detail set) and of open meldingen picked at
random. Prints p50/p95/max in milliseconds and the number of queries per page.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTION_FORMS = ("classify", "assign", "escalate", "resolve", "partial", "time")


def seed_database(path: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import seed

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "beheer.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    info = seed.seed(seed.SqliteDatabase(str(path)), n)
    print(f"seeded {info['meldingen']:,} meldingen ({info['open']:,} open) in {info['timings']['total_s']} s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, rows: list[tuple[float, float, int]]) -> None:
    wall = [r[0] for r in rows]
    cpu = [r[1] for r in rows]
    queries = [r[2] for r in rows]
    print(
        f"{name:<28} n={len(rows):<4} wall p50 {statistics.median(wall):6.1f} p95 {percentile(wall, 95):6.1f}"
        f"  cpu p50 {statistics.median(cpu):6.1f} p95 {percentile(cpu, 95):6.1f} ms"
        f"  queries {min(queries)}-{max(queries)}"
    )


def time_pages(path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beheer.settings")
    os.environ.setdefault("BEHEER_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from beheer.accounts.models import User
    from beheer.servicedesk.models import Melding
    from bench import seed

    total = Melding.objects.count()
    details = [pk for pk in seed.detail_ids(total) if Melding.objects.filter(pk=pk).exists()]
    rng = random.Random(7)
    open_ids = list(Melding.objects.filter(is_open=True).values_list("pk", flat=True)[:20_000])
    sample = rng.sample(open_ids, min(200, len(open_ids)))
    client = Client()
    client.force_login(User.objects.get(username="bench"))
    client.cookies["django_language"] = "nl"

    def measure(url: str, headers: dict[str, str] | None = None) -> tuple[float, float, int]:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            used = (time.process_time() - cpu) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, used, len(ctx.captured_queries)

    for pk in details[:20]:  # warm up: caches, templates, the database's pages
        measure(f"/meldingen/{pk}/")
    print(f"database: {path} ({total:,} meldingen)")
    print("(wall: elapsed time; cpu: this process's CPU time, less disturbed by a busy machine)")
    for name, ids in (("page, with history", details), ("page, open melding", sample)):
        report(name, [measure(f"/meldingen/{pk}/") for _round in range(2) for pk in ids])
    headers = {"HX-Request": "true"}
    lines = dict(Melding.objects.filter(pk__in=sample).values_list("pk", "line"))
    for action in ACTION_FORMS:
        ids = [pk for pk in sample[:100] if action != "escalate" or lines[pk] == "first"]
        report(f"form on demand: {action}", [measure(f"/meldingen/{pk}/{action}/", headers) for pk in ids])


def main(argv: list[str]) -> None:
    if len(argv) == 4 and argv[1] == "seed":
        seed_database(Path(argv[2]).resolve(), int(argv[3]))
    elif len(argv) == 3 and argv[1] == "time":
        time_pages(Path(argv[2]).resolve())
    else:
        print(__doc__)
        raise SystemExit(2)


if __name__ == "__main__":
    main(sys.argv)
