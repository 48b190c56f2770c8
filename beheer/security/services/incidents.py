"""Security incidents: declaring one on a melding, editing it, recording its reports, and who may
work on it.

- `declare_incident` (operators; a caller never): makes the melding a security incident
  (`servicedesk.make_security_incident`: from then on only security officers and the people with
  access see it) and records the incident, in one transaction. Declaring it twice returns the first.
- `edit_incident` (security officers): the moment of awareness, the kind, the AVG facts of a breach
  and the status, at the version the editor read.
- `record_report` (security officers): a report made (early warning, notification, ...); a
  deadline is met when its report is recorded.
- `grant_access` / `revoke_access` (security officers): who else may work on it.

Every change writes the incident's history. The reporting clocks are `deadlines.py`; the warnings
before a deadline passes are `incidents_warnings.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import Melding

from .. import deadlines
from ..access import ensure_security_officer, is_security_officer
from ..models import IncidentAction, IncidentHistoryEntry, IncidentReport, IncidentStatus, SecurityIncident
from ..models import ReportKind as Kind

TEXT_MAX = 5000

EDITED_FIELDS = (
    "title",
    "aware_at",
    "significant",
    "breach",
    "unlikely_risk",
    "unlikely_risk_reason",
    "high_risk",
    "nature",
    "data_categories",
    "people_categories",
    "people_count",
    "records_count",
    "consequences",
    "measures",
    "contact",
    "csirt_name",
    "status",
    "handled_at",
)

AP_NAME = "Autoriteit Persoonsgegevens"
DEFAULT_CSIRT = "NCSC"  # reports under the Cyberbeveiligingswet go through the NCSC Meldportaal


def record(incident: SecurityIncident, actor: User | None, action: str, **kwargs: Any) -> None:
    history.record(IncidentHistoryEntry, incident, actor=actor, action=action, **kwargs)


def _text(value: str, *, field: str, label: str, required: bool = False, max_length: int = TEXT_MAX) -> str:
    return checks.checked_text(value, field=field, label=label, required=required, max_length=max_length)


def _not_future(moment: datetime, *, field: str, now: datetime) -> None:
    if moment.tzinfo is None:
        message = _("Give the moment with its time zone.")
        raise DomainError(message, field_errors={field: message})
    if moment > now:
        message = _("This moment lies in the future.")
        raise DomainError(message, field_errors={field: message})


def reports_made(incident: SecurityIncident) -> dict[str, datetime]:
    """Kind -> the moment of its (first) report: what `deadlines.deadlines` needs."""
    made: dict[str, datetime] = {}
    for kind, at in (
        IncidentReport.objects.filter(incident=incident)
        .order_by("made_at", "id")
        .values_list("kind", "made_at")
    ):
        made.setdefault(kind, at)
    return made


def deadlines_of(
    incident: SecurityIncident, made: dict[str, datetime] | None = None
) -> list[deadlines.Deadline]:
    return deadlines.deadlines(incident.facts(), reports_made(incident) if made is None else made)


def _refresh_clocks(incident: SecurityIncident) -> None:
    """Keep `clocks_open` (is a deadline not met yet?) in step with the incident and its reports."""
    still_open = not deadlines.all_met(deadlines_of(incident))
    if incident.clocks_open != still_open:
        SecurityIncident.objects.filter(pk=incident.pk).update(clocks_open=still_open)
        incident.clocks_open = still_open


def _lock(incident: SecurityIncident, actor: User, expected_version: int | None) -> SecurityIncident:
    return checks.locked_at(
        SecurityIncident.objects.visible_to(actor).select_related("melding"),
        incident.pk,
        expected_version,
        missing=_("Security incident not found."),
        changed=_("Somebody else changed this security incident in the meantime. Reload it and try again."),
    )


# -- declaring -------------------------------------------------------------------------------------


def declare_incident(
    melding: Melding,
    *,
    actor: User,
    aware_at: datetime | None = None,
    significant: bool = False,
    breach: bool = False,
) -> SecurityIncident:
    """Make `melding` a security incident and record it. Operators only; the melding must be one
    the actor sees. From now on only security officers and the people with access see the melding.
    Declaring a melding that is one already returns its incident unchanged."""
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators may make a call a security incident."))
    if not Melding.objects.visible_to(actor).filter(pk=melding.pk).exists():
        raise NotFound(_("Call not found."))
    now = clock.now()
    aware = aware_at or now
    _not_future(aware, field="aware_at", now=now)
    existing = SecurityIncident.objects.filter(melding_id=melding.pk).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            restricted = servicedesk.make_security_incident(melding, actor=actor)
            incident = SecurityIncident.objects.create(
                melding=restricted,
                title=restricted.brief_description[:200],
                aware_at=aware,
                significant=significant,
                breach=breach,
                csirt_name=DEFAULT_CSIRT if significant else "",
                declared_by=actor,
                declared_at=now,
                updated_at=now,
            )
            record(incident, actor, IncidentAction.DECLARED, at=now, detail=restricted.number)
            _refresh_clocks(incident)
    except IntegrityError:  # declared by somebody else at the same moment
        return SecurityIncident.objects.get(melding_id=melding.pk)
    return incident


# -- editing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentData:
    title: str
    aware_at: datetime
    significant: bool
    breach: bool
    unlikely_risk: bool = False
    unlikely_risk_reason: str = ""
    high_risk: bool = False
    nature: str = ""
    data_categories: str = ""
    people_categories: str = ""
    people_count: int | None = None
    records_count: int | None = None
    consequences: str = ""
    measures: str = ""
    contact: str = ""
    csirt_name: str = ""
    status: str = IncidentStatus.OPEN


def _checked(data: IncidentData, now: datetime) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    texts = {
        "title": (_("Short description"), True, 200),
        "unlikely_risk_reason": (_("Reason"), False, TEXT_MAX),
        "nature": (_("Nature of the breach"), False, TEXT_MAX),
        "data_categories": (_("Categories of personal data"), False, TEXT_MAX),
        "people_categories": (_("Categories of people concerned"), False, TEXT_MAX),
        "consequences": (_("Likely consequences"), False, TEXT_MAX),
        "measures": (_("Measures"), False, TEXT_MAX),
        "contact": (_("Contact"), False, 300),
        "csirt_name": (_("CSIRT"), False, 120),
    }
    for name, (label, required, limit) in texts.items():
        try:
            out[name] = _text(
                getattr(data, name), field=name, label=str(label), required=required, max_length=limit
            )
        except DomainError as exc:
            errors.update(exc.field_errors)
    if data.aware_at.tzinfo is None:
        errors["aware_at"] = _("Give the moment with its time zone.")
    elif data.aware_at > now:
        errors["aware_at"] = _("This moment lies in the future.")
    for name in ("people_count", "records_count"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 2_000_000_000:
            errors[name] = _("Give a number of 0 or more.")
    if data.status not in IncidentStatus.values:
        errors["status"] = _("Choose one of the statuses.")
    breach = data.breach
    if breach and data.unlikely_risk and data.high_risk:
        errors["high_risk"] = _("A breach unlikely to pose a risk cannot pose a high risk.")
    if (
        breach
        and data.unlikely_risk
        and not out.get("unlikely_risk_reason")
        and "unlikely_risk_reason" not in errors
    ):
        errors["unlikely_risk_reason"] = _(
            "Say why the breach is unlikely to pose a risk to the people concerned."
        )
    if errors:
        raise DomainError(_("Check the fields marked."), field_errors=errors)
    out.update(
        aware_at=data.aware_at,
        significant=data.significant,
        breach=breach,
        unlikely_risk=breach and data.unlikely_risk,
        high_risk=breach and data.high_risk,
        people_count=data.people_count,
        records_count=data.records_count,
        status=data.status,
    )
    if not out["unlikely_risk"]:
        out["unlikely_risk_reason"] = ""
    return out


def edit_incident(
    incident: SecurityIncident, *, actor: User, expected_version: int | None, data: IncidentData
) -> SecurityIncident:
    """Change the incident's facts and status (security officers). Moving it out of "being
    handled" records the moment it was handled (the final report's clock); back to it clears it."""
    ensure_security_officer(actor)
    now = clock.now()
    values = _checked(data, now)
    with transaction.atomic():
        current = _lock(incident, actor, expected_version)
        before = history.snapshot(current, EDITED_FIELDS)
        for name, value in values.items():
            setattr(current, name, value)
        if current.status == IncidentStatus.OPEN:
            current.handled_at = None
        elif current.handled_at is None:
            current.handled_at = now
        changes = history.changes_since(before, current)
        if not changes:
            return current
        current.version += 1
        current.updated_at = now
        current.save()
        record(current, actor, IncidentAction.CHANGED, at=now, changes=changes)
        _refresh_clocks(current)
    return current


