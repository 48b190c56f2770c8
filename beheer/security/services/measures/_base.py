"""What the measures services share: who may write, the trail of a control, checked texts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from beheer.core import access, checks, history
from beheer.core.errors import PermissionDenied

from ...access import manages_register
from ...models import Control, ControlHistoryEntry, Implementation

TITLE_MAX = 200
TEXT_MAX = 20_000


def ensure_manager(actor: Any) -> None:
    if not manages_register(actor):
        raise PermissionDenied(_("Only security officers, coordinators and administrators may do this."))


def may_edit_implementation(actor: Any, implementation: Implementation) -> bool:
    """Register managers, and the owner of the implementation (an operator)."""
    if manages_register(actor):
        return True
    return (
        access.is_staff(actor) and implementation.owner_id is not None and implementation.owner_id == actor.pk
    )


def ensure_may_edit(actor: Any, implementation: Implementation) -> None:
    if not may_edit_implementation(actor, implementation):
        raise PermissionDenied(
            _("Only the owner, security officers, coordinators and administrators may change this.")
        )


def record(control: Control, actor: Any, action: str, **kwargs: Any) -> None:
    history.record(ControlHistoryEntry, control, actor=actor, action=action, **kwargs)


def text(
    value: str | None, *, field: str, label: str, required: bool = False, max_length: int = TEXT_MAX
) -> str:
    return checks.checked_text(value, field=field, label=label, required=required, max_length=max_length)
