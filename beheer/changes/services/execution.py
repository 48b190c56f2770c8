"""The execution of a change: the installation log, decisions on deviations, documents, and the
CMDB updates an activity brings about.

- The log is append-only: `add_log_entry` is its only write (a correction is a new entry). It has
  no history rows of its own (it is a trail itself) and leaves the change's version alone, so
  writing in the log never makes somebody else's edit of the change fail.
- `decide_deviation` notes a deviation (when given) and what was decided about it: accept it,
  rework the activity (it stays open to be marked done) or roll back (the change's rollback plan).
- Documents: staff only; the type is sniffed from the bytes, the name cleaned, the size checked
  (`core.files`); an upload or deletion is written in the change's history, the stored file removed
  once a deletion is committed, and a failed upload leaves no file behind.
- CMDB updates are proposed per activity, checked when proposed (field errors), and applied by
  `apply_cmdb_updates` when the activity is marked done (`complete_activity`), in the same
  transaction, each in a savepoint of its own: an update that fails (its CI deleted meanwhile, the
  relation already there, the attribute gone from the type) is marked failed with the reason and
  does not stop the other updates nor the completion. The CMDB's own services do the writing, so a
  CI's history names the change. A new CI is linked to the change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb import attributes as cmdb_attributes
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import (
    AttributeDefinition,
    CiAttributeValue,
    CiStatus,
    CiType,
    ConfigurationItem,
    RelationKind,
)
from beheer.core import access, checks, clock
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import check_upload

from ..models import (
    Change,
    ChangeAction,
    ChangeActivity,
    ChangeDocument,
    CmdbUpdate,
    CmdbUpdateKind,
    CmdbUpdateStatus,
    DeviationDecision,
    InstallationLogEntry,
)
from ._base import lock_change, record, save
from .changes import _link_ci

logger = logging.getLogger(__name__)

LOG_TEXT_MAX = 4000
MAX_LOG_ENTRIES = 5000  # per change
MAX_DOCUMENTS = 100  # per change
MAX_CMDB_UPDATES = 200  # per change
MAX_ATTRIBUTES = 50  # per proposed CI
# the CI's own fields a proposal may change, besides its custom attributes ("attributes.<code>")
OWN_FIELDS = ("name", "status", "host_name", "serial_number", "asset_tag", "addresses", "description")
OWN_LIMITS = {"name": 200, "asset_tag": 60, "serial_number": 100, "host_name": 255}


def _refused(errors: dict[str, str]) -> DomainError:
    return DomainError(_("Check the highlighted fields."), field_errors=errors)


def _lock_activity(activity: ChangeActivity, actor: User) -> tuple[Change, ChangeActivity]:
    access.ensure_staff(actor)
    current = lock_change(activity.change, actor, None)
    found = checks.locked(ChangeActivity.objects.filter(change=current), activity.pk)
    if found is None:
        raise NotFound(_("Activity not found."))
    return current, found


def reason_for(change: Change) -> str:
    """What a CI's history says brought an update: the change's number and title."""
    return f"{change.number} {change.title}"[:300]


# --------------------------------------------------------------------------------------------------
# the installation log


@transaction.atomic
def add_log_entry(
    change: Change, *, actor: User, text: str, activity: ChangeActivity | None = None
) -> InstallationLogEntry:
    """A new line in the change's installation log, at this moment, by `actor`."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    text = checks.checked_text(text, field="text", label=_("Text"), required=True, max_length=LOG_TEXT_MAX)
    if activity is not None and not ChangeActivity.objects.filter(change=current, pk=activity.pk).exists():
        message = _("Choose an activity of this change.")
        raise DomainError(message, field_errors={"activity": message})
    if InstallationLogEntry.objects.filter(change=current).count() >= MAX_LOG_ENTRIES:
        message = _("The log of a change holds at most %(max)d entries.") % {"max": MAX_LOG_ENTRIES}
        raise DomainError(message, field_errors={"text": message})
    return InstallationLogEntry.objects.create(
        change=current, activity=activity, author=actor, at=clock.now(), text=text
    )


