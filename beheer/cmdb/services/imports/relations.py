"""Importing relations between configuration items (`add_relation`); an existing relation is
"unchanged"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from beheer.core.errors import DomainError

from ... import imports as reader
from ...models import ConfigurationItem, Relation, RelationKind
from ..relations import add_relation
from .base import CREATE, REJECT, UNCHANGED, Importer, RowResult, choice_lookup, chunks


class RelationImporter(Importer):
    def prepare(self, rows: Sequence[tuple[int, list[Any]]]) -> None:
        self.kinds = choice_lookup(RelationKind.choices)
        wanted = self.values(rows, "source") | self.values(rows, "target")
        self.by_key: dict[str, list[ConfigurationItem]] = {}
        self.named: dict[str, list[ConfigurationItem]] = {}
        for chunk in chunks(wanted):
            query = Q(name__in=chunk)
            if self.key != "name":
                query |= Q(**{f"{self.key}__in": chunk})
            for ci in ConfigurationItem.objects.filter(query):
                if self.key != "name" and str(getattr(ci, self.key)) in chunk:
                    self.by_key.setdefault(str(getattr(ci, self.key)), []).append(ci)
                self.named.setdefault(ci.name, []).append(ci)

    def _end(self, value: str, name: str, refuse: Callable[[str, str], None]) -> ConfigurationItem | None:
        if not value:
            refuse(name, _("Required."))
            return None
        found = self.by_key.get(value) or self.named.get(value, [])
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
