"""Acceptance sessions (P1-K1-W2): operators plan a session (when, where or the online link, the
users invited, the cases each carries out, the user instructions to read first) and invite the
users; each user carries out their own cases in the portal step by step, adds remarks and
screenshots and says whether they could work with the new part; the operator gives an acceptance
advice and the change's client signs the session off.

Staff manage sessions. A participant only touches their own cases (anybody else's is "not found", so
ids cannot be probed), and only while the session is "invited". The client of the change signs
off. Every step is in the plan's trail; mails go through the outbox, in each reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import checks, clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.core.files import check_upload
from beheer.knowledge.models import Article, ArticleStatus, Audience
from beheer.notifications import services as notifications

from ..models import (
    AcceptanceSession,
    CouldWork,
    Outcome,
    ParticipantCase,
    ParticipantScreenshot,
    SessionParticipant,
    SessionStatus,
    SignOff,
    TestCase,
    TestingAction,
    TestPlan,
)
from . import findings
from ._base import TEXT_MAX, TITLE_MAX, ensure_change_open, ensure_staff, lock_plan, record, text

MAX_PARTICIPANTS = 100
MAX_CASES = 50
MAX_INSTRUCTIONS = 20
MAX_SCREENSHOTS = 10
REMARK_MAX = 2000
SCREENSHOT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
# While planned or invited the operators may still change the session; users work only while invited.
OPEN_STATES = (SessionStatus.PLANNED, SessionStatus.INVITED)
DONE_OUTCOMES = (Outcome.PASSED, Outcome.FAILED, Outcome.BLOCKED)


@dataclass(frozen=True)
class StepAnswer:
    """A user's mark on one step of a case: done, as expected (True), not (False) or not said (None)."""

    done: bool
    ok: bool | None
    remark: str = ""


def _changed() -> str:
    return _("Somebody else changed this acceptance session in the meantime. Reload it and try again.")


def _lock_session(
    session: AcceptanceSession, actor: User, expected_version: int | None = None, *, states: Any = OPEN_STATES
) -> tuple[TestPlan, AcceptanceSession]:
    """The plan (locked, its change open) and the session re-read under its lock, at the version the
    operator read and in one of `states`."""
    plan = lock_plan(session.plan, actor)
    current = checks.locked_at(
        AcceptanceSession.objects.visible_to(actor).filter(plan=plan),
        session.pk,
        expected_version,
        missing=_("Acceptance session not found."),
        changed=_changed(),
    )
    current.plan = plan
    if current.status not in states:
        raise ReadOnly(
            _("This acceptance session is %(status)s and can no longer be changed.")
            % {"status": current.get_status_display().lower()}
        )
    return plan, current


def _bump(session: AcceptanceSession, fields: list[str]) -> None:
    session.version += 1
    session.updated_at = clock.now()
    session.save(update_fields=[*fields, "version", "updated_at"])


def _cases(plan: TestPlan, cases: Sequence[TestCase], field: str = "cases") -> list[TestCase]:
    ids = {c.pk for c in cases}
    if not ids:
        message = _("Choose at least one test case.")
        raise DomainError(message, field_errors={field: message})
    if len(ids) > MAX_CASES:
        message = _("A user carries out at most %(max)d test cases.") % {"max": MAX_CASES}
        raise DomainError(message, field_errors={field: message})
    rows = list(TestCase.objects.filter(plan=plan, pk__in=ids, withdrawn=False).order_by("number"))
    if len(rows) != len(ids):
        message = _("Choose active test cases of this test plan.")
        raise DomainError(message, field_errors={field: message})
    return rows


def _instructions(instructions: Sequence[Article]) -> list[Article]:
    """User instructions the invited users may read: published articles for callers."""
    ids = {a.pk for a in instructions}
    if len(ids) > MAX_INSTRUCTIONS:
        message = _("Choose at most %(max)d user instructions.") % {"max": MAX_INSTRUCTIONS}
        raise DomainError(message, field_errors={"instructions": message})
    rows = list(Article.objects.filter(pk__in=ids, audience=Audience.CALLERS, status=ArticleStatus.PUBLISHED))
    if len(rows) != len(ids):
        message = _("Choose published knowledge articles for callers: the users cannot read the others.")
        raise DomainError(message, field_errors={"instructions": message})
    return rows


