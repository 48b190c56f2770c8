"""Every write of the notifications app.

Domain services call `enqueue` inside their own transaction: the outbox rows are written with the
change that causes them, or not at all. After the commit a task sends them; the periodic job
`notifications.send_due` is the safety net. The notifications app never calls back into a domain app.

Every message gets the time to live of its event (`ttl_hours`, editable by administrators): one
still waiting after it is marked expired, never sent. A message that cannot be written for one
recipient (its text does not render) is stored as failed with the error; the others go out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock, config_cache, outbound
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from . import crypto, rendering, transports
from .events import (
    DEFAULT_LANGUAGE,
    EVENTS,
    LANGUAGES,
    MAX_TTL_HOURS,
    SAMPLE_CONTEXT,
    Event,
    default_ttl_hours,
)
from .models import (
    DISCARDABLE as _DISCARDABLE,
)
from .models import (
    WAITING,
    Channel,
    EventSetting,
    GroupNotificationSetting,
    MailServer,
    MessageStatus,
    NotificationPreference,
    NotificationTemplate,
    OutboxDiscard,
    OutgoingAttachment,
    OutgoingMessage,
    Security,
    WebhookEndpoint,
)
from .sending import active_mail_server, expire_due, send_due, send_messages, smtp_config

__all__ = [
    "OutgoingFile",
    "Recipient",
    "configure_group",
    "configure_mail_server",
    "create_webhook",
    "delete_webhook",
    "discard_messages",
    "enqueue",
    "escalation_recipients",
    "expire_due",
    "record_bounce",
    "reset_template",
    "retry_message",
    "save_template",
    "send_due",
    "send_messages",
    "send_test_email",
    "set_preferences",
    "set_ttl_hours",
    "ttl_hours",
    "update_webhook",
]

logger = logging.getLogger(__name__)
ObjectRef = tuple[str, int]


@dataclass(frozen=True)
class Recipient:
    """An address that is not (or not only) a person: a group mailbox, an external address."""

    address: str
    language: str = DEFAULT_LANGUAGE
    name: str = ""
    user: User | None = None


RecipientSpec = User | OperatorGroup | Recipient | str


@dataclass(frozen=True)
class OutgoingFile:
    """A file to send with an e-mail message (stored with it; see `max_attachment_bytes`)."""

    filename: str
    content_type: str
    content: bytes


def max_attachment_bytes() -> int:
    """The most one message may carry in attachments, together."""
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def _require_admin(actor: User | None) -> None:
    if actor is None or not getattr(actor, "is_administrator", False):
        raise PermissionDenied(_("Only administrators can change notification settings."))


def _event(code: str) -> Event:
    event = EVENTS.get(code)
    if event is None:
        raise DomainError(
            _("Unknown event “%(code)s”.") % {"code": code}, field_errors={"event": _("Unknown event.")}
        )
    return event


def _language(value: str | None) -> str:
    value = (value or "")[:2]
    if value in LANGUAGES:
        return value
    default = str(settings.LANGUAGE_CODE)[:2]
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def _valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return "\n" not in address and "\r" not in address


# --------------------------------------------------------------------------------------------------
# time to live


def ttl_settings() -> dict[str, int]:
    """Every event's time to live in hours (0: no limit): the administrator's, else the default."""
    stored = config_cache.cached(  # configuration: kept per process for a few seconds
        ("notification_ttl",), lambda: dict(EventSetting.objects.values_list("event", "ttl_hours"))
    )
    return {code: stored.get(code, default_ttl_hours(code)) for code in EVENTS}


def ttl_hours(event: str) -> int:
    return ttl_settings().get(event, default_ttl_hours(event))


def _expiry(event: str, created_at: datetime) -> datetime | None:
    hours = ttl_hours(event)
    return created_at + timedelta(hours=hours) if hours else None


@transaction.atomic
def set_ttl_hours(*, actor: User, hours: Mapping[str, int]) -> dict[str, int]:
    """Change how long messages of each event may wait (administrators); messages still waiting
    get the new limit too, counted from when they were written."""
    _require_admin(actor)
    errors = {
        code: _("Enter a number of hours from 0 to %(max)d.") % {"max": MAX_TTL_HOURS}
        for code, value in hours.items()
        if code in EVENTS and not 0 <= int(value) <= MAX_TTL_HOURS
    }
    unknown = [code for code in hours if code not in EVENTS]
    if unknown:
        errors[unknown[0]] = _("Unknown event.")
    if errors:
        raise DomainError(_("The times to live are not valid."), field_errors=errors)
    now = clock.now()
    current = ttl_settings()
    for code, value in hours.items():
        value = int(value)
        if value == current[code]:
            continue
        EventSetting.objects.update_or_create(
            event=code, defaults={"ttl_hours": value, "updated_at": now, "updated_by": actor}
        )
        waiting = OutgoingMessage.objects.filter(event=code, status__in=WAITING)
        if value:
            waiting.update(expires_at=F("created_at") + timedelta(hours=value))
        else:
            waiting.update(expires_at=None)
        logger.info("Time to live of %s set to %d hours by %s", code, value, actor.pk)
    transaction.on_commit(config_cache.clear)
    return {**current, **{code: int(value) for code, value in hours.items()}}


# --------------------------------------------------------------------------------------------------
# enqueue


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


def _message_id() -> str:
    host = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname or "beheer.invalid"
    return f"<beheer.{uuid.uuid4().hex}@{host}>"


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


def _tasks_share_the_database() -> bool:
    """True when queued tasks are rows in this database (the production set-up)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from .tasks import send_pending

    return isinstance(task_backends[send_pending.backend], DatabaseBackend)


