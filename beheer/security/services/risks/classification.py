"""Writes of the CIA classification: classify a CI (security officers, coordinators and
administrators), adopt its suggested classification in one step, remove it. Every change in the
CI's classification trail."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound

from ... import access as security_access
from ...models import CIA_FIELDS, CiaLevel, Classification, ClassificationAction, ClassificationHistoryEntry
from .inherit import suggestion_for

JUSTIFICATION_MAX = 5000
FIELDS = (*CIA_FIELDS, "justification")


def _changed() -> str:
    return _("Somebody else changed this classification in the meantime. Reload it and try again.")


def _visible_ci(ci: ConfigurationItem, actor: User) -> ConfigurationItem:
    found = ConfigurationItem.objects.visible_to(actor).filter(pk=ci.pk).first()
    if found is None:
        raise NotFound(_("Configuration item not found."))
    return found


def _level(value: Any, field: str) -> int:
    if value not in CiaLevel.values:
        message = _("Choose low, medium or high (1, 2 or 3).")
        raise DomainError(message, field_errors={field: message})
    return int(value)


def _checked(values: dict[str, Any]) -> dict[str, int]:
    problems: dict[str, str] = {}
    out: dict[str, int] = {}
    for aspect in CIA_FIELDS:
        try:
            out[aspect] = _level(values.get(aspect), aspect)
        except DomainError as exc:
            problems.update(exc.field_errors)
    if problems:
        raise DomainError(_("Check the highlighted fields."), field_errors=problems)
    return out


@transaction.atomic
def classify(
    ci: ConfigurationItem,
    *,
    actor: User,
    availability: int,
    integrity: int,
    confidentiality: int,
    justification: str,
    expected_version: int | None = None,
    action: str = ClassificationAction.CLASSIFIED,
) -> Classification:
    """Set the CI's classification (each aspect 1 low, 2 medium, 3 high) with its justification.
    A changed classification needs the version the editor read (`expected_version`)."""
    security_access.ensure_register_manager(actor)
    ci = _visible_ci(ci, actor)
    levels = _checked(
        {"availability": availability, "integrity": integrity, "confidentiality": confidentiality}
    )
    text = checks.checked_text(
        justification, field="justification", label=_("Justification"), max_length=JUSTIFICATION_MAX
    )
    now = clock.now()
    current = Classification.objects.select_for_update().filter(ci=ci).first()
    if current is None:
        try:
            with transaction.atomic():
                made = Classification.objects.create(
                    ci=ci, **levels, justification=text, classified_by=actor, classified_at=now
                )
        except IntegrityError as exc:  # somebody else classified it at the same moment
            raise Conflict(_changed()) from exc
        history.record(
            ClassificationHistoryEntry,
            ci,
            actor=actor,
            action=action,
            changes=[history.Change(name, "", history.render(getattr(made, name))) for name in FIELDS],
            at=now,
        )
        return made
    checks.check_version(current.version, expected_version, _changed())
    before = history.snapshot(current, FIELDS)
    for aspect, value in levels.items():
        setattr(current, aspect, value)
    current.justification = text
    changes = history.changes_since(before, current)
    if not changes:
        return current
    current.classified_by = actor
    current.classified_at = now
    current.version += 1
    current.save()
    history.record(
        ClassificationHistoryEntry,
        ci,
        actor=actor,
        action=ClassificationAction.CHANGED if action == ClassificationAction.CLASSIFIED else action,
        changes=changes,
        at=now,
    )
    return current


@history.stored_text
def _adopted_text(names: list[str]) -> str:
    return _("Taken over from %(sources)s, which rest on this CI.") % {"sources": ", ".join(names)}


def adopt_suggestion(
    ci: ConfigurationItem, *, actor: User, expected_version: int | None = None
) -> Classification:
    """Take over the suggested classification: each aspect becomes the suggested value where that is
    higher than the CI's own (or the CI has none). Refused when there is nothing to adopt."""
    security_access.ensure_register_manager(actor)
    ci = _visible_ci(ci, actor)
    suggestion = suggestion_for(ci.pk)
    if suggestion.empty:
        raise DomainError(_("Nothing above this CI is classified: there is no suggestion to adopt."))
    own = Classification.objects.filter(ci=ci).first()
    levels = {
        aspect: max(suggestion.values[aspect], int(getattr(own, aspect)) if own else 0)
        for aspect in CIA_FIELDS
    }
    if own is not None and all(levels[a] == getattr(own, a) for a in CIA_FIELDS):
        raise DomainError(_("The classification already meets the suggestion."))
    reason = _adopted_text(suggestion.source_names())
    justification = reason if own is None or not own.justification else f"{own.justification}\n{reason}"
    return classify(
        ci,
        actor=actor,
        **levels,
        justification=justification[:JUSTIFICATION_MAX],
        expected_version=expected_version if own is not None else None,
        action=ClassificationAction.ADOPTED,
    )


@transaction.atomic
def remove_classification(ci: ConfigurationItem, *, actor: User, expected_version: int | None = None) -> None:
    """Remove the CI's classification (its trail stays)."""
    security_access.ensure_register_manager(actor)
    ci = _visible_ci(ci, actor)
    current = Classification.objects.select_for_update().filter(ci=ci).first()
    if current is None:
        raise NotFound(_("This CI has no classification."))
    checks.check_version(current.version, expected_version, _changed())
    before = history.snapshot(current, FIELDS)
    current.delete()
    history.record(
        ClassificationHistoryEntry,
        ci,
        actor=actor,
        action=ClassificationAction.REMOVED,
        changes=[
            history.Change(name, value, "") for name, value in before.values.items() if isinstance(value, str)
        ],
    )
