"""Importing licences through the licence services (`create_licence`, `update_licence`,
`assign_licence`).

The licence model is its code or its label in either language; the supplier is found by name, the
application by CI name or asset tag, the owner by username or e-mail address. The `assigned_to`
column lists CIs (name or asset tag) and people (username or e-mail address) separated by ";": each
one not yet assigned gets an assignment; assignments the file does not name stay (an import adds,
it never removes). Each row runs in a savepoint of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core.errors import DomainError

from ... import attributes
from ... import imports as reader
from ...models import ConfigurationItem, Licence, LicenceAssignment, LicenceModel, Supplier
from ...models.licences import DEFAULT_REMIND_DAYS
from ..licences import LicenceData, assign_licence, create_licence, update_licence
from .base import CREATE, REJECT, UNCHANGED, UPDATE, Importer, RowResult, choice_lookup, chunks
from .people import formula_message

Refuse = Callable[[str, str], None]
Holder = ConfigurationItem | User
TEXTS = ("product", "reference", "notes")


def split_names(value: str) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in value.split(";") if name.strip()))


class LicenceImporter(Importer):
    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        self.models = choice_lookup(LicenceModel.choices)
        self.suppliers = self.by_name(Supplier, self.values(rows, "supplier"))
        assigned: set[str] = set()
        for value in self.values(rows, reader.ASSIGNED_TO):
            assigned.update(split_names(value))
        self.people = self.load_people(self.values(rows, "owner") | assigned)
        self.cis_by_name: dict[str, list[ConfigurationItem]] = {}
        self.cis_by_tag: dict[str, list[ConfigurationItem]] = {}
        for chunk in chunks(self.values(rows, "application") | assigned):
            for ci in ConfigurationItem.objects.filter(Q(name__in=chunk) | Q(asset_tag__in=chunk)):
                self.cis_by_name.setdefault(ci.name, []).append(ci)
                if ci.asset_tag:
                    self.cis_by_tag.setdefault(ci.asset_tag, []).append(ci)
        self.existing: dict[str, list[Licence]] = {}
        for chunk in chunks(self.values(rows, self.key)):
            found = Licence.objects.filter(**{f"{self.key}__in": chunk})
            for licence in found.select_related("application", "supplier", "owner"):
                self.existing.setdefault(str(getattr(licence, self.key)), []).append(licence)
        self.holders: dict[int, set[tuple[str, int]]] = {}
        ids = [lic.pk for found in self.existing.values() for lic in found]
        for start in range(0, len(ids), 500):
            batch = LicenceAssignment.objects.filter(licence_id__in=ids[start : start + 500])
            for licence_id, ci_id, person_id in batch.values_list("licence_id", "ci_id", "person_id"):
                holder = ("ci", ci_id) if ci_id else ("person", person_id)
                self.holders.setdefault(licence_id, set()).add(holder)
        self.seen: dict[str, int] = {}

    def row(self, number: int, cells: list[Any]) -> RowResult:
        errors: list[tuple[str, str]] = []

        def refuse(name: str, message: str) -> None:
            errors.append((self.columns.title(name), message))

        key_value = self.txt(cells, self.key)
        current: Licence | None = None
        if not key_value:
            refuse(self.key, _("Required: this is the key column."))
        elif key_value in self.seen:
            refuse(self.key, _("Row %(row)d has the same key.") % {"row": self.seen[key_value]})
        else:
            self.seen[key_value] = number
            matches = self.existing.get(key_value, [])
            if len(matches) > 1:
                refuse(self.key, _("Several licences have this value."))
            elif matches:
                current = matches[0]
        values = self._values(cells, current, refuse)
        holders = self._holders(cells, values.get("licence_model", ""), refuse)
        if errors:
            return RowResult(number, REJECT, key_value, errors)
        try:
            with transaction.atomic():
                action, licence = self._write(current, LicenceData(**values), holders)
        except DomainError as exc:
            return self.refused(number, key_value, exc)
        self.existing[key_value] = [licence]
        return RowResult(number, action, key_value)

    def column(self, service_field: str) -> str:
        if service_field in ("ci", "person"):
            return self.columns.title(reader.ASSIGNED_TO)
        return super().column(service_field)

    # --- reading a row

    def _values(self, cells: list[Any], current: Licence | None, refuse: Refuse) -> dict[str, Any]:
        """LicenceData's arguments: the file's columns, else the licence's own values (or defaults)."""
        values: dict[str, Any] = {"remind_days": DEFAULT_REMIND_DAYS, "licence_model": "", "start_date": None}
        if current is not None:
            values = {name: getattr(current, name) for name in reader.LICENCE_FIELDS}
        for name in TEXTS:
            if self.has(name):
                values[name] = self.txt(cells, name)
                if reader.formula(values[name]):
                    refuse(name, formula_message())
        if self.has("licence_model"):
            wanted = self.txt(cells, "licence_model").lower()
            model = self.models.get(wanted) or self.models.get(wanted.replace(" ", "_").replace("-", "_"))
            if model is None:
                refuse("licence_model", _("Unknown licence model.") if wanted else _("Required."))
            values["licence_model"] = model or ""
        elif current is None:
            refuse("licence_model", _("Required."))
        for name in ("entitlements", "remind_days"):
            if self.has(name):
                try:
                    number = reader.parse_int(self.raw(cells, name))
                except ValueError:
                    refuse(name, _("Enter a whole number."))
                    continue
                values[name] = DEFAULT_REMIND_DAYS if name == "remind_days" and number is None else number
        if self.has("supplier"):
            wanted = self.txt(cells, "supplier")
            values["supplier"] = self.suppliers.get(wanted.lower()) if wanted else None
            if wanted and values["supplier"] is None:
                refuse("supplier", _("Unknown supplier."))
        if self.has("application"):
            values["application"] = self._ci(self.txt(cells, "application"), "application", refuse)
        if self.has("owner"):
            wanted = self.txt(cells, "owner")
            values["owner"] = self.people.get(wanted.lower()) if wanted else None
            if wanted and values["owner"] is None:
                refuse("owner", _("No person has this user name or e-mail address."))
        for name in ("start_date", "expiry_date"):
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
        return values

    def _ci(self, wanted: str, name: str, refuse: Refuse) -> ConfigurationItem | None:
        if not wanted:
            return None
        found = self.cis_by_tag.get(wanted) or self.cis_by_name.get(wanted, [])
        if len(found) == 1:
            return found[0]
        refuse(
            name,
            _("Several configuration items have this name.")
            if found
            else _("No configuration item has this name or asset tag."),
        )
        return None

    def _holders(self, cells: list[Any], model: str, refuse: Refuse) -> list[Holder]:
        """The CIs and people of `assigned_to`: a CI for a per-device licence, a person for a per-user
        one, whichever the name finds for the other models."""
        if not self.has(reader.ASSIGNED_TO):
            return []
        holders: list[Holder] = []
        for wanted in split_names(self.txt(cells, reader.ASSIGNED_TO)):
            cis = self.cis_by_tag.get(wanted) or self.cis_by_name.get(wanted, [])
            person = self.people.get(wanted.lower())
            if model == LicenceModel.PER_USER:
                cis = []
            elif model == LicenceModel.PER_DEVICE:
                person = None
            problem = ""
            if len(cis) > 1:
                problem = _("Several configuration items have this name.")
            elif cis and person is not None:
                problem = _("Both a configuration item and a person have this name.")
            elif cis:
                holders.append(cis[0])
            elif person is not None:
                holders.append(person)
            else:
                problem = _("No configuration item or person has this name.")
            if problem:
                refuse(reader.ASSIGNED_TO, f"{wanted}: {problem}")
        return holders

    # --- writing through the licence services

    def _write(
        self, current: Licence | None, data: LicenceData, holders: list[Holder]
    ) -> tuple[str, Licence]:
        if current is None:
            licence, action = create_licence(actor=self.actor, data=data), CREATE
        else:
            before = current.version
            licence = update_licence(current, actor=self.actor, data=data, expected_version=None)
            action = UNCHANGED if licence.version == before else UPDATE
        have = set(self.holders.get(licence.pk, set()))
        for holder in holders:
            ref = ("ci" if isinstance(holder, ConfigurationItem) else "person", holder.pk)
            if ref in have:
                continue
            if isinstance(holder, ConfigurationItem):
                assign_licence(licence, actor=self.actor, ci=holder)
            else:
                assign_licence(licence, actor=self.actor, person=holder)
            have.add(ref)
            action = UPDATE if action == UNCHANGED else action
        self.holders[licence.pk] = have
        return action, licence