def _send_after_commit(ids: list[int]) -> None:
    if not ids:
        return
    from .tasks import send_pending

    if _tasks_share_the_database():
        # The worker runs `send_due` every few seconds and finds the committed rows itself: no task
        # row, so registering a melding costs no extra insert and no extra commit.
        return

    def start() -> None:
        try:
            send_pending.enqueue(ids)
        except Exception:  # the periodic job sends them within a minute
            logger.exception("Could not queue the sending of messages %s", ids)

    transaction.on_commit(start)


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


# --------------------------------------------------------------------------------------------------
# delivery outcomes


@transaction.atomic
def retry_message(message: OutgoingMessage, *, actor: User) -> OutgoingMessage:
    """Send a message that failed permanently once more (administrators)."""
    _require_admin(actor)
    changed = OutgoingMessage.objects.filter(pk=message.pk, status=MessageStatus.DEAD).update(
        status=MessageStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        claim_token="",
        last_error="",
        bounced_at=None,
    )
    if not changed:
        raise Conflict(_("Only a message that failed permanently can be retried."))
    logger.info("Message %s queued again by %s", message.pk, actor.pk)
    _send_after_commit([message.pk])
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class DiscardFilter:
    """Which messages a bulk discard takes: a status among the discardable ones (or all of them),
    an event (or all), and created before a moment (the moment the count was shown, and the age)."""

    status: str = ""
    event: str = ""
    older_than_hours: int = 0


def discard_candidates(filters: DiscardFilter, *, created_before: datetime | None = None) -> Any:
    """The messages `discard_messages` would take now (a QuerySet); raises DomainError for a
    status or event that cannot be discarded."""
    errors: dict[str, str] = {}
    if filters.status and filters.status not in (s.value for s in _DISCARDABLE):
        errors["status"] = _("Only queued, retrying or failed messages can be discarded.")
    if filters.event and filters.event not in EVENTS:
        errors["event"] = _("Unknown event.")
    if not 0 <= filters.older_than_hours <= 100_000:
        errors["older_than_hours"] = _("Out of range.")
    if errors:
        raise DomainError(_("The filter is not valid."), field_errors=errors)
    moment = created_before or clock.now()
    if filters.older_than_hours:
        moment = min(moment, clock.now() - timedelta(hours=filters.older_than_hours))
    return OutgoingMessage.objects.discardable(
        status=filters.status, event=filters.event, created_before=moment
    )


