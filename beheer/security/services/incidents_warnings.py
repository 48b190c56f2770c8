"""Warnings before a reporting deadline of a security incident passes.

`send_deadline_warnings` (the periodic job `security.incident_deadlines`, every 5 minutes) tells
every security officer through the notifications outbox, for each incident and deadline at most
once per level: `security_deadline_near` when less than a quarter of the period or six hours is
left, `security_deadline_passed` once it has passed without its report. A deadline found already
passed gets only the second. The notification of the people concerned (due without undue delay)
gets the first as soon as it is due, and no second. The messages carry the incident's number, the
deadline and a link: nothing of the melding (its description, its caller) leaves the application.

Safe to run twice and on two workers at once: `DeadlineNotice.level` only moves forward, through a
conditional UPDATE in the transaction that writes the outbox rows, and the outbox key names the
incident, the deadline and the level. One incident that fails is rolled back alone and tried again
next run (`core.loops.isolated`); the others are told.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock, history
from beheer.core.loops import isolated
from beheer.core.scheduler import periodic
from beheer.notifications import services as notifications
from beheer.notifications.events import LANGUAGES

from .. import deadlines
from ..models import DeadlineNotice, IncidentAction, ReportKind, SecurityIncident
from .incidents import deadlines_of, record

BATCH = 200
DATE_FORMAT = "l j F Y, H:i"
EVENTS = {deadlines.SOON: "security_deadline_near", deadlines.PASSED: "security_deadline_passed"}


def officers() -> list[User]:
    """Every active security officer (operators, coordinators and administrators with the mark)."""
    return list(User.objects.operators().filter(security_officer=True).order_by("id"))


def _each_language(make: Any) -> dict[str, str]:
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = str(make())
    return out


def message_context(
    incident: SecurityIncident, deadline: deadlines.Deadline, now: datetime
) -> dict[str, Any]:
    """The incident's number, the deadline and a link: no content of the melding."""
    due = deadline.due
    if due is None:  # without undue delay: due now
        at = _each_language(lambda: _("now, without undue delay"))
        left: Any = ""
    else:
        local = timezone.localtime(due)
        at = _each_language(lambda: dateformat.format(local, DATE_FORMAT))
        left = _each_language(lambda: timeuntil(due, now)) if due > now else ""
    return {
        "incident_number": incident.number,
        "deadline_kind": _each_language(lambda: ReportKind(deadline.kind).label),
        "deadline_at": at,
        "time_left": left,
        "link_url": str(settings.SITE_URL).rstrip("/") + reverse("security-incident", args=[incident.pk]),
    }


@history.stored_text
def _warning_text(kind: str, level: int) -> str:
    label = ReportKind(kind).label
    return str(
        _("%(report)s: deadline passed") if level == deadlines.PASSED else _("%(report)s: deadline near")
    ) % {"report": label}


def _tell(pk: int, now: datetime, people: list[User]) -> int:
    """Move the notices of one incident forward and write their messages, in one transaction;
    returns how many warnings were queued."""
    told = 0
    with transaction.atomic():
        incident = SecurityIncident.objects.filter(pk=pk, clocks_open=True).first()
        if incident is None:
            return 0
        for deadline in deadlines_of(incident):
            level = deadlines.warning_level(deadline, now)
            if level == deadlines.NONE:
                continue
            notice, _created = DeadlineNotice.objects.get_or_create(incident=incident, deadline=deadline.kind)
            # a condition on the row itself, so a concurrent worker's UPDATE re-checks it
            if not DeadlineNotice.objects.filter(pk=notice.pk, level__lt=level).update(level=level):
                continue
            event = EVENTS[level]
            if people:
                notifications.enqueue(
                    event,
                    key=f"security:incident:{incident.pk}:{deadline.kind}:{event}",
                    recipients=people,
                    context=message_context(incident, deadline, now),
                    object_ref=("security.securityincident", incident.pk),
                )
            record(
                incident,
                None,
                IncidentAction.WARNED,
                at=now,
                field="warning",
                new=_warning_text(deadline.kind, level),
            )
            told += 1
    return told


def send_deadline_warnings(*, now: datetime | None = None) -> int:
    """The periodic job: warn the security officers of every deadline that came near or passed
    since the last run; returns how many warnings were queued."""
    now = now or clock.now()
    people = officers()
    sent = 0
    last = 0
    pending = SecurityIncident.objects.filter(clocks_open=True)
    while True:
        ids = list(pending.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return sent
        for pk in ids:
            with isolated("security incident", pk):
                sent += _tell(pk, now, people)
        last = ids[-1]


@periodic(every=timedelta(minutes=5), name="security.incident_deadlines")
def incident_deadlines() -> int:
    """Warn the security officers before a reporting deadline passes, and when it has."""
    return send_deadline_warnings()
