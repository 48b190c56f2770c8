"""What the servicedesk tells people by e-mail: one function per event, called by the services.

Each function runs inside the calling service's transaction and writes outbox rows through
`beheer.notifications.services.enqueue`; the messages leave after the commit. The key of each
event names one occurrence (a melding version, a note, an escalation), so a retried service call
or a second sweep never mails twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from beheer.accounts.models import OperatorGroup, User
from beheer.notifications import services as notifications
from beheer.notifications.services import Recipient, RecipientSpec

from ..models import Melding, Note, Status

_DEFAULT_LANGUAGE = "nl"


def _link(name: str, pk: int) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=[pk])


def _both(obj: Any) -> dict[str, str] | str:
    """A lookup's name in both languages, picked per recipient by the outbox."""
    if obj is None:
        return ""
    if hasattr(obj, "name_nl"):
        return {"nl": obj.name_nl, "en": obj.name_en or obj.name_nl}
    return str(obj)


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _base(m: Melding, *, for_caller: bool) -> dict[str, Any]:
    return {
        "melding_number": m.number,
        "brief_description": m.brief_description,
        "link_url": _link("portal-detail" if for_caller else "melding-detail", m.pk),
        "caller_name": _person(m.caller) if m.caller_id else m.caller_name,
    }


def _caller(m: Melding) -> list[RecipientSpec]:
    """The registered caller, or the address an unregistered caller left; nobody for a partial."""
    if m.parent_id is not None:
        return []
    if m.caller_id:
        return [m.caller] if m.caller else []
    if m.caller_email:
        return [Recipient(address=m.caller_email, language=_DEFAULT_LANGUAGE, name=m.caller_name)]
    return []


# What a message about a security incident says instead of its content (`Melding.restricted`).
RESTRICTED_SUBJECT = {"nl": "Beveiligingsincident", "en": "Security incident"}
CONTENT_KEYS = ("caller_name", "reply_text", "solution_text", "operator_name", "assigned_by")


def _without_content(
    m: Melding, recipients: list[RecipientSpec], context: dict[str, Any]
) -> list[RecipientSpec]:
    """A security incident's messages carry no content: only its number and a link (which opens only
    for the people who may read it); the caller is no longer mailed (the call left their portal)."""
    context["brief_description"] = RESTRICTED_SUBJECT
    for key in CONTENT_KEYS:
        if key in context:
            context[key] = ""
    caller = _caller(m)
    return [r for r in recipients if r not in caller]


def _send(event: str, m: Melding, key: str, recipients: list[RecipientSpec], context: dict[str, Any]) -> None:
    if m.restricted:
        recipients = _without_content(m, recipients, context)
    if recipients:
        notifications.enqueue(
            event,
            key=f"melding:{m.pk}:{key}",
            recipients=recipients,
            context=context,
            object_ref=("servicedesk.melding", m.pk),
        )


def melding_registered(m: Melding) -> None:
    """Acknowledgement with the number, to the caller."""
    _send("melding_registered", m, "registered", _caller(m), _base(m, for_caller=True))


def operator_replied(m: Melding, note: Note, *, actor: User) -> None:
    """A reply the caller may read, written by an operator."""
    if m.caller_id == actor.pk:
        return
    context = {**_base(m, for_caller=True), "operator_name": _person(actor), "reply_text": note.text}
    _send("operator_reply", m, f"note:{note.pk}", _caller(m), context)


def status_changed(m: Melding, status: Status) -> None:
    """Waiting for the caller, resolved (please confirm), or a status flagged to notify the caller."""
    kind = str(status.kind)
    if kind != "resolved" and not status.notify_caller:
        return
    if kind == "waiting" and not status.is_default:
        kind = "other"  # waiting for a supplier, say: not a question to the caller
    context = {
        **_base(m, for_caller=True),
        "status": _both(status),
        "status_kind": kind if kind in ("waiting", "resolved") else "other",
        "solution_text": m.solution if kind == "resolved" else "",
    }
    _send("status_changed", m, f"v{m.version}:status:{status.pk}", _caller(m), context)


def _target(m: Melding) -> str:
    due = m.resolution_due or m.target_date
    if due is None:
        return ""
    with translation.override(_DEFAULT_LANGUAGE):
        return str(formats.date_format(timezone.localtime(due), "DATETIME_FORMAT"))


def sla_escalated(m: Melding, *, metric: str, kind: str) -> None:
    """At risk or breached: the operator and the coordinators of the group (once per escalation)."""
    group: OperatorGroup | None = m.operator_group
    people = notifications.escalation_recipients(m.operator if m.operator_id else None, group)
    context = {
        **_base(m, for_caller=False),
        "target_date": _target(m),
        "operator_group": group.name if group else "",
        "operator_name": _person(m.operator) if m.operator_id else "",
        "priority": _both(m.priority),
    }
    event = "sla_breached" if kind == "breached" else "sla_at_risk"
    _send(event, m, f"sla:{metric}:{kind}", people, context)


def assigned(m: Melding, *, group_changed: bool, operator_changed: bool, actor: User) -> None:
    """A new operator hears it is theirs; a new group hears it has a melding (group settings apply)."""
    context = {
        **_base(m, for_caller=False),
        "operator_group": m.operator_group.name if m.operator_group else "",
        "priority": _both(m.priority),
        "assigned_by": _person(actor),
    }
    if operator_changed and m.operator is not None and m.operator.pk != actor.pk:
        _send("assigned_to_you", m, f"v{m.version}:operator:{m.operator.pk}", [m.operator], context)
    if group_changed and m.operator_group is not None:
        group = m.operator_group
        _send("assigned_to_group", m, f"v{m.version}:group:{group.pk}", [group], context)