@transaction.atomic
def discard_messages(filters: DiscardFilter, *, actor: User, created_before: datetime) -> OutboxDiscard:
    """Discard, in one go, the waiting and failed messages that match (administrators): they are
    never sent. `created_before` is the moment the administrator saw the count, so messages
    written since are left alone. A message being sent at this moment is not taken. Recorded with
    who, when, the filter and how many."""
    _require_admin(actor)
    now = clock.now()
    who = actor.get_full_name() or actor.username
    count = discard_candidates(filters, created_before=created_before).update(
        status=MessageStatus.DISCARDED,
        claim_token="",
        last_error=(
            _("Discarded by %(name)s on %(when)s.")
            % {"name": who, "when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
        ),
    )
    record = OutboxDiscard.objects.create(
        actor=actor,
        actor_name=who[:150],
        created_at=now,
        status=filters.status,
        event=filters.event,
        created_before=created_before,
        count=count,
    )
    logger.info("%d outbox messages discarded by %s (discard %s)", count, actor.pk, record.pk)
    return record


@dataclass(frozen=True)
class OutboxSummary:
    """What the dashboard says about the outbox: waiting now, failed and expired in the last days."""

    waiting: int
    failed: int
    expired: int
    days: int
    mail_server_configured: bool
    oldest_waiting: datetime | None

    @property
    def needs_attention(self) -> bool:
        return bool(self.failed or self.expired or (self.waiting and not self.mail_server_configured))


def outbox_summary(*, days: int = 7) -> OutboxSummary:
    """Counts by state; each count is read from an index (status and creation time), never a scan
    of the whole outbox."""
    since = clock.now() - timedelta(days=days)
    messages = OutgoingMessage.objects
    waiting = messages.filter(status__in=WAITING)
    count = waiting.count()
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first() if count else None
    return OutboxSummary(
        waiting=count,
        failed=messages.filter(status=MessageStatus.DEAD, created_at__gte=since).count(),
        expired=messages.filter(status=MessageStatus.EXPIRED, created_at__gte=since).count(),
        days=days,
        mail_server_configured=active_mail_server() is not None,
        oldest_waiting=oldest,
    )


@transaction.atomic
def record_bounce(message_id: str, *, detail: str) -> OutgoingMessage | None:
    """A delivery failure report (bounce) came back for `message_id`; None if it is not ours."""
    value = message_id.strip()
    if value and not value.startswith("<"):
        value = f"<{value}>"
    message = OutgoingMessage.objects.select_for_update().filter(message_id=value).first()
    if message is None:
        return None
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.DEAD,
        bounced_at=clock.now(),
        last_error=(_("Bounced: %(detail)s") % {"detail": detail.strip()})[:2000],
        claim_token="",
    )
    message.refresh_from_db()
    return message


# --------------------------------------------------------------------------------------------------
# mail server


