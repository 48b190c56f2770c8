"""Retention (bewaartermijnen) and the job that applies them.

A period per kind of record (months, or none: kept forever), with safe defaults (`DEFAULT_MONTHS`,
explained in docs/user/privacy.md). The job (`run_retention`, hourly from the worker) removes the
personal data of what has passed its period, in batches:

- each batch of meldingen is one transaction that removes the data (servicedesk, mail intake,
  outbox) and writes the meldingen's markers (`AnonymisedMelding`); a run stopped half-way (a
  killed worker, a deploy) leaves each melding either untouched or done, and the next run skips
  the done ones;
- a batch that fails is retried melding by melding, so one bad melding is counted as a failure of
  the run (with its number) and the others go on;
- security incidents (restricted meldingen) are kept at least `INCIDENT_MIN_MONTHS` (BIO2 5.28.01),
  whatever the period of closed meldingen;
- a run stops after `TIME_BUDGET` and the next run goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import User
from beheer.core import checks, clock, history, loops
from beheer.core.errors import DomainError
from beheer.mailintake.services import privacy as mail_privacy
from beheer.monitoring.services import privacy as monitoring_privacy
from beheer.notifications.services import privacy as outbox_privacy
from beheer.servicedesk.models import Melding, format_number
from beheer.servicedesk.services import privacy as desk_privacy

from ... import access
from ...models import (
    AnonymisationRun,
    AnonymisedMelding,
    PrivacyAction,
    RetentionHistoryEntry,
    RetentionKind,
    RetentionSetting,
    RunTrigger,
)

DEFAULT_MONTHS: dict[str, int | None] = {
    RetentionKind.CLOSED_MELDINGEN: 24,
    RetentionKind.MAIL_INTAKE: 3,
    RetentionKind.MONITORING_RESULTS: 13,
    RetentionKind.SIGN_IN_LOG: 12,
}
MAX_MONTHS = 1200
INCIDENT_MIN_MONTHS = 36
BATCH = 500
TIME_BUDGET = timedelta(minutes=20)
MELDING_OBJECT = "servicedesk.melding"


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` minus whole calendar months (the 31st becomes the last day of a shorter month)."""
    month = moment.month - 1 - months
    year = moment.year + month // 12
    month = month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


def retention_periods() -> dict[str, int | None]:
    """The period in months of every kind (the default where nobody set one; None: forever)."""
    periods = dict(DEFAULT_MONTHS)
    for kind, months in RetentionSetting.objects.values_list("kind", "months"):
        periods[kind] = months
    return periods


def settings_rows() -> list[RetentionSetting]:
    """A row per kind (unsaved rows carry the default), in the order of `RetentionKind`."""
    found = {s.kind: s for s in RetentionSetting.objects.all()}
    rows = []
    for kind in RetentionKind.values:
        row = found.get(kind)
        if row is None:
            row = RetentionSetting(kind=kind, months=DEFAULT_MONTHS[kind], version=0)
        rows.append(row)
    return rows


@transaction.atomic
def set_retention(
    kind: str, *, actor: User, expected_version: int | None, months: int | None
) -> RetentionSetting:
    """Set the period of one kind of record (None: kept forever). `expected_version` 0 is the
    default nobody changed yet."""
    access.ensure_privacy_manager(actor)
    if kind not in RetentionKind.values:
        raise DomainError(_("Unknown kind of record."), field_errors={"kind": _("Unknown kind of record.")})
    if months is not None and not 1 <= months <= MAX_MONTHS:
        message = _("Give a number of months from 1 to %(max)d, or keep forever.") % {"max": MAX_MONTHS}
        raise DomainError(message, field_errors={"months": message})
    now = clock.now()
    setting, created = RetentionSetting.objects.get_or_create(
        kind=kind, defaults={"months": DEFAULT_MONTHS[kind], "updated_at": now, "version": 1}
    )
    expected = expected_version
    if created and expected_version == 0:
        expected = 1
    current = checks.locked_at(
        RetentionSetting.objects.all(),
        setting.pk,
        expected,
        missing=_("Retention period not found."),
        changed=_("Somebody else changed this retention period in the meantime. Reload it and try again."),
    )
    if current.months == months:
        return current
    old = current.months
    RetentionSetting.objects.filter(pk=current.pk).update(
        months=months, updated_at=now, updated_by=actor, version=F("version") + 1
    )
    current.refresh_from_db()
    history.record(
        RetentionHistoryEntry,
        current,
        actor=actor,
        action=PrivacyAction.CHANGED,
        field="months",
        old="" if old is None else str(old),
        new="" if months is None else str(months),
    )
    return current


# -- the job ---------------------------------------------------------------------------------------


@dataclass
class _Progress:
    run: AnonymisationRun
    deadline: float
    failures: list[str]

    def add(self, **counts: int) -> None:
        if any(counts.values()):
            AnonymisationRun.objects.filter(pk=self.run.pk).update(**{k: F(k) + v for k, v in counts.items()})

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline


def _anonymise(
    ids: list[int], *, run: AnonymisationRun | None, extra: desk_privacy.Traces | None = None
) -> int:
    """One batch in one transaction: the meldingen, their mail and their outbox messages, and the
    markers. Returns the number of meldingen (with partials) done."""
    now = clock.now()
    with transaction.atomic():
        done = desk_privacy.anonymise_meldingen(ids, extra=extra)
        if not done.melding_ids:
            return 0
        mark = desk_privacy.placeholder()
        redactors: dict[int, Callable[[str], str]] = {}

        def redact(melding_id: int | None) -> Callable[[str], str]:
            if melding_id is None or melding_id not in done.traces:
                return desk_privacy.redactor(extra, mark) if extra else (lambda text: text)
            if melding_id not in redactors:
                redactors[melding_id] = desk_privacy.redactor(done.traces[melding_id], mark)
            return redactors[melding_id]

        mail_privacy.anonymise_messages(
            melding_ids=done.melding_ids,
            note_ids=done.note_ids,
            redact=redact,
            emails=lambda melding_id: done.traces[melding_id].emails,
        )
        outbox_privacy.redact_messages(
            object_type=MELDING_OBJECT, object_ids=done.melding_ids, recipients=(), redact=redact
        )
        AnonymisedMelding.objects.bulk_create(
            [AnonymisedMelding(melding_id=pk, at=now, run=run) for pk in done.melding_ids],
            ignore_conflicts=True,
        )
    return len(done.melding_ids)


def _due_meldingen(now: datetime, months: int) -> Q:
    cutoff = months_before(now, months)
    incidents = months_before(now, max(months, INCIDENT_MIN_MONTHS))
    return Q(is_open=False, closed_at__lt=cutoff) & (Q(restricted=False) | Q(closed_at__lt=incidents))


def _meldingen(progress: _Progress, now: datetime, months: int, batch: int) -> None:
    due = (
        Melding.objects.filter(_due_meldingen(now, months))
        .filter(~Exists(AnonymisedMelding.objects.filter(melding_id=OuterRef("pk"))))
        .order_by("pk")
    )
    last = 0
    while not progress.out_of_time():
        ids = list(due.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not ids:
            return
        last = ids[-1]
        try:
            progress.add(meldingen=_anonymise(ids, run=progress.run))
        except Exception:
            for pk in ids:
                try:
                    progress.add(meldingen=_anonymise([pk], run=progress.run))
                except Exception as exc:
                    progress.failures.append(f"{format_number(pk)}: {loops.describe(exc)}")
                    progress.add(failures=1)


def _repeat(step: Callable[[], int], progress: _Progress, counter: str, label: str) -> None:
    while not progress.out_of_time():
        try:
            with transaction.atomic():
                count = step()
        except Exception as exc:
            progress.failures.append(f"{label}: {loops.describe(exc)}")
            progress.add(failures=1)
            return
        if not count:
            return
        progress.add(**{counter: count})


def run_retention(
    *,
    now: datetime | None = None,
    actor: User | None = None,
    batch: int = BATCH,
    budget: timedelta = TIME_BUDGET,
) -> AnonymisationRun:
    """Apply every retention period once (see the module's description); returns the run with its
    counts. `actor` starts it by hand (privacy officers and administrators), None is the schedule."""
    if actor is not None:
        access.ensure_privacy_manager(actor)
    now = now or clock.now()
    run = AnonymisationRun.objects.create(
        trigger=RunTrigger.MANUAL if actor is not None else RunTrigger.SCHEDULE,
        started_at=clock.now(),
        started_by=actor,
    )
    progress = _Progress(run=run, deadline=time.monotonic() + budget.total_seconds(), failures=[])
    periods = retention_periods()
    months = periods.get(RetentionKind.CLOSED_MELDINGEN)
    if months is not None:
        _meldingen(progress, now, months, batch)
    months = periods.get(RetentionKind.MAIL_INTAKE)
    if months is not None:
        before = months_before(now, months)
        _repeat(
            lambda: mail_privacy.expire_messages(before=before, batch=batch * 4), progress, "messages", "mail"
        )
    months = periods.get(RetentionKind.MONITORING_RESULTS)
    if months is not None:
        before = months_before(now, months)
        _repeat(
            lambda: monitoring_privacy.expire_results(before=before, batch=batch * 10),
            progress,
            "monitoring_results",
            "monitoring",
        )
    months = periods.get(RetentionKind.SIGN_IN_LOG)
    if months is not None:
        before = months_before(now, months)
        _repeat(lambda: accounts.purge_login_failures(before=before), progress, "sign_ins", "sign-in log")
    complete = not progress.out_of_time()
    AnonymisationRun.objects.filter(pk=run.pk).update(
        finished_at=clock.now(), complete=complete, failure_detail="\n".join(progress.failures[:200])
    )
    run.refresh_from_db()
    return run


def scheduled_retention() -> AnonymisationRun:
    """The worker's hourly job."""
    return run_retention()