def _fields(
    *,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    place: str,
    online_link: str,
    introduction: str,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = text(title, field="title", label=_("Title"), required=True, max_length=TITLE_MAX)
    place = text(place, field="place", label=_("Place"), max_length=200)
    online_link = text(online_link, field="online_link", label=_("Online link"), max_length=500)
    introduction = text(introduction, field="introduction", label=_("Introduction"), max_length=TEXT_MAX)
    if online_link:
        try:
            URLValidator(schemes=["http", "https"])(online_link)
        except ValidationError:
            errors["online_link"] = _("Enter a web address starting with https:// or http://.")
    if starts_at is None:
        errors["starts_at"] = _("Required.")
    elif ends_at is not None and ends_at < starts_at:
        errors["ends_at"] = _("The end comes before the start.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_link": online_link,
        "introduction": introduction,
    }


@transaction.atomic
def create_session(
    plan: TestPlan,
    *,
    actor: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    online_link: str = "",
    introduction: str = "",
    instructions: Sequence[Article] = (),
) -> AcceptanceSession:
    """A planned acceptance session of `plan`; the users are invited later (`invite`)."""
    current = lock_plan(plan, actor)
    values = _fields(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_link=online_link,
        introduction=introduction,
    )
    articles = _instructions(instructions)
    now = clock.now()
    session = AcceptanceSession.objects.create(
        plan=current, created_by=actor, created_at=now, updated_at=now, **values
    )
    session.instructions.set(articles)
    record(current, actor, TestingAction.SESSION, at=now, field="session", new=session.title)
    return session


@transaction.atomic
def update_session(
    session: AcceptanceSession,
    *,
    actor: User,
    expected_version: int | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    place: str,
    online_link: str,
    introduction: str,
    instructions: Sequence[Article],
) -> AcceptanceSession:
    plan, current = _lock_session(session, actor, expected_version)
    values = _fields(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_link=online_link,
        introduction=introduction,
    )
    articles = _instructions(instructions)
    old_title = current.title
    for name, value in values.items():
        setattr(current, name, value)
    _bump(current, list(values))
    current.instructions.set(articles)
    record(plan, actor, TestingAction.SESSION, field="session", old=old_title, new=current.title)
    return current


@transaction.atomic
def add_participant(
    session: AcceptanceSession, *, actor: User, person: User, cases: Sequence[TestCase]
) -> SessionParticipant:
    """Invite `person` (an active user, normally a caller) to carry out `cases` of the plan."""
    plan, current = _lock_session(session, actor)
    if person is None or not User.objects.filter(pk=person.pk, is_active=True).exists():
        message = _("Choose an active user.")
        raise DomainError(message, field_errors={"person": message})
    if SessionParticipant.objects.filter(session=current, person_id=person.pk).exists():
        message = _("This user already takes part in the session.")
        raise DomainError(message, field_errors={"person": message})
    if SessionParticipant.objects.filter(session=current).count() >= MAX_PARTICIPANTS:
        message = _("A session has at most %(max)d users.") % {"max": MAX_PARTICIPANTS}
        raise DomainError(message, field_errors={"person": message})
    rows = _cases(plan, cases)
    participant = SessionParticipant.objects.create(session=current, person=person, added_at=clock.now())
    ParticipantCase.objects.bulk_create(
        [ParticipantCase(participant=participant, case=c, steps=_blank_steps(c)) for c in rows]
    )
    _bump(current, [])
    record(
        plan,
        actor,
        TestingAction.SESSION,
        field="participants",
        new=str(person),
        detail=", ".join(c.code for c in rows)[:4000],
    )
    return participant


def _blank_steps(case: TestCase) -> list[dict[str, Any]]:
    return [{"done": False, "ok": None, "remark": ""} for _step in case.steps or ()]


def _participant(
    participant: SessionParticipant, actor: User
) -> tuple[TestPlan, AcceptanceSession, SessionParticipant]:
    found = (
        SessionParticipant.objects.visible_to(actor)
        .filter(pk=participant.pk)
        .select_related("session")
        .first()
    )
    if found is None:
        raise NotFound(_("Participant not found."))
    plan, current = _lock_session(found.session, actor)
    locked = checks.locked(SessionParticipant.objects.filter(session=current), found.pk)
    if locked is None:
        raise NotFound(_("Participant not found."))
    locked.session = current
    return plan, current, locked


@transaction.atomic
def set_participant_cases(
    participant: SessionParticipant, *, actor: User, cases: Sequence[TestCase]
) -> SessionParticipant:
    """The cases the user carries out; a case they already worked on stays."""
    plan, session, current = _participant(participant, actor)
    rows = _cases(plan, cases)
    wanted = {c.pk for c in rows}
    existing = {pc.case_id: pc for pc in ParticipantCase.objects.filter(participant=current)}
    dropped = [pc for case_id, pc in existing.items() if case_id not in wanted]
    if any(pc.outcome != Outcome.NOT_RUN or pc.started_at for pc in dropped):
        message = _("A case the user has already worked on cannot be taken away.")
        raise DomainError(message, field_errors={"cases": message})
    ParticipantCase.objects.filter(pk__in=[pc.pk for pc in dropped]).delete()
    ParticipantCase.objects.bulk_create(
        [
            ParticipantCase(participant=current, case=c, steps=_blank_steps(c))
            for c in rows
            if c.pk not in existing
        ]
    )
    SessionParticipant.objects.filter(pk=current.pk).update(version=F("version") + 1)
    current.refresh_from_db(fields=["version"])
    _bump(session, [])
    record(
        plan,
        actor,
        TestingAction.SESSION,
        field="participant_cases",
        new=", ".join(c.code for c in rows)[:4000],
        detail=str(current.person),
    )
    return current


@transaction.atomic
def remove_participant(participant: SessionParticipant, *, actor: User) -> None:
    """Take a user out of the session; refused once they have recorded an outcome."""
    plan, session, current = _participant(participant, actor)
    if ParticipantCase.objects.filter(participant=current).exclude(outcome=Outcome.NOT_RUN).exists():
        raise Conflict(_("This user has already recorded results: they stay with the session."))
    name = str(current.person)
    current.delete()
    _bump(session, [])
    record(plan, actor, TestingAction.SESSION, field="participants", old=name)


def session_link(session: AcceptanceSession) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("portal-acceptance-session", args=[session.pk])


def _both(render: Any) -> dict[str, str]:
    """A value in each mail language: {"nl": ..., "en": ...}."""
    out = {}
    for language in ("nl", "en"):
        with translation.override(language):
            out[language] = str(render())
    return out


def _when(value: datetime) -> dict[str, str]:
    return _both(lambda: formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))


