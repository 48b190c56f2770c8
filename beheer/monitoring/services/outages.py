"""Outages as meldingen: one melding per outage, opened, noted and resolved by the built-in
monitoring operator, with alerts to the check's group and webhooks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import User
from beheer.core import config_cache
from beheer.core.errors import DomainError
from beheer.notifications import services as notifications
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Impact, Melding, Priority, Urgency, Visibility

from .. import alertmanager
from ..models import (
    Check,
    CheckResult,
)

MONITOR_USERNAME = "beheer-monitoring"


def monitor_actor() -> User:
    """The built-in operator that registers and resolves meldingen for checks; it cannot sign in."""
    return accounts.service_user(MONITOR_USERNAME, first_name="Monitoring")


def _describe(check: Check, result: CheckResult) -> str:
    lines = [
        _("Check: %(name)s (%(kind)s)") % {"name": check.name, "kind": check.get_kind_display()},
        _("Target: %(target)s") % {"target": check.target or check.host},
        _("Failed at: %(at)s") % {"at": result.at.isoformat(timespec="seconds")},
    ]
    if result.detail:
        lines.append(_("Result: %(detail)s") % {"detail": result.detail})
    recent = CheckResult.objects.filter(check_obj=check).order_by("-at", "-id")[:10]
    lines.append(_("Recent results:"))
    lines += [
        f"  {r.at.isoformat(timespec='seconds')}  {'OK' if r.ok else 'FAIL'}  {r.detail[:120]}"
        for r in recent
    ]
    return "\n".join(lines)


def _open_or_reopen(
    current: Melding | None,
    *,
    brief: str,
    request: str,
    again: str,
    object_name: str,
    impact: Any,
    urgency: Any,
    operator_group: Any,
) -> Melding:
    """One melding per outage: a note on the open one, else re-open the resolved one (within the
    re-open period), else a new melding with entry type "monitoring"."""
    actor = monitor_actor()
    if current is not None:
        current = Melding.objects.select_related("status").get(pk=current.pk)
        if current.is_open:
            _note(current, again + "\n" + request)
            return current
        if current.closed_at is None:
            try:
                return servicedesk.reopen_melding(current, reason=again + "\n" + request, actor=actor)
            except DomainError:
                pass  # past the reopen period: a new melding below
    return servicedesk.open_melding(
        actor=actor,
        brief_description=brief[:80],
        request=request,
        entry_type=EntryType.MONITORING,
        caller_name=_("Monitoring"),
        object_name=object_name[:200],
        impact=impact,
        urgency=urgency,
        operator_group=operator_group,
    )


def outage_classification(check: Check) -> tuple[Impact | None, Urgency | None]:
    """The impact and urgency of the check's outage meldingen: the check's own; where it names
    none, the servicedesk's default impact (the lowest) and the most urgent urgency, because a
    check that is down stops the work that depends on it (not "can work": P4 for an outage)."""
    impact = check.impact or config_cache.cached(
        "monitoring_default_impact",
        lambda: Impact.objects.filter(active=True).order_by("-level", "id").first(),
    )
    urgency = check.urgency or config_cache.cached(
        "monitoring_default_urgency",
        lambda: Urgency.objects.filter(active=True).order_by("level", "id").first(),
    )
    return impact, urgency


def outage_priority(check: Check) -> Priority | None:
    """The priority the check's outage meldingen get (None while the servicedesk has no impacts,
    urgencies or priorities configured)."""
    impact, urgency = outage_classification(check)
    if impact is None or urgency is None:
        return None
    try:
        return servicedesk.priority_for(impact, urgency)
    except DomainError:
        return None


def _open_outage(check: Check, current: Melding | None, result: CheckResult) -> Melding:
    impact, urgency = outage_classification(check)
    melding = _open_or_reopen(
        current,
        brief=_("Down: %(name)s") % {"name": check.name},
        request=_describe(check, result),
        again=_("Down again."),
        object_name=check.host or check.target,
        impact=impact,
        urgency=urgency,
        operator_group=check.operator_group,
    )
    _alert(check, firing=True, melding=melding, result=result)
    return melding


def _check_labels(check: Check) -> dict[str, str]:
    return {
        "alertname": "BeheerCheckDown",
        "check": check.name,
        "check_id": str(check.pk),
        "kind": str(check.kind),
        "instance": check.host or check.target,
        "tags": ",".join(check.tag_list),
    }


def _alert(check: Check, *, firing: bool, melding: Melding, result: CheckResult) -> None:
    """Tell the check's operator group (e-mail) and the subscribed webhooks (Alertmanager v4 JSON)."""
    summary = (_("Down: %(name)s") if firing else _("Up again: %(name)s")) % {"name": check.name}
    link = str(settings.SITE_URL).rstrip("/") + reverse("melding-detail", args=[melding.pk])
    body = alertmanager.outbound(
        firing=firing,
        labels=_check_labels(check),
        annotations={"summary": summary, "description": result.detail},
        starts_at=result.at if firing else melding.created_at,
        ends_at=None if firing else result.at,
        generator_url=link,
        external_url=str(settings.SITE_URL).rstrip("/"),
    )
    notifications.enqueue(
        "check_down" if firing else "check_up",
        key=f"check:{check.pk}:{'down' if firing else 'up'}:{result.at.isoformat()}",
        recipients=[check.operator_group] if check.operator_group is not None else [],
        context={
            "melding_number": melding.number,
            "brief_description": melding.brief_description,
            "link_url": link,
            "check_name": check.name,
            "target": check.host or check.target,
            "result_detail": result.detail,
            "webhook_body": body,
        },
        object_ref=("melding", melding.pk),
    )


def _note(melding: Melding, text: str) -> None:
    servicedesk.add_note(melding, text=text, visibility=Visibility.INTERNAL, actor=monitor_actor())


def _recovered(check: Check, melding: Melding, result: CheckResult) -> None:
    melding = Melding.objects.select_related("status").get(pk=melding.pk)
    _alert(check, firing=False, melding=melding, result=result)
    if not melding.is_open:
        return
    text = _("Recovered at %(at)s.") % {"at": result.at.isoformat(timespec="seconds")}
    if check.resolve_on_recovery:
        servicedesk.resolve_melding(
            melding,
            solution=_("The check %(name)s is up again.") % {"name": check.name} + " " + text,
            actor=monitor_actor(),
            expected_version=None,
        )
    else:
        _note(melding, text)
