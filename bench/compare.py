"""Side by side: the working tree against an earlier revision, on one seeded database, at the same time.

    .venv/bin/python bench/compare.py REV            # e.g. HEAD~5, a tag, a commit
    BENCH_DB=sqlite .venv/bin/python bench/compare.py REV

A full `make bench` run takes a quarter of an hour, and on a shared machine two runs differ by up to
30% in a 10-30 ms figure, so "no figure worse by more than 10%" cannot be read from two runs made at
different times. This script serves both versions at once (two gunicorn servers, the same settings as
`make bench`, on the database a `BENCH_KEEP_DB=1 make bench` left behind) and sends each request to
both in turn, in random order per pair, so a slow moment of the machine hits both alike. It reports
p50 and p95 per version and the ratio working tree / REV.

The earlier revision reads a database migrated by the working tree; that works for the read
scenarios here as long as the schema only gained columns and tables (writes are not compared).
REV is checked out in bench/work/compare-<rev> (a detached git worktree, removed afterwards).

Environment: BENCH_DB (postgres, default when reachable, or sqlite), BENCH_REQUESTS (pairs per
scenario, default 200), BENCH_ONLY (comma-separated scenario names). Results:
bench/work/compare-<db>.json and a markdown table on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen
import run
import seed
from seed import log

ROOT = run.ROOT


def worktree(rev: str) -> Path:
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = run.WORK / f"compare-{sha}"
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=ROOT, check=True)
    venv = path / ".venv"
    if not venv.exists():
        venv.symlink_to(ROOT / ".venv")
    return path


def remove_worktree(path: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)
    shutil.rmtree(path, ignore_errors=True)


def start(tree: Path, db: str, url: str, label: str) -> run.Server:
    """gunicorn serving the code in `tree`, configured as in `make bench`."""
    server = run.Server(
        f"{db}-{label}", url, run.env_int("BENCH_WORKERS", 2), run.env_int("BENCH_THREADS", 4), cwd=tree
    )
    server.wait()
    return server


Call = Callable[[httpx.Client], Any]


def scenarios(info: dict[str, Any]) -> list[tuple[str, str, Call]]:
    """(name, client kind, call): the read scenarios of `make bench` that both versions answer."""
    rng = random.Random(7)
    words = list(info["rare_words"])
    queue = {"queue": "open", "sort": "priority", "limit": 25}
    mid = info["detail_id"]
    details = seed.detail_ids(info["meldingen"])
    texts = ["printer storing papier", "wachtwoord vergeten inloggen", "wifi eduroam verbinding traag"]

    def listing(params: dict[str, Any]) -> Call:
        return lambda c: loadgen.check(c.get("/api/v1/meldingen", params=params))

    def get(path: str) -> Call:
        return lambda c: loadgen.check(c.get(path))

    return [
        ("queue_first_page", "api", listing(queue)),
        ("queue_first_line", "api", listing({**queue, "queue": "first"})),
        ("queue_second_line", "api", listing({**queue, "queue": "second"})),
        ("queue_my_groups", "api", listing({**queue, "queue": "groups"})),
        ("queue_group_filter", "api", listing({**queue, "operator_group": info["second_line_group"]})),
        ("list_all_newest", "api", listing({"queue": "all", "sort": "newest", "limit": 25})),
        ("search", "api", listing({"q": seed.KEYWORD, "sort": "newest", "limit": 25})),
        ("search_priority_open", "api", listing({"q": seed.KEYWORD, **queue})),
        ("search_two_words", "api", listing({"q": "printer storing", "sort": "newest", "limit": 25})),
        ("search_rare", "api", lambda c: listing({"q": rng.choice(words), "sort": "newest", "limit": 25})(c)),
        ("suggest", "api", lambda c: get(f"/api/v1/suggestions?text={rng.choice(texts)}")(c)),
        ("detail", "api", get(f"/api/v1/meldingen/{mid}")),
        ("history", "api", get(f"/api/v1/meldingen/{mid}/history")),
        ("notes", "api", get(f"/api/v1/meldingen/{mid}/notes")),
        ("detail_other", "api", lambda c: get(f"/api/v1/meldingen/{rng.choice(details)}")(c)),
        (
            "report_month",
            "coordinator",
            lambda c: loadgen.check(c.get("/api/v1/reports/kpis", params=run.report_month_params(info))),
        ),
        ("ui_detail", "ui", lambda c: get(f"/meldingen/{rng.choice(info['open_detail_ids'])}/")(c)),
    ]


def measure(name: str, calls: list[tuple[httpx.Client, Call]], pairs: int) -> list[list[float]]:
    """Latencies (ms) per version; each round calls every version once, in random order."""
    order = random.Random(name)
    samples: list[list[float]] = [[] for _ in calls]
    for c, call in calls:  # warm both
        for _ in range(5):
            call(c)
    deadline = time.monotonic() + 120
    for _ in range(pairs):
        indexes = list(range(len(calls)))
        order.shuffle(indexes)
        for i in indexes:
            c, call = calls[i]
            t = time.perf_counter()
            call(c)
            samples[i].append((time.perf_counter() - t) * 1000)
        if time.monotonic() > deadline:
            break
    return samples


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rev = sys.argv[1]
    db = os.environ.get("BENCH_DB", "").strip() or ("postgres" if run.postgres_reachable() else "sqlite")
    path = run.info_path(db)
    if not path.exists():
        print(f"no seeded {db} database: run BENCH_KEEP_DB=1 BENCH_DB={db} make bench first", file=sys.stderr)
        return 2
    info = json.loads(path.read_text())
    url = run.postgres_url() if db == "postgres" else f"sqlite:///{run.WORK / 'bench.sqlite3'}"
    pairs = run.env_int("BENCH_REQUESTS", 200)
    wanted = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
    tree = worktree(rev)
    servers: list[run.Server] = []
    results: dict[str, Any] = {"db": db, "rev": rev, "pairs": pairs, "scenarios": {}}
    stack = contextlib.ExitStack()
    try:
        servers = [start(ROOT, db, url, "new"), start(tree, db, url, "old")]
        token = run.issue_token(url, info["bench_username"])
        coordinator = run.coordinator_token(url)
        run.ui_operator(url)
        clients: dict[str, list[httpx.Client]] = {"api": [], "coordinator": [], "ui": []}
        for s in servers:
            clients["api"].append(stack.enter_context(loadgen.client(s.base_url, token)))
            clients["coordinator"].append(stack.enter_context(loadgen.client(s.base_url, coordinator)))
            clients["ui"].append(
                stack.enter_context(loadgen.session_client(s.base_url, run.UI_USERNAME, run.UI_PASSWORD))
            )
        for name, kind, call in scenarios(info):
            if wanted and name not in wanted:
                continue
            count = pairs if name != "report_month" else min(pairs, 20)
            new, old = measure(name, [(c, call) for c in clients[kind]], count)
            row = {"new": loadgen.summary(new), "old": loadgen.summary(old)}
            row["p50_ratio"] = round(row["new"]["p50_ms"] / row["old"]["p50_ms"], 3)
            row["p95_ratio"] = round(row["new"]["p95_ms"] / row["old"]["p95_ms"], 3)
            results["scenarios"][name] = row
            log(
                f"  {name}: p95 {row['new']['p95_ms']} vs {row['old']['p95_ms']} ms ({row['p95_ratio']}), "
                f"p50 {row['new']['p50_ms']} vs {row['old']['p50_ms']} ms ({row['p50_ratio']})"
            )
    finally:
        stack.close()
        for s in servers:
            s.stop()
        remove_worktree(tree)
    out = run.WORK / f"compare-{db}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n| scenario ({db}) | working tree p50 | {rev} p50 | working tree p95 | {rev} p95 | p95 ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in results["scenarios"].items():
        print(
            f"| {name} | {row['new']['p50_ms']} | {row['old']['p50_ms']} | {row['new']['p95_ms']} | "
            f"{row['old']['p95_ms']} | {row['p95_ratio']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
