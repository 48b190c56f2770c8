"""What every import kind shares: the report of a run, the row results, and the importer's base."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import translation

from beheer.accounts.models import User
from beheer.core.errors import DomainError

from ... import imports as reader

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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        """The report `as_dict` wrote (a finished job keeps it as JSON)."""
        report = cls(
            kind=str(data.get("kind", "")),
            key=str(data.get("key", "")),
            dry_run=bool(data.get("dry_run")),
            partial=bool(data.get("partial")),
            written=bool(data.get("written")),
        )
        for row in data.get("rows", []):
            errors = [(str(e.get("column", "")), str(e.get("message", ""))) for e in row.get("errors", [])]
            report.rows.append(
                RowResult(int(row["row"]), str(row["action"]), str(row.get("key", "")), errors)
            )
        return report

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


def chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class Importer:
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

    def has(self, name: str) -> bool:
        return name in self.columns.fields

    def raw(self, cells: list[Any], name: str) -> Any:
        return reader.cell(cells, self.columns, name)

    def txt(self, cells: list[Any], name: str) -> str:
        return reader.text(self.raw(cells, name))

    def load_people(self, values: set[str]) -> dict[str, User]:
        """username and e-mail address (lower case) -> person, for these values."""
        people: dict[str, User] = {}
        for chunk in chunks(values):
            lowered = [v.lower() for v in chunk]
            for user in User.objects.filter(
                Q(username__in=chunk) | Q(username__in=lowered) | Q(email__in=chunk) | Q(email__in=lowered)
            ):
                people[user.username.lower()] = user
                if user.email:
                    people.setdefault(user.email.lower(), user)
        return people

    @staticmethod
    def by_name(model: Any, values: set[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for chunk in chunks(values):
            for row in model.objects.filter(name__in=chunk):
                found[row.name.lower()] = row
        return found

    def column(self, service_field: str) -> str:
        """The file's title of the column a service's field error is about."""
        if service_field.startswith("attributes."):
            return self.columns.title(reader.ATTRIBUTE_PREFIX + service_field[len("attributes.") :])
        return self.columns.title(service_field)

    def refused(self, number: int, key: str, exc: DomainError) -> RowResult:
        errors = [(self.column(f), str(m)) for f, m in exc.field_errors.items()]
        return RowResult(number, REJECT, key, errors or [("", exc.message)])


def localized_lookup(rows: Iterable[Any]) -> dict[str, Any]:
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


def choice_lookup(choices: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for language in ("en", "nl"):
        with translation.override(language):
            for value, label in choices:
                found.setdefault(str(label).lower(), value)
    found.update({value: value for value, _label in choices})
    return found
