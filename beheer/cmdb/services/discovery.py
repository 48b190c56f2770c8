"""Discovery: a device's interfaces as read from the device (over SNMP, by monitoring, which sits
above the CMDB and hands in plain data) compared with a CI's interfaces, and applied on request.

`plan_discovery(ci, found)` is the diff: new interfaces, changed ones (old -> new per field), the
unchanged count, the CI's interfaces the device no longer has, and what was skipped (a nameless
row, a name or index the device reported twice). `apply_discovery` applies that diff through the
interface services (history included): it creates the new interfaces, updates the changed ones, and
disables or removes only the gone interfaces the administrator ticked; an interface with a link is
never removed (it is disabled instead). A device's interface matches a stored one by ifIndex when
stored, else by name. An empty value on the device (no MAC, no speed, no alias) never erases what the
CMDB holds, and the device's plain "ethernet" never overwrites a "fibre" port. One refused
interface never stops the others: each is written in its own savepoint and reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock, history
from beheer.core.errors import Conflict, DomainError
from beheer.core.text import clean_line, clean_text

from ..models import CiAction, CiHistoryEntry, ConfigurationItem, Interface, InterfaceKind, Link
from .items import lock_item
from .network import (
    LIMITS,
    MAX_SPEED,
    InterfaceData,
    create_interface,
    delete_interface,
    normalise_mac,
    update_interface,
)

MAX_INTERFACES = 5000  # interfaces of one device taken into a plan
MAX_IF_INDEX = 2_147_483_647
FIELDS = ("name", "kind", "speed_mbit", "mac_address", "enabled", "description", "if_index")
ITEM_FIELDS = ("host_name", "description")
SYSTEM_FIELDS = ("name", "description", "object_id", "location", "contact")
ITEM_LIMITS = {"host_name": 255, "description": 2000}


@dataclass(frozen=True)
class FoundInterface:
    """One interface as the device reports it, in the CMDB's terms."""

    if_index: int
    name: str
    kind: str = InterfaceKind.OTHER
    speed_mbit: int | None = None
    mac_address: str = ""  # aa:bb:cc:dd:ee:ff or empty
    enabled: bool = True  # administratively up
    description: str = ""
    operational: bool | None = None  # up on the device right now: shown, not stored


@dataclass(frozen=True)
class FoundDevice:
    """What a device said about itself (the SNMP system group) and its interfaces."""

    name: str = ""
    description: str = ""
    object_id: str = ""
    location: str = ""
    contact: str = ""
    interfaces: tuple[FoundInterface, ...] = ()
    truncated: bool = False  # the device had more interfaces than were read

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FoundDevice:
        """The device back from `to_json` (kept in a session); DomainError for anything else."""
        try:
            rows = tuple(FoundInterface(**row) for row in data.get("interfaces", ()))
            plain = {
                k: str(data.get(k, "")) for k in ("name", "description", "object_id", "location", "contact")
            }
            return cls(**plain, interfaces=rows, truncated=bool(data.get("truncated", False)))
        except (TypeError, AttributeError):
            raise DomainError(
                _("The reading of the device is not readable; read the device again.")
            ) from None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangedInterface:
    interface_id: int
    name: str  # the name in the CMDB now
    version: int
    found: FoundInterface
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class GoneInterface:
    interface_id: int
    name: str
    enabled: bool
    linked: bool


@dataclass(frozen=True)
class SkippedInterface:
    if_index: int
    name: str
    reason: str


@dataclass(frozen=True)
class DiscoveryPlan:
    basis: str  # what the plan was made from: applying against another state is a Conflict
    new: tuple[FoundInterface, ...]
    changed: tuple[ChangedInterface, ...]
    unchanged: int
    gone: tuple[GoneInterface, ...]
    skipped: tuple[SkippedInterface, ...]
    item_changes: tuple[FieldChange, ...]  # the CI's empty fields the device can fill
    truncated: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.gone or self.item_changes)


@dataclass
class DiscoveryResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_linked: list[str] = field(default_factory=list)  # ticked for removal, linked: disabled
    failed: list[tuple[str, str]] = field(default_factory=list)  # name, message
    item_changed: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# the plan


