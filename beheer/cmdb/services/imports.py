"""Importing configuration items and relations from a CSV or XLSX file (`cmdb/imports.py` reads it).

Every row is written through the services (`create_items`, `update_item`, `add_relation`) in one
transaction; a refused row leaves nothing behind. New CIs go to `create_items` in batches of
`BATCH` rows (the same checks as `create_item`, written in bulk); a batch is written before an update
row and before a CI is looked up by name, so every row sees the rows before it as one by one.

The key column (asset tag by default; name, serial number or host name) makes an import idempotent:
a CI with the row's key is updated, otherwise one is created; a second run of the same file finds
every row "unchanged".

A dry run does the same work and rolls the transaction back, so it reports exactly what the import
would do. Without `partial`, any refused row rolls the whole import back (all or nothing); with it,
the good rows are written and the refused ones reported.

References are looked up once for the whole file (types, people, branches, departments, locations,
suppliers, the existing CIs by key, attribute definitions per type), not per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import Branch, Department, Location, User
from beheer.core import access
from beheer.core.errors import DomainError

from .. import attributes
from .. import imports as reader
from ..models import (
    AttributeDefinition,
    AttributeKind,
    CiStatus,
    CiType,
    ConfigurationItem,
    Relation,
    RelationKind,
    Supplier,
)
from .items import ItemData, create_items, update_item
from .relations import add_relation

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REJECT)
CHUNK = 500
BATCH = 1000  # new CIs per `create_items` call
Progress = Callable[[int, int], None]


@dataclass
class RowResult:
    row: int
    action: str
    key: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ImportReport:
    kind: str
    key: str
    dry_run: bool
    partial: bool
    rows: list[RowResult] = field(default_factory=list)
    written: bool = False  # whether the changes stayed in the database

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTIONS}

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == REJECT]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "written": self.written,
            "counts": self.counts,
            "rows": [
                {
                    "row": r.row,
                    "action": r.action,
                    "key": r.key,
                    "errors": [{"column": c, "message": m} for c, m in r.errors],
                }
                for r in self.rows
            ],
        }


def _refuse_file(message: str) -> DomainError:
    return DomainError(message, field_errors={"file": message})


def run_import(
    *,
    actor: User,
    data: bytes,
    filename: str = "",
    kind: str = reader.ITEMS,
    key: str = "asset_tag",
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the file; DomainError (field `file`, `kind` or `key`) when it cannot be read at all."""
    access.ensure_staff(actor)
    if kind not in reader.KINDS:
        message = _("Choose configuration items or relations.")
        raise DomainError(message, field_errors={"kind": message})
    if key not in reader.KEYS:
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(reader.KEYS)}
        raise DomainError(message, field_errors={"key": message})
    try:
        table = reader.read_table(data, filename)
        columns = reader.map_columns(table.header, kind, key=key)
    except reader.FileRefused as exc:
        raise _refuse_file(str(exc)) from None
    report = ImportReport(kind=kind, key=key, dry_run=dry_run, partial=partial)
    importer = (_ItemImporter if kind == reader.ITEMS else _RelationImporter)(actor, columns, key)
    total = len(table.rows)
    with transaction.atomic():
        importer.prepare(table.rows)
        for done, (number, cells) in enumerate(table.rows, start=1):
            report.rows.append(importer.row(number, cells))
            if progress is not None:
                progress(done, total)
        importer.finish()
        keep = not dry_run and (partial or not report.rejected)
        if not keep:
            transaction.set_rollback(True)
    report.written = keep and any(r.action in (CREATE, UPDATE) for r in report.rows)
    return report


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class _Importer:
    def __init__(self, actor: User, columns: reader.Columns, key: str) -> None:
        self.actor = actor
        self.columns = columns
        self.key = key

    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        raise NotImplementedError

    def row(self, number: int, cells: list[Any]) -> RowResult:
        """The row's result; a row written later (`finish`) may still change it."""
        raise NotImplementedError

    def finish(self) -> None:
        """Write what `row` left pending."""

    def values(self, rows: Sequence[tuple[int, list[Any]]], name: str) -> set[str]:
        found = (reader.text(reader.cell(cells, self.columns, name)) for _n, cells in rows)
        return {v for v in found if v}

    def column(self, service_field: str) -> str:
        """The file's title of the column a service's field error is about."""
        if service_field.startswith("attributes."):
            return self.columns.title(reader.ATTRIBUTE_PREFIX + service_field[len("attributes.") :])
        return self.columns.title(service_field)

    def refused(self, number: int, key: str, exc: DomainError) -> RowResult:
        errors = [(self.column(f), str(m)) for f, m in exc.field_errors.items()]
        return RowResult(number, REJECT, key, errors or [("", exc.message)])