# --------------------------------------------------------------------------------------------------
# deviations


@transaction.atomic
def decide_deviation(
    activity: ChangeActivity,
    *,
    actor: User,
    decision: str,
    explanation: str = "",
    deviation: str = "",
) -> ChangeActivity:
    """Record what is done about an activity's deviation: `deviation` notes it (or replaces the
    one noted), `decision` is accept, rework or roll back, `explanation` says why or what next.
    An activity without a deviation needs one first."""
    current, found = _lock_activity(activity, actor)
    errors: dict[str, str] = {}
    deviation = checks.checked_text(deviation, field="deviation", label=_("Deviation"), max_length=4000)
    explanation = checks.checked_text(
        explanation, field="explanation", label=_("Explanation"), max_length=4000
    )
    if decision not in DeviationDecision.values:
        errors["decision"] = _("Choose accept, rework or roll back.")
    if not deviation and not found.deviation:
        errors["deviation"] = _("Describe the deviation.")
    if errors:
        raise _refused(errors)
    if deviation and deviation != found.deviation:
        found.deviation = deviation
        record(current, actor, ChangeAction.DEVIATION, field="activity", new=found.title, detail=deviation)
    old = found.get_deviation_decision_display() if found.deviation_decision else ""
    found.deviation_decision = decision
    found.deviation_decision_text = explanation
    found.deviation_decided_by = actor
    found.deviation_decided_at = clock.now()
    found.save(
        update_fields=[
            "deviation",
            "deviation_decision",
            "deviation_decision_text",
            "deviation_decided_by",
            "deviation_decided_at",
        ]
    )
    record(
        current,
        actor,
        ChangeAction.DEVIATION_DECIDED,
        field="activity",
        old=old,
        new=f"{found.title}: {DeviationDecision(decision).label}",
        detail=explanation,
    )
    save(current, ())
    return found


# --------------------------------------------------------------------------------------------------
# documents