@transaction.atomic
def configure_mail_server(
    *,
    actor: User,
    host: str,
    port: int,
    security: str,
    verify_certificate: bool,
    username: str,
    password: str | None,
    from_address: str,
    from_name: str,
    timeout: int,
    active: bool,
) -> MailServer:
    """Save the outgoing mail server. `password=None` keeps the stored password; "" removes it."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    host = host.strip()
    if not host or any(c in host for c in " /\\@"):
        errors["host"] = _("Enter a host name or IP address.")
    elif refusal := outbound.literal_refusal(host):
        errors["host"] = _("Beheer may not connect to this address: %(reason)s") % {"reason": refusal}
    if not 1 <= port <= 65535:
        errors["port"] = _("Enter a port between 1 and 65535.")
    if security not in Security.values:
        errors["security"] = _("Choose none, STARTTLS or TLS.")
    if not _valid_address(from_address):
        errors["from_address"] = _("Enter a valid e-mail address.")
    if not 1 <= timeout <= 300:
        errors["timeout"] = _("Enter a timeout between 1 and 300 seconds.")
    if errors:
        raise DomainError(_("The mail server settings are not valid."), field_errors=errors)
    server = MailServer.objects.select_for_update().filter(pk=1).first() or MailServer(pk=1)
    server.host, server.port, server.security = host, port, security
    server.verify_certificate = verify_certificate
    server.username = username.strip()
    if password is not None:
        server.password_encrypted = crypto.encrypt(password)
    server.from_address, server.from_name = from_address.strip(), from_name.strip()
    server.timeout, server.active = timeout, active
    server.updated_at, server.updated_by = clock.now(), actor
    server.save()
    return server


def send_test_email(*, actor: User, to: str) -> None:
    """Send one message straight through the configured server; DomainError with the server's
    answer if that fails. Nothing is written to the outbox."""
    _require_admin(actor)
    if not _valid_address(to):
        raise DomainError(
            _("Enter a valid e-mail address."), field_errors={"to": _("Enter a valid e-mail address.")}
        )
    server = active_mail_server()
    if server is None:
        raise DomainError(_("Save an active mail server first."))
    email = transports.build_email(
        from_address=server.from_address,
        from_name=server.from_name,
        to=to,
        subject=_("Test message from Beheer"),
        body_text=_("This test message shows that Beheer can send e-mail through %(host)s.")
        % {"host": server.host},
        body_html="",
        headers={"Auto-Submitted": "auto-generated", "Message-ID": _message_id()},
    )
    try:
        transports.send_email(smtp_config(server), email)
    except (transports.TransientError, transports.PermanentError) as exc:
        raise DomainError(_("Sending failed: %(error)s") % {"error": exc}) from exc


# --------------------------------------------------------------------------------------------------
# templates


def check_template(*, event: str, subject: str, body: str, body_html: str) -> None:
    """DomainError with field errors if a template does not parse or uses unknown variables."""
    definition = _event(event)
    variables = definition.all_variables
    errors: dict[str, str] = {}
    for name, source in (("subject", subject), ("body", body), ("body_html", body_html)):
        if name == "body_html" and not source.strip():
            continue
        if name != "body_html" and not source.strip():
            errors[name] = _("This field is required.")
            continue
        try:
            rendering.check_source(source, variables=variables)
            for language in LANGUAGES:
                rendering.render(
                    source, SAMPLE_CONTEXT[language], autoescape=name == "body_html", strict=True
                )
        except rendering.TemplateProblem as exc:
            errors[name] = str(exc)
    if errors:
        raise DomainError(_("The template has errors."), field_errors=errors)


def preview_template(
    *, event: str, language: str, subject: str, body: str, body_html: str
) -> rendering.Rendered:
    """The message the template would make with sample data (raises DomainError like a save)."""
    check_template(event=event, subject=subject, body=body, body_html=body_html)
    return rendering.render_message(
        subject=subject,
        body=body,
        body_html=body_html,
        context=SAMPLE_CONTEXT[_language(language)],
        strict=True,
    )


def template_source(event: str, language: str) -> tuple[str, str, str, bool]:
    """(subject, body, body_html, is_override) currently in force for an event and language."""
    definition = _event(event)
    override = NotificationTemplate.objects.filter(event=event, language=language).first()
    if override is not None:
        return override.subject, override.body, override.body_html, True
    return definition.subject[language], definition.body[language], "", False


@transaction.atomic
def save_template(
    *, actor: User, event: str, language: str, subject: str, body: str, body_html: str
) -> NotificationTemplate:
    _require_admin(actor)
    if language not in LANGUAGES:
        raise DomainError(
            _("Choose Dutch or English."), field_errors={"language": _("Choose Dutch or English.")}
        )
    check_template(event=event, subject=subject, body=body, body_html=body_html)
    template, _created = NotificationTemplate.objects.update_or_create(
        event=event,
        language=language,
        defaults={
            "subject": subject,
            "body": body,
            "body_html": body_html,
            "updated_at": clock.now(),
            "updated_by": actor,
        },
    )
    transaction.on_commit(config_cache.clear)
    return template


@transaction.atomic
def reset_template(*, actor: User, event: str, language: str) -> None:
    """Remove the override: the built-in text applies again."""
    _require_admin(actor)
    _event(event)
    NotificationTemplate.objects.filter(event=event, language=language).delete()
    transaction.on_commit(config_cache.clear)


# --------------------------------------------------------------------------------------------------
# webhooks


def _webhook_fields(name: str, url: str, events: list[str]) -> tuple[str, str, list[str]]:
    errors: dict[str, str] = {}
    name, url = name.strip(), url.strip()
    if not name or len(name) > 100:
        errors["name"] = _("Enter a name of at most 100 characters.")
    if not transports.valid_webhook_url(url) or len(url) > 500:
        errors["url"] = _("Enter an http or https URL.")
    elif refusal := outbound.literal_refusal(urlsplit(url).hostname or ""):
        errors["url"] = _("Beheer may not connect to this address: %(reason)s") % {"reason": refusal}
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        errors["events"] = _("Choose at least one event.")
    if errors:
        raise DomainError(_("The webhook is not valid."), field_errors=errors)
    return name, url, [e for e in EVENTS if e in set(events)]


@transaction.atomic
def create_webhook(
    *, actor: User, name: str, url: str, events: list[str], secret: str, active: bool
) -> WebhookEndpoint:
    _require_admin(actor)
    name, url, events = _webhook_fields(name, url, events)
    if len(secret) < 16:
        raise DomainError(
            _("The secret must have at least 16 characters."),
            field_errors={"secret": _("The secret must have at least 16 characters.")},
        )
    endpoint = WebhookEndpoint.objects.create(
        name=name,
        url=url,
        events=events,
        secret_encrypted=crypto.encrypt(secret),
        active=active,
        created_at=clock.now(),
    )
    transaction.on_commit(config_cache.clear)
    return endpoint


@transaction.atomic
def update_webhook(
    endpoint: WebhookEndpoint,
    *,
    actor: User,
    name: str,
    url: str,
    events: list[str],
    secret: str | None,
    active: bool,
) -> WebhookEndpoint:
    """`secret=None` keeps the stored secret."""
    _require_admin(actor)
    name, url, events = _webhook_fields(name, url, events)
    locked = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if locked is None:
        raise NotFound(_("The webhook no longer exists."))
    locked.name, locked.url, locked.events, locked.active = name, url, events, active
    if secret is not None:
        if len(secret) < 16:
            raise DomainError(
                _("The secret must have at least 16 characters."),
                field_errors={"secret": _("The secret must have at least 16 characters.")},
            )
        locked.secret_encrypted = crypto.encrypt(secret)
    locked.save()
    transaction.on_commit(config_cache.clear)
    return locked


@transaction.atomic
def delete_webhook(endpoint: WebhookEndpoint, *, actor: User) -> None:
    """Remove an endpoint; its messages stay in the outbox (undelivered ones fail permanently)."""
    _require_admin(actor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    transaction.on_commit(config_cache.clear)


# --------------------------------------------------------------------------------------------------
# preferences


def preferences_of(user: User) -> dict[str, bool]:
    """Every event with the person's choice (on unless turned off)."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("event", "enabled"))
    return {code: stored.get(code, True) for code in EVENTS}