# -- reports ---------------------------------------------------------------------------------------


def applicable_kinds(incident: SecurityIncident) -> list[str]:
    """The reports that fit the incident: the CSIRT's for a significant incident, the AP's and the
    people's for a breach."""
    kinds: list[str] = []
    if incident.significant:
        kinds += [Kind.EARLY_WARNING, Kind.NOTIFICATION, Kind.PROGRESS_REPORT, Kind.FINAL_REPORT]
    if incident.breach:
        kinds += [Kind.AP_REPORT, Kind.PEOPLE_NOTICE]
    return kinds


def default_recipient(incident: SecurityIncident, kind: str) -> str:
    if kind == Kind.AP_REPORT:
        return AP_NAME
    if kind == Kind.PEOPLE_NOTICE:
        return str(_("The people concerned"))
    return incident.csirt_name or DEFAULT_CSIRT


def record_report(
    incident: SecurityIncident,
    *,
    actor: User,
    kind: str,
    made_at: datetime,
    recipient: str = "",
    reference: str = "",
    note: str = "",
) -> IncidentReport:
    """Record a report made about the incident (security officers). Each kind once, except progress
    reports; only kinds that fit the incident; never in the future."""
    ensure_security_officer(actor)
    now = clock.now()
    errors: dict[str, str] = {}
    if made_at.tzinfo is None:
        errors["made_at"] = _("Give the moment with its time zone.")
    elif made_at > now:
        errors["made_at"] = _("This moment lies in the future.")
    recipient = _text(recipient, field="recipient", label=_("To"), max_length=200)
    reference = _text(reference, field="reference", label=_("Reference"), max_length=120)
    note = _text(note, field="note", label=_("Note"))
    with transaction.atomic():
        current = _lock(incident, actor, None)
        if kind not in applicable_kinds(current):
            errors["kind"] = _("This report does not fit this incident.")
        elif made_at.tzinfo is not None and made_at < current.aware_at:
            errors["made_at"] = _("A report cannot be made before the moment of awareness.")
        if errors:
            raise DomainError(_("Check the fields marked."), field_errors=errors)
        if (
            kind != Kind.PROGRESS_REPORT
            and IncidentReport.objects.filter(incident=current, kind=kind).exists()
        ):
            message = _("This report has been recorded already.")
            raise Conflict(message)
        try:
            with transaction.atomic():
                report = IncidentReport.objects.create(
                    incident=current,
                    kind=kind,
                    made_at=made_at,
                    recipient=recipient or default_recipient(current, kind),
                    reference=reference,
                    note=note,
                    made_by=actor,
                    recorded_at=now,
                )
        except IntegrityError as exc:
            raise Conflict(_("This report has been recorded already.")) from exc
        SecurityIncident.objects.filter(pk=current.pk).update(version=current.version + 1, updated_at=now)
        current.version += 1
        record(
            current,
            actor,
            IncidentAction.REPORTED,
            at=now,
            field="report",
            new=f"{report.get_kind_display()}: {report.recipient} {report.reference}".strip(),
        )
        _refresh_clocks(current)
    return report