@transaction.atomic
def upload_document(change: Change, *, actor: User, upload: Any, note: str = "") -> ChangeDocument:
    """Keep `upload` with the change."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    if upload is None:
        message = _("Choose a file.")
        raise DomainError(message, field_errors={"file": message})
    checked = check_upload(upload)
    note = " ".join((note or "").replace("\x00", "").split())
    if len(note) > 500:
        message = _("The note may be at most 500 characters.")
        raise DomainError(message, field_errors={"note": message})
    if ChangeDocument.objects.filter(change=current).count() >= MAX_DOCUMENTS:
        message = _("A change can have at most %(n)d documents.") % {"n": MAX_DOCUMENTS}
        raise DomainError(message, field_errors={"file": message})
    now = clock.now()
    document = ChangeDocument(
        change=current,
        original_name=checked.name,
        content_type=checked.content_type[:100],
        size=checked.size,
        note=note,
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(checked.name, upload, save=False)
    stored = document.file.name or ""
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored)
        raise
    record(current, actor, ChangeAction.DOCUMENT_ADDED, field="documents", new=checked.name, detail=note)
    save(current, ())
    return document


@transaction.atomic
def delete_document(document: ChangeDocument, *, actor: User) -> None:
    """Delete a document; the change's history says so and the stored file is removed once the
    deletion is committed."""
    access.ensure_staff(actor)
    row = ChangeDocument.objects.select_for_update(of=("self",)).filter(pk=document.pk).first()
    if row is None:
        raise NotFound(_("Document not found."))
    current = lock_change(row.change, actor, None)
    record(current, actor, ChangeAction.DOCUMENT_DELETED, field="documents", old=row.original_name)
    storage, name = row.file.storage, row.file.name
    row.delete()
    save(current, ())
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------------------------------
# proposed CMDB updates


def _open_activity(activity: ChangeActivity, actor: User) -> tuple[Change, ChangeActivity]:
    current, found = _lock_activity(activity, actor)
    if found.done_at is not None:
        message = _("This activity is done; propose updates for an activity that is still to do.")
        raise DomainError(message, field_errors={"activity": message})
    if CmdbUpdate.objects.filter(change=current).count() >= MAX_CMDB_UPDATES:
        message = _("A change has at most %(n)d proposed CMDB updates.") % {"n": MAX_CMDB_UPDATES}
        raise DomainError(message, field_errors={"activity": message})
    return current, found


def _visible_ci(ci: ConfigurationItem | None, actor: User, field: str, errors: dict[str, str]) -> None:
    if ci is None or not ConfigurationItem.objects.visible_to(actor).filter(pk=ci.pk).exists():
        errors[field] = _("Choose an existing configuration item.")


def _check_attribute_value(definition: AttributeDefinition, raw: Any) -> str:
    """The value as text, checked against its attribute; `cmdb_attributes.Invalid` when it does not
    fit. Empty: the attribute is to be removed."""
    if cmdb_attributes.is_empty(raw):
        if definition.required:
            raise cmdb_attributes.Invalid(_("Required."))
        return ""
    cleaned = cmdb_attributes.clean(definition.kind, raw, choices=definition.choices or ())
    if cleaned.ref_id is not None:
        model: Any = ConfigurationItem if definition.kind == cmdb_attributes.CI else User
        if not model.objects.filter(pk=cleaned.ref_id).exists():
            raise cmdb_attributes.Invalid(_("Choose an existing item."))
    return cleaned.as_text()


def _record_proposal(change: Change, actor: User, update: CmdbUpdate) -> None:
    record(change, actor, ChangeAction.CMDB_PROPOSED, field="cmdb", new=update.summary)
    save(change, ())


@transaction.atomic
def propose_new_ci(
    activity: ChangeActivity,
    *,
    actor: User,
    name: str,
    ci_type: CiType | None,
    attributes: Mapping[str, Any] | None = None,
) -> CmdbUpdate:
    """A new CI (name, type and custom attributes by code) that `activity` brings about."""
    current, found = _open_activity(activity, actor)
    errors: dict[str, str] = {}
    name = (name or "").replace("\x00", "").strip()
    if not name:
        errors["name"] = _("Required.")
    elif len(name) > 200:
        errors["name"] = _("At most %(limit)d characters.") % {"limit": 200}
    if ci_type is None or not CiType.objects.filter(pk=ci_type.pk, active=True).exists():
        errors["ci_type"] = _("Choose a configuration item type in use.")
    values: dict[str, str] = {}
    given = dict(attributes or {})
    if len(given) > MAX_ATTRIBUTES:
        errors["attributes"] = _("At most %(limit)d attributes.") % {"limit": MAX_ATTRIBUTES}
    elif ci_type is not None and "ci_type" not in errors:
        definitions = {d.code: d for d in AttributeDefinition.objects.filter(ci_type=ci_type, active=True)}
        for code, raw in given.items():
            definition = definitions.get(str(code))
            if definition is None:
                errors[f"attributes.{code}"] = _("The type %(type)s has no attribute %(code)s.") % {
                    "type": ci_type.name,
                    "code": code,
                }
                continue
            try:
                text = _check_attribute_value(definition, raw)
            except cmdb_attributes.Invalid as exc:
                errors[f"attributes.{code}"] = str(exc)
                continue
            if text:
                values[definition.code] = text
        for code, definition in definitions.items():
            if definition.required and code not in values and f"attributes.{code}" not in errors:
                errors[f"attributes.{code}"] = _("Required.")
    if errors:
        raise _refused(errors)
    update = CmdbUpdate.objects.create(
        change=current,
        activity=found,
        kind=CmdbUpdateKind.NEW_CI,
        ci_type=ci_type,
        name=name,
        attributes=values,
        proposed_by=actor,
        proposed_at=clock.now(),
    )
    _record_proposal(current, actor, update)
    return update


def _attribute_definition(ci: ConfigurationItem, code: str) -> AttributeDefinition | None:
    return AttributeDefinition.objects.filter(ci_type_id=ci.ci_type_id, code=code, active=True).first()


def _current_text(ci: ConfigurationItem, field: str) -> str:
    """The field's or attribute's value on the CI now, as its history shows it."""
    if field.startswith("attributes."):
        code = field.removeprefix("attributes.")
        row = (
            CiAttributeValue.objects.filter(ci=ci, definition__code=code)
            .select_related("ref_ci", "ref_person")
            .first()
        )
        return cmdb.value_text(row) if row is not None else ""
    return str(getattr(ci, field) or "")


def normalised_field(field: str) -> str:
    """`status`, `host_name` ... as they are; anything else a custom attribute: `attributes.<code>`."""
    field = (field or "").strip()
    if field in OWN_FIELDS or field.startswith("attributes."):
        return field
    return f"attributes.{field}" if field else ""


@transaction.atomic
def propose_attribute_change(
    activity: ChangeActivity, *, actor: User, ci: ConfigurationItem | None, field: str, value: str
) -> CmdbUpdate:
    """A new value for one of a CI's fields (`status`, `host_name`, ...) or custom attributes
    (`firmware` or `attributes.firmware`); the value the CI has now is kept as the old value."""
    current, found = _open_activity(activity, actor)
    errors: dict[str, str] = {}
    _visible_ci(ci, actor, "ci", errors)
    field = normalised_field(field)
    value = (value or "").replace("\x00", "").strip()
    if not field:
        errors["field"] = _("Required.")
    elif ci is not None and "ci" not in errors:
        if field.startswith("attributes."):
            code = field.removeprefix("attributes.")
            definition = _attribute_definition(ci, code)
            if definition is None:
                errors["field"] = _("The type %(type)s has no attribute %(code)s.") % {
                    "type": ci.ci_type.name,
                    "code": code,
                }
            else:
                try:
                    _check_attribute_value(definition, value)
                except cmdb_attributes.Invalid as exc:
                    errors["value"] = str(exc)
        else:
            if field == "status" and value not in CiStatus.values:
                errors["value"] = _("Unknown status.")
            elif field == "name" and not value:
                errors["value"] = _("Required.")
            elif field in OWN_LIMITS and len(value) > OWN_LIMITS[field]:
                errors["value"] = _("At most %(limit)d characters.") % {"limit": OWN_LIMITS[field]}
    if len(value) > 20_000:
        errors["value"] = _("At most %(limit)d characters.") % {"limit": 20_000}
    if errors:
        raise _refused(errors)
    assert ci is not None
    update = CmdbUpdate.objects.create(
        change=current,
        activity=found,
        kind=CmdbUpdateKind.ATTRIBUTE,
        ci=ci,
        ci_name=ci.name,
        field=field,
        old_value=_current_text(ci, field),
        new_value=value,
        proposed_by=actor,
        proposed_at=clock.now(),
    )
    _record_proposal(current, actor, update)
    return update


@transaction.atomic
def propose_relation(
    activity: ChangeActivity,
    *,
    actor: User,
    kind: str,
    source: ConfigurationItem | None = None,
    target: ConfigurationItem | None = None,
    source_new: CmdbUpdate | None = None,
    target_new: CmdbUpdate | None = None,
) -> CmdbUpdate:
    """A new relation "source <kind> target"; an end is an existing CI or the CI another proposal
    of this change creates (`source_new`, `target_new`)."""
    current, found = _open_activity(activity, actor)
    errors: dict[str, str] = {}
    if kind not in RelationKind.values:
        errors["kind"] = _("Unknown kind of relation.")
    for end, new, field in ((source, source_new, "source"), (target, target_new, "target")):
        if (end is None) == (new is None):
            errors[field] = _("Choose one configuration item, existing or proposed.")
        elif end is not None:
            _visible_ci(end, actor, field, errors)
        elif (
            new is not None
            and not CmdbUpdate.objects.filter(change=current, pk=new.pk, kind=CmdbUpdateKind.NEW_CI).exists()
        ):
            errors[field] = _("Choose a new configuration item proposed for this change.")
    if not errors:
        same_ci = source is not None and target is not None and source.pk == target.pk
        same_new = source_new is not None and target_new is not None and source_new.pk == target_new.pk
        if same_ci or same_new:
            errors["target"] = _("A configuration item cannot be related to itself.")
    if errors:
        raise _refused(errors)
    update = CmdbUpdate.objects.create(
        change=current,
        activity=found,
        kind=CmdbUpdateKind.RELATION,
        relation_kind=kind,
        ci=source,
        ci_name=source.name if source is not None else "",
        target=target,
        target_name=target.name if target is not None else "",
        source_new=source_new,
        target_new=target_new,
        proposed_by=actor,
        proposed_at=clock.now(),
    )
    _record_proposal(current, actor, update)
    return update


@transaction.atomic
def withdraw_cmdb_update(update: CmdbUpdate, *, actor: User) -> None:
    """Remove a proposed update that has not been applied (nor tried)."""
    access.ensure_staff(actor)
    row = CmdbUpdate.objects.select_for_update(of=("self",)).filter(pk=update.pk).first()
    if row is None:
        raise NotFound(_("Proposed CMDB update not found."))
    current = lock_change(row.change, actor, None)
    if row.status != CmdbUpdateStatus.PROPOSED:
        raise DomainError(_("This update has been carried out already and stays on record."))
    summary = row.summary
    CmdbUpdate.objects.filter(change=current).filter(source_new=row).update(source_new=None)
    CmdbUpdate.objects.filter(change=current).filter(target_new=row).update(target_new=None)
    row.delete()
    record(current, actor, ChangeAction.CMDB_WITHDRAWN, field="cmdb", old=summary)
    save(current, ())


# --------------------------------------------------------------------------------------------------
# applying the proposed updates


def _raw_value(row: CiAttributeValue) -> Any:
    """A stored attribute value as `ItemData.attributes` takes it."""
    if row.ref_ci_id is not None:
        return row.ref_ci_id
    if row.ref_person_id is not None:
        return row.ref_person_id
    if row.flag is not None:
        return row.flag
    if row.number is not None:
        return Decimal(row.number)
    if row.date is not None:
        return row.date
    return row.text


def _item_data(ci: ConfigurationItem, **changed: Any) -> cmdb.ItemData:
    """The CI as `cmdb.update_item` takes it, with `changed` fields (and `attributes` entries)
    replacing its own."""
    values = {
        row.definition.code: _raw_value(row)
        for row in CiAttributeValue.objects.filter(ci=ci, definition__active=True).select_related(
            "definition"
        )
    }
    values.update(changed.pop("attributes", {}))
    data: dict[str, Any] = {
        "name": ci.name,
        "ci_type": ci.ci_type,
        "status": ci.status,
        "owner": ci.owner,
        "users": list(ci.users.all()),
        "branch": ci.branch,
        "department": ci.department,
        "location": ci.location,
        "supplier": ci.supplier,
        "asset_tag": ci.asset_tag,
        "serial_number": ci.serial_number,
        "host_name": ci.host_name,
        "addresses": ci.addresses,
        "purchase_date": ci.purchase_date,
        "warranty_until": ci.warranty_until,
        "cost": ci.cost,
        "description": ci.description,
        "attributes": values,
    }
    data.update(changed)
    return cmdb.ItemData(**data)


def _apply_new_ci(change: Change, update: CmdbUpdate, actor: User, reason: str) -> ConfigurationItem:
    if update.ci_type is None:
        raise DomainError(_("The configuration item type no longer exists."))
    ci = cmdb.create_item(
        actor=actor,
        data=cmdb.ItemData(
            name=update.name, ci_type=update.ci_type, attributes=dict(update.attributes or {})
        ),
        reason=reason,
    )
    _link_ci(change, ci, actor=actor)
    return ci


def _apply_attribute(update: CmdbUpdate, actor: User, reason: str) -> ConfigurationItem:
    if update.ci_id is None:
        raise DomainError(_("The configuration item %(name)s no longer exists.") % {"name": update.ci_name})
    ci = cmdb.lock_item(ConfigurationItem(pk=update.ci_id), None)
    if update.field.startswith("attributes."):
        code = update.field.removeprefix("attributes.")
        if _attribute_definition(ci, code) is None:
            raise DomainError(
                _("The type %(type)s no longer has the attribute %(code)s.")
                % {"type": ci.ci_type.name, "code": code}
            )
        data = _item_data(ci, attributes={code: update.new_value})
    elif update.field in OWN_FIELDS:
        data = _item_data(ci, **{update.field: update.new_value})
    else:
        raise DomainError(_("Unknown field %(field)s.") % {"field": update.field})
    try:
        return cmdb.update_item(ci, actor=actor, data=data, expected_version=None, reason=reason)
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
        raise DomainError(f"{exc.message} {details}".strip()) from None


def _end(ci_id: int | None, name: str, new: CmdbUpdate | None) -> ConfigurationItem:
    if new is not None:
        new.refresh_from_db(fields=["status", "result_ci"])
        if new.status != CmdbUpdateStatus.APPLIED or new.result_ci_id is None:
            raise DomainError(
                _("The new configuration item %(name)s has not been created.") % {"name": new.name}
            )
        ci = ConfigurationItem.objects.filter(pk=new.result_ci_id).first()
    else:
        ci = ConfigurationItem.objects.filter(pk=ci_id).first() if ci_id is not None else None
    if ci is None:
        raise DomainError(_("The configuration item %(name)s no longer exists.") % {"name": name})
    return ci


def _apply_relation(update: CmdbUpdate, actor: User, reason: str) -> ConfigurationItem:
    source = _end(update.ci_id, update.ci_name, update.source_new)
    target = _end(update.target_id, update.target_name, update.target_new)
    cmdb.add_relation(source, actor=actor, target=target, kind=update.relation_kind, reason=reason)
    return source


def apply_cmdb_updates(change: Change, activity: ChangeActivity, *, actor: User) -> list[CmdbUpdate]:
    """Apply the proposed CMDB updates of `activity` (locked, with `change`, by the caller: see
    `complete_activity`), in the order they were proposed, each in a savepoint: one that fails is
    marked failed with the reason and the others go on. Returns the updates tried."""
    reason = reason_for(change)
    updates = list(
        CmdbUpdate.objects.filter(activity=activity, status=CmdbUpdateStatus.PROPOSED)
        .select_related("ci_type", "source_new", "target_new")
        .order_by("id")
    )
    for update in updates:
        try:
            with transaction.atomic():
                if update.kind == CmdbUpdateKind.NEW_CI:
                    result = _apply_new_ci(change, update, actor, reason)
                elif update.kind == CmdbUpdateKind.ATTRIBUTE:
                    result = _apply_attribute(update, actor, reason)
                else:
                    result = _apply_relation(update, actor, reason)
        except DomainError as exc:
            _mark(change, update, actor, failed=exc.message)
        except Exception as exc:  # one broken update must not stop the others nor the completion
            logger.exception("CMDB update %s of change %s failed", update.pk, change.pk)
            _mark(change, update, actor, failed=_("Unexpected error: %(error)s") % {"error": exc})
        else:
            update.result_ci = result
            _mark(change, update, actor)
    return updates


def _mark(change: Change, update: CmdbUpdate, actor: User, *, failed: str = "") -> None:
    update.status = CmdbUpdateStatus.FAILED if failed else CmdbUpdateStatus.APPLIED
    update.message = failed[:4000]
    update.applied_at = clock.now()
    update.save(update_fields=["status", "message", "applied_at", "result_ci"])
    action = ChangeAction.CMDB_FAILED if failed else ChangeAction.CMDB_APPLIED
    record(change, actor, action, field="cmdb", new=update.summary, detail=failed)
