"""Shared helpers of the servicedesk services: locking, versions, history, the rule checks.

The public ones (no leading underscore) are published by the package (`beheer.servicedesk.services`)
for the apps above the servicedesk; the private ones are for the servicedesk's own modules. Helpers
without a servicedesk meaning live in core: `core.clock.now`, `core.access.ensure_staff`,
`core.checks.checked_text`, `core.checks.locked`, `core.history.texts`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import CiStatus, ConfigurationItem
from beheer.core import access, checks, config_cache, history, search
from beheer.core.errors import DomainError, NotFound, ReadOnly

from .. import priority as priority_rules
from ..models import (
    CallType,
    Category,
    EntryType,
    HistoryEntry,
    Impact,
    Line,
    Melding,
    Note,
    Priority,
    PriorityMatrixCell,
    ServicedeskSettings,
    Status,
    StatusKind,
    Urgency,
    Visibility,
)

BRIEF_MAX = 80
TEXT_MAX = checks.TEXT_MAX
MAX_MINUTES_PER_ENTRY = 24 * 60
CALLER_ENTRY_TYPES = (EntryType.PORTAL, EntryType.API, EntryType.EMAIL)

# --------------------------------------------------------------------------------------------------
# helpers


# kept for the modules that have not switched to core's helpers yet
def _ensure_visible(melding: Melding, actor: User) -> None:
    if not Melding.objects.visible_to(actor).filter(pk=melding.pk).exists():
        raise NotFound(_("Call not found."))


def _ensure_editable(melding: Melding) -> None:
    if melding.closed_at is not None:
        raise ReadOnly(
            _("Call %(number)s is closed and can no longer be changed.") % {"number": melding.number}
        )


def lock_melding(melding: Melding, expected_version: int | None = None) -> Melding:
    """Re-read the melding under a row lock, refuse a closed one (`ReadOnly`) and check the version
    the editor saw (`Conflict`; None checks nothing). Every change of a melding starts here, so
    changes of one melding queue behind each other."""
    fresh = checks.locked(Melding.objects.select_related("status", "priority"), melding.pk)
    if fresh is None:
        raise Melding.DoesNotExist
    _ensure_editable(fresh)
    checks.check_version(
        fresh.version,
        expected_version,
        _("Somebody else changed call %(number)s in the meantime. Reload it and try again.")
        % {"number": fresh.number},
    )
    return fresh


def _save(melding: Melding, fields: Iterable[str], *, now: datetime) -> None:
    melding.version += 1
    melding.updated_at = now
    melding.save(update_fields=[*set(fields), "version", "updated_at"])


def _touch(melding: Melding, *, now: datetime) -> None:
    """Record activity (a note, an attachment) without a new version: it conflicts with no editor."""
    Melding.objects.filter(pk=melding.pk).update(updated_at=now)
    melding.updated_at = now


def _ref(value: Any) -> str:
    """The primary key of a referenced row, so history can be replayed (the SLA clock reads statuses),
    or the code of a choice, so it is shown in the reader's language."""
    if isinstance(value, models.Choices):
        return str(value.value)
    return str(value.pk) if isinstance(value, models.Model) and value.pk is not None else ""


def record_history(
    melding: Melding,
    actor: User | None,
    action: str,
    *,
    now: datetime,
    field: str = "",
    old: Any = None,
    new: Any = None,
    detail: str = "",
    public: bool = False,
) -> HistoryEntry:
    """One row of the melding's history: `old` and `new` stored in Dutch and in English, with the
    keys of referenced rows (so the SLA clock can replay statuses); `public` rows are shown to the
    caller. Written in the transaction of the change, by the servicedesk and by the apps above it
    that act on a melding (a problem linked or resolved)."""
    return history.record_bilingual(  # one INSERT, as before: measured at a million meldingen
        HistoryEntry,
        melding,
        actor=actor,
        action=action,
        at=now,
        field=field,
        old=old,
        new=new,
        detail=detail,
        columns={"old_ref": _ref(old), "new_ref": _ref(new), "public": public},
    )


def _reindex(melding: Melding, *, new: bool = False) -> None:
    """Two search documents: everything (for operators) and only what the caller may read (for callers),
    so a caller's search can never probe the words of internal notes. A new melding has no notes yet."""
    rows = (
        []
        if new
        else list(Note.objects.filter(melding=melding).order_by("id").values_list("text", "visibility"))
    )
    title = f"{melding.number} {melding.brief_description}"
    base = f"{melding.request}\n{melding.object_name}"
    if new:  # no notes yet: both documents are the same
        kinds = ["melding"] if melding.parent_id is not None else ["melding", "melding_public"]
        search.index_documents(kinds, melding.pk, title=title, body=f"{base}\n", new=True)
        return
    all_notes = "\n".join(text for text, _visibility in rows)
    search.index_document("melding", melding.pk, title=title, body=f"{base}\n{all_notes}")
    if melding.parent_id is None:
        public = "\n".join(text for text, visibility in rows if visibility == Visibility.CALLER)
        search.index_document("melding_public", melding.pk, title=title, body=f"{base}\n{public}")