def _clean(found: Iterable[FoundInterface]) -> tuple[list[FoundInterface], list[SkippedInterface]]:
    """The device's rows fit for the CMDB (text cleaned and cut to the field lengths, numbers in
    range), and those that are not, with the reason."""
    kept: list[FoundInterface] = []
    skipped: list[SkippedInterface] = []
    indexes: set[int] = set()
    names: set[str] = set()
    for row in list(found)[:MAX_INTERFACES]:
        name = clean_line(str(row.name or "")).strip()[: LIMITS["name"]]
        index = row.if_index if isinstance(row.if_index, int) and 0 < row.if_index <= MAX_IF_INDEX else 0
        reason = ""
        if not index:
            reason = _("The device gave no valid interface index.")
        elif index in indexes:
            reason = _("The device reported this interface index twice.")
        elif not name:
            reason = _("The device gave no name.")
        elif name in names:
            reason = _("The device has another interface with this name.")
        if reason:
            skipped.append(SkippedInterface(if_index=index, name=name, reason=reason))
            continue
        indexes.add(index)
        names.add(name)
        speed = (
            row.speed_mbit if isinstance(row.speed_mbit, int) and 0 < row.speed_mbit <= MAX_SPEED else None
        )
        kept.append(
            FoundInterface(
                if_index=index,
                name=name,
                kind=row.kind if row.kind in InterfaceKind.values else InterfaceKind.OTHER,
                speed_mbit=speed,
                mac_address=_mac(row.mac_address),
                enabled=bool(row.enabled),
                description=clean_line(str(row.description or "")).strip()[: LIMITS["description"]],
                operational=row.operational if isinstance(row.operational, bool) else None,
            )
        )
    return kept, skipped


def _mac(value: Any) -> str:
    try:
        return normalise_mac(str(value or ""))
    except DomainError:
        return ""


def target_values(current: Interface, found: FoundInterface) -> dict[str, Any]:
    """What `current` becomes by the device: an empty device value keeps the stored one; a port the
    device calls ethernet stays fibre, and an unknown kind keeps the stored kind."""
    kind = found.kind
    if kind == InterfaceKind.OTHER or (
        kind == InterfaceKind.ETHERNET and current.kind == InterfaceKind.FIBRE
    ):
        kind = current.kind
    return {
        "name": found.name,
        "kind": kind,
        "speed_mbit": found.speed_mbit or current.speed_mbit,
        "mac_address": found.mac_address or current.mac_address,
        "enabled": found.enabled,
        "description": found.description or current.description,
        "if_index": found.if_index,
    }


def shown(name: str, value: Any) -> str:
    """A value of an interface field as the diff shows it."""
    if value is None or value == "":
        return "—"
    if name == "kind":
        return str(InterfaceKind(value).label) if value in InterfaceKind.values else str(value)
    if name == "enabled":
        return _("enabled") if value else _("disabled")
    if name == "speed_mbit":
        return f"{value} Mbit/s"
    return str(value)


def _linked_ids(ci: ConfigurationItem) -> set[int]:
    pairs = Link.objects.filter(Q(a_interface__ci=ci) | Q(b_interface__ci=ci)).values_list(
        "a_interface_id", "b_interface_id"
    )
    return {pk for pair in pairs for pk in pair}


def _basis(ci: ConfigurationItem, existing: list[Interface]) -> str:
    state = ";".join(f"{i.pk}:{i.version}" for i in sorted(existing, key=lambda i: i.pk))
    return hashlib.sha256(f"{ci.pk}:{ci.version}|{state}".encode()).hexdigest()[:16]


def _item_changes(ci: ConfigurationItem, found: FoundDevice) -> list[FieldChange]:
    """The CI's empty host name and description, as the device's name and description fill them."""
    out: list[FieldChange] = []
    for name, value in (("host_name", found.name), ("description", found.description)):
        if name == "host_name":
            text = clean_line(str(value or "")).strip().lower().rstrip(".")[: ITEM_LIMITS[name]]
        else:
            text = clean_text(str(value or "")).strip()[: ITEM_LIMITS[name]]
        if text and not getattr(ci, name).strip():
            out.append(FieldChange(name, "—", text))
    return out


def plan_discovery(ci: ConfigurationItem, found: FoundDevice) -> DiscoveryPlan:
    """What applying the device's reading would change on the CI: three queries."""
    existing = list(Interface.objects.filter(ci=ci).order_by("name", "id"))
    linked = _linked_ids(ci)
    rows, skipped = _clean(found.interfaces)
    by_index = {i.if_index: i for i in existing if i.if_index is not None}
    by_name = {i.name: i for i in existing}
    matched: dict[int, Interface] = {}  # if_index -> the stored interface
    used: set[int] = set()
    for row in rows:  # by index first, so a renamed port stays the same interface
        match = by_index.get(row.if_index)
        if match is not None and match.pk not in used:
            matched[row.if_index] = match
            used.add(match.pk)
    for row in rows:
        match = by_name.get(row.name)
        if row.if_index not in matched and match is not None and match.pk not in used:
            matched[row.if_index] = match
            used.add(match.pk)
    new: list[FoundInterface] = []
    changed: list[ChangedInterface] = []
    unchanged = 0
    for row in rows:
        current = matched.get(row.if_index)
        if current is None:
            new.append(row)
            continue
        target = target_values(current, row)
        changes = tuple(
            FieldChange(name, shown(name, getattr(current, name)), shown(name, target[name]))
            for name in FIELDS
            if getattr(current, name) != target[name]
        )
        if changes:
            changed.append(ChangedInterface(current.pk, current.name, current.version, row, changes))
        else:
            unchanged += 1
    gone = tuple(GoneInterface(i.pk, i.name, i.enabled, i.pk in linked) for i in existing if i.pk not in used)
    return DiscoveryPlan(
        basis=_basis(ci, existing),
        new=tuple(new),
        changed=tuple(changed),
        unchanged=unchanged,
        gone=gone,
        skipped=tuple(skipped),
        item_changes=tuple(_item_changes(ci, found)),
        truncated=found.truncated,
    )


