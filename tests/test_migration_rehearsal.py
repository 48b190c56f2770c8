"""Models that move between apps keep their rows: the database of an earlier commit, with the demo
data and records of every moved model, migrates to this code without losing anything.

The earlier code runs from a git worktree of BASE (the last commit before models moved between
apps) in processes of its own, against a database of its own: a SQLite file, or a PostgreSQL
database next to the test database when the suite runs on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BASE = "384b6837763249c23281d2632c71cdfcd39f649c"

# Rows the earlier code writes for each moved model (its import path then), and how to count them
# with this code.
SEED = """
from beheer.core import clock
from beheer.core.models import ScheduledRun
from beheer.accounts.models import User
from beheer.knowledge.models import DeflectionEvent
from beheer.servicedesk.models import Melding
from beheer.servicedesk.models.mail import DeadLetter, InboundMessage, Mailbox, MailRule
caller = User.objects.get(username="demo.melder")
melding = Melding.objects.filter(caller=caller).order_by("id").first()
now = clock.now()
for n in range(3):
    DeflectionEvent.objects.create(
        user=caller, token=f"rehearsal-{n}-" + "x" * 20, query="printer", shown_article_ids=[1, 2],
        clicked_article_ids=[2] if n else [], submitted=n == 2, melding=melding if n == 2 else None,
        created_at=now, updated_at=now,
    )
box = Mailbox.objects.create(
    name="Rehearsal", host="imap.school.example", username="intake@school.example", secret_encrypted="x"
)
MailRule.objects.create(mailbox=box, order=5, match_field="domain", pattern="school.example")
InboundMessage.objects.create(
    mailbox=box, message_key="rehearsal-1@school.example", received_at=now, sender="a@school.example",
    subject="Printer", outcome="melding", melding=melding,
)
dead = InboundMessage.objects.create(
    mailbox=box, message_key="rehearsal-2@elders.example", received_at=now, outcome="dead_letter"
)
DeadLetter.objects.create(
    mailbox=box, inbound=dead, raw=b"From: x@elders.example\\r\\n\\r\\nhallo", raw_size=31,
    sender="x@elders.example", subject="Te veel", reason="rate-limited", created_at=now,
)
ScheduledRun.objects.update_or_create(
    name="servicedesk.poll_mailboxes",
    defaults={"next_run_at": now, "error_count": 2, "last_error": "rehearsal"},
)
from beheer.servicedesk import services
operator = User.objects.get(username="demo.specialist")
problem = services.open_problem(actor=operator, title="Rehearsal problem", workaround="Herstart")
unlinked = Melding.objects.filter(problem__isnull=True, closed_at__isnull=True).order_by("id").first()
services.link_melding(problem, melding=unlinked, actor=operator)
import datetime as dt
from beheer.servicedesk.models import BusinessCalendar, ClosingDay, OlaTarget, OpeningHours
calendar = BusinessCalendar.objects.create(name="Rehearsal calendar", time_zone="Europe/Amsterdam")
for day in range(5):
    OpeningHours.objects.create(calendar=calendar, weekday=day, start=dt.time(8), end=dt.time(17))
