"""E-mail intake throughput: messages per second parsed and stored from a local IMAP server (dovecot).

    .venv/bin/python bench/mail_intake.py                 # fresh SQLite database, 1000 messages
    .venv/bin/python bench/mail_intake.py --db postgres   # fresh PostgreSQL database (BENCH_DATABASE_URL)
    .venv/bin/python bench/mail_intake.py --database-url URL --no-migrate   # an existing (seeded) database

Starts a dovecot on loopback (tests/mailserver.py), delivers N varied messages (new meldingen in
several charsets, HTML-only, with attachments, replies by In-Reply-To, auto-replies, and one in a
hundred hostile: an HTML body of 100,000 nested <div>s, which must become a dead letter quickly
instead of stalling the worker), configures a
mailbox in the database and times `poll_mailbox` until the folder is empty: fetch, parse, store,
move, per message. Prints JSON with "email_intake_per_s"; `--write` merges it into
bench/results/latest.json. From bench/run.py: `mail_intake.measure(database_url, env)` after seeding.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench" / "results"
TARGET_PER_S = 50
SECRET = "bench-secret-key-not-for-production-0123456789abcdefghijklmnop"


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)


def message(
    *,
    sender: str,
    subject: str,
    message_id: str,
    body: str = "Het werkt niet.",
    charset: str = "utf-8",
    html: bool = False,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes, str | None]] | None = None,
) -> bytes:
    """One message as a mail client would send it (standard library only, no Django)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = "servicedesk@school.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if html:
        msg.set_content(f"<html><body><p>{body}</p></body></html>", subtype="html", charset=charset)
    else:
        msg.set_content(body, charset=charset)
    for filename, content_type, content, content_id in attachments or []:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(
            content,
            maintype=maintype,
            subtype=subtype,
            filename=filename,
            disposition="inline" if content_id else "attachment",
            cid=f"<{content_id}>" if content_id else None,
        )
    return msg.as_bytes()


def hostile(message_id: str, depth: int = 100_000) -> bytes:
    """An HTML-only message nested `depth` <div>s deep (anyone can send one; no login needed)."""
    body = "<div>" * depth + "Help" + "</div>" * depth
    return (
        "From: stranger@elders.example\r\nTo: servicedesk@school.example\r\nSubject: Nested\r\n"
        f"Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + body + "\r\n"
    ).encode()


def _messages(n: int) -> list[bytes]:
    out: list[bytes] = []
    for i in range(n):
        sender = f"bench{i % 400}@school.example"
        kind = i % 10
        if i % 100 == 55:  # hostile: must be a dead letter within the per-message bound
            out.append(hostile(f"b-{i}@bench"))
        elif kind == 9 and i >= 10:  # a reply to an earlier message
            out.append(
                message(
                    sender=f"bench{(i - 9) % 400}@school.example",
                    subject="Re: vraag",
                    body=f"Aanvulling {i}",
                    message_id=f"b-{i}@bench",
                    in_reply_to=f"b-{i - 9}@bench",
                )
            )
        elif kind == 8:
            out.append(
                message(
                    sender=sender,
                    subject="Afwezig",
                    message_id=f"b-{i}@bench",
                    headers={"Auto-Submitted": "auto-replied"},
                )
            )
        elif kind == 7:
            out.append(
                message(
                    sender=sender,
                    subject=f"Offerte {i}",
                    message_id=f"b-{i}@bench",
                    attachments=[
                        ("offerte.pdf", "application/pdf", PDF, None),
                        ("image001.png", "image/png", PNG, f"img{i}@bench"),
                    ],
                )
            )
        elif kind == 6:
            out.append(
                message(
                    sender=sender,
                    subject=f"Scherm {i}",
                    message_id=f"b-{i}@bench",
                    html=True,
                    body="Het <b>scherm</b> blijft zwart.",
                )
            )
        else:
            charset = ["utf-8", "iso-8859-1", "windows-1252"][i % 3]
            out.append(
                message(
                    sender=sender,
                    subject=f"Vraag {i}: printer",
                    message_id=f"b-{i}@bench",
                    body=f"De printer doet het niet (café). #{i}",
                    charset=charset,
                )
            )
    return out


