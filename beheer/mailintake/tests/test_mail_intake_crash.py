"""The intake worker killed with SIGKILL mid-batch, then restarted: no duplicate melding, nothing lost.

The worker (`manage.py poll_mail --once`) runs as a separate process, so it cannot share the test
database of pytest-django (in memory on SQLite, inside a transaction on PostgreSQL). The test makes a
database of its own instead: a SQLite file, and when the suite runs on PostgreSQL (DATABASE_URL is a
postgres:// URL) also a scratch PostgreSQL database on that server, dropped afterwards. `migrate` and
a short set-up script run in subprocesses with DATABASE_URL pointing at it; the test watches the
database and kills the worker after it committed some messages, three times at different points,
then lets it finish, and reads the outcome from the database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from tests.mailserver import DovecotServer

from .mail_helpers import CORPUS, OWN_ADDRESS, OWN_SITE, message, new_account

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 240

SETUP = """
import sys
from pathlib import Path
import django
django.setup()
from beheer.accounts.models import OperatorGroup
from beheer.notifications import crypto
from beheer.mailintake.models import Mailbox
group = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
host, port, ca, user, password = sys.argv[1:6]
Mailbox.objects.create(
    name="crash", host=host, port=int(port), security="tls", ca_certificate=Path(ca).read_text(),
    username=user, secret_encrypted=crypto.encrypt(password), processed_folder="Verwerkt",
    default_operator_group=group, rate_limit_count=0,
)
"""

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


def _env(database_url: str, data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="beheer.test_settings",
        DATABASE_URL=database_url,
        BEHEER_DATA_DIR=str(data),
        BEHEER_SITE_URL=OWN_SITE,
        BEHEER_FROM_EMAIL=OWN_ADDRESS,
        PYTHONPATH=str(ROOT),
    )
    return env


def _count(database_url: str, sql: str) -> int:
    if database_url.startswith("sqlite:"):
        path = database_url.removeprefix("sqlite:///")
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                return int(db.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:  # not migrated yet, or busy: try again
            return 0
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            row = conn.execute(sql).fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def _databases() -> list[str]:
    kinds = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        kinds.append("postgres")
    return kinds


@pytest.fixture(params=_databases())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"beheer_crash_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: list[str], env: dict[str, str], timeout: float) -> None:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def test_sigkill_mid_batch_then_restart(account: Account, database_url: str, tmp_path: Path) -> None:
    database = database_url
    data = tmp_path / "data"
    data.mkdir()
    env = _env(database_url, data)
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput"], env, timeout=300)
    server = account.server
    _run(
        [
            python,
            "-c",
            SETUP,
            server.host,
            str(server.imaps_port),
            server.ca_file,
            account.user,
            account.password,
        ],
        env,
        timeout=60,
    )

    expected = {"melding": 0, "reply": 0, "ignored": 0, "dead_letter": 0}
    for n in range(MESSAGES):
        kind = n % 8
        if kind == 6:
            account.deliver(
                message(
                    sender=f"p{n}@school.example",
                    subject="Afwezig",
                    message_id=f"c-{n}@s",
                    headers={"Auto-Submitted": "auto-replied"},
                )
            )
            expected["ignored"] += 1
        elif kind == 7:
            account.deliver((CORPUS / "43_garbage_bytes.eml").read_bytes() + b"%d" % n)
            expected["dead_letter"] += 1
        elif kind == 5:  # answers the message four places earlier (kind 1): a reply on its melding
            account.deliver(
                message(
                    sender=f"p{n - 4}@school.example",
                    subject="Re: vraag",
                    message_id=f"c-{n}@s",
                    in_reply_to=f"c-{n - 4}@s",
                    body=f"Aanvulling {n}",
                )
            )
            expected["reply"] += 1
        else:
            account.deliver(
                message(sender=f"p{n}@school.example", subject=f"Vraag {n}", message_id=f"c-{n}@s")
            )
            expected["melding"] += 1

    kills = 0
    command = [python, "manage.py", "poll_mail", "--once", "--batch", "25"]
    for threshold in (30, 90, 150):  # kill after this many messages were committed
        worker = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None:
            if _count(database, "SELECT count(*) FROM servicedesk_inboundmessage") >= threshold:
                break
            time.sleep(0.01)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait(timeout=30)
    assert kills >= 2, "the worker finished before it could be killed"
    _run(command, env, timeout=300)  # the restart finishes the mailbox

    def count(sql: str) -> int:
        return _count(database, sql)

    inbound = "SELECT count(*) FROM servicedesk_inboundmessage"
    assert count(inbound) == MESSAGES  # nothing lost
    for outcome, number in expected.items():
        assert count(f"{inbound} WHERE outcome = '{outcome}'") == number, outcome
    assert count("SELECT count(*) FROM servicedesk_melding") == expected["melding"]  # nothing twice
    assert count("SELECT count(*) FROM servicedesk_note") == expected["reply"]
    assert count("SELECT count(*) FROM servicedesk_deadletter") == expected["dead_letter"]
    assert (
        count("SELECT count(DISTINCT melding_id) FROM servicedesk_inboundmessage WHERE outcome='reply'")
        == (expected["reply"])
    )
    assert server.folder_files(account.user) == []
    assert len(server.folder_files(account.user, "Verwerkt")) == MESSAGES
