"""`make bench`: seed a fresh database with BENCH_TICKETS meldingen, start gunicorn, measure the API.

Environment:
  BENCH_TICKETS       number of meldingen (default 1000000; 20000 gives a quick run)
  BENCH_DB            sqlite, postgres or both (default: both when PostgreSQL is reachable)
  BENCH_DATABASE_URL  PostgreSQL database to (re)create (default postgres://postgres@127.0.0.1:5432/beheer_bench)
  BENCH_WORKERS       gunicorn workers (default 2)
  BENCH_THREADS       gunicorn threads per worker (default 4: gthread workers; 1 gives sync workers)
  BENCH_REQUESTS      requests per read scenario (default 200); BENCH_SECONDS time cap (default 60)
  BENCH_CREATES       create requests (default 2000); BENCH_CREATE_SECONDS time cap (default 90)
  BENCH_SQLITE_ANALYZE 1 to run ANALYZE on the SQLite database after the load (Beheer itself does not)
  BENCH_KEEP_DB       1 to keep the seeded database (default: SQLite file kept, PostgreSQL dropped)
  BENCH_MAIL_MESSAGES e-mails for the intake measurement (default 1000; needs Debian's dovecot-imapd)
  BENCH_MONITOR       0 to skip the monitor benchmark (bench/monitor.py; BENCH_MONITOR_SECONDS)
  BENCH_REUSE         1 to measure a database seeded by an earlier run with BENCH_KEEP_DB=1 instead of
                      seeding a new one (its figures are read from bench/work/info-<db>.json, written
                      by every seed; BENCH_TICKETS is then ignored)
  BENCH_ONLY          comma-separated scenarios to run, e.g. ui_detail,search_rare,search_number
                      (the names in latest.json's "scenarios"; "create", "email_intake",
                      "suggest_quality" and "monitor" name the parts after the reads); default: all.
                      Targets of scenarios not run are left out of targets_met. "impact" and
                      "ci_list_attr" name the CMDB benchmark (bench/cmdb.py, its own database): when
                      BENCH_ONLY names nothing else (or only "monitor"), no meldingen are seeded.
                      "change_calendar" names the forward schedule benchmark (bench/changes_calendar.py);
                      "anonymise_100k" the retention job on 100,000 closed meldingen
                      (bench/privacy_retention.py).
  BENCH_CMDB_ITEMS    CIs of the CMDB benchmark (default 100000; 5000 gives a smoke run);
                      BENCH_CMDB_REQUESTS calls per CMDB scenario (default 200)

A quick loop while working on one page: seed once with
  BENCH_TICKETS=100000 BENCH_KEEP_DB=1 BENCH_ONLY=ui_detail BENCH_MONITOR=0 make bench
then measure again and again with
  BENCH_TICKETS=100000 BENCH_REUSE=1 BENCH_ONLY=ui_detail,search_rare,search_number make bench

All traffic goes to 127.0.0.1. Results: bench/results/latest.json (and latest.md, a markdown table).
"""

from __future__ import annotations

import calendar
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import changes_calendar as calendar_bench
import cmdb as cmdb_bench
import loadgen
import mail_intake as mail_intake_bench
import monitor as monitor_bench
import privacy_retention as retention_bench
import seed
import suggest_quality
from seed import log

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
SECRET = "bench-secret-key-not-for-production-0123456789abcdefghijklmnop"

TARGETS = {
    "queue_first_page_p95_ms": 50,
    "queue_deep_page_p95_ms": 50,
    "detail_p95_ms": 50,
    "search_p95_ms": 100,
    "search_rare_p95_ms": 50,
    "search_absent_p95_ms": 50,
    "search_number_p95_ms": 50,
    "ui_detail_p95_ms": 30,
    "create_per_s": 200,
    "email_intake_per_s": 50,
}
# The monthly management report (KPI API, one month, one operator group), per database.
REPORT_TARGET_MS = {"postgres": 1000, "sqlite": 2000}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _dovecot() -> str | None:
    sys.path.insert(0, str(ROOT))
    from tests.mailserver import dovecot_binary

    return dovecot_binary()


