"""Configuration items: create, change and remove them, with their custom attributes and users.

Operators (and coordinators and administrators) keep the CMDB; removing a CI is for coordinators and
administrators (retiring it, status "retired", keeps its history and relations and is what people
normally do). Every change is in the CI's history, old -> new, custom attributes as
`attributes.<code>` with references by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import Branch, Department, Location, User
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError, PermissionDenied

from .. import attributes
from ..models import (
    AttributeDefinition,
    AttributeKind,
    CiAction,
    CiAttributeValue,
    CiEnvironment,
    CiHistoryEntry,
    CiStatus,
    CiType,
    ConfigurationItem,
    Supplier,
)

HISTORY_FIELDS = (
    "name",
    "ci_type",
    "status",
    "environment",
    "owner",
    "branch",
    "department",
    "location",
    "supplier",
    "asset_tag",
    "serial_number",
    "host_name",
    "addresses",
    "purchase_date",
    "warranty_until",
    "cost",
    "description",
)
REFERENCES = ("ci_type", "owner", "branch", "department", "location", "supplier")
LIMITS = {"name": 200, "asset_tag": 60, "serial_number": 100, "host_name": 255}
MAX_USERS = 500


@dataclass(frozen=True)
class ItemData:
    """What a person defines for a CI; `attributes` by code, as a form (text) or the API (JSON) sends
    them; an empty value removes the attribute. `environment` is a CiEnvironment value or "" (none);
    None leaves the CI's environment as it is (a new CI gets none), for callers that do not set it."""

    name: str
    ci_type: CiType
    status: str = CiStatus.IN_USE
    environment: str | None = None
    owner: User | None = None
    users: Sequence[User] = ()
    branch: Branch | None = None
    department: Department | None = None
    location: Location | None = None
    supplier: Supplier | None = None
    asset_tag: str = ""
    serial_number: str = ""
    host_name: str = ""
    addresses: str = ""
    purchase_date: date | None = None
    warranty_until: date | None = None
    cost: Decimal | None = None
    description: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


def _ensure_remover(actor: User) -> None:
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators and administrators may remove configuration items."))