# -- access ----------------------------------------------------------------------------------------


def grant_access(incident: SecurityIncident, *, person: User, actor: User) -> None:
    """Let `person` (an operator) work on the incident's melding. Security officers only."""
    ensure_security_officer(actor)
    with transaction.atomic():
        current = _lock(incident, actor, None)
        servicedesk.grant_incident_access(current.melding, person=person, actor=actor)
        record(current, actor, IncidentAction.ACCESS_GRANTED, field="access", new=str(person))


def revoke_access(incident: SecurityIncident, *, person: User, actor: User) -> None:
    """Take `person`'s access away. Security officers only; a security officer keeps seeing every
    incident through their mark, whatever their access rows say."""
    ensure_security_officer(actor)
    with transaction.atomic():
        current = _lock(incident, actor, None)
        servicedesk.revoke_incident_access(current.melding, person=person, actor=actor)
        record(current, actor, IncidentAction.ACCESS_REVOKED, field="access", old=str(person))


def log_read(incident: SecurityIncident, *, reader: User, route: str) -> None:
    """Write a read of the incident's page or API detail to its melding's read log."""
    servicedesk.log_restricted_read(incident.melding, reader=reader, route=route)


__all__ = [
    "IncidentData",
    "applicable_kinds",
    "deadlines_of",
    "declare_incident",
    "default_recipient",
    "edit_incident",
    "grant_access",
    "is_security_officer",
    "log_read",
    "record_report",
    "reports_made",
    "revoke_access",
]