def only() -> set[str]:
    """The scenarios BENCH_ONLY names (empty: all)."""
    return {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}


def wanted(name: str) -> bool:
    chosen = only()
    return not chosen or name in chosen


def info_path(db: str) -> Path:
    return WORK / f"info-{db}.json"


def postgres_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/beheer_bench"


def admin_dsn(url: str) -> tuple[str, str]:
    """(DSN of the maintenance database, name of the bench database)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/") or "beheer_bench"
    return urlunparse(parsed._replace(path="/postgres")), name


def postgres_reachable() -> bool:
    try:
        import psycopg

        dsn, _name = admin_dsn(postgres_url())
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def django_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEHEER_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "BEHEER_DATA_DIR": str(WORK),
            "BEHEER_SECRET_KEY": SECRET,
            "BEHEER_ALLOWED_HOSTS": "127.0.0.1",
            "BEHEER_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "beheer.settings",
        }
    )
    return env


# --------------------------------------------------------------------------------------------------
# database preparation


def prepare(db: str) -> tuple[str, seed.Database]:
    """Create an empty database, migrate it; returns its DATABASE_URL and a loader connection."""
    WORK.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = WORK / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        url = postgres_url()
        dsn, name = admin_dsn(url)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    t = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=django_env(url), check=True)
    log(f"{db}: migrated in {time.perf_counter() - t:.1f} s")
    loader: seed.Database = (
        seed.SqliteDatabase(
            str(WORK / "bench.sqlite3"), analyze=os.environ.get("BENCH_SQLITE_ANALYZE") == "1"
        )
        if db == "sqlite"
        else seed.PostgresDatabase(url)
    )
    return url, loader


def drop(db: str) -> None:
    if db != "postgres" or "1" in (os.environ.get("BENCH_KEEP_DB"), os.environ.get("BENCH_REUSE")):
        return
    import psycopg

    dsn, name = admin_dsn(postgres_url())
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def issue_token(url: str, username: str) -> str:
    snippet = (
        "import django; django.setup()\n"
        "from beheer.accounts.models import User\n"
        "from beheer.accounts.services import issue_api_token\n"
        f"u = User.objects.get(username={username!r})\n"
        "print(issue_api_token(u, name='bench', actor=u)[1])\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", snippet], cwd=ROOT, env=django_env(url), check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def coordinator_token(url: str) -> str:
    """A coordinator (reports are coordinator-only) registered through the service layer, and a token."""
    snippet = (
        "import django; django.setup()\n"
        "from beheer.accounts.models import User\n"
        "from beheer.accounts.services import issue_api_token, register_person\n"
        "u = User.objects.filter(username='bench-coordinator').first() or register_person(\n"
        "    actor=None, first_name='Bench', last_name='Coordinator', username='bench-coordinator',\n"
        "    email='bench-coordinator@example.invalid', role='coordinator', password=None)\n"
        "print(issue_api_token(u, name='bench', actor=u)[1])\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", snippet], cwd=ROOT, env=django_env(url), check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


UI_USERNAME = "bench-ui"
UI_PASSWORD = "bench-ui-password-0123456789"


def ui_operator(url: str) -> None:
    """An operator with a password (the seeded ones have none), for the session-based UI scenarios."""
    snippet = (
        "import django; django.setup()\n"
        "from beheer.accounts.models import User\n"
        "from beheer.accounts.services import register_person\n"
        f"User.objects.filter(username={UI_USERNAME!r}).exists() or register_person(\n"
        f"    actor=None, first_name='Bench', last_name='Browser', username={UI_USERNAME!r},\n"
        f"    email='bench-ui@example.invalid', role='operator', password={UI_PASSWORD!r})\n"
    )
    subprocess.run([PYTHON, "-c", snippet], cwd=ROOT, env=django_env(url), check=True)


def report_month_params(info: dict[str, Any]) -> dict[str, Any]:
    """The last full calendar month before today, for the busiest first-line group."""
    today = time.localtime()
    year, month = (today.tm_year, today.tm_mon - 1) if today.tm_mon > 1 else (today.tm_year - 1, 12)
    days = calendar.monthrange(year, month)[1]
    return {
        "date_from": f"{year:04d}-{month:02d}-01",
        "date_to": f"{year:04d}-{month:02d}-{days:02d}",
        "operator_group": info["first_line_group"],
    }


def size_of(db: str, url: str) -> int:
    if db == "sqlite":
        return sum(p.stat().st_size for p in WORK.glob("bench.sqlite3*"))
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        assert row is not None
        return int(row[0])


# --------------------------------------------------------------------------------------------------
# server


class Server:
    def __init__(self, db: str, url: str, workers: int, threads: int, *, cwd: Path = ROOT) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = WORK / f"gunicorn-{db}.log"
        args = [
            GUNICORN,
            "beheer.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        if threads > 1:
            args += ["--threads", str(threads)]
        self.log_file = self.log_path.open("w")
        self.proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=django_env(url),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not become healthy in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log_file.close()


# --------------------------------------------------------------------------------------------------
# scenarios


def measure(base_url: str, token: str, info: dict[str, Any]) -> dict[str, Any]:
    count = env_int("BENCH_REQUESTS", 200)
    seconds = float(env_int("BENCH_SECONDS", 60))
    results: dict[str, Any] = {}
    rng_suggest = random.Random(11)
    with loadgen.client(base_url, token) as c:

        def list_loop(name: str, params: dict[str, Any]) -> dict[str, Any]:
            if not wanted(name):
                return {}

            def call() -> None:
                loadgen.check(c.get("/api/v1/meldingen", params=params))

            body = loadgen.check(c.get("/api/v1/meldingen", params=params)).json()
            r = loadgen.timed_loop(call, count=count, seconds=seconds)
            r["items"] = len(body["items"])
            results[name] = r
            log(
                f"  {name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms "
                f"({r['n']} requests, {r['items']} items)"
            )
            return r

        queue = {"queue": "open", "sort": "priority", "limit": 25}
        list_loop("queue_first_page", queue)
        list_loop("queue_first_line", {**queue, "queue": "first"})
        list_loop("queue_second_line", {**queue, "queue": "second"})
        list_loop("queue_my_groups", {**queue, "queue": "groups"})
        list_loop("queue_group_filter", {**queue, "operator_group": info["second_line_group"]})
        list_loop("list_all_newest", {"queue": "all", "sort": "newest", "limit": 25})

        if wanted("queue_deep_page"):
            t = time.perf_counter()
            cursor, reached = loadgen.walk_to_page(c, queue, 100)
            walk_ms = (time.perf_counter() - t) * 1000
            log(f"  walked to page {reached} of the open queue in {walk_ms:.0f} ms")
            deep = list_loop("queue_deep_page", {**queue, **({"cursor": cursor} if cursor else {})})
            deep["page"] = reached
            deep["walk_99_pages_ms"] = round(walk_ms, 0)

        search = list_loop("search", {"q": seed.KEYWORD, "sort": "newest", "limit": 25})
        if search:
            search["matches_expected"] = info["keyword_meldingen"]
        list_loop(
            "search_priority_open", {"q": seed.KEYWORD, "queue": "open", "sort": "priority", "limit": 25}
        )
        list_loop("search_two_words", {"q": "printer storing", "sort": "newest", "limit": 25})

        # searches whose cost must not grow with the data: a word in three meldingen, a word in none,
        # a melding number (three spellings)
        rare_words = list(info["rare_words"].items())
        for word, ids in rare_words:
            found = {
                m["id"] for m in loadgen.check(c.get("/api/v1/meldingen", params={"q": word})).json()["items"]
            }
            if found != set(ids):
                raise RuntimeError(f"search for {word!r} found {sorted(found)}, expected {sorted(ids)}")
        rng_rare = random.Random(3)

        def rare_call(params: dict[str, Any]) -> None:
            word, _ids = rare_words[rng_rare.randrange(len(rare_words))]
            loadgen.check(c.get("/api/v1/meldingen", params={**params, "q": word}))

        for name, params in (
            ("search_rare", {"sort": "newest", "limit": 25}),
            ("search_rare_priority", {"sort": "priority", "limit": 25}),
            ("search_rare_open", {"queue": "open", "sort": "priority", "limit": 25}),
        ):
            if not wanted(name):
                continue
            r = loadgen.timed_loop(partial(rare_call, params), count=count, seconds=seconds)
            r["items"] = len(rare_words[0][1])
            results[name] = r
            log(f"  {name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")
        absent = list_loop("search_absent", {"q": info["absent_word"], "sort": "newest", "limit": 25})
        if absent.get("items"):
            raise RuntimeError(f"search for the absent word found {absent['items']} meldingen")
        spellings = [f"M{info['number_ids'][0]:07d}", f"m{info['number_ids'][1]}", str(info["number_ids"][2])]
        for text, pk in zip(spellings, info["number_ids"], strict=True):
            items = loadgen.check(c.get("/api/v1/meldingen", params={"q": text})).json()["items"]
            if [m["id"] for m in items] != [pk]:
                raise RuntimeError(f"number search {text!r} found {[m['id'] for m in items]}, expected {pk}")
        rng_number = random.Random(5)
        if wanted("search_number"):
            r = loadgen.timed_loop(
                lambda: loadgen.check(
                    c.get("/api/v1/meldingen", params={"q": spellings[rng_number.randrange(3)], "limit": 25})
                ),
                count=count,
                seconds=seconds,
            )
            r["items"] = 1
            results["search_number"] = r
            log(f"  search_number: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")

        # suggestions while registering: OR-ranked full-text candidates, permission filter, rerank
        texts = ["printer storing papier", "wachtwoord vergeten inloggen", "wifi eduroam verbinding traag"]
        suggest_params = {"brief_description": texts[0], "request": "De printer geeft een papierstoring."}
        if wanted("suggest"):
            body = loadgen.check(c.get("/api/v1/suggestions", params=suggest_params)).json()
            r = loadgen.timed_loop(
                lambda: loadgen.check(
                    c.get("/api/v1/suggestions", params={"text": texts[rng_suggest.randrange(len(texts))]})
                ),
                count=count,
                seconds=seconds,
            )
            r["items"] = len(body["articles"]) + len(body["meldingen"])
            results["suggest"] = r
            log(f"  suggest: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms ({r['items']} suggestions)")

        mid = info["detail_id"]
        history = loadgen.check(c.get(f"/api/v1/meldingen/{mid}/history")).json()
        if len(history) != seed.DETAIL_HISTORY:
            raise RuntimeError(
                f"melding {mid} has {len(history)} history rows, expected {seed.DETAIL_HISTORY}"
            )
        detail_ids = seed.detail_ids(info["meldingen"])

        for name, path in (("detail", ""), ("history", "/history"), ("notes", "/notes")):
            if not wanted(name):
                continue
            r = loadgen.timed_loop(
                partial(lambda p: loadgen.check(c.get(f"/api/v1/meldingen/{mid}{p}")), path),
                count=count,
                seconds=seconds,
            )
            r["melding_id"] = mid
            results[name] = r
            log(f"  {name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")

        rng = random.Random(7)

        def detail_page() -> None:
            other = rng.choice(detail_ids)
            loadgen.check(c.get(f"/api/v1/meldingen/{other}"))
            loadgen.check(c.get(f"/api/v1/meldingen/{other}/history"))

        if wanted("detail_with_history"):
            r = loadgen.timed_loop(detail_page, count=count, seconds=seconds)
            results["detail_with_history"] = r
            log(
                f"  detail_with_history (2 requests, 200 different meldingen): p50 {r['p50_ms']} ms, "
                f"p95 {r['p95_ms']} ms"
            )

    # The operator's UI, logged in with a session like a browser: the page of an open melding with
    # its history, and the search page (the same list function and page size as the API)
    with loadgen.session_client(base_url, UI_USERNAME, UI_PASSWORD) as c:
        open_details = info["open_detail_ids"]
        if not open_details:
            raise RuntimeError("the seed made no open melding with history")
        for pk in open_details:
            page = loadgen.check(c.get(f"/meldingen/{pk}/"))
            if f"M{pk:07d}" not in page.text:
                raise RuntimeError(f"the page of melding {pk} does not show its number")
        rng_ui = random.Random(9)
        if wanted("ui_detail"):
            r = loadgen.timed_loop(
                lambda: loadgen.check(c.get(f"/meldingen/{rng_ui.choice(open_details)}/")),
                count=count,
                seconds=seconds,
            )
            r["meldingen"] = len(open_details)
            results["ui_detail"] = r
            log(
                f"  ui_detail ({len(open_details)} open meldingen with history): "
                f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms"
            )
        word, ids = next(iter(info["rare_words"].items()))
        listing = loadgen.check(c.get("/meldingen/", params={"queue": "all", "q": word})).text
        if not all(f"M{pk:07d}" in listing for pk in ids):
            raise RuntimeError(f"the UI search for {word!r} does not list {ids}")
        if wanted("ui_search_rare"):
            r = loadgen.timed_loop(
                lambda: loadgen.check(c.get("/meldingen/", params={"queue": "all", "q": word})),
                count=count,
                seconds=seconds,
            )
            results["ui_search_rare"] = r
            log(f"  ui_search_rare: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")

    if wanted("report_month"):
        with loadgen.client(base_url, info["coordinator_token"]) as c:
            month = report_month_params(info)
            body = loadgen.check(c.get("/api/v1/reports/kpis", params=month)).json()
            r = loadgen.timed_loop(
                lambda: loadgen.check(c.get("/api/v1/reports/kpis", params=month)),
                count=env_int("BENCH_REPORT_REQUESTS", 20),
                seconds=seconds,
            )
            r.update(
                {"params": month, "registered": body["volume"]["registered"], "resolved": body["resolved"]}
            )
            results["report_month"] = r
            log(
                f"  report_month (KPI API, {month['date_from']}..{month['date_to']}, one group): "
                f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms "
                f"({r['registered']} registered, {r['resolved']} resolved)"
            )

    if not wanted("create"):
        return results

    callers, categories = info["callers"], info["categories"]

    def payload(n: int) -> dict[str, Any]:
        category, sub = categories[n % len(categories)]
        return {
            "brief_description": f"Bench melding {n} printer storing",
            "request": "De printer op de tweede verdieping geeft een papierstoring. " * 3,
            "entry_type": "phone",
            "caller_id": callers[n % len(callers)],
            "category_id": category,
            "subcategory_id": sub,
            "impact_id": info["impacts"][n % 3],
            "urgency_id": info["urgencies"][(n // 3) % 3],
            "operator_group_id": info["first_line_group"],
        }

    r = loadgen.concurrent_creates(
        base_url,
        token,
        payload,
        clients=8,
        count=env_int("BENCH_CREATES", 2000),
        seconds=float(env_int("BENCH_CREATE_SECONDS", 90)),
    )
    results["create_python_client"] = r
    log(
        f"  create (Python client): {r['per_s']}/s with 8 clients, p50 {r['p50_ms']} ms, "
        f"p95 {r['p95_ms']} ms, {r['errors']} errors"
    )
    # The Python client above takes a good share of the two cores from the server; wrk hardly any.
    w = loadgen.wrk_creates(base_url, token, payload, clients=8, seconds=env_int("BENCH_WRK_SECONDS", 20))
    if w is not None:
        log(f"  create (wrk): {w['per_s']}/s with 8 connections, p50 {w['p50_ms']} ms, p95 {w['p95_ms']} ms")
        if w["errors"]:
            raise RuntimeError(f"wrk creates returned {w['errors']} non-201 answers")
    results["create"] = w or r
    return results


def run_backend(db: str, tickets: int) -> dict[str, Any]:
    # 2 processes x 4 threads served the most creates on 2 cores (sync 4 workers: about half); see docs
    workers = env_int("BENCH_WORKERS", 2)
    threads = env_int("BENCH_THREADS", 4)
    reuse = os.environ.get("BENCH_REUSE") == "1"
    try:
        if reuse:
            url = f"sqlite:///{WORK / 'bench.sqlite3'}" if db == "sqlite" else postgres_url()
            info = json.loads(info_path(db).read_text(encoding="utf-8"))
            log(f"{db}: reusing the seeded database ({info['meldingen']:,} meldingen)")
        else:
            url, loader = prepare(db)
            log(f"{db}: seeding {tickets:,} meldingen")
            info = seed.seed(loader, tickets)
            log(f"{db}: seeded in {info['timings']['total_s']} s: {info['timings']}")
            info_path(db).write_text(json.dumps(info) + "\n", encoding="utf-8")
        token = issue_token(url, info["bench_username"])
        ui_operator(url)
        info = {**info, "coordinator_token": coordinator_token(url)}
        size = size_of(db, url)
        server = Server(db, url, workers, threads)
        load_before = os.getloadavg()[0]
        try:
            server.wait()
            log(f"{db}: gunicorn up on {server.base_url} ({workers} workers x {threads} threads)")
            scenarios = measure(server.base_url, token, info)
            load_after = os.getloadavg()[0]
        finally:
            server.stop()
        # E-mail intake: messages delivered to a local dovecot, read and stored by the intake
        if not wanted("email_intake"):
            scenarios["email_intake"] = {"email_intake_per_s": None, "skipped": "BENCH_ONLY"}
        elif _dovecot() is None:
            log(f"{db}: e-mail intake skipped: dovecot is not installed (apt-get install dovecot-imapd)")
            scenarios["email_intake"] = {"email_intake_per_s": None, "skipped": "dovecot not installed"}
        else:
            intake = mail_intake_bench.measure(
                url, django_env(url), messages=env_int("BENCH_MAIL_MESSAGES", 1000)
            )
            log(f"{db}: e-mail intake {intake['email_intake_per_s']} messages/s")
            scenarios["email_intake"] = intake
        quality: dict[str, Any] = {}
        if wanted("suggest_quality"):
            quality = suggest_quality.measure(db)  # the labelled set, on its own small database
            log(
                f"{db}: suggestion precision@5 {quality['suggest_precision_at_5']}, "
                f"MRR {quality['suggest_mrr']}"
            )
    finally:
        drop(db)
    run = {
        "db": db,
        "tickets": info["meldingen"],
        "open": info["open"],
        "keyword_meldingen": info["keyword_meldingen"],
        "history_rows": info["history_rows"],
        "notes": info["notes"],
        "db_size_mb": round(size / 1e6),
        "loadavg_1m": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "seed": info["timings"],
        "server": {
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
        },
        "queue_first_page_p95_ms": scenarios.get("queue_first_page", {}).get("p95_ms"),
        "queue_deep_page_p95_ms": scenarios.get("queue_deep_page", {}).get("p95_ms"),
        "search_p95_ms": scenarios.get("search", {}).get("p95_ms"),
        "search_rare_p95_ms": scenarios.get("search_rare", {}).get("p95_ms"),
        "search_absent_p95_ms": scenarios.get("search_absent", {}).get("p95_ms"),
        "search_number_p95_ms": scenarios.get("search_number", {}).get("p95_ms"),
        "ui_detail_p95_ms": scenarios.get("ui_detail", {}).get("p95_ms"),
        "detail_p95_ms": scenarios.get("detail", {}).get("p95_ms"),
        "history_p95_ms": scenarios.get("history", {}).get("p95_ms"),
        "create_per_s": scenarios.get("create", {}).get("per_s"),
        "create_p95_ms": scenarios.get("create", {}).get("p95_ms"),
        "report_month_ms": scenarios.get("report_month", {}).get("p95_ms"),
        "email_intake_per_s": scenarios.get("email_intake", {}).get("email_intake_per_s"),
        "suggest_p95_ms": scenarios.get("suggest", {}).get("p95_ms"),
        **{k: v for k, v in quality.items() if k.startswith("suggest_")},
        "scenarios": scenarios,
    }
    limits = {**TARGETS, "report_month_ms": REPORT_TARGET_MS[db]}
    run["targets_met"] = {
        key: (run[key] is not None and (run[key] >= limit if key.endswith("_per_s") else run[key] < limit))
        for key, limit in limits.items()
        if run[key] is not None or not only()  # with BENCH_ONLY, only the scenarios that ran
    }
    return run


def markdown(runs: list[dict[str, Any]]) -> str:
    names = [n for n, scenario in runs[0]["scenarios"].items() if "p50_ms" in scenario]
    header = "| scenario | " + " | ".join(f"{r['db']} p50 ms | {r['db']} p95 ms" for r in runs) + " |"
    lines = [header, "|---|" + "---:|---:|" * len(runs)]
    for name in names:
        cells = []
        for r in runs:
            s = r["scenarios"].get(name, {})
            cells.append(f"{s.get('p50_ms', '')} | {s.get('p95_ms', '')}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| create per second (8 clients) | " + " | ".join(f"{r['create_per_s']} | " for r in runs) + "|"
    )
    lines.append(
        "| e-mail intake, messages per second | "
        + " | ".join(f"{r.get('email_intake_per_s') or 'skipped'} | " for r in runs)
        + "|"
    )
    lines.append(
        "| create per second, Python client | "
        + " | ".join(f"{r['scenarios'].get('create_python_client', {}).get('per_s', '')} | " for r in runs)
        + "|"
    )
    lines.append(
        "| report_month_ms (KPI API, one month, one group; p95) | "
        + " | ".join(f" | {r.get('report_month_ms', '')}" for r in runs)
        + " |"
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    tickets = env_int("BENCH_TICKETS", 1_000_000)
    choice = os.environ.get("BENCH_DB", "").strip() or ("both" if postgres_reachable() else "sqlite")
    if choice not in {"sqlite", "postgres", "both"}:
        print("BENCH_DB must be sqlite, postgres or both", file=sys.stderr)
        return 2
    backends = ["sqlite", "postgres"] if choice == "both" else [choice]
    if "postgres" in backends and not postgres_reachable():
        print(f"PostgreSQL is not reachable at {postgres_url()}", file=sys.stderr)
        return 2
    if not shutil.which(GUNICORN):
        print("gunicorn is missing from the virtualenv", file=sys.stderr)
        return 2
    runs: list[dict[str, Any]] = []
    standalone = {
        "monitor",
        *cmdb_bench.SCENARIOS,
        *calendar_bench.SCENARIOS,
        *retention_bench.SCENARIOS,
    }  # databases of their own
    if not only() or not only() <= standalone:
        for db in backends:
            runs.append(run_backend(db, tickets))
            write_results(runs)
        print(markdown(runs))
    if os.environ.get("BENCH_MONITOR", "1") != "0" and wanted("monitor"):
        monitor = monitor_bench.measure("postgres" if "postgres" in backends else "sqlite")
        monitor_bench.write(monitor)
        print(json.dumps({k: v for k, v in monitor.items() if k != "scenarios"}, indent=2))
    if any(wanted(name) for name in cmdb_bench.SCENARIOS):
        for r in cmdb_bench.run(backends, write_results=True):
            print(json.dumps({k: v for k, v in r.items() if k not in ("scenarios", "sizes")}, indent=2))
            missed = [k for k, ok in r["targets_met"].items() if not ok]
            log(f"{r['db']} CMDB: targets {'all met' if not missed else 'missed: ' + ', '.join(missed)}")
    if any(wanted(name) for name in calendar_bench.SCENARIOS):
        figures = calendar_bench.measure("sqlite")
        calendar_bench.write(figures)
        p95 = figures["change_calendar_p95_ms"]
        log(f"change calendar: p95 {p95} ms (target <= {calendar_bench.TARGET_MS})")
    if any(wanted(name) for name in retention_bench.SCENARIOS):
        figures = retention_bench.measure("postgres" if "postgres" in backends else "sqlite")
        retention_bench.write(figures)
        log(f"anonymise 100k: {figures['anonymise_100k_s']} s (target <= {retention_bench.TARGET_S})")
    for r in runs:
        missed = [k for k, ok in r["targets_met"].items() if not ok]
        log(f"{r['db']}: targets {'all met' if not missed else 'missed: ' + ', '.join(missed)}")
    return 0


def write_results(runs: list[dict[str, Any]]) -> None:
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "runs": runs,
    }
    main_run = next((r for r in runs if r["db"] == "postgres"), runs[0])
    result.update({k: v for k, v in main_run.items() if k != "scenarios"})
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "latest.md").write_text(markdown(runs), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
