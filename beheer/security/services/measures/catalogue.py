"""The control catalogue as data: loading a catalogue version, making one current, and the
organisation's own controls (EIG-n).

`load_catalogue` reads the shape of `data/iso27002-2022-bio2.json` (a code, names, a version label
and controls with number, theme, titles in Dutch and English and, for a sub-item, the number of its
parent). Loading is idempotent: a version (its code) loaded again changes nothing; a different
version (another code) sits beside the first until somebody makes it current. The data migration
`0002_measures` loads the shipped catalogue with `load_into`, which takes the model classes so it
runs on a migration's historical models too."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.core import checks, clock, history
from beheer.core.errors import DomainError, NotFound

from ...models import (
    Catalogue,
    CatalogueAction,
    CatalogueHistoryEntry,
    CatalogueKind,
    Control,
    MeasuresAction,
    Theme,
    sort_key,
)
from ._base import TITLE_MAX, ensure_manager, record, text

DATA_FILE = Path(__file__).resolve().parents[2] / "catalogues" / "iso27002-2022-bio2.json"
STANDARD_CODE = "iso27002-2022-bio2"
OWN_CODE = "eigen"
OWN_PREFIX = "EIG-"
STANDARD_THEMES = frozenset({Theme.ORGANISATIONAL, Theme.PEOPLE, Theme.PHYSICAL, Theme.TECHNOLOGICAL})


def read_data(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _invalid(message: str) -> DomainError:
    return DomainError(message, field_errors={"data": message})


def checked_data(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The controls of `data`, checked: unique numbers, known themes, titles within their limits,
    every parent listed before its sub-items. A `DomainError` on `data` names the first problem."""
    if not isinstance(data, Mapping) or not isinstance(data.get("controls"), list) or not data["controls"]:
        raise _invalid(_("The catalogue has no controls."))
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for raw in data["controls"]:
        if not isinstance(raw, Mapping):
            raise _invalid(_("Every control must be an object."))
        number = str(raw.get("number") or "").strip()
        theme = str(raw.get("theme") or "")
        title_nl = str(raw.get("title_nl") or "").strip()
        title_en = str(raw.get("title_en") or "").strip() or title_nl
        parent = str(raw.get("parent") or "").strip()
        if not number or len(number) > 20 or number in seen:
            raise _invalid(_("Control number %(n)s is missing, too long or used twice.") % {"n": number})
        if theme not in STANDARD_THEMES:
            raise _invalid(_("Control %(n)s has an unknown theme.") % {"n": number})
        if not title_nl or len(title_nl) > TITLE_MAX or len(title_en) > TITLE_MAX:
            raise _invalid(_("Control %(n)s needs a title of at most 200 characters.") % {"n": number})
        if parent and parent not in seen:
            raise _invalid(_("Control %(n)s names a parent that is not listed before it.") % {"n": number})
        seen.add(number)
        out.append(
            {"number": number, "theme": theme, "title_nl": title_nl, "title_en": title_en, "parent": parent}
        )
    return out


def load_into(
    catalogue_model: Any,
    control_model: Any,
    data: Mapping[str, Any],
    *,
    code: str,
    now: datetime,
    make_current: bool = False,
) -> tuple[Any, bool]:
    """Load `data` as catalogue `code` (with these model classes); returns (catalogue, created).
    A code already loaded with the same control numbers changes nothing; with other numbers it is
    refused (a new version needs its own code). Call inside a transaction."""
    controls = checked_data(data)
    existing = catalogue_model.objects.filter(code=code).first()
    if existing is not None:
        numbers = set(control_model.objects.filter(catalogue=existing).values_list("number", flat=True))
        if numbers != {c["number"] for c in controls}:
            raise _invalid(_("Catalogue %(code)s is already loaded with other controls.") % {"code": code})
        return existing, False
    name_nl = str(data.get("name_nl") or code)[:200]
    catalogue = catalogue_model.objects.create(
        code=code,
        kind=CatalogueKind.STANDARD,
        name_nl=name_nl,
        name_en=str(data.get("name_en") or name_nl)[:200],
        version_label=str(data.get("version_label") or "")[:40],
        current=False,
        loaded_at=now,
    )
    rows = [
        control_model(
            catalogue=catalogue,
            number=c["number"],
            theme=c["theme"],
            title_nl=c["title_nl"],
            title_en=c["title_en"],
            sort_key=sort_key(c["number"]),
        )
        for c in controls
    ]
    control_model.objects.bulk_create(rows)
    ids = dict(control_model.objects.filter(catalogue=catalogue).values_list("number", "pk"))
    for c in controls:
        if c["parent"]:
            control_model.objects.filter(pk=ids[c["number"]]).update(parent_id=ids[c["parent"]])
    if (
        make_current
        and not catalogue_model.objects.filter(kind=CatalogueKind.STANDARD, current=True).exists()
    ):
        catalogue_model.objects.filter(pk=catalogue.pk).update(current=True)
        catalogue.current = True
    return catalogue, True