def _text(value: str, name: str, errors: dict[str, str], *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = _("Required.")
    elif name in LIMITS and len(text) > LIMITS[name]:
        errors[name] = _("At most %(limit)d characters.") % {"limit": LIMITS[name]}
    return text


Cleaned = list[tuple[AttributeDefinition, attributes.Cleaned | None]]
TagTaken = Callable[[str], bool]


@dataclass
class _Checked:
    """One CI's data checked without the reference attributes' existence (`_check_references`):
    its own values, its attribute values (definition, cleaned or None), the references it names by
    attribute code, and every field that is wrong so far."""

    values: dict[str, Any]
    cleaned: Cleaned
    errors: dict[str, str]
    ci_refs: dict[str, int]
    person_refs: dict[str, int]


def _definitions(ci_type: CiType) -> dict[str, AttributeDefinition]:
    return {d.code: d for d in AttributeDefinition.objects.filter(ci_type=ci_type)}


def _check(data: ItemData, ci: ConfigurationItem | None) -> tuple[dict[str, Any], Cleaned]:
    """The CI's own values and its attribute values (definition, cleaned or None), or DomainError
    with every field that is wrong."""

    def taken(tag: str) -> bool:
        found = ConfigurationItem.objects.filter(asset_tag=tag)
        return (found.exclude(pk=ci.pk) if ci is not None else found).exists()

    checked = _inspect(data, ci, _definitions(data.ci_type), taken)
    known_cis = set(
        ConfigurationItem.objects.filter(pk__in=checked.ci_refs.values()).values_list("pk", flat=True)
    )
    known_people = set(User.objects.filter(pk__in=checked.person_refs.values()).values_list("pk", flat=True))
    _check_references(checked, known_cis, known_people)
    if checked.errors:
        raise _refused(checked.errors)
    return checked.values, checked.cleaned


def _refused(errors: dict[str, str]) -> DomainError:
    return DomainError(_("Check the highlighted fields."), field_errors=errors)


def _inspect(
    data: ItemData,
    ci: ConfigurationItem | None,
    definitions: Mapping[str, AttributeDefinition],
    taken: TagTaken,
) -> _Checked:
    """Every check of `_check` but whether the referred CIs and people exist; `definitions` are the
    type's attribute definitions by code, `taken(tag)` whether another CI has the asset tag."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": _text(data.name, "name", errors, required=True),
        "asset_tag": _text(data.asset_tag, "asset_tag", errors),
        "serial_number": _text(data.serial_number, "serial_number", errors),
        "host_name": _text(data.host_name, "host_name", errors).lower(),
        "addresses": "\n".join(line.strip() for line in (data.addresses or "").splitlines() if line.strip()),
        "description": (data.description or "").strip(),
    }
    if data.status not in CiStatus.values:
        errors["status"] = _("Unknown status.")
    if data.environment is not None:
        environment = (data.environment or "").strip()
        if environment and environment not in CiEnvironment.values:
            errors["environment"] = _("Unknown environment.")
        values["environment"] = environment
    if not data.ci_type.active and (ci is None or ci.ci_type_id != data.ci_type.pk):
        errors["ci_type"] = _("This type is no longer in use.")
    if data.location is not None and data.branch is not None and data.location.branch_id != data.branch.pk:
        errors["location"] = _("This location is not in the chosen branch.")
    if (
        data.supplier is not None
        and not data.supplier.active
        and (ci is None or ci.supplier_id != data.supplier.pk)
    ):
        errors["supplier"] = _("This supplier is no longer active.")
    if data.purchase_date and data.warranty_until and data.warranty_until < data.purchase_date:
        errors["warranty_until"] = _("The warranty cannot end before the purchase date.")
    if data.cost is not None:
        try:
            cost = Decimal(data.cost)
            if not cost.is_finite() or cost < 0 or cost >= Decimal("1e10"):
                raise InvalidOperation
        except (InvalidOperation, ValueError, TypeError):
            errors["cost"] = _("Enter an amount from 0 up to 10 billion.")
    if len(data.users) > MAX_USERS:
        errors["users"] = _("At most %(limit)d users.") % {"limit": MAX_USERS}
    if values["asset_tag"] and not errors.get("asset_tag") and taken(values["asset_tag"]):
        errors["asset_tag"] = _("Another configuration item has this asset tag.")
    checked = _Checked(values, [], errors, {}, {})
    _check_attributes(data, ci, definitions, checked)
    return checked


def _check_attributes(
    data: ItemData,
    ci: ConfigurationItem | None,
    definitions: Mapping[str, AttributeDefinition],
    checked: _Checked,
) -> None:
    errors = checked.errors
    for code in data.attributes:
        if code not in definitions:
            errors[f"attributes.{code}"] = _("The type %(type)s has no attribute %(code)s.") % {
                "type": data.ci_type.name,
                "code": code,
            }
    for code, definition in definitions.items():
        key = f"attributes.{code}"
        raw = data.attributes.get(code)
        if not definition.active:
            continue  # an attribute no longer in use keeps its value, but takes no new one
        if attributes.is_empty(raw):
            if definition.required:
                errors[key] = _("Required.")
            checked.cleaned.append((definition, None))
            continue
        try:
            value = attributes.clean(definition.kind, raw, choices=definition.choices or ())
        except attributes.Invalid as exc:
            errors[key] = str(exc)
            continue
        if definition.kind == AttributeKind.CI and value.ref_id is not None:
            checked.ci_refs[code] = value.ref_id
            if ci is not None and value.ref_id == ci.pk:
                errors[key] = _("A configuration item cannot refer to itself.")
        elif definition.kind == AttributeKind.PERSON and value.ref_id is not None:
            checked.person_refs[code] = value.ref_id
        checked.cleaned.append((definition, value))


def _check_references(checked: _Checked, known_cis: set[int], known_people: set[int]) -> None:
    """Refuse the reference attributes whose CI or person (by id) is not among the known ones."""
    for code, pk in checked.ci_refs.items():
        if pk not in known_cis:
            checked.errors[f"attributes.{code}"] = _("Choose an existing configuration item.")
    for code, pk in checked.person_refs.items():
        if pk not in known_people:
            checked.errors[f"attributes.{code}"] = _("Choose an existing person.")


def attribute_texts(ci: ConfigurationItem) -> dict[str, str]:
    """The CI's custom attributes as its history shows them: `attributes.<code>` -> text, references
    by name."""
    rows = CiAttributeValue.objects.filter(ci=ci).select_related("definition", "ref_ci", "ref_person")
    return {f"attributes.{row.definition.code}": value_text(row) for row in rows}


def value_text(row: CiAttributeValue) -> str:
    if row.ref_ci_id is not None:
        return str(row.ref_ci)
    if row.ref_person_id is not None:
        return str(row.ref_person)
    if row.flag is not None:
        return "true" if row.flag else "false"
    if row.number is not None:
        return format(row.number.normalize(), "f")
    if row.date is not None:
        return row.date.isoformat()
    return row.text


def _columns(definition: AttributeDefinition, value: attributes.Cleaned) -> dict[str, Any]:
    """A CiAttributeValue's value columns for the cleaned value."""
    return {
        "text": value.text,
        "number": value.number,
        "date": value.date,
        "flag": value.flag,
        "ref_ci_id": value.ref_id if definition.kind == AttributeKind.CI else None,
        "ref_person_id": value.ref_id if definition.kind == AttributeKind.PERSON else None,
    }


def _store_attributes(
    ci: ConfigurationItem, cleaned: list[tuple[AttributeDefinition, attributes.Cleaned | None]]
) -> None:
    existing = {row.definition_id: row for row in CiAttributeValue.objects.filter(ci=ci)}
    new_rows = []
    for definition, value in cleaned:
        row = existing.get(definition.pk)
        if value is None:
            if row is not None:
                row.delete()
            continue
        columns = _columns(definition, value)
        if row is None:
            new_rows.append(CiAttributeValue(ci=ci, definition=definition, **columns))
        elif any(getattr(row, name) != v for name, v in columns.items()):
            for name, v in columns.items():
                setattr(row, name, v)
            row.save(update_fields=list(columns))
    CiAttributeValue.objects.bulk_create(new_rows)


def _snapshot(ci: ConfigurationItem) -> history.Snapshot:
    users = sorted(str(u) for u in ci.users.all())
    return history.snapshot(ci, HISTORY_FIELDS, extra={"users": ", ".join(users), **attribute_texts(ci)})


def _apply(ci: ConfigurationItem, data: ItemData, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(ci, name, value)
    ci.ci_type = data.ci_type
    ci.status = data.status
    ci.owner = data.owner
    ci.branch = data.branch
    ci.department = data.department
    ci.location = data.location
    ci.supplier = data.supplier
    ci.purchase_date = data.purchase_date
    ci.warranty_until = data.warranty_until
    ci.cost = None if data.cost is None else Decimal(data.cost).quantize(Decimal("0.01"))


def _save(ci: ConfigurationItem) -> None:
    try:
        with transaction.atomic():
            ci.save()
    except IntegrityError:  # a concurrent CI took the asset tag
        message = _("Another configuration item has this asset tag.")
        raise DomainError(message, field_errors={"asset_tag": message}) from None


@transaction.atomic
def create_item(*, actor: User, data: ItemData, reason: str = "") -> ConfigurationItem:
    """A new CI with its attributes and users; `reason` (e.g. the change that brought it) goes
    into its history."""
    access.ensure_staff(actor)
    values, cleaned = _check(data, None)
    now = clock.now()
    ci = ConfigurationItem(created_at=now, updated_at=now, created_by=actor, updated_by=actor)
    _apply(ci, data, values)
    _save(ci)
    ci.users.set(data.users)
    _store_attributes(ci, cleaned)
    history.record(CiHistoryEntry, ci, actor=actor, action=CiAction.CREATED, at=now, detail=reason)
    return ci


@transaction.atomic
def create_items(*, actor: User, rows: Sequence[ItemData]) -> list[ConfigurationItem | DomainError]:
    """New CIs at once (an import): per row the new CI, or the DomainError `create_item` would raise
    for it, in the rows' order; a refused row writes nothing, the others are written all the same.

    The same checks as `create_item`, done for the whole batch with a fixed number of queries (the
    types' attribute definitions, the asset tags taken, the referred CIs and people), and the writes
    in bulk: the CIs, their users, attribute values and "created" history rows. An asset tag is
    unique within the batch too: a row is refused when an earlier accepted row has its tag. When a
    concurrent CI takes an asset tag meanwhile, the rows are created one by one through
    `create_item`, so only the row concerned is refused."""
    access.ensure_staff(actor)
    if not rows:
        return []
    definitions: dict[int, dict[str, AttributeDefinition]] = {}
    for definition in AttributeDefinition.objects.filter(ci_type__in={data.ci_type.pk for data in rows}):
        definitions.setdefault(definition.ci_type_id, {})[definition.code] = definition
    tags = sorted({tag for data in rows if (tag := (data.asset_tag or "").strip())})
    taken: set[str] = set()
    for start in range(0, len(tags), LOOKUP_CHUNK):
        found = ConfigurationItem.objects.filter(asset_tag__in=tags[start : start + LOOKUP_CHUNK])
        taken.update(found.values_list("asset_tag", flat=True))
    checks = [_inspect(data, None, definitions.get(data.ci_type.pk, {}), taken.__contains__) for data in rows]
    known_cis = _existing(ConfigurationItem, {pk for c in checks for pk in c.ci_refs.values()})
    known_people = _existing(User, {pk for c in checks for pk in c.person_refs.values()})
    results: dict[int, ConfigurationItem | DomainError] = {}
    accepted: list[tuple[int, ItemData, _Checked]] = []
    claimed: set[str] = set()  # the asset tags of the batch's accepted rows
    for index, (data, checked) in enumerate(zip(rows, checks, strict=True)):
        _check_references(checked, known_cis, known_people)
        tag = checked.values["asset_tag"]
        if tag and tag in claimed and "asset_tag" not in checked.errors:
            checked.errors = _with_error_before_attributes(
                checked.errors, "asset_tag", _("Another configuration item has this asset tag.")
            )
        if checked.errors:
            results[index] = _refused(checked.errors)
            continue
        if tag:
            claimed.add(tag)
        accepted.append((index, data, checked))
    try:
        with transaction.atomic():
            for index, ci in _write_new(actor, accepted):
                results[index] = ci
    except IntegrityError:  # a concurrent CI took an asset tag: one by one, each in its savepoint
        for index, data, _checked in accepted:
            try:
                results[index] = create_item(actor=actor, data=data)
            except DomainError as exc:
                results[index] = exc
    return [results[index] for index in range(len(rows))]


LOOKUP_CHUNK = 500  # values in one IN (...) lookup


def _existing(model: Any, pks: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(pks)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        found.update(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _with_error_before_attributes(errors: dict[str, str], name: str, message: str) -> dict[str, str]:
    """`errors` with `name` added where `_inspect` puts it: after the CI's own fields, before the
    attributes (the order in which a form or an import report lists them)."""
    own = {k: v for k, v in errors.items() if not k.startswith("attributes.")}
    rest = {k: v for k, v in errors.items() if k.startswith("attributes.")}
    return {**own, name: message, **rest}


def _write_new(
    actor: User, accepted: Sequence[tuple[int, ItemData, _Checked]]
) -> list[tuple[int, ConfigurationItem]]:
    now = clock.now()
    made: list[tuple[int, ConfigurationItem]] = []
    for index, data, checked in accepted:
        ci = ConfigurationItem(created_at=now, updated_at=now, created_by=actor, updated_by=actor)
        _apply(ci, data, checked.values)
        made.append((index, ci))
    cis = [ci for _index, ci in made]
    ConfigurationItem.objects.bulk_create(cis)
    through = ConfigurationItem.users.through
    links: list[Any] = []
    values: list[CiAttributeValue] = []
    for (_index, data, checked), ci in zip(accepted, cis, strict=True):
        links.extend(through(configurationitem_id=ci.pk, user_id=pk) for pk in {u.pk for u in data.users})
        values.extend(
            CiAttributeValue(ci=ci, definition=definition, **_columns(definition, value))
            for definition, value in checked.cleaned
            if value is not None
        )
    through.objects.bulk_create(links)
    CiAttributeValue.objects.bulk_create(values)
    history.record_each(CiHistoryEntry, cis, actor=actor, action=CiAction.CREATED, at=now)
    return made


def lock_item(ci: ConfigurationItem, expected_version: int | None) -> ConfigurationItem:
    return checks.locked_at(
        ConfigurationItem.objects.select_related(*REFERENCES),
        ci.pk,
        expected_version,
        missing=_("Configuration item not found."),
        changed=_("Somebody else changed this configuration item. Reload it and try again."),
    )


@transaction.atomic
def update_item(
    ci: ConfigurationItem, *, actor: User, data: ItemData, expected_version: int | None, reason: str = ""
) -> ConfigurationItem:
    """Change a CI; its history gets a row per changed field and attribute, with `reason` (e.g. the
    change that brought it) as their detail."""
    access.ensure_staff(actor)
    current = lock_item(ci, expected_version)
    values, cleaned = _check(data, current)
    before = _snapshot(current)
    type_changed = current.ci_type_id != data.ci_type.pk
    _apply(current, data, values)
    if type_changed:  # the old type's attributes do not apply to the new one
        CiAttributeValue.objects.filter(ci=current).exclude(definition__ci_type=data.ci_type).delete()
    current.users.set(data.users)
    _store_attributes(current, cleaned)
    users = sorted(str(u) for u in current.users.all())
    changes = history.changes_since(
        before, current, extra={"users": ", ".join(users), **attribute_texts(current)}
    )
    if not changes:
        return current
    current.version += 1
    current.updated_at = clock.now()
    current.updated_by = actor
    _save(current)
    history.record(
        CiHistoryEntry, current, actor=actor, action=CiAction.CHANGED, changes=changes, detail=reason
    )
    return current


@transaction.atomic
def delete_item(ci: ConfigurationItem, *, actor: User, expected_version: int | None) -> None:
    """Remove a CI with its relations and attribute values; its history stays, with its name.
    Attributes of other CIs that referred to it are emptied (and say so in their history)."""
    _ensure_remover(actor)
    current = lock_item(ci, expected_version)
    referring = CiAttributeValue.objects.filter(ref_ci=current).select_related("ci", "definition")
    for row in referring:
        history.record(
            CiHistoryEntry,
            row.ci,
            actor=actor,
            action=CiAction.CHANGED,
            field=f"attributes.{row.definition.code}",
            old=current.name,
        )
    referring.delete()
    history.record(CiHistoryEntry, current, actor=actor, action=CiAction.DELETED)
    current.delete()
