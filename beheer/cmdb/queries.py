"""Reads of CI lists for screens, the API and exports: one filter for all of them.

A custom attribute filter names the attribute by its code (`attr.<code>=value` in a URL); the value
is read as the attribute's kind reads it (`attributes.clean`), so "16", "16,0" and 16 find the same
laptops. Codes are per type: a code shared by several types filters on all of them. Each filter is
an indexed lookup in `CiAttributeValue` (definition, value, ci).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from beheer.core.errors import DomainError

from . import attributes
from .models import (
    AttributeDefinition,
    AttributeKind,
    CiAttributeValue,
    CiEnvironment,
    CiStatus,
    ConfigurationItem,
    Licence,
    LicenceFile,
    LicenceFileVersion,
)

ATTRIBUTE_PREFIX = "attr."
MAX_ATTRIBUTE_FILTERS = 5
NO_ENVIRONMENT = "none"  # the environment filter's value for CIs without one
COLUMN = {
    AttributeKind.TEXT: "text",
    AttributeKind.CHOICE: "text",
    AttributeKind.NUMBER: "number",
    AttributeKind.DATE: "date",
    AttributeKind.BOOLEAN: "flag",
    AttributeKind.CI: "ref_ci_id",
    AttributeKind.PERSON: "ref_person_id",
}


@dataclass(frozen=True)
class ItemFilter:
    ci_type: int | None = None
    status: str = ""
    environment: str = ""  # a CiEnvironment value, or NO_ENVIRONMENT
    q: str = ""
    owner: int | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)  # code -> value as typed

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> ItemFilter:
        """From a query string: `type`, `status`, `environment`, `q`, `owner` and `attr.<code>`; bad
        numbers are refused by `filter_items` as field errors, like any other bad value."""
        attrs = {
            key[len(ATTRIBUTE_PREFIX) :]: str(params.get(key, ""))
            for key in params
            if key.startswith(ATTRIBUTE_PREFIX) and str(params.get(key, "")).strip()
        }
        return cls(
            ci_type=_int(params.get("type")),
            status=str(params.get("status") or ""),
            environment=str(params.get("environment") or "").strip(),
            q=str(params.get("q") or "").strip(),
            owner=_int(params.get("owner")),
            attributes=attrs,
        )


def _int(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def filter_items(queryset: Any, flt: ItemFilter) -> Any:
    """`queryset` (already `visible_to` the reader) narrowed by `flt`; a value that cannot be read
    is a DomainError with a message per field (`status`, `environment`, `attr.<code>`). The
    environment filter ("none": CIs without one) uses the index (environment, name, id)."""
    errors: dict[str, str] = {}
    if flt.ci_type is not None:
        queryset = queryset.filter(ci_type_id=flt.ci_type)
    if flt.status:
        if flt.status not in CiStatus.values:
            errors["status"] = _("Unknown status.")
        else:
            queryset = queryset.filter(status=flt.status)
    if flt.environment:
        if flt.environment == NO_ENVIRONMENT:
            queryset = queryset.filter(environment="")
        elif flt.environment not in CiEnvironment.values:
            errors["environment"] = _("Unknown environment.")
        else:
            queryset = queryset.filter(environment=flt.environment)
    if flt.owner is not None:
        queryset = queryset.filter(owner_id=flt.owner)
    if flt.q:
        term = flt.q[:200]
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(host_name__icontains=term)
            | Q(asset_tag__iexact=term)
            | Q(serial_number__iexact=term)
        )
    if len(flt.attributes) > MAX_ATTRIBUTE_FILTERS:
        errors["attr"] = _("At most %(limit)d attribute filters.") % {"limit": MAX_ATTRIBUTE_FILTERS}
        raise DomainError(_("Check the filter."), field_errors=errors)
    for code, raw in flt.attributes.items():
        definitions = AttributeDefinition.objects.filter(code=code)
        if flt.ci_type is not None:
            definitions = definitions.filter(ci_type_id=flt.ci_type)
        matches = Q()
        found = False
        for definition in definitions.only("pk", "kind", "choices"):
            found = True
            try:
                value = attributes.clean(definition.kind, raw, choices=definition.choices or ())
            except attributes.Invalid as exc:
                errors[f"{ATTRIBUTE_PREFIX}{code}"] = str(exc)
                continue
            column = COLUMN[AttributeKind(definition.kind)]
            stored = {
                "text": value.text,
                "number": value.number,
                "date": value.date,
                "flag": value.flag,
                "ref_ci_id": value.ref_id,
                "ref_person_id": value.ref_id,
            }[column]
            matches |= Q(definition_id=definition.pk, **{column: stored})
        if not found:
            errors[f"{ATTRIBUTE_PREFIX}{code}"] = _("No type has an attribute with this code.")
            continue
        if matches:
            queryset = queryset.filter(pk__in=CiAttributeValue.objects.filter(matches).values("ci_id"))
    if errors:
        raise DomainError(_("Check the filter."), field_errors=errors)
    return queryset


def attribute_rows(ci: ConfigurationItem) -> list[tuple[AttributeDefinition, CiAttributeValue | None]]:
    """The custom attributes of `ci`'s type in their order, each with the CI's value or None; an
    inactive attribute only when the CI has a value for it."""
    values = {
        v.definition_id: v
        for v in CiAttributeValue.objects.filter(ci=ci).select_related("ref_ci", "ref_person")
    }
    rows = []
    for definition in AttributeDefinition.objects.filter(ci_type_id=ci.ci_type_id).order_by("order", "id"):
        value = values.get(definition.pk)
        if definition.active or value is not None:
            rows.append((definition, value))
    return rows


# a licence's files


def licence_files(licence: Licence, user: Any) -> list[LicenceFile]:
    """The licence's files with their versions, newest first: two queries whatever they hold."""
    files = list(LicenceFile.objects.visible_to(user).filter(licence=licence).order_by("name", "id"))
    by_file: dict[int, list[LicenceFileVersion]] = {f.pk: [] for f in files}
    versions = (
        LicenceFileVersion.objects.visible_to(user)
        .filter(licence_file__licence=licence)
        .select_related("uploaded_by")
        .order_by("licence_file_id", "-number")
    )
    for v in versions:
        by_file.setdefault(v.licence_file_id, []).append(v)
    for f in files:
        f.shown_versions = by_file.get(f.pk, [])  # type: ignore[attr-defined]
    return files