@transaction.atomic
def set_preferences(user: User, *, preferences: Mapping[str, bool], actor: User) -> dict[str, bool]:
    """Turn events on or off for `user` (themself, or an administrator for anyone)."""
    if actor.pk != user.pk and not actor.is_administrator:
        raise PermissionDenied(_("You can only change your own notification settings."))
    unknown = [code for code in preferences if code not in EVENTS]
    if unknown:
        raise DomainError(
            _("Unknown event “%(code)s”.") % {"code": unknown[0]},
            field_errors={unknown[0]: _("Unknown event.")},
        )
    for code, enabled in preferences.items():
        try:
            with transaction.atomic():
                NotificationPreference.objects.update_or_create(
                    user=user, event=code, defaults={"enabled": bool(enabled)}
                )
        except IntegrityError:  # a concurrent save created it first: update that row
            NotificationPreference.objects.filter(user=user, event=code).update(enabled=bool(enabled))
    transaction.on_commit(config_cache.clear)  # this process honours the change at once
    return preferences_of(user)


@transaction.atomic
def configure_group(
    group: OperatorGroup, *, actor: User, email: str, mail_group_address: bool, mail_members: bool
) -> GroupNotificationSetting:
    _require_admin(actor)
    email = email.strip()
    if email and not _valid_address(email):
        raise DomainError(
            _("Enter a valid e-mail address."), field_errors={"email": _("Enter a valid e-mail address.")}
        )
    setting, _created = GroupNotificationSetting.objects.update_or_create(
        group=group,
        defaults={"email": email, "mail_group_address": mail_group_address, "mail_members": mail_members},
    )
    return setting
