"""Software licences: create, change and remove them, assign them to CIs or people, and read their
compliance (entitlements against assignments).

Staff keep the licences (operators too); every change is in the licence's history, and an
assignment to a CI also in the CI's own history. A per-device licence is assigned to CIs only, a
per-user licence to people only; the other models take either.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError, NotFound

from ..models import (
    CiAction,
    CiHistoryEntry,
    ConfigurationItem,
    Licence,
    LicenceAction,
    LicenceAssignment,
    LicenceFileVersion,
    LicenceHistoryEntry,
    LicenceModel,
    Supplier,
)
from ._common import amount, days, text

HISTORY_FIELDS = (
    "product",
    "application",
    "licence_model",
    "entitlements",
    "supplier",
    "owner",
    "start_date",
    "expiry_date",
    "cost",
    "reference",
    "notes",
    "remind_days",
)
MAX_ENTITLEMENTS = 10_000_000

OK = "ok"
OVER = "over"  # more entitlements than assignments: some are unused
UNDER = "under"  # more assigned than entitled
STATE_LABELS = {
    OK: gettext_lazy("OK"),
    OVER: gettext_lazy("Over-licensed (unused)"),
    UNDER: gettext_lazy("Under-licensed"),
}


@dataclass(frozen=True)
class LicenceData:
    product: str
    licence_model: str
    start_date: date
    application: ConfigurationItem | None = None
    entitlements: int | None = None
    supplier: Supplier | None = None
    owner: User | None = None
    expiry_date: date | None = None
    cost: Decimal | None = None
    reference: str = ""
    notes: str = ""
    remind_days: int = 60


def _check(data: LicenceData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "product": text(data.product, "product", errors, limit=200, required=True),
        "reference": text(data.reference, "reference", errors, limit=80),
        "notes": (data.notes or "").strip(),
        "cost": amount(data.cost, "cost", errors),
        "remind_days": days(data.remind_days, "remind_days", errors),
    }
    if data.licence_model not in LicenceModel.values:
        errors["licence_model"] = _("Unknown licence model.")
    if data.licence_model == LicenceModel.SITE:
        values["entitlements"] = None  # a site licence has no limit
    elif data.entitlements is None:
        errors["entitlements"] = _("Required, except for a site licence.")
    elif not 0 <= data.entitlements <= MAX_ENTITLEMENTS:
        errors["entitlements"] = _("Enter a number from 0 up to %(limit)d.") % {"limit": MAX_ENTITLEMENTS}
    else:
        values["entitlements"] = data.entitlements
    if data.start_date is None:
        errors["start_date"] = _("Required.")
    elif data.expiry_date is not None and data.expiry_date < data.start_date:
        errors["expiry_date"] = _("The licence cannot expire before it starts.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return values


def _apply(licence: Licence, data: LicenceData, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(licence, name, value)
    licence.licence_model = data.licence_model
    licence.application = data.application
    licence.supplier = data.supplier
    licence.owner = data.owner
    licence.start_date = data.start_date
    licence.expiry_date = data.expiry_date


@transaction.atomic
def create_licence(*, actor: User, data: LicenceData) -> Licence:
    access.ensure_staff(actor)
    values = _check(data)
    now = clock.now()
    licence = Licence(created_at=now, updated_at=now)
    _apply(licence, data, values)
    licence.save()
    history.record(LicenceHistoryEntry, licence, actor=actor, action=LicenceAction.CREATED, at=now)
    return licence


def lock_licence(licence: Licence, expected_version: int | None) -> Licence:
    return checks.locked_at(
        Licence.objects.all(),
        licence.pk,
        expected_version,
        missing=_("Licence not found."),
        changed=_("Somebody else changed this licence. Reload it and try again."),
    )


@transaction.atomic
def update_licence(
    licence: Licence, *, actor: User, data: LicenceData, expected_version: int | None
) -> Licence:
    """Change a licence; a model that no longer fits its assignments is refused."""
    access.ensure_staff(actor)
    current = lock_licence(licence, expected_version)
    values = _check(data)
    if data.licence_model != current.licence_model:
        wrong = _wrong_holders(data.licence_model)
        if wrong and LicenceAssignment.objects.filter(licence=current, **wrong).exists():
            message = _("Remove the assignments that do not fit this licence model first.")
            raise DomainError(message, field_errors={"licence_model": message})
    before = history.snapshot(current, HISTORY_FIELDS)
    _apply(current, data, values)
    changes = history.changes_since(before, current)
    if not changes:
        return current
    if any(c.field == "expiry_date" for c in changes):
        current.reminded_for = None  # a new deadline gets its own reminder
    current.version += 1
    current.updated_at = clock.now()
    current.save()
    history.record(LicenceHistoryEntry, current, actor=actor, action=LicenceAction.CHANGED, changes=changes)
    return current


@transaction.atomic
def delete_licence(licence: Licence, *, actor: User, expected_version: int | None) -> None:
    access.ensure_staff(actor)
    current = lock_licence(licence, expected_version)
    for assignment in LicenceAssignment.objects.filter(licence=current, ci__isnull=False).select_related(
        "ci"
    ):
        _record_on_ci(assignment, actor=actor, old=current.product)
    history.record(LicenceHistoryEntry, current, actor=actor, action=LicenceAction.DELETED)
    _remove_files_after_commit(current)
    current.delete()


def _remove_files_after_commit(licence: Licence) -> None:
    """The stored bytes of the licence's file versions, removed once its deletion is committed."""
    rows = LicenceFileVersion.objects.filter(licence_file__licence=licence).values_list("file", flat=True)
    names = [n for n in rows if n]
    if not names:
        return
    storage = LicenceFileVersion._meta.get_field("file").storage

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def _wrong_holders(model: str) -> dict[str, Any] | None:
    """The assignments a licence model does not take, as a filter."""
    if model == LicenceModel.PER_DEVICE:
        return {"person__isnull": False}
    if model == LicenceModel.PER_USER:
        return {"ci__isnull": False}
    return None


