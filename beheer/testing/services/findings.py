"""Findings (bevindingen) of a test plan: what a failed case, a tester or a user in an acceptance
session found, with its severity and status; each may become a call (through the servicedesk's
services) and an activity of the change (through the changes services), once each."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.changes import services as changes
from beheer.changes.models import ChangeActivity
from beheer.core import access, checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Melding, format_number

from ..models import (
    FindingStatus,
    ParticipantCase,
    Severity,
    TestFinding,
    TestingAction,
    TestPlan,
    TestResult,
)
from . import _base
from ._base import TITLE_MAX, ensure_change_open, lock_plan, next_number, record

MAX_FINDINGS = 1000  # per plan
DESCRIPTION_MAX = 10_000
BRIEF_MAX = 80


def _lock_for_participant(plan: TestPlan, actor: User, participant_case: ParticipantCase) -> TestPlan:
    """The plan under its lock for a participant of an acceptance session who records a finding of
    one of their own cases (they are not staff, so `lock_plan` would refuse them)."""
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and ParticipantCase.objects.filter(
            pk=participant_case.pk, participant__person_id=actor.pk, participant__session__plan_id=plan.pk
        ).exists()
    ):
        raise NotFound(_("Test case not found."))
    current = checks.locked(TestPlan.objects.select_related("change"), plan.pk)
    if current is None:
        raise NotFound(_("Test plan not found."))
    ensure_change_open(current.change)
    return current


@transaction.atomic
def record_finding(
    plan: TestPlan,
    *,
    actor: User,
    title: str,
    description: str = "",
    severity: str = Severity.MEDIUM,
    result: TestResult | None = None,
    participant_case: ParticipantCase | None = None,
) -> TestFinding:
    """A new open finding n of the plan, optionally of a result of a run or of a participant's case
    in an acceptance session. Staff, or the participant whose case it is."""
    if participant_case is not None and not access.is_staff(actor):
        current = _lock_for_participant(plan, actor, participant_case)
    else:
        current = lock_plan(plan, actor)
    title = _base.text(title, field="title", label=_("Title"), required=True, max_length=TITLE_MAX)
    description = _base.text(
        description, field="description", label=_("Description"), max_length=DESCRIPTION_MAX
    )
    if severity not in Severity.values:
        message = _("Choose a severity.")
        raise DomainError(message, field_errors={"severity": message})
    if result is not None and not TestResult.objects.filter(pk=result.pk, run__plan=current).exists():
        raise NotFound(_("Test result not found."))
    if (
        participant_case is not None
        and not ParticipantCase.objects.filter(
            pk=participant_case.pk, participant__session__plan=current
        ).exists()
    ):
        raise NotFound(_("Test case not found."))
    if TestFinding.objects.filter(plan=current).count() >= MAX_FINDINGS:
        message = _("A test plan has at most %(max)d findings.") % {"max": MAX_FINDINGS}
        raise DomainError(message, field_errors={"title": message})
    now = clock.now()
    finding = TestFinding.objects.create(
        plan=current,
        number=next_number(current, "finding_counter"),
        title=title,
        description=description,
        severity=severity,
        result=result,
        participant_case=participant_case,
        created_by=actor,
        created_at=now,
    )
    record(
        current,
        actor,
        TestingAction.FINDING,
        at=now,
        field="findings",
        new=str(finding),
        detail=str(finding.get_severity_display()),
    )
    return finding


def _lock_finding(
    finding: TestFinding, actor: User, expected_version: int | None = None
) -> tuple[TestPlan, TestFinding]:
    current = lock_plan(finding.plan, actor)
    found = checks.locked_at(
        TestFinding.objects.visible_to(actor).filter(plan=current),
        finding.pk,
        expected_version,
        missing=_("Finding not found."),
        changed=_("Somebody else changed this finding in the meantime. Reload it and try again."),
    )
    found.plan = current
    return current, found


@transaction.atomic
def update_finding(
    finding: TestFinding,
    *,
    actor: User,
    expected_version: int | None,
    title: str,
    description: str,
    severity: str,
) -> TestFinding:
    current, found = _lock_finding(finding, actor, expected_version)
    title = _base.text(title, field="title", label=_("Title"), required=True, max_length=TITLE_MAX)
    description = _base.text(
        description, field="description", label=_("Description"), max_length=DESCRIPTION_MAX
    )
    if severity not in Severity.values:
        message = _("Choose a severity.")
        raise DomainError(message, field_errors={"severity": message})
    changed = [
        history.Change(name, str(old), str(new))
        for name, old, new in (
            ("title", found.title, title),
            ("description", found.description, description),
            ("severity", found.get_severity_display(), Severity(severity).label),
        )
        if str(old) != str(new)
    ]
    if not changed:
        return found
    found.title = title
    found.description = description
    found.severity = severity
    found.version += 1
    found.save(update_fields=["title", "description", "severity", "version"])
    record(current, actor, TestingAction.FINDING_CHANGED, changes=changed, detail=str(found))
    return found


@transaction.atomic
def set_finding_status(finding: TestFinding, *, actor: User, status: str) -> TestFinding:
    """Open, resolved or accepted (known and accepted); closing notes who and when, reopening
    clears it."""
    current, found = _lock_finding(finding, actor)
    if status not in FindingStatus.values:
        message = _("Choose open, resolved or accepted.")
        raise DomainError(message, field_errors={"status": message})
    if found.status == status:
        return found
    old = found.get_status_display()
    now = clock.now()
    found.status = status
    if status == FindingStatus.OPEN:
        found.closed_by, found.closed_at = None, None
    else:
        found.closed_by, found.closed_at = actor, now
    found.version += 1
    found.save(update_fields=["status", "closed_by", "closed_at", "version"])
    record(
        current,
        actor,
        TestingAction.FINDING_CHANGED,
        at=now,
        field="status",
        old=str(old),
        new=str(found.get_status_display()),
        detail=str(found),
    )
    return found


@history.stored_text
def _finding_of(number: int, change_number: str) -> str:
    return _("Finding %(number)s of the tests of change %(change)s.") % {
        "number": number,
        "change": change_number,
    }


@transaction.atomic
def finding_to_melding(finding: TestFinding, *, actor: User) -> Melding:
    """Open a call with the finding's text (its caller the change's coordinator, else the actor) and
    link it; once."""
    current, found = _lock_finding(finding, actor)
    if found.melding_id:
        raise Conflict(
            _("This finding already has call %(number)s.") % {"number": format_number(found.melding_id)}
        )
    change = current.change
    origin = _finding_of(found.number, change.number)
    text = f"{found.description}\n\n{origin}".strip()
    caller = change.coordinator if change.coordinator and change.coordinator.is_active else actor
    melding = servicedesk.open_melding(
        actor=actor,
        brief_description=found.title[:BRIEF_MAX],
        request=text if len(found.title) <= BRIEF_MAX else f"{found.title}\n\n{text}",
        entry_type=EntryType.DESK,
        caller=caller,
    )
    found.melding = melding
    found.version += 1
    found.save(update_fields=["melding", "version"])
    record(
        current,
        actor,
        TestingAction.FINDING_CHANGED,
        field="melding",
        new=melding.number,
        detail=str(found),
    )
    return melding


@transaction.atomic
def finding_to_activity(finding: TestFinding, *, actor: User) -> ChangeActivity:
    """Add an activity to the change to deal with the finding and link it; once."""
    current, found = _lock_finding(finding, actor)
    if found.activity_id:
        title = ChangeActivity.objects.filter(pk=found.activity_id).values_list("title", flat=True).first()
        raise Conflict(
            _("This finding already has activity %(title)s.") % {"title": title or found.activity_id}
        )
    title = (_("Finding %(number)s: %(title)s") % {"number": found.number, "title": found.title})[:TITLE_MAX]
    activity = changes.add_activity(current.change, actor=actor, title=title)
    found.activity = activity
    found.version += 1
    found.save(update_fields=["activity", "version"])
    record(
        current,
        actor,
        TestingAction.FINDING_CHANGED,
        field="activity",
        new=activity.title,
        detail=str(found),
    )
    return activity