OpeningHours.objects.create(calendar=calendar, weekday=5, start=dt.time(9), end=dt.time(0))
ClosingDay.objects.create(calendar=calendar, date=dt.date(2030, 1, 2), name="Studiedag")
ola = OlaTarget.objects.order_by("id").first()  # the demo's
OlaTarget.objects.filter(pk=ola.pk).update(minutes=480, calendar=calendar)
"""
# The moved models, by their label in the earlier code and in this code.
EARLIER = {
    "DeflectionEvent": "knowledge.DeflectionEvent",
    "Mailbox": "servicedesk.Mailbox",
    "MailRule": "servicedesk.MailRule",
    "InboundMessage": "servicedesk.InboundMessage",
    "DeadLetter": "servicedesk.DeadLetter",
    "Problem": "servicedesk.Problem",
    "ProblemHistoryEntry": "servicedesk.ProblemHistoryEntry",
    "BusinessCalendar": "servicedesk.BusinessCalendar",
    "OpeningHours": "servicedesk.OpeningHours",
    "ClosingDay": "servicedesk.ClosingDay",
}
NOW = {
    "DeflectionEvent": "servicedesk.DeflectionEvent",
    "Mailbox": "mailintake.Mailbox",
    "MailRule": "mailintake.MailRule",
    "InboundMessage": "mailintake.InboundMessage",
    "DeadLetter": "mailintake.DeadLetter",
    "Problem": "problems.Problem",
    "ProblemHistoryEntry": "problems.ProblemHistoryEntry",
    "BusinessCalendar": "calendars.BusinessCalendar",
    "OpeningHours": "calendars.OpeningHours",
    "ClosingDay": "calendars.ClosingDay",
}
CALENDAR_MODELS = ("BusinessCalendar", "OpeningHours", "ClosingDay")
PROBLEM_MODELS = ("Problem", "ProblemHistoryEntry")
COUNT = """
import json
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
moved = json.loads({moved!r})
labels = ["servicedesk.Melding", "knowledge.Article", "accounts.User", *moved.values()]
rows = {{label.split(".")[1]: apps.get_model(label).objects.count() for label in labels}}
model = {{name: apps.get_model(label) for name, label in moved.items()}}
rows["submitted"] = model["DeflectionEvent"].objects.filter(submitted=True, melding__isnull=False).count()
rows["rules"] = model["Mailbox"].objects.get(name="Rehearsal").rules.count()
rows["replied"] = model["InboundMessage"].objects.filter(melding__isnull=False).count()
rows["dead_with_inbound"] = model["DeadLetter"].objects.filter(
    inbound__isnull=False, mailbox__name="Rehearsal"
).count()
# The content types (and so the admin's permissions) of the moved mail models: the same rows.
calendar_models = ["BusinessCalendar", "OpeningHours", "ClosingDay"]
mail = [m for m in moved if m not in ("DeflectionEvent", "Problem", "ProblemHistoryEntry", *calendar_models)]
types = {{name: ContentType.objects.get_for_model(model[name]) for name in mail}}
rows["content_type_ids"] = sorted(t.pk for t in types.values())
rows["permissions"] = Permission.objects.filter(content_type__in=types.values()).count()
rows["servicedesk_types"] = ContentType.objects.filter(
    app_label="servicedesk", model__in=[n.lower() for n in mail]
).count()
job = apps.get_model("core.ScheduledRun").objects.filter(name__endswith=".poll_mailboxes")
rows["mail_job"] = list(job.values_list("error_count", "last_error"))
# Problems: the same problems and history, their content types relabelled, every melding's link kept
# (a column of the melding then, a row of problems.ProblemMelding now).
problem_models = [model["Problem"], model["ProblemHistoryEntry"]]
problem_types = [ContentType.objects.get_for_model(m) for m in problem_models]
rows["problem_content_type_ids"] = sorted(t.pk for t in problem_types)
rows["problem_permissions"] = Permission.objects.filter(content_type__in=problem_types).count()
rows["problem_servicedesk_types"] = ContentType.objects.filter(
    app_label="servicedesk", model__in=["problem", "problemhistoryentry"]
).count()
rows["problem_history"] = sorted(
    model["ProblemHistoryEntry"].objects.values_list("problem_id", "action", "new_value")
)
try:
    links = apps.get_model("problems.ProblemMelding").objects.values_list("melding_id", "problem_id")
except LookupError:
    links = apps.get_model("servicedesk.Melding").objects.filter(problem__isnull=False).values_list(
        "id", "problem_id"
    )
