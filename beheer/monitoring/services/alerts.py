"""Prometheus Alertmanager webhooks in: alert sources and their alerts as meldingen."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access, clock
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import Impact, Urgency

from .. import alertmanager
from ..models import (
    AlertSource,
    ReceivedAlert,
)
from .outages import _note, _open_or_reopen, monitor_actor

NAME_MAX = 120


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_configurer(actor: User) -> None:
    if not access.is_administrator(actor):
        raise PermissionDenied(_("Only administrators may configure alert sources."))


def issue_alert_source_token(source: AlertSource, *, actor: User) -> str:
    """A new secret for the source's webhook URL (the old URL stops working); shown once."""
    _require_configurer(actor)
    token = secrets.token_urlsafe(24)
    source.token_hash = _token_hash(token)
    source.save(update_fields=["token_hash"])
    return token


def check_alert_source(*, name: str, operator_group: OperatorGroup | None) -> str:
    """The rules of a source's settings: a name of at most 120 characters, and an operator group
    the servicedesk accepts for a new melding (an alert opens one later: what it would refuse then
    is refused now). Returns the cleaned name; DomainError with a message per field. Forms call it
    to show the errors first; the services below call it again."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("A name of at most 120 characters is required.")
    try:
        servicedesk.check_new_melding_group(operator_group)
    except DomainError as exc:
        errors.update(exc.field_errors or {"operator_group": exc.message})
    if errors:
        raise DomainError(next(iter(errors.values())), field_errors=errors)
    return name


@transaction.atomic
def create_alert_source(
    *,
    actor: User,
    name: str,
    operator_group: OperatorGroup | None = None,
    impact: Impact | None = None,
    urgency: Urgency | None = None,
    resolve_on_resolved: bool = True,
    active: bool = True,
) -> tuple[AlertSource, str]:
    """A new Alertmanager source and the token of its webhook URL."""
    _require_configurer(actor)
    name = check_alert_source(name=name, operator_group=operator_group)
    token = secrets.token_urlsafe(24)
    source = AlertSource.objects.create(
        name=name,
        token_hash=_token_hash(token),
        operator_group=operator_group,
        impact=impact,
        urgency=urgency,
        resolve_on_resolved=resolve_on_resolved,
        active=active,
        created_by=actor,
        created_at=clock.now(),
    )
    return source, token


@transaction.atomic
def update_alert_source(
    source: AlertSource,
    *,
    actor: User,
    name: str,
    operator_group: OperatorGroup | None,
    impact: Impact | None,
    urgency: Urgency | None,
    resolve_on_resolved: bool,
    active: bool,
) -> AlertSource:
    """Change a source's settings (its webhook URL stays the same)."""
    _require_configurer(actor)
    name = check_alert_source(name=name, operator_group=operator_group)
    current = AlertSource.objects.select_for_update().filter(pk=source.pk).first()
    if current is None:
        raise NotFound(_("Unknown alert source."))
    current.name = name
    current.operator_group = operator_group
    current.impact = impact
    current.urgency = urgency
    current.resolve_on_resolved = resolve_on_resolved
    current.active = active
    current.save(
        update_fields=["name", "operator_group", "impact", "urgency", "resolve_on_resolved", "active"]
    )
    return current


@transaction.atomic
def delete_alert_source(source: AlertSource, *, actor: User) -> None:
    """Remove a source and what it remembers of its alerts; the meldingen they opened stay."""
    _require_configurer(actor)
    deleted, _rows = AlertSource.objects.filter(pk=source.pk).delete()
    if not deleted:
        raise NotFound(_("Unknown alert source."))


def _alert_request(source: AlertSource, alert: alertmanager.InboundAlert) -> str:
    lines = [_("Alert from %(source)s: %(title)s") % {"source": source.name, "title": alert.title()}]
    if alert.annotations.get("description"):
        lines.append(alert.annotations["description"])
    if alert.startsAt:
        lines.append(_("Firing since: %(at)s") % {"at": alert.startsAt.isoformat(timespec="seconds")})
    lines.append(_("Labels:"))
    lines += [f"  {k}={v}" for k, v in sorted(alert.labels.items())]
    if alert.generatorURL:
        lines.append(_("Source: %(url)s") % {"url": alert.generatorURL[:500]})
    return "\n".join(lines)


@transaction.atomic
def receive_alerts(
    token: str, message: alertmanager.InboundMessage, *, at: datetime | None = None
) -> dict[str, int]:
    """Turn an Alertmanager webhook into meldingen: a firing alert opens (or re-opens) one melding
    per fingerprint, repeats of a firing alert change nothing, a resolved alert adds a note and
    (configurable per source) resolves the melding. Returns counts per outcome."""
    source = AlertSource.objects.filter(token_hash=_token_hash(token or ""), active=True).first()
    if source is None:
        raise NotFound(_("Unknown alert source."))
    now = at or clock.now()
    counts = {"opened": 0, "repeated": 0, "resolved": 0, "ignored": 0}
    for alert in message.alerts:
        identity = alert.identity()
        title = alert.title()[:200]
        row, _created = ReceivedAlert.objects.get_or_create(
            source=source,
            fingerprint=identity,
            defaults={
                "status": "new",
                "title": title,
                "labels": alert.labels,
                "first_received_at": now,
                "last_received_at": now,
            },
        )
        row = (
            ReceivedAlert.objects.select_for_update(of=("self",))
            .select_related("melding__status")
            .get(pk=row.pk)
        )
        open_melding = row.melding if row.melding is not None and row.melding.is_open else None
        if alert.status == "firing":
            if row.status == "firing" and open_melding is not None:
                counts["repeated"] += 1
            else:
                row.melding = _open_or_reopen(
                    row.melding,
                    brief=_("Alert: %(title)s") % {"title": title},
                    request=_alert_request(source, alert),
                    again=_("The alert is firing again."),
                    object_name=alert.labels.get("instance", "") or alert.labels.get("job", ""),
                    impact=source.impact,
                    urgency=source.urgency,
                    operator_group=source.operator_group,
                )
                counts["opened"] += 1
            row.status = "firing"
        elif open_melding is not None and row.status != "resolved":
            text = _("The alert %(title)s is resolved.") % {"title": title}
            if source.resolve_on_resolved:
                servicedesk.resolve_melding(
                    open_melding, solution=text, actor=monitor_actor(), expected_version=None
                )
            else:
                _note(open_melding, text)
            row.status = "resolved"
            counts["resolved"] += 1
        else:
            row.status = "resolved"
            counts["ignored"] += 1
        row.title, row.labels, row.last_received_at = title, alert.labels, now
        row.save()
    return counts
