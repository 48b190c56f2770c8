"""CI types and their custom attributes: only administrators define them.

A shipped type can be renamed and deactivated, never removed; a type or attribute in use can be
deactivated (its CIs and values stay) but not removed, and an attribute's kind cannot change once
CIs have a value for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from .. import attributes
from ..models import AttributeDefinition, AttributeKind, CiAttributeValue, CiKind, CiType


def _ensure_admin(actor: User) -> None:
    if not access.is_administrator(actor):
        raise PermissionDenied(_("Only administrators may define CI types and attributes."))


def _names(
    code: str, name_nl: str, name_en: str, errors: dict[str, str], *, limit: int = 80
) -> tuple[str, str, str]:
    code = (code or "").strip()
    if code != slugify(code) or not code or len(code) > 40:
        errors["code"] = _("Use lower-case letters, digits and hyphens (at most 40).")
    nl, en = (name_nl or "").strip(), (name_en or "").strip()
    for key, value in (("name_nl", nl), ("name_en", en)):
        if not value:
            errors[key] = _("Required.")
        elif len(value) > limit:
            errors[key] = _("At most %(limit)d characters.") % {"limit": limit}
    return code, nl, en


@dataclass(frozen=True)
class TypeData:
    code: str
    name_nl: str
    name_en: str
    kind: str = CiKind.OTHER
    order: int = 0
    active: bool = True


@transaction.atomic
def save_type(
    ci_type: CiType | None, *, actor: User, data: TypeData, expected_version: int | None = None
) -> CiType:
    """Create (ci_type None) or change a CI type. A shipped type keeps its code."""
    _ensure_admin(actor)
    errors: dict[str, str] = {}
    code, nl, en = _names(data.code, data.name_nl, data.name_en, errors)
    if data.kind not in CiKind.values:
        errors["kind"] = _("Unknown kind.")
    if not 0 <= int(data.order) <= 100_000:
        errors["order"] = _("Out of range.")
    current = CiType()
    if ci_type is not None:
        found = CiType.objects.select_for_update().filter(pk=ci_type.pk).first()
        if found is None:
            raise NotFound(_("CI type not found."))
        current = found
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Somebody else changed this type. Reload it and try again."))
        if current.shipped and code != current.code:
            errors["code"] = _("A type shipped with Beheer keeps its code.")
        current.version += 1
    if "code" not in errors and CiType.objects.filter(code=code).exclude(pk=current.pk).exists():
        errors["code"] = _("Another type has this code.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    current.code, current.name_nl, current.name_en = code, nl, en
    current.kind, current.order, current.active = data.kind, int(data.order), bool(data.active)
    current.save()
    return current


@transaction.atomic
def delete_type(ci_type: CiType, *, actor: User) -> None:
    _ensure_admin(actor)
    if ci_type.shipped:
        raise DomainError(_("A type shipped with Beheer can be deactivated, not removed."))
    if ci_type.items.exists():
        raise DomainError(_("Configuration items of this type exist; deactivate the type instead."))
    CiType.objects.filter(pk=ci_type.pk).delete()


@dataclass(frozen=True)
class AttributeData:
    code: str
    label_nl: str
    label_en: str
    kind: str
    choices: Sequence[str] | str = ()
    required: bool = False
    order: int = 0
    active: bool = True


@transaction.atomic
def save_attribute(
    definition: AttributeDefinition | None,
    *,
    actor: User,
    ci_type: CiType,
    data: AttributeData,
    expected_version: int | None = None,
) -> AttributeDefinition:
    """Create (definition None) or change a custom attribute of `ci_type`."""
    _ensure_admin(actor)
    errors: dict[str, str] = {}
    code, nl, en = _names(data.code, data.label_nl, data.label_en, errors)
    errors = {{"name_nl": "label_nl", "name_en": "label_en"}.get(k, k): v for k, v in errors.items()}
    if data.kind not in AttributeKind.values:
        errors["kind"] = _("Unknown kind of value.")
    choices: list[str] = []
    try:
        choices = attributes.clean_choices(data.choices)
    except attributes.Invalid as exc:
        errors["choices"] = str(exc)
    if data.kind == AttributeKind.CHOICE and not choices and "choices" not in errors:
        errors["choices"] = _("Enter the values to choose from, one per line.")
    if not 0 <= int(data.order) <= 100_000:
        errors["order"] = _("Out of range.")
    current = AttributeDefinition(ci_type=ci_type)
    if definition is not None:
        found = (
            AttributeDefinition.objects.select_for_update().filter(pk=definition.pk, ci_type=ci_type).first()
        )
        if found is None:
            raise NotFound(_("Attribute not found."))
        current = found
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Somebody else changed this attribute. Reload it and try again."))
        in_use = CiAttributeValue.objects.filter(definition=current)
        if data.kind != current.kind and in_use.exists():
            errors["kind"] = _("Configuration items have a value for this attribute; its kind cannot change.")
        elif data.kind == AttributeKind.CHOICE and "choices" not in errors:
            used = set(in_use.exclude(text__in=choices).values_list("text", flat=True)[:5])
            if used:
                errors["choices"] = _("Still in use: %(values)s.") % {"values": ", ".join(sorted(used))}
        current.version += 1
    if "code" not in errors:
        taken = AttributeDefinition.objects.filter(ci_type=ci_type, code=code).exclude(pk=current.pk)
        if taken.exists():
            errors["code"] = _("This type has another attribute with this code.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    current.code, current.label_nl, current.label_en = code, nl, en
    current.kind = data.kind
    current.choices = choices if data.kind == AttributeKind.CHOICE else []
    current.required, current.order, current.active = bool(data.required), int(data.order), bool(data.active)
    current.save()
    return current


@transaction.atomic
def delete_attribute(definition: AttributeDefinition, *, actor: User) -> None:
    _ensure_admin(actor)
    if CiAttributeValue.objects.filter(definition=definition).exists():
        raise DomainError(_("Configuration items have a value for this attribute; deactivate it instead."))
    AttributeDefinition.objects.filter(pk=definition.pk).delete()
