"""The needs inventory of a change: requirements (each change raises the needs version), interview
and meeting notes, open questions, the client's decision on a needs version, and the design
documents linked to the change (created from their template through the knowledge services).

Staff edit the inventory; only the change's client decides on the needs, in the portal. An operator
does not record the decision on the client's behalf: the approval is the client's own word, and it
is what lets the change leave the needs phase (`workflow`'s `needs_client_approval`).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import DESIGN_KINDS, Article, ArticleStatus, Audience

from ..models import (
    Change,
    ChangeAction,
    ChangeDesign,
    MoSCoW,
    NeedsApproval,
    NeedsDecision,
    NeedsInventory,
    NeedsNote,
    NoteKind,
    OpenQuestion,
    QuestionStatus,
    Requirement,
    RequirementStatus,
    Stakeholder,
)
from ._base import lock_change, record, save

MAX_REQUIREMENTS = 500
MAX_NOTES = 200
MAX_QUESTIONS = 300
MAX_DESIGNS = 20
TEXT_MAX = 4000
NOTES_MAX = 50_000
COMMENT_MAX = 4000


def inventory_of(change: Change) -> NeedsInventory:
    """The change's inventory row, created on first use (call with the change locked)."""
    row, _created = NeedsInventory.objects.get_or_create(change=change)
    return row


def _bump(change: Change) -> int:
    """Raise the needs version of a locked change; returns the new version."""
    row = inventory_of(change)
    NeedsInventory.objects.filter(pk=row.pk).update(version=F("version") + 1)
    row.refresh_from_db(fields=["version"])
    return row.version


def _stakeholder(change: Change, stakeholder: Stakeholder | None, field: str) -> Stakeholder | None:
    if stakeholder is None:
        return None
    if stakeholder.change_id != change.pk:
        message = _("Choose a stakeholder of this change.")
        raise DomainError(message, field_errors={field: message})
    return stakeholder


def _requirement_fields(
    change: Change, *, text: str, priority: str, acceptance_criteria: str, source: Stakeholder | None
) -> tuple[str, str, Stakeholder | None]:
    errors: dict[str, str] = {}
    if priority not in MoSCoW.values:
        errors["priority"] = _("Choose must, should, could or won't.")
    try:
        text = checks.checked_text(
            text, field="text", label=_("Requirement"), required=True, max_length=TEXT_MAX
        )
    except DomainError as exc:
        errors.update(exc.field_errors)
    try:
        acceptance_criteria = checks.checked_text(
            acceptance_criteria,
            field="acceptance_criteria",
            label=_("Acceptance criteria"),
            max_length=TEXT_MAX,
        )
    except DomainError as exc:
        errors.update(exc.field_errors)
    try:
        source = _stakeholder(change, source, "source")
    except DomainError as exc:
        errors.update(exc.field_errors)
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return text, acceptance_criteria, source


def _locked_requirement(
    requirement: Requirement, change: Change, expected_version: int | None
) -> Requirement:
    return checks.locked_at(
        Requirement.objects.filter(change=change),
        requirement.pk,
        expected_version,
        missing=_("Requirement not found."),
        changed=_("Somebody else changed this requirement in the meantime. Reload it and try again."),
    )