def _localized_lookup(rows: Iterable[Any]) -> dict[str, Any]:
    """code, Dutch and English name (lower case) -> row; a name two rows share is left out."""
    found: dict[str, Any] = {}
    doubled: set[str] = set()
    for row in rows:
        for name in {row.code.lower(), row.name_nl.strip().lower(), row.name_en.strip().lower()}:
            if name in found and found[name].pk != row.pk:
                doubled.add(name)
            found[name] = row
    for name in doubled:
        found.pop(name, None)
    return found


def _choice_lookup(choices: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for language in ("en", "nl"):
        with translation.override(language):
            for value, label in choices:
                found.setdefault(str(label).lower(), value)
    found.update({value: value for value, _label in choices})
    return found


class _ItemImporter(_Importer):
    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        self.types = _localized_lookup(CiType.objects.all())
        self.statuses = _choice_lookup(CiStatus.choices)
        self.definitions: dict[int, dict[str, AttributeDefinition]] = {}
        for definition in AttributeDefinition.objects.all():
            self.definitions.setdefault(definition.ci_type_id, {})[definition.code] = definition
        self.people: dict[str, User] = {}
        owners = self.values(rows, "owner")
        for by_type in self.definitions.values():
            for definition in by_type.values():
                if definition.kind == AttributeKind.PERSON:
                    owners |= self.values(rows, reader.ATTRIBUTE_PREFIX + definition.code)
        self._load_people(owners)
        self.branches = self._by_name(Branch, self.values(rows, "branch"))
        self.departments = self._by_name(Department, self.values(rows, "department"))
        self.suppliers = self._by_name(Supplier, self.values(rows, "supplier"))
        self.locations: dict[str, list[Location]] = {}
        for chunk in _chunks(self.values(rows, "location")):
            for location in Location.objects.filter(name__in=chunk):
                self.locations.setdefault(location.name.lower(), []).append(location)
        self.existing: dict[str, list[ConfigurationItem]] = {}
        for chunk in _chunks(self.values(rows, self.key)):
            found = (
                ConfigurationItem.objects.filter(**{f"{self.key}__in": chunk})
                .select_related("ci_type", "owner", "branch", "department", "location", "supplier")
                .prefetch_related("users", "attribute_values__definition")
            )
            for ci in found:
                self.existing.setdefault(str(getattr(ci, self.key)), []).append(ci)
        self.seen: dict[str, int] = {}
        self.pending: list[tuple[RowResult, ItemData]] = []  # new CIs, written by `finish`

    def _load_people(self, values: set[str]) -> None:
        for chunk in _chunks(values):
            lowered = [v.lower() for v in chunk]
            for user in User.objects.filter(
                Q(username__in=chunk) | Q(email__in=chunk) | Q(email__in=lowered)
            ):
                self.people[user.username.lower()] = user
                if user.email:
                    self.people.setdefault(user.email.lower(), user)

    @staticmethod
    def _by_name(model: Any, values: set[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for chunk in _chunks(values):
            for row in model.objects.filter(name__in=chunk):
                found[row.name.lower()] = row
        return found

    def has(self, name: str) -> bool:
        return name in self.columns.fields

    def raw(self, cells: list[Any], name: str) -> Any:
        return reader.cell(cells, self.columns, name)

    def txt(self, cells: list[Any], name: str) -> str:
        return reader.text(self.raw(cells, name))

    def row(self, number: int, cells: list[Any]) -> RowResult:
        errors: list[tuple[str, str]] = []

        def refuse(name: str, message: str) -> None:
            errors.append((self.columns.title(name), message))

        key_value = self.txt(cells, self.key)
        current: ConfigurationItem | None = None
        if not key_value:
            refuse(self.key, _("Required: this is the key column."))
        elif key_value in self.seen:
            refuse(self.key, _("Row %(row)d has the same key.") % {"row": self.seen[key_value]})
        else:
            self.seen[key_value] = number
            matches = self.existing.get(key_value, [])
            if len(matches) > 1:
                refuse(self.key, _("Several configuration items have this value."))
            elif matches:
                current = matches[0]
        values = self._values(cells, current, refuse)
        if errors:
            return RowResult(number, REJECT, key_value, errors)
        data = ItemData(**values)
        if current is None:
            result = RowResult(number, CREATE, key_value)
            self.pending.append((result, data))
            if len(self.pending) >= BATCH:
                self.finish()
            return result
        self.finish()  # the update sees the CIs the rows before it created
        try:
            before = current.version
            ci = update_item(current, actor=self.actor, data=data, expected_version=None)
            self.existing[key_value] = [ci]
            return RowResult(number, UNCHANGED if ci.version == before else UPDATE, key_value)
        except DomainError as exc:
            return self.refused(number, key_value, exc)

    def _values(
        self, cells: list[Any], current: ConfigurationItem | None, refuse: Callable[[str, str], None]
    ) -> dict[str, Any]:
        """ItemData's arguments: the file's columns, the CI's own values for the columns the file
        leaves out (an update), else the defaults."""
        values: dict[str, Any] = {}
        if current is not None:
            values = {name: getattr(current, name) for name in reader.ITEM_FIELDS}
            values["users"] = list(current.users.all())
        for name in ("name", "asset_tag", "serial_number", "host_name", "addresses", "description"):
            if self.has(name):
                values[name] = self.txt(cells, name)
        if self.has("ci_type"):
            ci_type = self.types.get(self.txt(cells, "ci_type").lower())
            if ci_type is None:
                refuse("ci_type", _("Unknown type."))
            values["ci_type"] = ci_type
        if self.has("status"):
            status_text = self.txt(cells, "status")
            if status_text:
                status = self.statuses.get(status_text.lower())
                if status is None:
                    refuse("status", _("Unknown status."))
                values["status"] = status or CiStatus.IN_USE
        lookups = (
            ("owner", self.people, _("No person has this user name or e-mail address.")),
            ("branch", self.branches, _("Unknown branch.")),
            ("department", self.departments, _("Unknown department.")),
            ("supplier", self.suppliers, _("Unknown supplier.")),
        )
        for name, table, message in lookups:
            if self.has(name):
                wanted = self.txt(cells, name)
                values[name] = table.get(wanted.lower()) if wanted else None
                if wanted and values[name] is None:
                    refuse(name, message)
        if self.has("location"):
            values["location"] = self._location(self.txt(cells, "location"), values.get("branch"), refuse)
        for name in reader.DATE_FIELDS:
            if self.has(name):
                try:
                    values[name] = reader.parse_date(self.raw(cells, name))
                except attributes.Invalid as exc:
                    refuse(name, str(exc))
        if self.has("cost"):
            try:
                values["cost"] = reader.parse_amount(self.raw(cells, "cost"))
            except attributes.Invalid as exc:
                refuse("cost", str(exc))
        ci_type = values.get("ci_type")
        values["attributes"] = self._attributes(cells, current, ci_type, refuse) if ci_type else {}
        if "ci_type" not in values:
            refuse("ci_type", _("Required."))
        return values

    def _location(self, wanted: str, branch: Branch | None, refuse: Callable[[str, str], None]) -> Any:
        if not wanted:
            return None
        found = self.locations.get(wanted.lower(), [])
        if branch is not None:
            found = [loc for loc in found if loc.branch_id == branch.pk]
        if len(found) == 1:
            return found[0]
        refuse("location", _("Unknown location.") if not found else _("Name the branch too."))
        return None

    def _attributes(
        self,
        cells: list[Any],
        current: ConfigurationItem | None,
        ci_type: CiType,
        refuse: Callable[[str, str], None],
    ) -> dict[str, Any]:
        definitions = self.definitions.get(ci_type.pk, {})
        result: dict[str, Any] = {}
        if current is not None and current.ci_type_id == ci_type.pk:
            for row in current.attribute_values.all():
                if row.definition.kind in (AttributeKind.CI, AttributeKind.PERSON):
                    result[row.definition.code] = row.ref_ci_id or row.ref_person_id
                else:
                    result[row.definition.code] = attributes.Cleaned(
                        text=row.text, number=row.number, date=row.date, flag=row.flag
                    ).as_text()
        for name in self.columns.fields:
            if not name.startswith(reader.ATTRIBUTE_PREFIX):
                continue
            code = name[len(reader.ATTRIBUTE_PREFIX) :]
            raw = reader.attribute_value(self.raw(cells, name))
            found = definitions.get(code)
            if found is None:
                if raw is not None:
                    refuse(
                        name,
                        _("The type %(type)s has no attribute %(code)s.")
                        % {"type": ci_type.name, "code": code},
                    )
                continue
            if raw is not None and found.kind == AttributeKind.PERSON and not raw.isdigit():
                person = self.people.get(raw.lower())
                if person is None:
                    refuse(name, _("No person has this user name or e-mail address."))
                    continue
                raw = str(person.pk)
            elif raw is not None and found.kind == AttributeKind.CI and not raw.isdigit():
                ci = self._ci_by_name(raw)
                if ci is None:
                    refuse(name, _("Choose an existing configuration item."))
                    continue
                raw = str(ci.pk)
            result[code] = raw
        return result

    def finish(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        made = create_items(actor=self.actor, rows=[data for _result, data in pending])
        for (result, _data), outcome in zip(pending, made, strict=True):
            if isinstance(outcome, DomainError):
                refused = self.refused(result.row, result.key, outcome)
                result.action, result.errors = refused.action, refused.errors
            else:
                self.existing[result.key] = [outcome]

    def _ci_by_name(self, name: str) -> ConfigurationItem | None:
        self.finish()  # a CI an earlier row creates is found by its name
        found = list(ConfigurationItem.objects.filter(name=name)[:2])
        return found[0] if len(found) == 1 else None


class _RelationImporter(_Importer):
    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        self.kinds = _choice_lookup(RelationKind.choices)
        wanted = self.values(rows, "source") | self.values(rows, "target")
        self.by_key: dict[str, list[ConfigurationItem]] = {}
        self.by_name: dict[str, list[ConfigurationItem]] = {}
        for chunk in _chunks(wanted):
            query = Q(name__in=chunk)
            if self.key != "name":
                query |= Q(**{f"{self.key}__in": chunk})
            for ci in ConfigurationItem.objects.filter(query):
                if self.key != "name" and str(getattr(ci, self.key)) in chunk:
                    self.by_key.setdefault(str(getattr(ci, self.key)), []).append(ci)
                self.by_name.setdefault(ci.name, []).append(ci)

    def _end(self, value: str, name: str, refuse: Callable[[str, str], None]) -> ConfigurationItem | None:
        if not value:
            refuse(name, _("Required."))
            return None
        found = self.by_key.get(value) or self.by_name.get(value, [])
        if len(found) == 1:
            return found[0]
        if found:
            refuse(name, _("Several configuration items have this name."))
        else:
            refuse(name, _("No configuration item has this name or key."))
        return None

    def row(self, number: int, cells: list[Any]) -> RowResult:
        errors: list[tuple[str, str]] = []

        def refuse(name: str, message: str) -> None:
            errors.append((self.columns.title(name), message))

        source_text = reader.text(reader.cell(cells, self.columns, "source"))
        target_text = reader.text(reader.cell(cells, self.columns, "target"))
        label = f"{source_text} -> {target_text}"
        source = self._end(source_text, "source", refuse)
        kind_text = reader.text(reader.cell(cells, self.columns, "kind")).lower()
        kind = self.kinds.get(kind_text) or self.kinds.get(kind_text.replace(" ", "_"))
        if kind is None:
            refuse("kind", _("Unknown kind of relation."))
        target = self._end(target_text, "target", refuse)
        if errors or source is None or target is None or kind is None:
            return RowResult(number, REJECT, label, errors)
        if Relation.objects.filter(source=source, target=target, kind=kind).exists():
            return RowResult(number, UNCHANGED, label)
        description = reader.text(reader.cell(cells, self.columns, "description"))
        try:
            add_relation(source, actor=self.actor, target=target, kind=kind, description=description)
        except DomainError as exc:
            return self.refused(number, label, exc)
        return RowResult(number, CREATE, label)
