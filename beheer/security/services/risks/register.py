"""Writes of the risk register: register a risk (RSK-n, a number never handed out twice) and change
it (with the version the editor read). Every operator may record and update risks; accepting a risk
whose score (residual once estimated, else inherent) falls in the high or critical band takes a
security officer, coordinator or administrator and a reason. Every change in the risk's trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError, PermissionDenied

from ... import access as security_access
from ...models import (
    LEVELS,
    Band,
    Control,
    Risk,
    RiskAction,
    RiskHistoryEntry,
    RiskSettings,
    RiskStatus,
    Treatment,
)
from .matrix import current_settings, score

TITLE_MAX = 200
TEXT_MAX = 10_000
FIELDS = (
    "title",
    "threat",
    "vulnerability",
    "likelihood",
    "impact",
    "inherent_score",
    "treatment",
    "treatment_plan",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "owner",
    "review_date",
    "status",
    "acceptance_reason",
)
ACCEPTANCE_BANDS = (Band.HIGH, Band.CRITICAL)


@dataclass(frozen=True)
class RiskData:
    """What a person fills in for a risk (the form and the API alike)."""

    title: str
    likelihood: int
    impact: int
    threat: str = ""
    vulnerability: str = ""
    cis: Sequence[ConfigurationItem] = ()
    treatment: str = ""
    treatment_plan: str = ""
    controls: Sequence[Control] = ()
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    owner: User | None = None
    review_date: date | None = None
    status: str = RiskStatus.OPEN
    acceptance_reason: str = ""


def _changed() -> str:
    return _("Somebody else changed this risk in the meantime. Reload it and try again.")


def _checked(data: RiskData) -> dict[str, object]:
    """The data's fields as they are stored, or one DomainError naming every bad field."""
    problems: dict[str, str] = {}
    out: dict[str, object] = {}

    def text(name: str, label: str, *, required: bool = False, max_length: int = TEXT_MAX) -> None:
        try:
            out[name] = checks.checked_text(
                getattr(data, name), field=name, label=label, required=required, max_length=max_length
            )
        except DomainError as exc:
            problems.update(exc.field_errors)

    text("title", _("Title"), required=True, max_length=TITLE_MAX)
    text("threat", _("Threat"))
    text("vulnerability", _("Vulnerability"))
    text("treatment_plan", _("Treatment plan"))
    text("acceptance_reason", _("Reason for acceptance"))
    for name in ("likelihood", "impact"):
        value = getattr(data, name)
        if value not in LEVELS:
            problems[name] = _("Choose a level from 1 to 5.")
        out[name] = value
    rl, ri = data.residual_likelihood, data.residual_impact
    if (rl is None) != (ri is None):
        missing = "residual_impact" if ri is None else "residual_likelihood"
        problems[missing] = _("Give both the residual likelihood and impact, or neither.")
    for name, value in (("residual_likelihood", rl), ("residual_impact", ri)):
        if value is not None and value not in LEVELS:
            problems[name] = _("Choose a level from 1 to 5.")
    if data.treatment not in ("", *Treatment.values):
        problems["treatment"] = _("Choose accept, reduce, transfer or avoid.")
    if data.status not in RiskStatus.values:
        problems["status"] = _("Choose open, treated, accepted or closed.")
    elif data.status in (RiskStatus.TREATED, RiskStatus.ACCEPTED) and not data.treatment:
        problems["treatment"] = _("Choose how the risk is treated first.")
    if data.owner is not None and not access.is_staff(data.owner):
        problems["owner"] = _("The owner must be an active operator, coordinator or administrator.")
    if not problems:
        inherent = score(data.likelihood, data.impact)
        residual = score(rl, ri) if rl is not None and ri is not None else None
        if residual is not None and residual > inherent:
            problems["residual_likelihood"] = _("The residual risk cannot be higher than the inherent risk.")
        out.update(inherent_score=inherent, residual_score=residual)
    if problems:
        raise DomainError(_("Check the highlighted fields."), field_errors=problems)
    out.update(
        residual_likelihood=rl,
        residual_impact=ri,
        treatment=data.treatment,
        owner=data.owner,
        review_date=data.review_date,
        status=data.status,
    )
    return out


def _check_acceptance(risk: Risk, settings: RiskSettings, actor: User) -> None:
    """Accepting a high or critical risk: a security officer, coordinator or administrator, and a
    reason."""
    band = settings.band_of(risk.score)
    if band not in ACCEPTANCE_BANDS:
        return
    if not security_access.manages_register(actor):
        raise PermissionDenied(
            _("Only security officers, coordinators and administrators may accept a high or critical risk.")
        )
    if not risk.acceptance_reason:
        message = _("Give the reason for accepting a high or critical risk.")
        raise DomainError(message, field_errors={"acceptance_reason": message})


