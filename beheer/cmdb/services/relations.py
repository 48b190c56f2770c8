"""Relations between CIs: add and remove them; both ends' history says so."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock, history
from beheer.core.errors import DomainError, NotFound

from ..models import CiAction, CiHistoryEntry, ConfigurationItem, Relation, RelationKind, dependency_ends

MAX_DESCRIPTION = 200


@history.stored_text
def _describe(relation: Relation) -> str:
    return f"{relation.source.name} {relation.get_kind_display()} {relation.target.name}"


def _record(
    relation: Relation, *, actor: User, action: str, old: str = "", new: str = "", detail: str = ""
) -> None:
    for end in (relation.source, relation.target):
        history.record(
            CiHistoryEntry, end, actor=actor, action=action, field="relation", old=old, new=new, detail=detail
        )


@transaction.atomic
def add_relation(
    source: ConfigurationItem,
    *,
    actor: User,
    target: ConfigurationItem,
    kind: str,
    description: str = "",
    reason: str = "",
) -> Relation:
    """ "source <kind> target"; the same relation twice, or a CI related to itself, is refused.
    Cycles are allowed (two servers that back each other up): the impact analysis is cycle-safe.
    `reason` (e.g. the change that brought it) goes into both ends' history."""
    access.ensure_staff(actor)
    errors: dict[str, str] = {}
    if kind not in RelationKind.values:
        errors["kind"] = _("Unknown kind of relation.")
    if source.pk == target.pk:
        errors["target"] = _("A configuration item cannot be related to itself.")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("At most %(limit)d characters.") % {"limit": MAX_DESCRIPTION}
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    ends = {
        ci.pk: ci
        for ci in ConfigurationItem.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    if len(ends) != 2:
        raise NotFound(_("Configuration item not found."))
    dependent, dependency = dependency_ends(source.pk, target.pk, kind)
    relation = Relation(
        source=ends[source.pk],
        target=ends[target.pk],
        kind=kind,
        description=description,
        dependent_id=dependent,
        dependency_id=dependency,
        created_at=clock.now(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            relation.save()
    except IntegrityError:
        message = _("These configuration items already have this relation.")
        raise DomainError(message, field_errors={"target": message}) from None
    _record(relation, actor=actor, action=CiAction.RELATION_ADDED, new=_describe(relation), detail=reason)
    return relation


@transaction.atomic
def remove_relation(relation: Relation, *, actor: User) -> None:
    access.ensure_staff(actor)
    current = (
        Relation.objects.select_related("source", "target")
        .select_for_update(of=("self",))
        .filter(pk=relation.pk)
        .first()
    )
    if current is None:
        raise NotFound(_("Relation not found."))
    _record(current, actor=actor, action=CiAction.RELATION_REMOVED, old=_describe(current))
    current.delete()
