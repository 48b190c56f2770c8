"""Retention benchmark: anonymising 100,000 closed meldingen past their retention period.

    .venv/bin/python bench/privacy_retention.py --db postgres          # its own database
    .venv/bin/python bench/privacy_retention.py --db postgres --write  # merge into latest.json

Seeds a fresh, migrated database (`bench/scratch.Scratch`) with BENCH_RETENTION_MELDINGEN closed
meldingen (default 100,000) closed three years ago, each with an unregistered caller's name, e-mail
address and phone number, a reply note and two history rows; one in ten also names the caller in
its request (so its search documents are written again). Seeded with `bulk_create`, not through the
services. Then it runs the retention job (`security.services.privacy.run_retention`) once, with the
default period of closed meldingen, and reports `anonymise_100k_s` (target <= 60 s) with the count
the run recorded.

`make bench` runs it after the other benchmarks of their own database (`BENCH_ONLY=anonymise_100k`
runs only this one).
"""

from __future__ import annotations

import argparse
import json
import os
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
SCENARIOS = ("anonymise_100k",)
TARGET_S = 60


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def inner() -> dict[str, Any]:
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from beheer.accounts.models import Role, User
    from beheer.security.models import AnonymisedMelding
    from beheer.security.services import privacy
    from beheer.servicedesk.models import (
        CallType,
        EntryType,
        HistoryEntry,
        Impact,
        Melding,
        Note,
        Priority,
        Status,
        Urgency,
        Visibility,
    )

    count = int(os.environ.get("BENCH_RETENTION_MELDINGEN", "100000"))
    now = timezone.now()
    closed = now - timedelta(days=3 * 366)
    t = time.perf_counter()
    operator = User.objects.create(username="bench-operator", role=Role.OPERATOR, is_active=True)
    call_type = CallType.objects.order_by("id").first()
    impact = Impact.objects.order_by("id").first()
    urgency = Urgency.objects.order_by("id").first()
    priority = Priority.objects.order_by("id").first()
    status = (
        Status.objects.filter(kind="closed").order_by("id").first() or Status.objects.order_by("id").first()
    )
    if None in (call_type, impact, urgency, priority, status):
        raise SystemExit("the default lookups are missing")
    chunk = 5000
    for start in range(0, count, chunk):
        rows = []
        for i in range(start, min(count, start + chunk)):
            name = f"Leerling{i} de Vries"
            mentioned = i % 10 == 0
            rows.append(
                Melding(
                    brief_description=f"Chromebook {i} laadt niet op",
                    request=(f"{name} meldt: " if mentioned else "")
                    + "De lader doet niets meer sinds gisteren.",
                    entry_type=EntryType.PHONE,
                    call_type=call_type,
                    caller_name=name,
                    caller_email=f"leerling{i}@leerling.school.example",
                    caller_phone=f"06-{10000000 + i}",
                    impact=impact,
                    urgency=urgency,
                    priority=priority,
                    priority_level=1,
                    target_date=closed,
                    status=status,
                    is_open=False,
                    solution="Nieuwe lader uitgegeven.",
                    created_at=closed - timedelta(days=2),
                    updated_at=closed,
                    resolved_at=closed - timedelta(hours=3),
                    closed_at=closed,
                )
            )
        made = Melding.objects.bulk_create(rows, batch_size=1000)
        notes = [
            Note(
                melding=m,
                author=operator,
                text=f"Beste {m.caller_name}, je kunt een nieuwe lader ophalen.",
                visibility=Visibility.CALLER,
                created_at=closed,
            )
            for m in made
        ]
        Note.objects.bulk_create(notes, batch_size=1000)
        history = []
        for m in made:
            history.append(
                HistoryEntry(melding=m, actor=operator, at=closed, action="created", new_value=m.caller_name)
            )
            history.append(
                HistoryEntry(
                    melding=m,
                    actor=operator,
                    at=closed,
                    action="changed",
                    field="caller_phone",
                    old_value="",
                    new_value=m.caller_phone,
                )
            )
        HistoryEntry.objects.bulk_create(history, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    seed_s = time.perf_counter() - t
    log(f"seeded {count} closed meldingen in {seed_s:.1f} s")

    t = time.perf_counter()
    run = privacy.run_retention(budget=timedelta(hours=1))
    seconds = time.perf_counter() - t
    left = Melding.objects.exclude(caller_name="").count()
    return {
        "db": connection.vendor,
        "meldingen": count,
        "anonymised": run.meldingen,
        "markers": AnonymisedMelding.objects.count(),
        "left_with_a_name": left,
        "failures": run.failures,
        "seed_s": round(seed_s, 1),
        "anonymise_100k_s": round(seconds, 1),
    }


def measure(db: str = "postgres") -> dict[str, Any]:
    scratch = Scratch("privacy_retention")
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
    figures["target_met"] = figures["anonymise_100k_s"] <= TARGET_S and figures["left_with_a_name"] == 0
    return figures


def write(figures: dict[str, Any]) -> None:
    path = RESULTS / "latest.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["anonymise_100k_s"] = figures["anonymise_100k_s"]
    data["anonymise_100k"] = figures
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="merge into bench/results/latest.json")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner()))
        return 0
    figures = measure(args.db)
    if args.write:
        write(figures)
    print(json.dumps(figures, indent=2))
    return 0 if figures["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
