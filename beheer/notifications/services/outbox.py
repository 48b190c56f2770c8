"""Writing the outbox: `enqueue` turns an event for people, groups, addresses and webhooks into
messages, in the caller's transaction; who hears that something is late."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock, config_cache
from beheer.core.errors import DomainError

from .. import rendering
from ..events import DEFAULT_LANGUAGE, Event
from ..models import (
    Channel,
    GroupNotificationSetting,
    MessageStatus,
    NotificationPreference,
    NotificationTemplate,
    OutgoingAttachment,
    OutgoingMessage,
    WebhookEndpoint,
)
from ._base import (
    ObjectRef,
    OutgoingFile,
    Recipient,
    RecipientSpec,
    _event,
    _language,
    _message_id,
    _send_after_commit,
    _valid_address,
    max_attachment_bytes,
)
from .ttl import _expiry

logger = logging.getLogger(__name__)


def _expand(recipients: Iterable[RecipientSpec], event: str) -> list[Recipient]:
    """People, groups and addresses -> distinct addresses with a language, honouring preferences."""
    people: list[User] = []
    result: list[Recipient] = []
    groups = [r for r in recipients if isinstance(r, OperatorGroup)]
    group_settings = {
        s.group_id: s for s in GroupNotificationSetting.objects.filter(group__in=[g.pk for g in groups])
    }
    for spec in recipients:
        if isinstance(spec, User):
            people.append(spec)
        elif isinstance(spec, OperatorGroup):
            setting = group_settings.get(spec.pk)
            if setting is None or setting.mail_group_address:
                address = (setting.email if setting else "") or spec.email
                if address:
                    result.append(Recipient(address=address, language=_language(None), name=spec.name))
            if setting is not None and setting.mail_members:
                people.extend(spec.members.filter(is_active=True))
        elif isinstance(spec, Recipient):
            result.append(spec)
        elif isinstance(spec, str):
            result.append(Recipient(address=spec, language=_language(None)))
    if people:
        muted = config_cache.cached(  # who switched this event off; kept per process a few seconds
            ("muted", event),
            lambda: frozenset(
                NotificationPreference.objects.filter(event=event, enabled=False).values_list(
                    "user_id", flat=True
                )
            ),
        )
        for person in people:
            if person.is_active and person.email and person.pk not in muted:
                result.append(
                    Recipient(
                        address=person.email,
                        language=_language(person.language),
                        name=person.get_full_name() or person.username,
                        user=person,
                    )
                )
    seen: set[str] = set()
    distinct = []
    for r in result:
        address = r.address.strip()
        if not address or address.lower() in seen or not _valid_address(address):
            continue
        seen.add(address.lower())
        distinct.append(Recipient(address=address, language=_language(r.language), name=r.name, user=r.user))
    return distinct


def escalation_recipients(
    person: User | None, group: OperatorGroup | None, *, include_group: bool = False
) -> list[RecipientSpec]:
    """Who hears that something is late: the person in charge and the coordinator of their
    operator group; the group itself (its notification setting applies) when neither can be told,
    or always with `include_group`. Inactive people count as absent.

    Used for target dates at risk or passed (servicedesk) and overdue preventive activities.
    """
    people: list[RecipientSpec] = []
    if person is not None and person.is_active:
        people.append(person)
    coordinator = group.coordinator if group is not None and group.coordinator_id else None
    if coordinator is not None and coordinator.is_active:
        people.append(coordinator)
    if group is not None and (include_group or not people):
        people.append(group)
    return people


def _localized(context: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Values given as {"nl": ..., "en": ...} become the one for `language`."""
    out: dict[str, Any] = {}
    for key, value in context.items():
        if key == "webhook_body":  # for webhooks only, not a template variable
            continue
        if isinstance(value, Mapping):
            value = value.get(language) or value.get(DEFAULT_LANGUAGE) or next(iter(value.values()), "")
        out[key] = value
    return out


def _message_key(key: str, suffix: str) -> str:
    full = f"{key}:{suffix}"
    if len(full) <= 255:
        return full
    return full[:190] + ":" + hashlib.sha256(full.encode()).hexdigest()


def _render_for(
    event: Event, language: str, overrides: dict[str, NotificationTemplate], context: Mapping[str, Any]
) -> rendering.Rendered:
    override = overrides.get(language)
    if override is not None:
        try:
            return rendering.render_message(
                subject=override.subject, body=override.body, body_html=override.body_html, context=context
            )
        except rendering.TemplateProblem:
            logger.warning("Template %s/%s failed; the built-in text is used", event.code, language)
    return rendering.render_message(
        subject=event.subject[language], body=event.body[language], body_html="", context=context
    )


