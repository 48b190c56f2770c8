"""The risk matrix settings: the names of the likelihood and impact levels (1-5, Dutch and English)
and where the score bands low/medium/high/critical start. Coordinators and administrators change
them; every change is in the matrix's trail. A score is likelihood x impact (1 to 25)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError, PermissionDenied

from ...models import LEVELS, Axis, Band, RiskMatrixHistoryEntry, RiskSettings, ScaleLevel

NAME_MAX = 80
BAND_FIELDS = ("medium_from", "high_from", "critical_from")


def score(likelihood: int, impact: int) -> int:
    """The score of a cell of the matrix."""
    return likelihood * impact


def current_settings() -> RiskSettings:
    """The matrix settings (the shipped defaults, unsaved, when the row is missing)."""
    return RiskSettings.objects.filter(pk=1).first() or RiskSettings(pk=1)


def level_names() -> dict[tuple[str, int], ScaleLevel]:
    """(axis, value) -> its level row; one query."""
    return {(row.axis, row.value): row for row in ScaleLevel.objects.all()}


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    score: int
    band: str


def cells(settings: RiskSettings) -> list[list[Cell]]:
    """The matrix as rows from the highest likelihood down, each from impact 1 to 5."""
    return [
        [Cell(lh, im, score(lh, im), settings.band_of(score(lh, im))) for im in LEVELS]
        for lh in reversed(LEVELS)
    ]


def check_bands(medium_from: int, high_from: int, critical_from: int) -> None:
    """Bands start ascending: 1 < medium <= ... < high < critical <= 25."""
    problems: dict[str, str] = {}
    if not 2 <= medium_from <= 23:
        problems["medium_from"] = _("Choose a score from 2 to 23.")
    if not medium_from < high_from <= 24:
        problems["high_from"] = _("Choose a score above the start of medium, at most 24.")
    if not high_from < critical_from <= 25:
        problems["critical_from"] = _("Choose a score above the start of high, at most 25.")
    if problems:
        raise DomainError(_("The bands must start at rising scores."), field_errors=problems)


@transaction.atomic
def change_matrix(
    settings: RiskSettings,
    *,
    actor: User,
    medium_from: int,
    high_from: int,
    critical_from: int,
    names: Mapping[tuple[str, int], tuple[str, str]],
    expected_version: int | None = None,
) -> RiskSettings:
    """Change the bands and the level names ((axis, value) -> (Dutch, English); the levels not
    named keep theirs). Coordinators and administrators."""
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators and administrators may change the risk matrix."))
    check_bands(medium_from, high_from, critical_from)
    problems: dict[str, str] = {}
    cleaned: dict[tuple[str, int], tuple[str, str]] = {}
    for (axis, value), (nl, en) in names.items():
        key = f"{axis}_{value}"
        if axis not in Axis.values or value not in LEVELS:
            problems[key] = _("Unknown level.")
            continue
        try:
            cleaned[(axis, value)] = (
                checks.checked_text(
                    nl, field=f"{key}_nl", label=_("Name (Dutch)"), required=True, max_length=NAME_MAX
                ),
                checks.checked_text(
                    en, field=f"{key}_en", label=_("Name (English)"), required=True, max_length=NAME_MAX
                ),
            )
        except DomainError as exc:
            problems.update(exc.field_errors)
    if problems:
        raise DomainError(_("Check the highlighted fields."), field_errors=problems)
    RiskSettings.objects.get_or_create(pk=1)
    current = checks.locked_at(
        RiskSettings.objects.all(),
        1,
        expected_version,
        missing=_("Risk matrix not found."),
        changed=_("Somebody else changed the risk matrix in the meantime. Reload it and try again."),
    )
    now = clock.now()
    before = history.snapshot(current, BAND_FIELDS)
    current.medium_from, current.high_from, current.critical_from = medium_from, high_from, critical_from
    changes = history.changes_since(before, current)
    existing = level_names()
    for (axis, value), (nl, en) in cleaned.items():
        row = existing.get((axis, value))
        old = f"{row.name_nl} / {row.name_en}" if row else ""
        new = f"{nl} / {en}"
        if old != new:
            ScaleLevel.objects.update_or_create(
                axis=axis, value=value, defaults={"name_nl": nl, "name_en": en}
            )
            changes.append(history.Change(f"{axis}.{value}", old, new))
    if not changes:
        return current
    current.version += 1
    current.updated_at = now
    current.save(update_fields=[*BAND_FIELDS, "version", "updated_at"])
    history.record(RiskMatrixHistoryEntry, current, actor=actor, action="changed", changes=changes, at=now)
    return current


def band_label(band: str) -> str:
    return str(Band(band).label) if band else ""
