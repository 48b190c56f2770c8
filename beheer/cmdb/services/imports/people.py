"""Importing people through the account services (`register_person`, `edit_person`, `change_role`,
`activate_person`, `deactivate_person`), so the rules of who may manage whom hold for every row: the
importing actor gives nobody a role above their own, manages nobody above their own role, and the
last active administrator stays. Passwords are never imported: new people have no usable password.

Each row runs in a savepoint of its own, so a row the services refuse halfway (created, then refused
the deactivation) leaves nothing of itself behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import SERVICE_USERNAMES, Branch, Department, Location, Role, User
from beheer.core.errors import DomainError

from ... import imports as reader
from .base import CREATE, REJECT, UNCHANGED, UPDATE, Importer, RowResult, choice_lookup, chunks

TEXT_LIMITS = {
    "username": 150,
    "first_name": 150,
    "last_name": 150,
    "email": 254,
    "phone": 40,
    "mobile": 40,
    "employee_number": 40,
    "job_title": 120,
}
DETAILS = (*TEXT_LIMITS, "language", "branch", "department", "location")
USERNAME = re.compile(r"[\w.@+-]+")
LANGUAGES = {"nl": "nl", "en": "en", "nederlands": "nl", "dutch": "nl", "engels": "en", "english": "en"}
Refuse = Callable[[str, str], None]


def formula_message() -> str:
    return _("A value may not start like a formula (=, +, -, @).")


def too_long(limit: int) -> str:
    return _("At most %(limit)d characters.") % {"limit": limit}


class PeopleImporter(Importer):
    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        self.roles = choice_lookup(Role.choices)
        self.branches = self.by_name(Branch, self.values(rows, "branch"))
        self.departments = self.by_name(Department, self.values(rows, "department"))
        self.locations: dict[str, list[Location]] = {}
        for chunk in chunks(self.values(rows, "location")):
            for location in Location.objects.filter(name__in=chunk):
                self.locations.setdefault(location.name.lower(), []).append(location)
        self.existing: dict[str, list[User]] = {}
        wanted = {v.lower() for v in self.values(rows, self.key)}
        for chunk in chunks(wanted):
            found = User.objects.annotate(match=Lower(self.key)).filter(match__in=chunk)
            for person in found.select_related("branch", "department", "location"):
                self.existing.setdefault(str(getattr(person, self.key)).lower(), []).append(person)
        self.seen: dict[str, int] = {}

    def row(self, number: int, cells: list[Any]) -> RowResult:
        errors: list[tuple[str, str]] = []

        def refuse(name: str, message: str) -> None:
            errors.append((self.columns.title(name), message))

        key_value = self.txt(cells, self.key)
        lowered = key_value.lower()
        current: User | None = None
        if not key_value:
            refuse(self.key, _("Required: this is the key column."))
        elif lowered in self.seen:
            refuse(self.key, _("Row %(row)d has the same key.") % {"row": self.seen[lowered]})
        else:
            self.seen[lowered] = number
            matches = self.existing.get(lowered, [])
            if len(matches) > 1:
                refuse(self.key, _("Several people have this value."))
            elif matches:
                current = matches[0]
                if current.username in SERVICE_USERNAMES:
                    refuse(self.key, _("This is a built-in account of Beheer."))
        details = self._details(cells, current, refuse)
        role = self._role(cells, refuse)
        active = self._active(cells, refuse)
        if current is not None and active is False and current.pk == self.actor.pk:
            refuse("is_active", _("You cannot deactivate yourself."))
        if errors:
            return RowResult(number, REJECT, key_value, errors)
        try:
            with transaction.atomic():
                if current is None:
                    person, action = self._create(details, role, active), CREATE
                else:
                    person, changed = self._update(current, details, role, active)
                    action = UPDATE if changed else UNCHANGED
        except DomainError as exc:
            result = self.refused(number, key_value, exc)
            result.errors = [(column or self.columns.title(self.key), m) for column, m in result.errors]
            return result
        self.existing[lowered] = [person]
        return RowResult(number, action, key_value)

    # --- reading a row

    def _details(self, cells: list[Any], current: User | None, refuse: Refuse) -> dict[str, Any]:
        """edit_person's arguments: the file's columns, else the person's own values (or empty)."""
        values: dict[str, Any] = {name: getattr(current, name) if current else None for name in DETAILS}
        for name, limit in TEXT_LIMITS.items():
            values[name] = values[name] or ""
            if not self.has(name):
                continue
            value = self.txt(cells, name)
            if reader.formula(value):
                refuse(name, formula_message())
            elif len(value) > limit:
                refuse(name, too_long(limit))
            elif name == "email" and value:
                try:
                    validate_email(value)
                except ValidationError:
                    refuse(name, _("Enter a valid e-mail address."))
            elif name == "username" and value and not USERNAME.fullmatch(value):
                refuse(name, _("Use letters, digits and @ . + - _ only."))
            values[name] = value
        if self.has("language"):
            wanted = self.txt(cells, "language").lower()
            values["language"] = LANGUAGES.get(wanted, "") if wanted else ""
            if wanted and wanted not in LANGUAGES:
                refuse("language", _("Unknown language."))
        values["language"] = values["language"] or ""
        for name, table, message in (
            ("branch", self.branches, _("Unknown branch.")),
            ("department", self.departments, _("Unknown department.")),
        ):
            if self.has(name):
                wanted = self.txt(cells, name)
                values[name] = table.get(wanted.lower()) if wanted else None
                if wanted and values[name] is None:
                    refuse(name, message)
        if self.has("location"):
            values["location"] = self._location(self.txt(cells, "location"), values["branch"], refuse)
        return values

    def _location(self, wanted: str, branch: Branch | None, refuse: Refuse) -> Location | None:
        if not wanted:
            return None
        found = self.locations.get(wanted.lower(), [])
        if branch is not None:
            found = [loc for loc in found if loc.branch_id == branch.pk]
        if len(found) == 1:
            return found[0]
        refuse("location", _("Unknown location.") if not found else _("Name the branch too."))
        return None

    def _role(self, cells: list[Any], refuse: Refuse) -> str | None:
        if not self.has("role"):
            return None
        wanted = self.txt(cells, "role")
        if not wanted:
            return None
        role = self.roles.get(wanted.lower())
        if role is None:
            refuse("role", _("Unknown role."))
        elif role not in accounts.assignable_roles(self.actor):
            refuse("role", _("You cannot give anyone a role above your own."))
        return role

    def _active(self, cells: list[Any], refuse: Refuse) -> bool | None:
        if not self.has("is_active"):
            return None
        try:
            return reader.parse_flag(self.raw(cells, "is_active"))
        except ValueError:
            refuse("is_active", _("Enter yes or no."))
            return None

    # --- writing through the account services

    def _create(self, details: dict[str, Any], role: str | None, active: bool | None) -> User:
        person = accounts.register_person(
            actor=self.actor,
            first_name=details["first_name"],
            last_name=details["last_name"],
            email=details["email"],
            phone=details["phone"],
            username=details["username"],
            role=role or Role.CALLER,
            department=details["department"],
            branch=details["branch"],
            location=details["location"],
            password=None,
            language=details["language"],
        )
        if any(details[name] for name in ("mobile", "employee_number", "job_title")):
            person = self._edit(person, details)
        if active is False:
            person = accounts.deactivate_person(person, actor=self.actor)
        return person

    def _edit(self, person: User, details: dict[str, Any]) -> User:
        values = {name: details[name] for name in DETAILS}
        values["username"] = values["username"] or person.username
        return accounts.edit_person(person, actor=self.actor, **values)

    def _update(
        self, current: User, details: dict[str, Any], role: str | None, active: bool | None
    ) -> tuple[User, bool]:
        person, changed = current, False
        if any((details[name] or None) != (getattr(current, name) or None) for name in DETAILS):
            person, changed = self._edit(current, details), True
        if role is not None and role != accounts.effective_role(person):
            person, changed = accounts.change_role(person, role=role, actor=self.actor), True
        if active is not None and active != person.is_active:
            change = accounts.activate_person if active else accounts.deactivate_person
            person, changed = change(person, actor=self.actor), True
        return person, changed