def load_catalogue(
    data: Mapping[str, Any], *, actor: Any, code: str | None = None, make_current: bool = False
) -> Catalogue:
    """Load a catalogue version (register managers). Idempotent per code; `make_current` makes it
    the current catalogue when none is."""
    ensure_manager(actor)
    chosen = checks.checked_text(
        code or str(data.get("code") or ""), field="code", label=_("Code"), required=True, max_length=60
    )
    try:
        with transaction.atomic():
            catalogue, created = load_into(
                Catalogue, Control, data, code=chosen, now=clock.now(), make_current=make_current
            )
            if created:
                history.record(
                    CatalogueHistoryEntry,
                    catalogue,
                    actor=actor,
                    action=CatalogueAction.LOADED,
                    detail=str(Control.objects.filter(catalogue=catalogue).count()),
                )
    except IntegrityError:  # the same version loaded at the same moment by somebody else
        catalogue = Catalogue.objects.get(code=chosen)
    return catalogue


def load_shipped(*, actor: Any) -> Catalogue:
    """The catalogue shipped with Beheer (ISO/IEC 27002:2022 with BIO2), current if none is."""
    return load_catalogue(read_data(), actor=actor, make_current=True)


@transaction.atomic
def make_current(catalogue: Catalogue, *, actor: Any) -> Catalogue:
    """Make a standard catalogue the current one (the statement of applicability follows it)."""
    ensure_manager(actor)
    found = checks.locked(Catalogue.objects.visible_to(actor), catalogue.pk)
    if found is None:
        raise NotFound(_("Catalogue not found."))
    if found.kind != CatalogueKind.STANDARD:
        raise DomainError(_("Only a standard catalogue can be made current."))
    if found.current:
        return found
    Catalogue.objects.filter(kind=found.kind, current=True).update(current=False)
    Catalogue.objects.filter(pk=found.pk).update(current=True)
    found.current = True
    history.record(CatalogueHistoryEntry, found, actor=actor, action=CatalogueAction.MADE_CURRENT)
    return found


def current_catalogue() -> Catalogue | None:
    return Catalogue.objects.filter(kind=CatalogueKind.STANDARD, current=True).first()


def own_catalogue() -> Catalogue:
    """The catalogue of the organisation's own controls, made the first time it is needed."""
    found = Catalogue.objects.filter(code=OWN_CODE).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Catalogue.objects.create(
                code=OWN_CODE,
                kind=CatalogueKind.OWN,
                name_nl="Eigen maatregelen",
                name_en="Own controls",
                current=True,
                loaded_at=clock.now(),
            )
    except IntegrityError:
        return Catalogue.objects.get(code=OWN_CODE)


def _titles(title_nl: str, title_en: str) -> tuple[str, str]:
    nl = text(title_nl, field="title_nl", label=_("Title (Dutch)"), required=True, max_length=TITLE_MAX)
    en = text(title_en, field="title_en", label=_("Title (English)"), max_length=TITLE_MAX) or nl
    return nl, en


def create_own_control(*, actor: Any, title_nl: str, title_en: str = "") -> Control:
    """An own control of the organisation, numbered EIG-1, EIG-2, ... (never handed out twice)."""
    ensure_manager(actor)
    nl, en = _titles(title_nl, title_en)
    catalogue = own_catalogue()
    with transaction.atomic():
        Catalogue.objects.select_for_update().filter(pk=catalogue.pk).first()  # numbers one at a time
        numbers = Control.objects.filter(catalogue=catalogue).values_list("number", flat=True)
        used = [int(n[len(OWN_PREFIX) :]) for n in numbers if n[len(OWN_PREFIX) :].isdigit()]
        number = f"{OWN_PREFIX}{max(used, default=0) + 1}"
        control = Control.objects.create(
            catalogue=catalogue,
            number=number,
            theme=Theme.OWN,
            title_nl=nl,
            title_en=en,
            sort_key=sort_key(number),
        )
        record(control, actor, MeasuresAction.CREATED)
    return control


def _lock_own(control: Control, actor: Any, expected_version: int | None) -> Control:
    ensure_manager(actor)
    found = checks.locked_at(
        Control.objects.visible_to(actor).select_related("catalogue"),
        control.pk,
        expected_version,
        missing=_("Control not found."),
        changed=_("Somebody else changed this control in the meantime. Reload it and try again."),
    )
    if found.catalogue.kind != CatalogueKind.OWN:
        raise DomainError(_("Only the organisation's own controls can be changed."))
    return found


@transaction.atomic
def edit_own_control(
    control: Control, *, actor: Any, expected_version: int | None, title_nl: str, title_en: str = ""
) -> Control:
    found = _lock_own(control, actor, expected_version)
    nl, en = _titles(title_nl, title_en)
    before = history.snapshot(found, ["title_nl", "title_en"])
    found.title_nl, found.title_en = nl, en
    changes = history.changes_since(before, found)
    if changes:
        Control.objects.filter(pk=found.pk).update(title_nl=nl, title_en=en, version=F("version") + 1)
        found.refresh_from_db(fields=["version"])
        record(found, actor, MeasuresAction.CHANGED, changes=changes)
    return found


@transaction.atomic
def set_control_active(
    control: Control, *, actor: Any, expected_version: int | None, active: bool
) -> Control:
    """Archive an own control (it leaves the lists and the statement of applicability) or restore it."""
    found = _lock_own(control, actor, expected_version)
    if found.active == active:
        return found
    Control.objects.filter(pk=found.pk).update(active=active, version=F("version") + 1)
    found.refresh_from_db(fields=["active", "version"])
    record(found, actor, MeasuresAction.RESTORED if active else MeasuresAction.ARCHIVED)
    return found