@transaction.atomic
def invite(session: AcceptanceSession, *, actor: User) -> int:
    """Mail each user not invited yet (in their own language, through the outbox after the commit);
    the session is then "invited". Returns the number of mails queued."""
    plan, current = _lock_session(session, actor)
    waiting = list(
        SessionParticipant.objects.filter(session=current, invited_at__isnull=True)
        .select_related("person")
        .order_by("id")
    )
    if not waiting:
        if not SessionParticipant.objects.filter(session=current).exists():
            message = _("Add the users to invite first.")
            raise DomainError(message, field_errors={"participants": message})
        raise Conflict(_("Every user of this session has already been invited."))
    now = clock.now()
    change = plan.change
    context = {
        "change_number": change.number,
        "change_title": change.title,
        "session_title": current.title,
        "starts_at": _when(current.starts_at),
        "place": current.place,
        "online_link": current.online_link,
        "instructions": "\n".join(f"- {a.title}" for a in current.instructions.order_by("title", "id")),
        "organiser_name": str(current.created_by or actor),
        "link_url": session_link(current),
    }
    for participant in waiting:
        notifications.enqueue(
            "acceptance_invitation",
            key=f"acceptance:{current.pk}:invite:{participant.pk}",
            recipients=[participant.person],
            context=context,
            object_ref=("testing.acceptancesession", current.pk),
        )
    SessionParticipant.objects.filter(pk__in=[p.pk for p in waiting]).update(invited_at=now)
    fields = ["status"]
    current.status = SessionStatus.INVITED
    if current.invited_at is None:
        current.invited_at = now
        fields.append("invited_at")
    _bump(current, fields)
    record(
        plan,
        actor,
        TestingAction.INVITED,
        at=now,
        field="participants",
        new=str(len(waiting)),
        detail=", ".join(str(p.person) for p in waiting)[:4000],
    )
    return len(waiting)