rows["problem_links"] = sorted([list(pair) for pair in links])
# Calendars: the same calendars with their hours and closing days, their content types relabelled,
# and the SLA policies and OLA targets still counting in them.
calendar_types = [ContentType.objects.get_for_model(model[name]) for name in calendar_models]
rows["calendar_content_type_ids"] = sorted(t.pk for t in calendar_types)
rows["calendar_permissions"] = Permission.objects.filter(content_type__in=calendar_types).count()
rows["calendar_servicedesk_types"] = ContentType.objects.filter(
    app_label="servicedesk", model__in=[n.lower() for n in calendar_models]
).count()
rows["calendar_hours"] = sorted(
    [c, w, str(s), str(e)] for c, w, s, e in model["OpeningHours"].objects.values_list(
        "calendar__name", "weekday", "start", "end"
    )
)
rows["calendar_days"] = sorted(
    [c, str(d), n] for c, d, n in model["ClosingDay"].objects.values_list("calendar__name", "date", "name")
)
rows["policy_calendars"] = sorted(
    apps.get_model("servicedesk.SlaPolicy").objects.values_list("name", "calendar__name")
)
rows["ola_calendars"] = sorted(
    apps.get_model("servicedesk.OlaTarget").objects.filter(calendar__isnull=False).values_list(
        "minutes", "calendar__name"
    )
)
print("ROWS " + json.dumps(rows))
"""


def _rows(tree: Path, env: dict[str, str], moved: dict[str, str]) -> dict[str, Any]:
    out = _run(tree, env, "shell", "-c", COUNT.format(moved=json.dumps(moved)))
    line = next(line for line in out.splitlines() if line.startswith("ROWS "))
    return dict(json.loads(line[5:]))


def _run(tree: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env={**env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(args)} in {tree.name}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def earlier_tree(tmp_path: Path) -> Iterator[Path]:
    git = shutil.which("git")
    known = git and subprocess.run(
        [git, "cat-file", "-e", f"{BASE}^{{commit}}"], cwd=ROOT, capture_output=True, check=False
    )
    if not known or known.returncode != 0:
        pytest.skip("needs the project's git history (a clone, not an unpacked release)")
    tree = tmp_path / "earlier"
    subprocess.run(
        [git, "worktree", "add", "--detach", str(tree), BASE], cwd=ROOT, check=True, capture_output=True
    )
    try:
        yield tree
    finally:
        subprocess.run(
            [git, "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False, capture_output=True
        )


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, outside the test database."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'rehearsal.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"beheer_rehearsal_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    try:
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        yield f"postgres://{user}{password}@{host}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_of_the_earlier_code_migrates_without_losing_rows(
    earlier_tree: Path, database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEHEER_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="beheer.settings",
        BEHEER_DATA_DIR=str(tmp_path / "data"),
        BEHEER_SECRET_KEY="rehearsal-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    )
    _run(earlier_tree, env, "migrate", "--no-input", "-v", "0")
    _run(earlier_tree, env, "load_demo")
    _run(earlier_tree, env, "shell", "-c", SEED)
    before = _rows(earlier_tree, env, EARLIER)
    assert before["DeflectionEvent"] == 3
    assert before["Melding"] > 100
    mail_rows = [before[name] for name in ("Mailbox", "MailRule", "InboundMessage", "DeadLetter")]
    assert mail_rows == [1, 1, 2, 1]
    assert before["permissions"] == 16
    assert before.pop("servicedesk_types") == 4
    assert before["mail_job"] == [[2, "rehearsal"]]
    assert before["Problem"] >= 2  # the demo's problems and the rehearsal's
    assert len(before["problem_links"]) >= 2
    assert before["problem_permissions"] == 8
    assert before.pop("problem_servicedesk_types") == 2
    assert before["BusinessCalendar"] >= 3  # the default calendars and the rehearsal's
    assert ["Rehearsal calendar", "2030-01-02", "Studiedag"] in before["calendar_days"]
    assert before["OpeningHours"] >= 6
    assert before["calendar_permissions"] == 12
    assert before.pop("calendar_servicedesk_types") == 3
    assert before["policy_calendars"]
    assert [480, "Rehearsal calendar"] in before["ola_calendars"]

    _run(ROOT, env, "migrate", "--no-input", "-v", "0")
    after = _rows(ROOT, env, NOW)
    assert after.pop("servicedesk_types") == 0  # relabelled (same ids, same permissions), none left behind
    assert after.pop("problem_servicedesk_types") == 0
    assert after.pop("calendar_servicedesk_types") == 0
    assert after == before
    # Nothing is left to migrate, and the moved models are written and read through their new home.
    assert "[ ]" not in _run(ROOT, env, "showmigrations", "--list")
    probe = (
        "from beheer.servicedesk.models import DeflectionEvent as D; "
        "e = D.objects.order_by('id').first(); e.query = 'scanner'; e.save(); "
        "print(D.objects.filter(query='scanner').count())"
    )
    assert _run(ROOT, env, "shell", "-c", probe).strip().splitlines()[-1] == "1"
    mail_probe = (
        "from beheer.mailintake.models import DeadLetter, Mailbox; "
        "box = Mailbox.objects.get(name='Rehearsal'); box.folder = 'Postvak IN'; box.save(); "
        "dead = DeadLetter.objects.select_related('inbound').get(mailbox__folder='Postvak IN'); "
        "print(dead.inbound.message_key, bytes(dead.raw).hex(), dead.reason, box.rules.get().pattern)"
    )
    out = _run(ROOT, env, "shell", "-c", mail_probe).strip().splitlines()[-1]
    raw = b"From: x@elders.example\r\n\r\nhallo"
    assert out.split() == ["rehearsal-2@elders.example", raw.hex(), "rate-limited", "school.example"]
    jobs = "from beheer.core.models import ScheduledRun as R; print(sorted(R.objects.values_list('name')))"
    names = _run(ROOT, env, "shell", "-c", jobs).strip().splitlines()[-1]
    assert "'mailintake.poll_mailboxes'" in names
    assert "servicedesk.poll_mailboxes" not in names
    # The rehearsal's link carries who linked it and when (from the melding's history); problems and
    # their links are written through the new app.
    problem_probe = (
        "from beheer.problems.models import Problem, ProblemMelding; "
        "p = Problem.objects.get(title='Rehearsal problem'); p.workaround = 'Opnieuw opstarten'; p.save(); "
        "link = ProblemMelding.objects.select_related('linked_by', 'problem').get(problem=p); "
        "print(link.linked_by.username, link.linked_at is not None, "
        "Problem.objects.filter(workaround='Opnieuw opstarten').count(), "
        "ProblemMelding.objects.filter(melding__problem_link__problem=p).count())"
    )
    out = _run(ROOT, env, "shell", "-c", problem_probe).strip().splitlines()[-1]
    assert out.split() == ["demo.specialist", "True", "1", "1"]
    # The calendars are read and written through their new home, and the configuration services.
    calendar_probe = (
        "from beheer.calendars.models import BusinessCalendar, ClosingDay, OpeningHours; "
        "from beheer.servicedesk.models import OlaTarget; "
        "c = BusinessCalendar.objects.get(name='Rehearsal calendar'); c.time_zone = 'Europe/Brussels'; "
        "c.save(); print(BusinessCalendar.objects.filter(time_zone='Europe/Brussels').count(), "
        "OpeningHours.objects.filter(calendar=c).count(), ClosingDay.objects.get(calendar=c).name, "
        "OlaTarget.objects.filter(calendar=c).count())"
    )
    out = _run(ROOT, env, "shell", "-c", calendar_probe).strip().splitlines()[-1]
    assert out.split() == ["1", "6", "Studiedag", "1"]