def _extra(cis: Sequence[ConfigurationItem], controls: Sequence[Control]) -> dict[str, list[str]]:
    return {
        "cis": sorted(ci.name for ci in cis),
        "controls": sorted(c.number for c in controls),
    }


def _next_number() -> int:
    RiskSettings.objects.get_or_create(pk=1)
    RiskSettings.objects.filter(pk=1).update(risk_counter=F("risk_counter") + 1)
    return int(RiskSettings.objects.filter(pk=1).values_list("risk_counter", flat=True).get())


def _check_links(actor: User, cis: Sequence[ConfigurationItem], controls: Sequence[Control]) -> None:
    ci_ids = {ci.pk for ci in cis}
    if ci_ids and ConfigurationItem.objects.visible_to(actor).filter(pk__in=ci_ids).count() != len(ci_ids):
        raise DomainError(
            _("Unknown configuration item."), field_errors={"cis": _("Unknown configuration item.")}
        )
    control_ids = {c.pk for c in controls}
    if control_ids and Control.objects.visible_to(actor).filter(pk__in=control_ids).count() != len(
        control_ids
    ):
        raise DomainError(_("Unknown control."), field_errors={"controls": _("Unknown control.")})


@transaction.atomic
def register_risk(*, actor: User, data: RiskData) -> Risk:
    """A new risk in the register (staff)."""
    access.ensure_staff(actor)
    values = _checked(data)
    _check_links(actor, data.cis, data.controls)
    now = clock.now()
    risk = Risk(**values, created_at=now, created_by=actor, updated_at=now)
    settings = current_settings()
    accepted = risk.status == RiskStatus.ACCEPTED
    if accepted:
        _check_acceptance(risk, settings, actor)
        risk.accepted_by, risk.accepted_at = actor, now
    risk.number = _next_number()
    risk.save()
    risk.cis.set(data.cis)
    risk.controls.set(data.controls)
    history.record(RiskHistoryEntry, risk, actor=actor, action=RiskAction.CREATED, at=now)
    if accepted:
        history.record(
            RiskHistoryEntry,
            risk,
            actor=actor,
            action=RiskAction.ACCEPTED,
            detail=risk.acceptance_reason,
            at=now,
        )
    return risk


@transaction.atomic
def change_risk(risk: Risk, *, actor: User, data: RiskData, expected_version: int | None = None) -> Risk:
    """Change a risk (staff), at the version the editor read. Accepting it (or changing the score
    of an accepted risk) checks the acceptance rule again."""
    access.ensure_staff(actor)
    current = checks.locked_at(
        Risk.objects.visible_to(actor),
        risk.pk,
        expected_version,
        missing=_("Risk not found."),
        changed=_changed(),
    )
    values = _checked(data)
    _check_links(actor, data.cis, data.controls)
    old_cis = list(current.cis.all())
    old_controls = list(current.controls.all())
    before = history.snapshot(current, FIELDS, extra=_extra(old_cis, old_controls))
    was_accepted, old_score = current.status == RiskStatus.ACCEPTED, current.score
    old_reason = current.acceptance_reason
    for name, value in values.items():
        setattr(current, name, value)
    changes = history.changes_since(before, current, extra=_extra(data.cis, data.controls))
    if not changes:
        return current
    now = clock.now()
    accepting = current.status == RiskStatus.ACCEPTED and (
        not was_accepted or current.score != old_score or current.acceptance_reason != old_reason
    )
    if accepting:
        _check_acceptance(current, current_settings(), actor)
        current.accepted_by, current.accepted_at = actor, now
    current.updated_at = now
    current.version += 1
    current.save()
    if {ci.pk for ci in old_cis} != {ci.pk for ci in data.cis}:
        current.cis.set(data.cis)
    if {c.pk for c in old_controls} != {c.pk for c in data.controls}:
        current.controls.set(data.controls)
    history.record(RiskHistoryEntry, current, actor=actor, action=RiskAction.CHANGED, changes=changes, at=now)
    if accepting:
        history.record(
            RiskHistoryEntry,
            current,
            actor=actor,
            action=RiskAction.ACCEPTED,
            detail=current.acceptance_reason,
            at=now,
        )
    return current


def data_of(risk: Risk) -> RiskData:
    """The risk's current values as data to change (the API's partial edits start from here)."""
    return RiskData(
        title=risk.title,
        likelihood=risk.likelihood,
        impact=risk.impact,
        threat=risk.threat,
        vulnerability=risk.vulnerability,
        cis=list(risk.cis.all()),
        treatment=risk.treatment,
        treatment_plan=risk.treatment_plan,
        controls=list(risk.controls.all()),
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        owner=risk.owner,
        review_date=risk.review_date,
        status=risk.status,
        acceptance_reason=risk.acceptance_reason,
    )