# --------------------------------------------------------------------------------------------------
# applying


def _data(values: Mapping[str, Any]) -> InterfaceData:
    return InterfaceData(
        name=values["name"],
        kind=values["kind"],
        speed_mbit=values["speed_mbit"],
        mac_address=values["mac_address"],
        enabled=values["enabled"],
        description=values["description"],
    )


def _set_index(interface_id: int, if_index: int | None, *, bump: bool) -> None:
    changes: dict[str, Any] = {"if_index": if_index}
    if bump:
        changes["version"] = F("version") + 1
    Interface.objects.filter(pk=interface_id).exclude(if_index=if_index).update(**changes)


def _fill_item(ci: ConfigurationItem, changes: Iterable[FieldChange], actor: User) -> list[str]:
    before = history.snapshot(ci, ITEM_FIELDS)
    for change in changes:
        setattr(ci, change.field, change.new)
    found = history.changes_since(before, ci)
    if not found:
        return []
    ci.version += 1
    ci.updated_at = clock.now()
    ci.updated_by = actor
    ci.save(update_fields=[*ITEM_FIELDS, "version", "updated_at", "updated_by"])
    history.record(CiHistoryEntry, ci, actor=actor, action=CiAction.CHANGED, changes=found)
    return [c.field for c in found]


def _each(result: DiscoveryResult, name: str, write: Any) -> bool:
    """Run one interface's write in its own savepoint; a refusal is reported, not raised."""
    try:
        with transaction.atomic():
            write()
    except DomainError as exc:
        detail = "; ".join(exc.field_errors.values()) if exc.field_errors else exc.message
        result.failed.append((name, str(detail)))
        return False
    return True


@transaction.atomic
def apply_discovery(
    ci: ConfigurationItem,
    found: FoundDevice,
    *,
    actor: User,
    disable: Iterable[int] = (),
    remove: Iterable[int] = (),
    fill_item: bool = False,
    expected_basis: str | None = None,
) -> DiscoveryResult:
    """Apply the device's reading to the CI: new interfaces created, changed ones updated; of the
    interfaces the device no longer has, those in `disable` are disabled and those in `remove`
    removed (a linked one is disabled instead); ids of other interfaces are ignored. With
    `fill_item` the CI's empty host name and description are filled from the device. The CI is
    locked, so two discoveries of one CI never interleave; `expected_basis` (the plan's `basis`)
    refuses a change when the CI or its interfaces changed since that plan was shown."""
    access.ensure_staff(actor)
    current = lock_item(ci, None)
    plan = plan_discovery(current, found)
    if expected_basis is not None and expected_basis != plan.basis:
        raise Conflict(_("The interfaces changed since the device was read. Read it again and try again."))
    result = DiscoveryResult()
    stored = {i.pk: i for i in Interface.objects.filter(ci=current)}
    for change in plan.changed:  # first, so renamed ports free their names for new ones
        interface = stored[change.interface_id]
        values = target_values(interface, change.found)

        def update(
            interface: Interface = interface, values: dict[str, Any] = values, version: int = change.version
        ) -> None:
            updated = update_interface(interface, actor=actor, data=_data(values), expected_version=version)
            _set_index(updated.pk, values["if_index"], bump=updated.version == version)

        if _each(result, change.name, update):
            result.updated.append(change.found.name)
    for row in plan.new:

        def create(row: FoundInterface = row) -> None:
            made = create_interface(current, actor=actor, data=_data(asdict(row)))
            _set_index(made.pk, row.if_index, bump=False)

        if _each(result, row.name, create):
            result.created.append(row.name)
    _apply_gone(plan, stored, set(disable), set(remove), actor, result)
    if fill_item and plan.item_changes:
        result.item_changed = _fill_item(current, plan.item_changes, actor)
    return result


def _apply_gone(
    plan: DiscoveryPlan,
    stored: dict[int, Interface],
    disable: set[int],
    remove: set[int],
    actor: User,
    result: DiscoveryResult,
) -> None:
    for gone in plan.gone:
        interface = stored[gone.interface_id]
        if gone.interface_id in remove and not gone.linked:
            if _each(result, gone.name, lambda i=interface: delete_interface(i, actor=actor)):
                result.removed.append(gone.name)
            continue
        if gone.interface_id not in remove and gone.interface_id not in disable:
            continue
        if gone.interface_id in remove:
            result.kept_linked.append(gone.name)
        if not interface.enabled:
            continue
        values = {n: getattr(interface, n) for n in FIELDS} | {"enabled": False}

        def off(i: Interface = interface, values: dict[str, Any] = values) -> None:
            update_interface(i, actor=actor, data=_data(values), expected_version=i.version)

        if _each(result, gone.name, off):
            result.disabled.append(gone.name)