@transaction.atomic
def add_requirement(
    change: Change,
    *,
    actor: User,
    text: str,
    priority: str,
    acceptance_criteria: str = "",
    source: Stakeholder | None = None,
) -> Requirement:
    """A new requirement with the next code of the change (REQ-n, never reused); the needs version
    goes up."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    text, acceptance_criteria, source = _requirement_fields(
        current, text=text, priority=priority, acceptance_criteria=acceptance_criteria, source=source
    )
    if Requirement.objects.filter(change=current).count() >= MAX_REQUIREMENTS:
        raise DomainError(_("A change has at most %(max)d requirements.") % {"max": MAX_REQUIREMENTS})
    inventory = inventory_of(current)
    number = inventory.next_number
    NeedsInventory.objects.filter(pk=inventory.pk).update(next_number=F("next_number") + 1)
    now = clock.now()
    row = Requirement.objects.create(
        change=current,
        number=number,
        text=text,
        priority=priority,
        acceptance_criteria=acceptance_criteria,
        source=source,
        created_at=now,
        updated_at=now,
    )
    version = _bump(current)
    record(
        current,
        actor,
        ChangeAction.REQUIREMENT_ADDED,
        at=now,
        field="requirements",
        new=f"{row.code} ({row.get_priority_display()}): {text}",
        detail=_needs_version_text(version),
    )
    save(current, ())
    return row


def _needs_version_text(version: int) -> str:
    return f"v{version}"


@transaction.atomic
def update_requirement(
    requirement: Requirement,
    *,
    actor: User,
    expected_version: int | None,
    text: str,
    priority: str,
    acceptance_criteria: str = "",
    source: Stakeholder | None = None,
    status: str = RequirementStatus.ACTIVE,
) -> Requirement:
    """Change a requirement (or withdraw it: status withdrawn); the needs version goes up when
    anything changed."""
    access.ensure_staff(actor)
    current = lock_change(requirement.change, actor, None)
    row = _locked_requirement(requirement, current, expected_version)
    if status not in RequirementStatus.values:
        message = _("Unknown status.")
        raise DomainError(message, field_errors={"status": message})
    text, acceptance_criteria, source = _requirement_fields(
        current, text=text, priority=priority, acceptance_criteria=acceptance_criteria, source=source
    )
    before = _requirement_text(row)
    changed = (
        row.text != text
        or row.priority != priority
        or row.acceptance_criteria != acceptance_criteria
        or row.source_id != (source.pk if source else None)
        or row.status != status
    )
    if not changed:
        return row
    now = clock.now()
    row.text, row.priority, row.acceptance_criteria = text, priority, acceptance_criteria
    row.source, row.status = source, status
    row.version += 1
    row.updated_at = now
    row.save(
        update_fields=["text", "priority", "acceptance_criteria", "source", "status", "version", "updated_at"]
    )
    version = _bump(current)
    record(
        current,
        actor,
        ChangeAction.REQUIREMENT_CHANGED,
        at=now,
        field="requirements",
        old=before,
        new=_requirement_text(row),
        detail=_needs_version_text(version),
    )
    save(current, ())
    return row


def _requirement_text(row: Requirement) -> str:
    text = f"{row.code} ({row.get_priority_display()}): {row.text}"
    if row.acceptance_criteria:
        text += "\n" + _("Acceptance criteria") + ": " + row.acceptance_criteria
    if row.status != RequirementStatus.ACTIVE:
        text += f" [{row.get_status_display()}]"
    return text


@transaction.atomic
def delete_requirement(requirement: Requirement, *, actor: User, expected_version: int | None) -> None:
    """Remove a requirement entered by mistake (its code is not given out again); the needs version
    goes up. Withdraw a requirement that was agreed on instead, so its history stays readable."""
    access.ensure_staff(actor)
    current = lock_change(requirement.change, actor, None)
    row = _locked_requirement(requirement, current, expected_version)
    before = _requirement_text(row)
    row.delete()
    version = _bump(current)
    record(
        current,
        actor,
        ChangeAction.REQUIREMENT_REMOVED,
        field="requirements",
        old=before,
        detail=_needs_version_text(version),
    )
    save(current, ())


# --------------------------------------------------------------------------------------------------
# notes of interviews, meetings and workshops


def _note_fields(*, held_on: date | None, kind: str, participants: str, notes: str) -> tuple[date, str, str]:
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = _("Required.")
    if kind not in NoteKind.values:
        errors["kind"] = _("Choose interview, meeting or workshop.")
    for field, label, value, limit in (
        ("participants", _("Participants"), participants, 500),
        ("notes", _("Notes"), notes, NOTES_MAX),
    ):
        try:
            checks.checked_text(value, field=field, label=label, max_length=limit)
        except DomainError as exc:
            errors.update(exc.field_errors)
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    assert held_on is not None
    return held_on, participants.replace("\x00", "").strip(), notes.replace("\x00", "").strip()


@transaction.atomic
def add_needs_note(
    change: Change, *, actor: User, held_on: date | None, kind: str, participants: str = "", notes: str = ""
) -> NeedsNote:
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    held_on, participants, notes = _note_fields(
        held_on=held_on, kind=kind, participants=participants, notes=notes
    )
    if NeedsNote.objects.filter(change=current).count() >= MAX_NOTES:
        raise DomainError(_("A change has at most %(max)d notes.") % {"max": MAX_NOTES})
    row = NeedsNote.objects.create(
        change=current,
        held_on=held_on,
        kind=kind,
        participants=participants,
        notes=notes,
        author=actor,
        created_at=clock.now(),
    )
    record(current, actor, ChangeAction.NEEDS_NOTE_ADDED, field="needs_notes", new=_note_title(row))
    save(current, ())
    return row


def _note_title(row: NeedsNote) -> str:
    return f"{row.held_on.isoformat()} {row.get_kind_display()}" + (
        f" ({row.participants})" if row.participants else ""
    )


@transaction.atomic
def update_needs_note(
    note: NeedsNote,
    *,
    actor: User,
    expected_version: int | None,
    held_on: date | None,
    kind: str,
    participants: str = "",
    notes: str = "",
) -> NeedsNote:
    access.ensure_staff(actor)
    current = lock_change(note.change, actor, None)
    row = checks.locked_at(
        NeedsNote.objects.filter(change=current),
        note.pk,
        expected_version,
        missing=_("Note not found."),
        changed=_("Somebody else changed this note in the meantime. Reload it and try again."),
    )
    held_on, participants, notes = _note_fields(
        held_on=held_on, kind=kind, participants=participants, notes=notes
    )
    before = _note_title(row)
    row.held_on, row.kind, row.participants, row.notes = held_on, kind, participants, notes
    row.version += 1
    row.save(update_fields=["held_on", "kind", "participants", "notes", "version"])
    record(
        current, actor, ChangeAction.NEEDS_NOTE_CHANGED, field="needs_notes", old=before, new=_note_title(row)
    )
    save(current, ())
    return row


@transaction.atomic
def delete_needs_note(note: NeedsNote, *, actor: User) -> None:
    access.ensure_staff(actor)
    current = lock_change(note.change, actor, None)
    row = NeedsNote.objects.filter(change=current, pk=note.pk).first()
    if row is None:
        raise NotFound(_("Note not found."))
    row.delete()
    record(current, actor, ChangeAction.NEEDS_NOTE_REMOVED, field="needs_notes", old=_note_title(row))
    save(current, ())


# --------------------------------------------------------------------------------------------------
# open questions


@transaction.atomic
def ask_question(
    change: Change, *, actor: User, question: str, asked_of: Stakeholder | None = None
) -> OpenQuestion:
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    errors: dict[str, str] = {}
    try:
        question = checks.checked_text(
            question, field="question", label=_("Question"), required=True, max_length=TEXT_MAX
        )
    except DomainError as exc:
        errors.update(exc.field_errors)
    try:
        asked_of = _stakeholder(current, asked_of, "asked_of")
    except DomainError as exc:
        errors.update(exc.field_errors)
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    if OpenQuestion.objects.filter(change=current).count() >= MAX_QUESTIONS:
        raise DomainError(_("A change has at most %(max)d questions.") % {"max": MAX_QUESTIONS})
    row = OpenQuestion.objects.create(
        change=current, question=question, asked_of=asked_of, created_at=clock.now()
    )
    record(
        current,
        actor,
        ChangeAction.QUESTION_ASKED,
        field="questions",
        new=question,
        detail=asked_of.name if asked_of else "",
    )
    save(current, ())
    return row


@transaction.atomic
def answer_question(
    question: OpenQuestion, *, actor: User, expected_version: int | None, answer: str
) -> OpenQuestion:
    """Record the answer (the question is then answered); an empty answer opens it again."""
    access.ensure_staff(actor)
    current = lock_change(question.change, actor, None)
    row = checks.locked_at(
        OpenQuestion.objects.filter(change=current),
        question.pk,
        expected_version,
        missing=_("Question not found."),
        changed=_("Somebody else changed this question in the meantime. Reload it and try again."),
    )
    answer = checks.checked_text(answer, field="answer", label=_("Answer"), max_length=TEXT_MAX)
    before = row.answer
    row.answer = answer
    row.status = QuestionStatus.ANSWERED if answer else QuestionStatus.OPEN
    row.answered_at = clock.now() if answer else None
    row.version += 1
    row.save(update_fields=["answer", "status", "answered_at", "version"])
    record(
        current,
        actor,
        ChangeAction.QUESTION_ANSWERED,
        field="questions",
        old=before,
        new=answer,
        detail=row.question[:200],
    )
    save(current, ())
    return row


@transaction.atomic
def delete_question(question: OpenQuestion, *, actor: User) -> None:
    access.ensure_staff(actor)
    current = lock_change(question.change, actor, None)
    row = OpenQuestion.objects.filter(change=current, pk=question.pk).first()
    if row is None:
        raise NotFound(_("Question not found."))
    row.delete()
    record(current, actor, ChangeAction.QUESTION_REMOVED, field="questions", old=row.question)
    save(current, ())


# --------------------------------------------------------------------------------------------------
# the client's decision on the needs


@transaction.atomic
def decide_needs(
    change: Change, *, actor: User, needs_version: int, approve: bool, comment: str = ""
) -> NeedsApproval:
    """The client's approval (or rejection, with a reason) of the needs and the work planning at the
    needs version they read. Only the change's client decides, once per version; a version that has
    changed since it was read is refused (409)."""
    current = lock_change(change, actor, None)
    if current.client_id is None or current.client_id != actor.pk:
        raise PermissionDenied(_("Only the client of this change may approve its needs."))
    comment = checks.checked_text(comment, field="comment", label=_("Comment"), max_length=COMMENT_MAX)
    if not approve and not comment:
        message = _("Say why you reject the needs.")
        raise DomainError(message, field_errors={"comment": message})
    inventory = inventory_of(current)
    if not Requirement.objects.filter(change=current, status=RequirementStatus.ACTIVE).exists():
        raise DomainError(_("There are no requirements to approve yet."))
    if inventory.version != needs_version:
        raise Conflict(_("The needs have changed since you read them. Reload the page and decide again."))
    now = clock.now()
    try:
        with transaction.atomic():
            row = NeedsApproval.objects.create(
                change=current,
                needs_version=inventory.version,
                approver=actor,
                decision=NeedsDecision.APPROVED if approve else NeedsDecision.REJECTED,
                comment=comment,
                at=now,
            )
    except IntegrityError:
        raise Conflict(_("You have already decided on this version of the needs.")) from None
    record(
        current,
        actor,
        ChangeAction.NEEDS_APPROVED if approve else ChangeAction.NEEDS_REJECTED,
        at=now,
        field="needs",
        new=_needs_version_text(inventory.version),
        detail=comment,
    )
    save(current, ())
    return row


# --------------------------------------------------------------------------------------------------
# designs


def _link(current: Change, article: Article, actor: User) -> ChangeDesign:
    if ChangeDesign.objects.filter(change=current).count() >= MAX_DESIGNS:
        raise DomainError(_("A change has at most %(max)d designs.") % {"max": MAX_DESIGNS})
    try:
        with transaction.atomic():
            row = ChangeDesign.objects.create(
                change=current, article=article, linked_at=clock.now(), linked_by=actor
            )
    except IntegrityError:
        message = _("This design is already linked to this change.")
        raise DomainError(message, field_errors={"article": message}) from None
    record(current, actor, ChangeAction.DESIGN_LINKED, field="designs", new=article.title)
    save(current, ())
    return row


@transaction.atomic
def link_design(change: Change, *, actor: User, article: Article) -> ChangeDesign:
    """Link an existing functional or technical design the actor may read."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise NotFound(_("Design not found."), field_errors={"article": _("Design not found.")})
    if article.kind not in DESIGN_KINDS:
        message = _("Choose a functional or technical design.")
        raise DomainError(message, field_errors={"article": message})
    if article.status == ArticleStatus.ARCHIVED:
        message = _("This design is archived.")
        raise DomainError(message, field_errors={"article": message})
    return _link(current, article, actor)