def default_status(kind: StatusKind | str) -> Status:
    status = config_cache.cached(
        ("default_status", str(kind)),
        lambda: Status.objects.filter(kind=kind, active=True).order_by("-is_default", "order", "id").first(),
    )
    if status is None:
        raise DomainError(_("No status of kind %(kind)s is configured.") % {"kind": kind})
    return status


def lookup_defaults() -> tuple[CallType | None, Impact | None, Urgency | None]:
    """The call type, impact and urgency a melding gets when nobody chooses: first, lowest, lowest."""
    return config_cache.cached(
        "lookup_defaults",
        lambda: (
            CallType.objects.filter(active=True).order_by("order", "id").first(),
            Impact.objects.filter(active=True).order_by("-level").first(),
            Urgency.objects.filter(active=True).order_by("-level").first(),
        ),
    )


def servicedesk_settings() -> ServicedeskSettings:
    """The servicedesk's settings row, from the per-process configuration cache."""
    return config_cache.cached("servicedesk_settings", ServicedeskSettings.current)


def priority_for(impact: Impact, urgency: Urgency) -> Priority:
    """The configured matrix cell, or the sum rule when an administrator left the cell empty."""
    matrix = config_cache.cached(
        "priority_matrix",
        lambda: {
            (c.impact_id, c.urgency_id): c.priority
            for c in PriorityMatrixCell.objects.select_related("priority")
        },
    )
    if (impact.pk, urgency.pk) in matrix:
        return matrix[(impact.pk, urgency.pk)]
    priorities = list(Priority.objects.filter(active=True).order_by("level"))
    if not priorities:
        raise DomainError(_("No priorities are configured."))
    level = priority_rules.suggested_level(impact.level, urgency.level, priority_levels=len(priorities))
    return priorities[level - 1]


class KeepCi:
    """The configuration item of a melding left as it is (a change that does not name one)."""


KEEP_CI = KeepCi()


def check_ci(ci: ConfigurationItem | None, actor: Any, *, current_id: int | None = None) -> None:
    """The CI a melding is registered on: operators any CI not retired, a caller only one they own
    or use (`visible_to`); a CI the actor may not see answers like an unknown one. The melding's
    current CI (`current_id`) is kept even when retired since. DomainError on `ci`."""
    if ci is None or ci.pk == current_id:
        return
    visible = ConfigurationItem.objects.visible_to(actor)
    if not access.is_staff(actor) and not visible.filter(pk=ci.pk).exists():
        message = _("Unknown configuration item.")
        raise DomainError(message, field_errors={"ci": message})
    if ci.status == CiStatus.RETIRED:
        message = _("This configuration item is retired.")
        raise DomainError(message, field_errors={"ci": message})


def object_name_for(object_name: str, ci: ConfigurationItem | None) -> str:
    """The object text of a melding: as entered, or the CI's name when empty and a CI is chosen
    (the queue, the search and the exports show the object text)."""
    if ci is not None and not object_name.strip():
        return ci.name[:200]
    return object_name


def _check_category(category: Category | None, subcategory: Category | None) -> None:
    if category is not None and category.parent_id is not None:
        raise DomainError(_("Choose a main category."), field_errors={"category": _("Not a main category.")})
    if subcategory is not None and (category is None or subcategory.parent_id != category.pk):
        message = _("The subcategory does not belong to the category.")
        raise DomainError(message, field_errors={"subcategory": message})


def check_assignment(melding_line: str, group: OperatorGroup | None, operator: User | None) -> None:
    """The rules of an assignment: an active group of the melding's line (`Line.FIRST`/`Line.SECOND`;
    an empty line checks none, as for a problem) and an operator who is a member of that group."""
    if group is not None:
        if not group.active:
            raise DomainError(
                _("This operator group is inactive."), field_errors={"operator_group": _("Inactive.")}
            )
        if melding_line == Line.FIRST and not group.is_first_line:
            message = _("A first-line call goes to a first-line group; escalate it to reach the second line.")
            raise DomainError(message, field_errors={"operator_group": message})
        if melding_line == Line.SECOND and not group.is_second_line:
            message = _("A second-line call goes to a second-line group.")
            raise DomainError(message, field_errors={"operator_group": message})
    if operator is not None:
        if not operator.is_staff_member:
            message = _("Only operators can be assigned.")
            raise DomainError(message, field_errors={"operator": message})
        if group is not None and not group.members.filter(pk=operator.pk).exists():
            message = _("%(operator)s is not a member of %(group)s.") % {"operator": operator, "group": group}
            raise DomainError(message, field_errors={"operator": message})


def _open_partials(melding: Melding) -> int:
    return Melding.objects.filter(parent=melding, is_open=True).count()