def _record_on_ci(assignment: LicenceAssignment, *, actor: User, old: str = "", new: str = "") -> None:
    assert assignment.ci is not None
    history.record(
        CiHistoryEntry,
        assignment.ci,
        actor=actor,
        action=CiAction.CHANGED,
        field="licences",
        old=old,
        new=new,
    )


@transaction.atomic
def assign_licence(
    licence: Licence, *, actor: User, ci: ConfigurationItem | None = None, person: User | None = None
) -> LicenceAssignment:
    """Assign the licence to one CI or one person; per-device licences to CIs, per-user to people.
    Assigning beyond the entitlements is allowed (it shows as under-licensed)."""
    access.ensure_staff(actor)
    current = lock_licence(licence, None)
    if (ci is None) == (person is None):
        message = _("Choose a configuration item or a person, not both.")
        raise DomainError(message, field_errors={"ci": message})
    if current.licence_model == LicenceModel.PER_DEVICE and ci is None:
        message = _("A per-device licence is assigned to configuration items.")
        raise DomainError(message, field_errors={"person": message})
    if current.licence_model == LicenceModel.PER_USER and person is None:
        message = _("A per-user licence is assigned to people.")
        raise DomainError(message, field_errors={"ci": message})
    assignment = LicenceAssignment(
        licence=current, ci=ci, person=person, assigned_at=clock.now(), assigned_by=actor
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        field = "ci" if ci is not None else "person"
        message = _("This licence is already assigned to them.")
        raise DomainError(message, field_errors={field: message}) from None
    history.record(
        LicenceHistoryEntry,
        current,
        actor=actor,
        action=LicenceAction.ASSIGNED,
        field="assignment",
        new=str(assignment.holder),
    )
    if ci is not None:
        _record_on_ci(assignment, actor=actor, new=current.product)
    return assignment


@transaction.atomic
def unassign_licence(assignment: LicenceAssignment, *, actor: User) -> None:
    access.ensure_staff(actor)
    current = (
        LicenceAssignment.objects.select_related("licence", "ci", "person")
        .select_for_update(of=("self",))
        .filter(pk=assignment.pk)
        .first()
    )
    if current is None:
        raise NotFound(_("Assignment not found."))
    history.record(
        LicenceHistoryEntry,
        current.licence,
        actor=actor,
        action=LicenceAction.UNASSIGNED,
        field="assignment",
        old=str(current.holder),
    )
    if current.ci is not None:
        _record_on_ci(current, actor=actor, old=current.licence.product)
    current.delete()


# --------------------------------------------------------------------------------------------------
# compliance


def with_assigned(rows: QuerySet[Licence]) -> QuerySet[Licence]:
    """The licences with `assigned` (their number of assignments), counted by the database."""
    return rows.annotate(assigned=Count("assignments"))


def assigned_counts(licence_ids: list[int]) -> dict[int, int]:
    """{licence id: number of assignments} for a page of licences, in one grouped query."""
    if not licence_ids:
        return {}
    rows = (
        LicenceAssignment.objects.filter(licence_id__in=licence_ids)
        .order_by()
        .values_list("licence_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def mark_states(licences: list[Licence]) -> None:
    """Set `assigned` and `state` on each licence of a page (one query)."""
    counts = assigned_counts([lic.pk for lic in licences])
    for lic in licences:
        assigned = counts.get(lic.pk, 0)
        lic.assigned = assigned  # type: ignore[attr-defined]
        lic.state = state_of(lic.licence_model, lic.entitlements, assigned)  # type: ignore[attr-defined]


def state_of(licence_model: str, entitlements: int | None, assigned: int) -> str:
    if licence_model == LicenceModel.SITE or entitlements is None:
        return OK
    if assigned > entitlements:
        return UNDER
    if assigned < entitlements:
        return OVER
    return OK


def compliance(licence: Licence) -> dict[str, Any]:
    """One licence: its entitlements, assignments, what is left (negative: short) and its state."""
    assigned = LicenceAssignment.objects.filter(licence=licence).count()
    return _row(licence.licence_model, licence.entitlements, assigned)


def _row(licence_model: str, entitlements: int | None, assigned: int) -> dict[str, Any]:
    state = state_of(licence_model, entitlements, assigned)
    return {
        "entitlements": entitlements,
        "assigned": assigned,
        "unlimited": licence_model == LicenceModel.SITE,
        "available": None if entitlements is None else entitlements - assigned,
        "state": state,
        "state_label": str(STATE_LABELS[state]),
    }


def compliance_overview(rows: QuerySet[Licence] | None = None) -> dict[str, Any]:
    """Every licence's state counted, from one grouped query: {ok, over, under, licences}."""
    source = rows if rows is not None else Licence.objects.all()
    annotated: Any = with_assigned(source.order_by())
    counted = annotated.values_list("licence_model", "entitlements", "assigned")
    states: Counter[str] = Counter()
    for licence_model, entitlements, assigned in counted:
        states[state_of(licence_model, entitlements, assigned)] += 1
    return {OK: states[OK], OVER: states[OVER], UNDER: states[UNDER], "licences": sum(states.values())}