@transaction.atomic
def create_design(change: Change, *, actor: User, kind: str, title: str = "") -> ChangeDesign:
    """A new functional or technical design for the change, started from its template (a draft in
    the knowledge base, for operators, with the change's client as the document's client), linked."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    if kind not in DESIGN_KINDS:
        message = _("Choose a functional or technical design.")
        raise DomainError(message, field_errors={"kind": message})
    title = checks.checked_text(title, field="title", label=_("Title"), max_length=200)
    if not title:
        kind_name = _("Functional design") if kind == "functional_design" else _("Technical design")
        title = f"{kind_name}: {current.title}"[:200]
    client = current.client if current.client is not None and current.client.is_active else None
    article = knowledge.create_article(
        actor=actor, title=title, kind=kind, audience=Audience.OPERATORS, client=client
    )
    return _link(current, article, actor)


@transaction.atomic
def unlink_design(link: ChangeDesign, *, actor: User) -> None:
    """Remove the link; the design itself stays in the knowledge base."""
    access.ensure_staff(actor)
    current = lock_change(link.change, actor, None)
    row = ChangeDesign.objects.filter(change=current, pk=link.pk).select_related("article").first()
    if row is None:
        raise NotFound(_("Design not found."))
    row.delete()
    record(current, actor, ChangeAction.DESIGN_UNLINKED, field="designs", old=row.article.title)
    save(current, ())
