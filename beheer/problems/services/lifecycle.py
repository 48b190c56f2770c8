"""Problem management: register, analyse, known error, resolve (with the linked meldingen), close.

Every function takes the problem first (except `open_problem`), keyword-only arguments after and an
explicit actor. Problems are for operators, coordinators and administrators; closing a problem is for
coordinators (and administrators). Each write records history (who, what, when, old -> new) and
re-indexes the problem's search document in the same transaction.

Status flow (the table is `workflow.TRANSITIONS`): registered -> analysing -> known error -> resolved ->
closed; a resolved problem can be reopened (back to analysing). "Known error" requires a workaround.
A melding's problem is a `ProblemMelding` row, written only by `link_melding` and `unlink_melding`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import checks, clock, history, search
from beheer.core.access import ensure_staff
from beheer.core.checks import checked_text
from beheer.core.errors import DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import Article, Audience, Kind
from beheer.servicedesk.models import HistoryEntry, Impact, Melding, Urgency, Visibility
from beheer.servicedesk.services import (
    add_note,
    check_assignment,
    lock_melding,
    lookup_defaults,
    priority_for,
    record_history,
    resolve_melding,
)

from ..models import Problem, ProblemHistoryEntry, ProblemMelding, ProblemStatus
from ..workflow import TRANSITIONS

TITLE_MAX = 200


# --------------------------------------------------------------------------------------------------
# helpers


def _label(status: str) -> Any:
    return ProblemStatus(status).label


def _history(
    problem: Problem,
    actor: User | None,
    action: str,
    *,
    now: datetime,
    field: str = "",
    old: Any = None,
    new: Any = None,
    detail: str = "",
) -> ProblemHistoryEntry:
    return history.record_bilingual(
        ProblemHistoryEntry,
        problem,
        actor=actor,
        action=action,
        at=now,
        field=field,
        old=old,
        new=new,
        detail=detail,
    )


def _reindex(problem: Problem) -> None:
    body = "\n".join([problem.description, problem.root_cause, problem.workaround, problem.solution])
    search.index_document("problem", problem.pk, title=f"{problem.number} {problem.title}", body=body)


def _lock_problem(problem: Problem, actor: User, expected_version: int | None) -> Problem:
    """Re-read the problem under a row lock; it must be visible, not closed and at the expected version."""
    ensure_staff(actor)
    fresh = checks.locked(
        Problem.objects.visible_to(actor).select_related(
            "priority", "impact", "urgency", "operator_group", "operator"
        ),
        problem.pk,
    )
    if fresh is None:
        raise NotFound(_("Problem not found."))
    if fresh.status == ProblemStatus.CLOSED:
        raise ReadOnly(
            _("Problem %(number)s is closed and can no longer be changed.") % {"number": fresh.number}
        )
    _check_version(fresh, expected_version)
    return fresh


def _check_version(problem: Problem, expected_version: int | None) -> None:
    checks.check_version(
        problem.version,
        expected_version,
        _("Somebody else changed problem %(number)s in the meantime. Reload it and try again.")
        % {"number": problem.number},
    )


def _save(problem: Problem, fields: Collection[str], *, now: datetime) -> None:
    problem.version += 1
    problem.updated_at = now
    problem.save(update_fields=[*set(fields), "version", "updated_at"])
    _reindex(problem)


def _touch(problem: Problem, *, now: datetime) -> None:
    """Record activity (a linked melding) without a new version: it conflicts with no editor."""
    Problem.objects.filter(pk=problem.pk).update(updated_at=now)
    problem.updated_at = now


def _title(value: str) -> str:
    return checked_text(value, field="title", label=_("Title"), required=True, max_length=TITLE_MAX)


def _check_transition(p: Problem, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if p.status not in sources:
        raise DomainError(
            _("A problem with status %(status)s cannot go to %(target)s.")
            % {"status": _label(p.status), "target": _label(target)}
        )
    return target


def _require_workaround(workaround: str) -> None:
    if not workaround:
        message = _("A known error needs a workaround.")
        raise DomainError(message, field_errors={"workaround": message})


# --------------------------------------------------------------------------------------------------
# registering and editing


@transaction.atomic
def open_problem(
    *,
    actor: User,
    title: str,
    description: str = "",
    impact: Impact | None = None,
    urgency: Urgency | None = None,
    operator_group: OperatorGroup | None = None,
    operator: User | None = None,
    root_cause: str = "",
    workaround: str = "",
) -> Problem:
    """Register a problem (status registered); priority from the servicedesk's priority matrix."""
    ensure_staff(actor)
    title = _title(title)
    description = checked_text(description, field="description", label=_("Description"))
    root_cause = checked_text(root_cause, field="root_cause", label=_("Root-cause analysis"))
    workaround = checked_text(workaround, field="workaround", label=_("Workaround"))
    _call_type, default_impact, default_urgency = lookup_defaults()
    impact, urgency = impact or default_impact, urgency or default_urgency
    if impact is None or urgency is None:
        raise DomainError(_("No impacts or urgencies are configured."))
    check_assignment("", operator_group, operator)
    now = clock.now()
    problem = Problem.objects.create(
        title=title,
        description=description,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        operator_group=operator_group,
        operator=operator,
        root_cause=root_cause,
        workaround=workaround,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _history(problem, actor, "created", now=now, new=problem.title)
    _reindex(problem)
    return problem


@transaction.atomic
def edit_problem(
    problem: Problem,
    *,
    actor: User,
    expected_version: int | None,
    title: str,
    description: str,
    impact: Impact,
    urgency: Urgency,
    root_cause: str,
    workaround: str,
) -> Problem:
    """Change the text and the classification; the priority follows impact and urgency."""
    p = _lock_problem(problem, actor, expected_version)
    now = clock.now()
    values: dict[str, Any] = {
        "title": _title(title),
        "description": checked_text(description, field="description", label=_("Description")),
        "impact": impact,
        "urgency": urgency,
        "root_cause": checked_text(root_cause, field="root_cause", label=_("Root-cause analysis")),
        "workaround": checked_text(workaround, field="workaround", label=_("Workaround")),
    }
    if p.status == ProblemStatus.KNOWN_ERROR:
        _require_workaround(values["workaround"])
    values["priority"] = priority_for(impact, urgency)
    changed = [name for name, value in values.items() if getattr(p, name) != value]
    for name in changed:
        _history(p, actor, "changed", now=now, field=name, old=getattr(p, name), new=values[name])
        setattr(p, name, values[name])
    if changed:
        _save(p, changed, now=now)
    return p


@transaction.atomic
def assign_problem(
    problem: Problem,
    *,
    operator_group: OperatorGroup | None,
    operator: User | None,
    actor: User,
    expected_version: int | None,
) -> Problem:
    p = _lock_problem(problem, actor, expected_version)
    check_assignment("", operator_group, operator)
    now = clock.now()
    changed = []
    for name, value in (("operator_group", operator_group), ("operator", operator)):
        if getattr(p, name) != value:
            _history(p, actor, "assigned", now=now, field=name, old=getattr(p, name), new=value)
            setattr(p, name, value)
            changed.append(name)
    if changed:
        _save(p, changed, now=now)
    return p


# --------------------------------------------------------------------------------------------------
# status


def _transition(p: Problem, actor: User, action: str, *, now: datetime, detail: str = "") -> None:
    target = _check_transition(p, action)
    _history(
        p, actor, action, now=now, field="status", old=_label(p.status), new=_label(target), detail=detail
    )
    p.status = target


@transaction.atomic
def analyse_problem(problem: Problem, *, actor: User, expected_version: int | None) -> Problem:
    """Registered -> analysing: somebody works on the root cause."""
    p = _lock_problem(problem, actor, expected_version)
    now = clock.now()
    _transition(p, actor, "analyse", now=now)
    _save(p, ["status"], now=now)
    return p


@transaction.atomic
def mark_known_error(problem: Problem, *, actor: User, expected_version: int | None) -> Problem:
    """The cause is known and there is a workaround: the problem becomes a known error."""
    p = _lock_problem(problem, actor, expected_version)
    _require_workaround(p.workaround)
    now = clock.now()
    _transition(p, actor, "known_error", now=now)
    _save(p, ["status"], now=now)
    return p


@transaction.atomic
def close_problem(problem: Problem, *, actor: User, expected_version: int | None) -> Problem:
    """Resolved -> closed (read-only). Coordinators and administrators only."""
    if not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators may close a problem."))
    p = _lock_problem(problem, actor, expected_version)
    now = clock.now()
    _transition(p, actor, "close", now=now)
    p.closed_at = now
    _save(p, ["status", "closed_at"], now=now)
    return p


@transaction.atomic
def reopen_problem(problem: Problem, *, reason: str, actor: User, expected_version: int | None) -> Problem:
    """Resolved -> analysing: the solution did not hold. The linked meldingen are left as they are."""
    p = _lock_problem(problem, actor, expected_version)
    reason = checked_text(reason, field="reason", label=_("Reason"), required=True, max_length=2000)
    now = clock.now()
    _transition(p, actor, "reopen", now=now, detail=reason)
    p.resolved_at = None
    _save(p, ["status", "resolved_at"], now=now)
    return p


# --------------------------------------------------------------------------------------------------
# resolving, with the linked meldingen


RESOLVED, SKIPPED, NOTED, FAILED = "resolved", "skipped", "noted", "failed"


@dataclass
class MeldingOutcome:
    melding_id: int
    number: str
    outcome: str  # resolved, skipped, noted or failed
    message: str = ""


@dataclass
class ProblemResolution:
    problem: Problem
    outcomes: list[MeldingOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def _note_text(p: Problem) -> str:
    return _("Problem %(number)s has been resolved.") % {"number": p.number} + f"\n\n{p.solution}"


def _already_noted(m: Melding, p: Problem) -> bool:
    return HistoryEntry.objects.filter(
        melding=m, action="problem_resolved", new_value=p.number, at__gte=p.resolved_at
    ).exists()


@transaction.atomic
def resolve_problem(
    problem: Problem,
    *,
    solution: str,
    resolve_meldingen: Collection[int] | None,
    note_others: bool,
    actor: User,
    expected_version: int | None,
) -> ProblemResolution:
    """Resolve the problem and, in the same transaction, its linked meldingen.

    `resolve_meldingen`: the ids of linked meldingen to resolve with the solution (None: every open
    linked melding). Each is resolved through `resolve_melding` in its own savepoint, so the caller is
    notified the normal way (after commit); a melding that refuses (open partial incidents, say) is
    reported as failed and left untouched, the rest goes on. Already resolved or closed meldingen are
    skipped. With `note_others`, the open linked meldingen not resolved get an internal note.

    Safe to repeat: on a problem that is already resolved the problem itself is left alone (its stored
    solution is used, and no version check applies), resolved meldingen are skipped and a melding is
    noted once per resolution.
    """
    p = _lock_problem(problem, actor, None)
    now = clock.now()
    if p.status != ProblemStatus.RESOLVED:
        _check_version(p, expected_version)
        solution = checked_text(solution, field="solution", label=_("Solution"), required=True)
        _transition(p, actor, "resolve", now=now, detail=solution)
        p.solution, p.resolved_at = solution, now
        _save(p, ["status", "solution", "resolved_at"], now=now)
    result = ProblemResolution(problem=p)
    linked = list(Melding.objects.filter(problem_link__problem=p).select_related("status").order_by("id"))
    wanted = None if resolve_meldingen is None else {int(pk) for pk in resolve_meldingen}
    for m in linked:
        if wanted is not None and m.pk not in wanted:
            if note_others and m.is_open and m.closed_at is None:
                result.outcomes.append(_note(m, p, actor, now=now))
            continue
        if not m.is_open or m.closed_at is not None:
            result.outcomes.append(MeldingOutcome(m.pk, m.number, SKIPPED, _("Already resolved or closed.")))
            continue
        try:
            with transaction.atomic():
                resolve_melding(m, solution=p.solution, actor=actor, expected_version=None)
                record_history(m, actor, "problem_resolved", now=now, new=p.number)
        except DomainError as exc:
            result.outcomes.append(MeldingOutcome(m.pk, m.number, FAILED, exc.message))
        else:
            result.outcomes.append(MeldingOutcome(m.pk, m.number, RESOLVED))
    resolved = result.count(RESOLVED)
    if resolved:
        _history(p, actor, "meldingen_resolved", now=now, new=str(resolved))
    return result


def _note(m: Melding, p: Problem, actor: User, *, now: datetime) -> MeldingOutcome:
    if _already_noted(m, p):
        return MeldingOutcome(m.pk, m.number, SKIPPED, _("Already noted."))
    try:
        with transaction.atomic():
            add_note(m, text=_note_text(p), visibility=Visibility.INTERNAL, actor=actor)
            record_history(m, actor, "problem_resolved", now=now, new=p.number)
    except DomainError as exc:
        return MeldingOutcome(m.pk, m.number, FAILED, exc.message)
    return MeldingOutcome(m.pk, m.number, NOTED)


# --------------------------------------------------------------------------------------------------
# linked meldingen


def _current_link(m: Melding) -> ProblemMelding | None:
    """The melding's link, read after the melding's row is locked (so linking queues behind it)."""
    return ProblemMelding.objects.filter(melding=m).first()


@transaction.atomic
def link_melding(problem: Problem, *, melding: Melding, actor: User) -> bool:
    """Link a melding to the problem (copies nothing). False when it already was; a melding that
    belongs to another problem must be unlinked there first; a closed melding stays as it is."""
    p = _lock_problem(problem, actor, None)
    m = lock_melding(melding, None)
    link = _current_link(m)
    if link is not None and link.problem_id == p.pk:
        return False
    if link is not None:
        message = _("Call %(number)s is already linked to another problem; unlink it there first.") % {
            "number": m.number
        }
        raise DomainError(message, field_errors={"melding": message})
    now = clock.now()
    ProblemMelding.objects.create(melding=m, problem=p, linked_at=now, linked_by=actor)
    Melding.objects.filter(pk=m.pk).update(updated_at=now)
    record_history(m, actor, "problem_linked", now=now, new=p.number)
    _history(p, actor, "melding_linked", now=now, new=m.number)
    _touch(p, now=now)
    return True


@transaction.atomic
def unlink_melding(problem: Problem, *, melding: Melding, actor: User) -> bool:
    """Remove the link; False when the melding was not linked to this problem."""
    p = _lock_problem(problem, actor, None)
    m = lock_melding(melding, None)
    link = _current_link(m)
    if link is None or link.problem_id != p.pk:
        return False
    now = clock.now()
    ProblemMelding.objects.filter(pk=m.pk, problem=p).delete()
    Melding.objects.filter(pk=m.pk).update(updated_at=now)
    record_history(m, actor, "problem_unlinked", now=now, old=p.number)
    _history(p, actor, "melding_unlinked", now=now, old=m.number)
    _touch(p, now=now)
    return True


# --------------------------------------------------------------------------------------------------
# the known-error article


@transaction.atomic
def create_known_error_article(
    problem: Problem,
    *,
    actor: User,
    expected_version: int | None,
    title: str = "",
    audience: str = Audience.OPERATORS,
) -> Article:
    """A draft knowledge article of kind known error (the workaround as its text), linked to the problem."""
    p = _lock_problem(problem, actor, expected_version)
    if p.known_error_article_id is not None:
        raise DomainError(_("This problem already has a known-error article."))
    _require_workaround(p.workaround)
    article = knowledge.create_article(
        actor=actor,
        title=(title or "").strip() or p.title,
        body=p.workaround,
        kind=Kind.KNOWN_ERROR,
        audience=audience,
    )
    now = clock.now()
    _history(p, actor, "article_created", now=now, field="known_error_article", new=article.title)
    p.known_error_article = article
    _save(p, ["known_error_article"], now=now)
    return article


@transaction.atomic
def link_known_error_article(
    problem: Problem, *, article: Article | None, actor: User, expected_version: int | None
) -> Problem:
    """Link an existing article the actor may read as the known-error article (None: remove the link)."""
    p = _lock_problem(problem, actor, expected_version)
    if article is not None and not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        message = _("Article not found.")
        raise DomainError(message, field_errors={"article": message})
    if p.known_error_article_id == (article.pk if article else None):
        return p
    now = clock.now()
    old = p.known_error_article.title if p.known_error_article else ""
    _history(
        p,
        actor,
        "changed",
        now=now,
        field="known_error_article",
        old=old,
        new=article.title if article else "",
    )
    p.known_error_article = article
    _save(p, ["known_error_article"], now=now)
    return p