# -- the user's own work in the portal ------------------------------------------------------------


def _own_case(
    participant_case: ParticipantCase, actor: User, expected_version: int | None
) -> ParticipantCase:
    """The user's own case under its lock, its session invited and its change open; NotFound for
    anybody else's (so ids cannot be probed)."""
    found = checks.locked_at(
        ParticipantCase.objects.own(actor),
        participant_case.pk,
        expected_version,
        missing=_("Test case not found."),
        changed=_("You changed this test case in another window. Reload it and try again."),
    )
    found = ParticipantCase.objects.select_related(
        "case", "participant__person", "participant__session__plan__change"
    ).get(pk=found.pk)
    session = found.participant.session
    if session.status != SessionStatus.INVITED:
        raise ReadOnly(_("This acceptance session is closed: your results can no longer be changed."))
    ensure_change_open(session.plan.change)
    return found


@transaction.atomic
def save_steps(
    participant_case: ParticipantCase,
    *,
    actor: User,
    expected_version: int | None,
    steps: Sequence[StepAnswer],
) -> ParticipantCase:
    """The user's marks on every step of their case (one per step of the case)."""
    found = _own_case(participant_case, actor, expected_version)
    if len(steps) != len(found.case.steps or ()):
        message = _("Answer every step of the test case.")
        raise DomainError(message, field_errors={"steps": message})
    stored: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        if step.ok not in (True, False, None):
            message = _("Say whether the step went as expected.")
            raise DomainError(message, field_errors={f"steps.{index}.ok": message, "steps": message})
        remark = text(step.remark, field="steps", label=_("Remark"), max_length=REMARK_MAX)
        stored.append({"done": bool(step.done), "ok": step.ok, "remark": remark})
    if stored == found.steps:
        return found
    now = clock.now()
    found.steps = stored
    found.started_at = found.started_at or now
    found.version += 1
    found.save(update_fields=["steps", "started_at", "version"])
    done = sum(1 for s in stored if s["done"])
    record(
        found.participant.session.plan,
        actor,
        TestingAction.SESSION,
        at=now,
        field="steps",
        new=f"{found.case.code}: {done}/{len(stored)}",
        detail=found.participant.session.title,
    )
    return found


@transaction.atomic
def complete_case(
    participant_case: ParticipantCase,
    *,
    actor: User,
    expected_version: int | None,
    outcome: str,
    remark: str = "",
) -> ParticipantCase:
    """The user's outcome of their case; a failed or blocked one (with its remark) becomes a finding
    of the plan."""
    found = _own_case(participant_case, actor, expected_version)
    if outcome not in DONE_OUTCOMES:
        message = _("Choose passed, failed or blocked.")
        raise DomainError(message, field_errors={"outcome": message})
    remark = text(remark, field="remark", label=_("Remark"), max_length=REMARK_MAX)
    if outcome != Outcome.PASSED and not remark:
        message = _("Say what went wrong.")
        raise DomainError(message, field_errors={"remark": message})
    old = found.outcome
    now = clock.now()
    found.outcome = outcome
    found.remark = remark
    found.started_at = found.started_at or now
    found.completed_at = now
    found.version += 1
    found.save(update_fields=["outcome", "remark", "started_at", "completed_at", "version"])
    plan = found.participant.session.plan
    record(
        plan,
        actor,
        TestingAction.SESSION,
        at=now,
        field="outcome",
        old=old,
        new=outcome,
        detail=f"{found.case.code} {found.participant.session.title}"[:4000],
    )
    if outcome != Outcome.PASSED and not found.findings.exists():
        findings.record_finding(
            plan,
            actor=actor,
            title=f"{found.case.code} {found.case.title}"[:TITLE_MAX],
            description=remark,
            severity="medium",
            participant_case=found,
        )
    return found