WORKER = r"""
import json, sys, time
import django
django.setup()
from pathlib import Path
from beheer.accounts.models import OperatorGroup
from beheer.notifications import crypto
from beheer.mailintake import services as mail_intake
from beheer.mailintake.models import Mailbox
host, port, ca, user, password = sys.argv[1:6]
group = OperatorGroup.objects.filter(is_first_line=True, active=True).first() or OperatorGroup.objects.create(
    name="Bench mail intake", is_first_line=True)
Mailbox.objects.filter(name="bench-intake").delete()
box = Mailbox.objects.create(name="bench-intake", host=host, port=int(port), security="tls",
    ca_certificate=Path(ca).read_text(), username=user, secret_encrypted=crypto.encrypt(password),
    processed_folder="Verwerkt", default_operator_group=group, rate_limit_count=0)
counts = {}
started = time.perf_counter()
for _ in range(100):
    report = mail_intake.poll_mailbox(box, max_messages=500, time_budget=600)
    if report.error:
        raise SystemExit(report.error)
    for k, v in report.counts.items():
        counts[k] = counts.get(k, 0) + v
    if report.processed == 0:
        break
    box.refresh_from_db()
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "counts": counts}))
"""


def measure(database_url: str, env: dict[str, str], *, messages: int = 1000) -> dict[str, Any]:
    """Deliver `messages` to a fresh dovecot and time the intake into `database_url`."""
    sys.path.insert(0, str(ROOT))
    from tests.mailserver import DovecotServer

    raws = _messages(messages)
    with DovecotServer.start(users={"bench": "bench-password"}) as server:
        for raw in raws:
            server.deliver("bench", raw)
        done = subprocess.run(
            [
                PYTHON,
                "-c",
                WORKER,
                server.host,
                str(server.imaps_port),
                server.ca_file,
                "bench",
                "bench-password",
            ],
            cwd=ROOT,
            env={**env, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            check=False,
            timeout=1800,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode()[-3000:])
        result = json.loads(done.stdout.decode().strip().splitlines()[-1])
        left = len(server.folder_files("bench"))
    processed = sum(result["counts"].values())
    per_s = processed / result["seconds"] if result["seconds"] else 0.0
    return {
        "email_intake_per_s": round(per_s, 1),
        "email_intake_messages": processed,
        "email_intake_counts": result["counts"],
        "email_intake_dead_letters": result["counts"].get("dead_letter", 0),
        "email_intake_left_in_inbox": left,
        "email_intake_target_met": per_s >= TARGET_PER_S and left == 0,
    }


def _fresh(db: str, work: Path) -> tuple[str, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEHEER_")}
    env.update(
        BEHEER_DATA_DIR=str(work),
        BEHEER_SECRET_KEY=SECRET,
        DJANGO_SETTINGS_MODULE="beheer.settings",
        BEHEER_LOG_LEVEL="WARNING",
    )
    if db == "sqlite":
        url = f"sqlite:///{work / 'intake.sqlite3'}"
    else:
        import psycopg

        url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/beheer_bench_mail")
        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True
    )
    return url, env


def _drop(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help="use this database instead of a fresh one")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument(
        "--write", action="store_true", help="merge the result into bench/results/latest.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="beheer-bench-mail-") as tmp:
        if args.database_url:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "beheer.settings"}
            url = args.database_url
        else:
            url, env = _fresh(args.db, Path(tmp))
        try:
            result = measure(url, env, messages=max(1, args.messages))
        finally:
            if not args.database_url and args.db == "postgres":
                _drop(url)
    result["email_intake_db"] = "postgres" if url.startswith("postgres") else "sqlite"
    print(json.dumps(result, indent=2))
    if args.write:
        path = RESULTS / "latest.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data.update(result)
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0 if result["email_intake_target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
