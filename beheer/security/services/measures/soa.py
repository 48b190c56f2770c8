"""The statement of applicability (verklaring van toepasselijkheid): for every active control of
the current catalogue and of the organisation's own controls, whether it applies and why. The
justification is required when a control does not apply."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from beheer.core import checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound

from ...models import Applicability, ApplicabilityStatement, CatalogueKind, Control, MeasuresAction
from ._base import ensure_manager, record, text

CHANGED = _("Somebody else changed this line in the meantime. Reload it and try again.")


def soa_controls(user: Any) -> QuerySet[Control]:
    """The controls the statement covers, as `user` may read them: the active controls of the
    current standard catalogue and the active own controls."""
    return (
        Control.objects.visible_to(user)
        .active()
        .filter(
            Q(catalogue__current=True, catalogue__kind=CatalogueKind.STANDARD)
            | Q(catalogue__kind=CatalogueKind.OWN)
        )
    )


def set_applicability(
    control: Control,
    *,
    actor: Any,
    applicability: str,
    justification: str,
    expected_version: int | None,
) -> ApplicabilityStatement:
    """Decide whether `control` applies. `expected_version` is the line's version the editor read
    (0: there was no line yet)."""
    ensure_manager(actor)
    if applicability not in Applicability.values:
        message = _("Choose applicable or not applicable.")
        raise DomainError(message, field_errors={"applicability": message})
    why = text(justification, field="justification", label=_("Justification"))
    if applicability == Applicability.NOT_APPLICABLE and not why:
        message = _("Say why this control does not apply.")
        raise DomainError(message, field_errors={"justification": message})
    if not soa_controls(actor).filter(pk=control.pk).exists():
        raise NotFound(_("Control not found."))
    now = clock.now()
    try:
        with transaction.atomic():
            line = ApplicabilityStatement.objects.select_for_update().filter(control_id=control.pk).first()
            if line is None:
                if expected_version:
                    raise Conflict(CHANGED)
                line = ApplicabilityStatement.objects.create(
                    control_id=control.pk,
                    applicability=applicability,
                    justification=why,
                    updated_by=actor,
                    updated_at=now,
                )
                record(
                    control,
                    actor,
                    MeasuresAction.APPLICABILITY,
                    changes=[
                        history.Change("applicability", "", applicability),
                        history.Change("justification", "", why),
                    ],
                )
                return line
            checks.check_version(line.version, expected_version, CHANGED)
            before = history.snapshot(line, ["applicability", "justification"])
            line.applicability, line.justification = applicability, why
            changes = history.changes_since(before, line)
            if changes:
                ApplicabilityStatement.objects.filter(pk=line.pk).update(
                    applicability=applicability,
                    justification=why,
                    updated_by=actor,
                    updated_at=now,
                    version=F("version") + 1,
                )
                line.refresh_from_db()
                record(control, actor, MeasuresAction.APPLICABILITY, changes=changes)
            return line
    except IntegrityError:  # two first decisions at the same moment
        raise Conflict(CHANGED) from None