@transaction.atomic
def add_screenshot(participant_case: ParticipantCase, *, actor: User, upload: Any) -> ParticipantScreenshot:
    """A screenshot (PNG, JPEG or WebP) with the user's case; at most `MAX_SCREENSHOTS` a case."""
    found = _own_case(participant_case, actor, None)
    if upload is None:
        message = _("Choose a file.")
        raise DomainError(message, field_errors={"file": message})
    checked = check_upload(upload)
    if checked.content_type not in SCREENSHOT_TYPES:
        message = _("Add a picture: PNG, JPEG or WebP.")
        raise DomainError(message, field_errors={"file": message})
    if ParticipantScreenshot.objects.filter(participant_case=found).count() >= MAX_SCREENSHOTS:
        message = _("A test case has at most %(max)d screenshots.") % {"max": MAX_SCREENSHOTS}
        raise DomainError(message, field_errors={"file": message})
    now = clock.now()
    shot = ParticipantScreenshot(
        participant_case=found,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_at=now,
    )
    shot.file.save(checked.name, upload, save=False)
    stored = shot.file.name or ""
    try:
        shot.save()
    except Exception:
        shot.file.storage.delete(stored)
        raise
    record(
        found.participant.session.plan,
        actor,
        TestingAction.SESSION,
        at=now,
        field="screenshots",
        new=checked.name,
        detail=found.case.code,
    )
    return shot


@transaction.atomic
def answer_could_work(
    participant: SessionParticipant, *, actor: User, answer: str, remark: str = ""
) -> SessionParticipant:
    """The user's answer to "could you work with the new part?"."""
    found = checks.locked(SessionParticipant.objects.filter(person_id=actor.pk), participant.pk)
    if found is None:
        raise NotFound(_("Acceptance session not found."))
    session = AcceptanceSession.objects.select_related("plan__change").get(pk=found.session_id)
    if session.status != SessionStatus.INVITED:
        raise ReadOnly(_("This acceptance session is closed: your answer can no longer be changed."))
    ensure_change_open(session.plan.change)
    if answer not in CouldWork.values:
        message = _("Choose an answer.")
        raise DomainError(message, field_errors={"answer": message})
    remark = text(remark, field="remark", label=_("Remark"), max_length=REMARK_MAX)
    old = found.could_work
    found.could_work = answer
    found.could_work_remark = remark
    found.answered_at = clock.now()
    found.version += 1
    found.save(update_fields=["could_work", "could_work_remark", "answered_at", "version"])
    record(
        session.plan,
        actor,
        TestingAction.SESSION,
        field="could_work",
        old=old,
        new=answer,
        detail=session.title,
    )
    return found


# -- advice and sign-off --------------------------------------------------------------------------


@transaction.atomic
def give_session_advice(
    session: AcceptanceSession, *, actor: User, expected_version: int | None, advice: str, text: str
) -> AcceptanceSession:
    """The operator's acceptance advice once the users were invited; the client is asked to sign off."""
    ensure_staff(actor)
    plan, current = _lock_session(session, actor, expected_version, states=(SessionStatus.INVITED,))
    if advice not in SignOff.values:
        message = _("Choose an advice.")
        raise DomainError(message, field_errors={"advice": message})
    explained = checks.checked_text(
        text,
        field="text",
        label=_("Explanation"),
        required=advice != SignOff.ACCEPTED,
        max_length=TEXT_MAX,
    )
    old = current.advice
    now = clock.now()
    current.advice = advice
    current.advice_text = explained
    current.advised_by = actor
    current.advised_at = now
    _bump(current, ["advice", "advice_text", "advised_by", "advised_at"])
    record(
        plan,
        actor,
        TestingAction.ADVICE,
        at=now,
        field="session_advice",
        old=old,
        new=advice,
        detail=current.title,
    )
    client = plan.change.client
    if client is not None and client.is_active:
        label = SignOff(advice).label
        notifications.enqueue(
            "acceptance_signoff_requested",
            key=f"acceptance:{current.pk}:advice:{current.version}",
            recipients=[client],
            context={
                "change_number": plan.change.number,
                "change_title": plan.change.title,
                "session_title": current.title,
                "advice": _both(lambda: label),
                "link_url": session_link(current),
            },
            object_ref=("testing.acceptancesession", current.pk),
        )
    return current