def enqueue(
    event: str,
    *,
    key: str,
    recipients: Iterable[RecipientSpec],
    context: Mapping[str, Any],
    object_ref: ObjectRef | None,
    thread_headers: Mapping[str, str] | None = None,
    attachments: Sequence[OutgoingFile] = (),
) -> list[int]:
    """Write the outbox rows for `event` in the caller's transaction; returns their ids.

    `key` identifies the occurrence (e.g. "melding:123:status:7"); each message's key adds the
    recipient, so enqueuing the same occurrence twice writes each message once. Recipients are
    people (their language and preferences apply; no address, no message), operator groups (the
    group's notification setting applies) or plain addresses. Webhooks subscribed to the event get
    one message each. `attachments` go with every e-mail message, stored with it (at most
    `max_attachment_bytes` together). The messages are queued: they are sent after the commit,
    unless they wait longer than the event's time to live.
    """
    definition = _event(event)
    if not key or len(key) > 200:
        raise DomainError(_("A notification needs a key of at most 200 characters."))
    total = sum(len(f.content) for f in attachments)
    if total > max_attachment_bytes() or len(attachments) > 20:
        raise DomainError(
            _("Attachments of at most %(size)s together can be sent.")
            % {"size": filesizeformat(max_attachment_bytes())}
        )
    now = clock.now()
    expires_at = _expiry(event, now)
    object_type, object_id = object_ref if object_ref else ("", None)
    thread = {k: v for k, v in (thread_headers or {}).items() if k in ("In-Reply-To", "References") and v}
    overrides = config_cache.cached(  # configuration: kept per process for a few seconds
        ("notification_templates", event),
        lambda: {t.language: t for t in NotificationTemplate.objects.filter(event=event)},
    )
    rows: list[OutgoingMessage] = []
    for recipient in _expand(list(recipients), event):
        message_id = _message_id()
        suffix = f"user:{recipient.user.pk}" if recipient.user else f"to:{recipient.address.lower()}"
        row = OutgoingMessage(
            key=_message_key(key, suffix),
            event=event,
            channel=Channel.EMAIL,
            recipient=recipient.address[:254],
            recipient_user=recipient.user,
            to_person=recipient.user is not None,
            language=recipient.language,
            message_id=message_id,
            headers={
                "Message-ID": message_id,
                **thread,
                "Auto-Submitted": "auto-generated",
                "X-Auto-Response-Suppress": "All",
                "X-Beheer-Event": event,
            },
            object_type=object_type,
            object_id=object_id,
            next_attempt_at=now,
            created_at=now,
            expires_at=expires_at,
            attachment_count=len(attachments),
        )
        try:
            values = {**_localized(context, recipient.language), "recipient_name": recipient.name}
            rendered = _render_for(definition, recipient.language, overrides, values)
        except Exception as exc:  # this recipient's text cannot be made: record it, mail the others
            logger.warning("Message %s for %s could not be rendered: %s", event, row.key, exc)
            row.subject = str(definition.label)[:255]
            row.status = MessageStatus.DEAD
            row.last_error = (_("The message could not be written: %(error)s") % {"error": exc})[:2000]
        else:
            row.subject = rendered.subject
            row.body_text = rendered.body_text
            row.body_html = rendered.body_html
        rows.append(row)
    endpoints = config_cache.cached(("webhooks", event), lambda: WebhookEndpoint.objects.subscribed(event))
    for endpoint in endpoints:
        message_key = _message_key(key, f"webhook:{endpoint.pk}")
        # an event may bring its own webhook body in a standard format (check alerts: Alertmanager)
        payload = context.get("webhook_body") or {
            "event": event,
            "key": message_key,
            "occurred_at": now.isoformat(),
            "object": {"type": object_type, "id": object_id} if object_type else None,
            "data": {
                k: v for k, v in context.items() if isinstance(v, str | int | float | dict | type(None))
            },
        }
        rows.append(
            OutgoingMessage(
                key=message_key,
                event=event,
                channel=Channel.WEBHOOK,
                recipient=endpoint.url[:254],
                webhook=endpoint,
                language=DEFAULT_LANGUAGE,
                subject=event,
                body_text=json.dumps(payload, ensure_ascii=False, default=str),
                object_type=object_type,
                object_id=object_id,
                next_attempt_at=now,
                created_at=now,
                expires_at=expires_at,
            )
        )
    if not rows:
        return []
    with transaction.atomic(savepoint=False):
        # One statement that also returns the ids: a key written before stays as it was (the
        # no-op update only makes the database return its id; the sender skips what is not due).
        created = OutgoingMessage.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["key"], update_fields=["key"]
        )
        if attachments:
            # Written with the messages; a repeated enqueue finds its positions taken and adds none.
            OutgoingAttachment.objects.bulk_create(
                [
                    OutgoingAttachment(
                        message_id=row.pk,
                        position=position,
                        filename=f.filename[:200],
                        content_type=f.content_type[:100],
                        size=len(f.content),
                        content=f.content,
                    )
                    for row in created
                    if row.pk is not None and row.channel == Channel.EMAIL
                    for position, f in enumerate(attachments)
                ],
                ignore_conflicts=True,
            )
    ids = [row.pk for row in created if row.pk is not None]
    logger.debug("Queued %d messages for %s (%s)", len(ids), event, key)
    _send_after_commit(ids)
    return ids
