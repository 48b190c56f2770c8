"""Importing configuration items: new CIs in batches through `create_items`, the others through
`update_item`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from beheer.accounts.models import Branch, Department, Location
from beheer.core.errors import DomainError

from ... import attributes
from ... import imports as reader
from ...models import (
    AttributeDefinition,
    AttributeKind,
    CiEnvironment,
    CiStatus,
    CiType,
    ConfigurationItem,
    Supplier,
)
from ..items import ItemData, create_items, update_item
from .base import (
    BATCH,
    CREATE,
    REJECT,
    UNCHANGED,
    UPDATE,
    Importer,
    RowResult,
    choice_lookup,
    chunks,
    localized_lookup,
)


class ItemImporter(Importer):
    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        self.types = localized_lookup(CiType.objects.all())
        self.statuses = choice_lookup(CiStatus.choices)
        self.environments = choice_lookup(CiEnvironment.choices)
        self.definitions: dict[int, dict[str, AttributeDefinition]] = {}
        for definition in AttributeDefinition.objects.all():
            self.definitions.setdefault(definition.ci_type_id, {})[definition.code] = definition
        owners = self.values(rows, "owner")
        for by_type in self.definitions.values():
            for definition in by_type.values():
                if definition.kind == AttributeKind.PERSON:
                    owners |= self.values(rows, reader.ATTRIBUTE_PREFIX + definition.code)
        self.people = self.load_people(owners)
        self.branches = self.by_name(Branch, self.values(rows, "branch"))
        self.departments = self.by_name(Department, self.values(rows, "department"))
        self.suppliers = self.by_name(Supplier, self.values(rows, "supplier"))
        self.locations: dict[str, list[Location]] = {}
        for chunk in chunks(self.values(rows, "location")):
            for location in Location.objects.filter(name__in=chunk):
                self.locations.setdefault(location.name.lower(), []).append(location)
        self.existing: dict[str, list[ConfigurationItem]] = {}
        for chunk in chunks(self.values(rows, self.key)):
            found = (
                ConfigurationItem.objects.filter(**{f"{self.key}__in": chunk})
                .select_related("ci_type", "owner", "branch", "department", "location", "supplier")
                .prefetch_related("users", "attribute_values__definition")
            )
            for ci in found:
                self.existing.setdefault(str(getattr(ci, self.key)), []).append(ci)
        self.seen: dict[str, int] = {}
        self.pending: list[tuple[RowResult, ItemData]] = []  # new CIs, written by `finish`

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
        if self.has("environment"):  # the code or its English or Dutch label; empty is none
            wanted = self.txt(cells, "environment")
            environment = self.environments.get(wanted.lower(), "") if wanted else ""
            if wanted and not environment:
                refuse("environment", _("Unknown environment."))
            values["environment"] = environment
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
