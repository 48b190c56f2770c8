"""Forward schedule benchmark: the change calendar's list view for a year with 5,000 changes.

    .venv/bin/python bench/changes_calendar.py            # SQLite (its own database in bench/work)
    .venv/bin/python bench/changes_calendar.py --write    # merge the figure into latest.json

Seeds a fresh, migrated database (`bench/scratch.Scratch`) with BENCH_CALENDAR_CHANGES open changes
(default 5,000) spread over the coming year, windows of 1 to 8 hours, each on one to three of 400 CIs
(switches, access points and servers) that rest on 40 services, so overlaps occur; seeded with
`bulk_create`, not through the services. Then it renders `/changes/calendar/?view=list` for the whole
year in-process through Django's test client as a coordinator, BENCH_CALENDAR_REQUESTS times (default
50) after 5 unmeasured calls, and reports `change_calendar_p95_ms` (target <= 200 ms) with the
number of changes and overlaps on the page.

`make bench` runs it after the CMDB benchmark (`BENCH_ONLY=change_calendar make bench` runs only this).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch import Scratch

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench" / "results"
SCENARIOS = ("change_calendar",)
TARGET_MS = 200


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def inner() -> dict[str, Any]:
    import django

    django.setup()
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from beheer.accounts.models import Role, User
    from beheer.changes.models import Change, ChangeCi, Phase
    from beheer.cmdb.models import CiType, ConfigurationItem, Relation, RelationKind, dependency_ends

    rng = random.Random(7)
    changes_n = int(os.environ.get("BENCH_CALENDAR_CHANGES", "5000"))
    requests = int(os.environ.get("BENCH_CALENDAR_REQUESTS", "50"))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    t = time.perf_counter()
    user = User.objects.create(username="bench-coordinator", role=Role.COORDINATOR, is_active=True)
    types = {
        c.code: c for c in CiType.objects.filter(code__in=["service", "switch", "access_point", "server"])
    }
    services = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"Dienst {i}", ci_type=types["service"], created_at=now, updated_at=now)
        for i in range(40)
    )
    kinds = ["switch", "access_point", "server"]
    cis = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"ci-{i:03d}", ci_type=types[kinds[i % 3]], created_at=now, updated_at=now)
        for i in range(400)
    )
    relations = []
    for ci in cis:
        service = rng.choice(services)
        dependent, dependency = dependency_ends(ci.pk, service.pk, RelationKind.PART_OF)
        relations.append(
            Relation(
                source=ci,
                target=service,
                kind=RelationKind.PART_OF,
                dependent_id=dependent,
                dependency_id=dependency,
                created_at=now,
            )
        )
    Relation.objects.bulk_create(relations)
    phases = list(Phase.objects.filter(code__in=["approval", "planning", "execution"]))
    rows = []
    for i in range(changes_n):
        start = now + timedelta(minutes=rng.randrange(0, 365 * 24 * 60, 30))
        rows.append(
            Change(
                title=f"Wijziging {i}: onderhoud netwerk en servers",
                phase=rng.choice(phases),
                planned_start=start,
                planned_end=start + timedelta(hours=rng.randint(1, 8)),
                created_at=now,
                updated_at=now,
            )
        )
    made = Change.objects.bulk_create(rows, batch_size=500)
    links = []
    for change in made:
        for ci in rng.sample(cis, rng.randint(1, 3)):
            links.append(ChangeCi(change=change, ci=ci, added_at=now))
    ChangeCi.objects.bulk_create(links, batch_size=1000)
    seed_s = time.perf_counter() - t
    log(f"seeded {changes_n} changes, {len(links)} CI links in {seed_s:.1f} s")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    first = timezone.localdate(now)
    last = first + timedelta(days=365)
    url = f"/changes/calendar/?view=list&from={first.isoformat()}&to={last.isoformat()}"
    for _ in range(5):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200, page.status_code
    html = page.content.decode()
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return {
        "db": "sqlite" if "sqlite" in os.environ.get("DATABASE_URL", "sqlite") else "postgres",
        "changes": changes_n,
        "shown": html.count("data-calendar-change="),
        "overlaps": html.count("data-overlap="),
        "seed_s": round(seed_s, 1),
        "change_calendar_p50_ms": round(statistics.median(times), 1),
        "change_calendar_p95_ms": round(p95, 1),
    }


def measure(db: str = "sqlite") -> dict[str, Any]:
    scratch = Scratch("changes_calendar")
    url = scratch.fresh_database(db)
    out = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--inner"],
        cwd=ROOT,
        env=scratch.env_for(url),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    figures["target_met"] = figures["change_calendar_p95_ms"] <= TARGET_MS
    return figures


def write(figures: dict[str, Any]) -> None:
    path = RESULTS / "latest.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["change_calendar_p95_ms"] = figures["change_calendar_p95_ms"]
    data["change_calendar"] = figures
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="merge into bench/results/latest.json")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner()))
        return 0
    figures = measure(args.db)
    if args.write:
        write(figures)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