@transaction.atomic
def sign_off(
    session: AcceptanceSession, *, actor: User, decision: str, comment: str = ""
) -> AcceptanceSession:
    """The client's decision on the session (accepted, with conditions, or not), recorded with who
    and when; the session is then closed."""
    seen = AcceptanceSession.objects.visible_to(actor).filter(pk=session.pk).exists()
    current = checks.locked(AcceptanceSession.objects.all(), session.pk) if seen else None
    if current is None:
        raise NotFound(_("Acceptance session not found."))
    plan = TestPlan.objects.select_related("change", "change__client").get(pk=current.plan_id)
    if plan.change.client_id is None or plan.change.client_id != actor.pk:
        raise PermissionDenied(_("Only the client of the change signs the acceptance off."))
    ensure_change_open(plan.change)
    if current.status == SessionStatus.SIGNED_OFF:
        raise Conflict(_("This acceptance session has already been signed off."))
    if current.status != SessionStatus.INVITED:
        raise ReadOnly(_("This acceptance session cannot be signed off: the users have not been invited."))
    if decision not in SignOff.values:
        message = _("Choose a decision.")
        raise DomainError(message, field_errors={"decision": message})
    comment = checks.checked_text(
        comment,
        field="comment",
        label=_("Comment"),
        required=decision != SignOff.ACCEPTED,
        max_length=TEXT_MAX,
    )
    now = clock.now()
    current.plan = plan
    current.sign_off = decision
    current.sign_off_comment = comment
    current.signed_off_by = actor
    current.signed_off_at = now
    current.status = SessionStatus.SIGNED_OFF
    _bump(current, ["sign_off", "sign_off_comment", "signed_off_by", "signed_off_at", "status"])
    record(
        plan, actor, TestingAction.SIGNED_OFF, at=now, field="sign_off", new=decision, detail=comment[:4000]
    )
    return current


@transaction.atomic
def cancel_session(session: AcceptanceSession, *, actor: User) -> AcceptanceSession:
    plan, current = _lock_session(session, actor)
    old = current.status
    current.status = SessionStatus.CANCELLED
    _bump(current, ["status"])
    record(
        plan, actor, TestingAction.SESSION, field="status", old=old, new=current.status, detail=current.title
    )
    return current


# -- reading the results --------------------------------------------------------------------------


@dataclass
class ResultRow:
    case: TestCase
    cells: list[ParticipantCase | None]


@dataclass
class SessionResults:
    """A session's results per case and per user: the table the operators and the client read."""

    participants: list[SessionParticipant]
    rows: list[ResultRow]
    findings: list[Any]
    progress: dict[int, tuple[int, int]]  # participant id -> (cases completed, cases)


def session_results(session: AcceptanceSession) -> SessionResults:
    """Read after the reader's right to the whole session was checked (staff or the client)."""
    from ..models import TestFinding

    participants = list(
        SessionParticipant.objects.filter(session=session)
        .select_related("person")
        .order_by("id")[:MAX_PARTICIPANTS]
    )
    cases = list(
        ParticipantCase.objects.filter(participant__session=session)
        .select_related("case")
        .order_by("case__number", "participant_id")[: MAX_PARTICIPANTS * MAX_CASES]
    )
    column = {p.pk: i for i, p in enumerate(participants)}
    rows: dict[int, ResultRow] = {}
    progress = {p.pk: (0, 0) for p in participants}
    for pc in cases:
        if pc.participant_id not in column:
            continue
        row = rows.setdefault(pc.case_id, ResultRow(pc.case, [None] * len(participants)))
        row.cells[column[pc.participant_id]] = pc
        done, total = progress[pc.participant_id]
        progress[pc.participant_id] = (done + (pc.outcome != Outcome.NOT_RUN), total + 1)
    found = list(
        TestFinding.objects.filter(participant_case__participant__session=session).order_by("number", "id")[
            :200
        ]
    )
    return SessionResults(participants, list(rows.values()), found, progress)
