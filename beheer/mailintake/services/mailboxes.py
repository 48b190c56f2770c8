"""Configuring mailboxes and their rules (administrators), and signing in to them (password or OAuth2).

Secrets (the password, or for OAuth2 the refresh token and client secret, and the current access
token) are stored encrypted with `notifications.crypto`. For XOAUTH2 the access token is refreshed at
the token endpoint (Microsoft 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token,
Google: https://oauth2.googleapis.com/token) when it expires within a minute; a rotated refresh
token (Microsoft returns a new one) replaces the stored one.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import tempfile
import urllib.parse
from datetime import timedelta
from typing import Any, Final

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock, history, outbound
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.notifications import crypto
from beheer.servicedesk.models import CallType, Category

from .. import extensions
from ..email_in.imap import ImapClient, ImapError
from ..models import (
    RULE_PATTERN_MAX,
    AfterProcessing,
    MailAuth,
    Mailbox,
    MailboxAction,
    MailboxHistoryEntry,
    MailRule,
    MailSecurity,
    RuleField,
    rule_history_value,
)

TOKEN_TIMEOUT_SECONDS: Final = 20
IMAP_TIMEOUT_SECONDS: Final = 30.0
IMAP_MIN_TIMEOUT_SECONDS: Final = 5.0  # a sign-in may take a few seconds, however short the budget
MAX_TOKEN_RESPONSE: Final = 100_000
_NESTED_QUANTIFIER = re.compile(r"\([^)]*[+*}][^)]*\)\s*[+*{]")
_FOLDER_BAD = re.compile(r"[\x00-\x1f\x7f*%\"\\]")

# What a mailbox's history compares before and after a change; `active` is recorded as activated or
# deactivated, the secrets (`secret`, `oauth_client_secret`) only as changed.
HISTORY_FIELDS = (
    "name",
    "host",
    "port",
    "security",
    "ca_certificate",
    "username",
    "auth",
    "oauth_client_id",
    "oauth_token_url",
    "oauth_scope",
    "folder",
    "after_processing",
    "processed_folder",
    "default_call_type",
    "default_category",
    "default_operator_group",
    "rate_limit_count",
    "rate_limit_minutes",
    "registers",
)
HISTORY_REFERENCES = ("default_call_type", "default_category", "default_operator_group")


def _ensure_admin(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators may configure mailboxes."))


def _required(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("This field is required."), field_errors={field: _("Required.")})
    if len(value) > max_length:
        message = _("At most %(max)d characters.") % {"max": max_length}
        raise DomainError(message, field_errors={field: message})
    return value


def _folder(value: str, field: str) -> str:
    value = _required(value, field, 200)
    if _FOLDER_BAD.search(value):
        message = _(
            "A folder name cannot contain control characters, quotes, backslashes, asterisks or "
            "percent signs."
        )
        raise DomainError(message, field_errors={field: message})
    return value


def token_url_problem(url: str) -> str | None:
    """Why a token endpoint URL cannot be used (translated), or None: https, or http to this
    machine only (a test endpoint); no user name in it; not a literal address the outbound policy
    refuses. The URL is parsed, never compared by its beginning."""
    try:
        scheme, host, _port, _path = outbound.split_http_url(url)
    except outbound.UrlRefused:
        return _("Enter the https address of the token endpoint.")
    if scheme != "https" and not _loopback_host(host):
        return _("Enter the https address of the token endpoint.")
    if refusal := outbound.literal_refusal(host):
        return _("Beheer may not connect to this address: %(reason)s") % {"reason": refusal}
    return None


def _loopback_host(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    address = outbound.literal_address(host)
    return address is not None and address.is_loopback


@transaction.atomic
def configure_mailbox(
    mailbox: Mailbox | None,
    *,
    actor: User,
    name: str,
    host: str,
    port: int,
    security: str,
    username: str,
    auth: str,
    secret: str | None = None,
    oauth_client_id: str = "",
    oauth_client_secret: str | None = None,
    oauth_token_url: str = "",
    oauth_scope: str = "",
    ca_certificate: str = "",
    folder: str = "INBOX",
    after_processing: str = AfterProcessing.MOVE,
    processed_folder: str = "Beheer",
    default_call_type: CallType | None = None,
    default_category: Category | None = None,
    default_operator_group: OperatorGroup | None = None,
    rate_limit_count: int = 20,
    rate_limit_minutes: int = 60,
    registers: str = extensions.MELDING,
    active: bool = True,
    expected_version: int | None = None,
) -> Mailbox:
    """Create (mailbox None) or change a mailbox. A secret of None keeps the stored one."""
    _ensure_admin(actor)
    errors: dict[str, str] = {}
    if security not in MailSecurity.values:
        errors["security"] = _("Unknown security.")
    if auth not in MailAuth.values:
        errors["auth"] = _("Unknown sign-in method.")
    if after_processing not in AfterProcessing.values:
        errors["after_processing"] = _("Unknown choice.")
    if registers not in dict(extensions.kind_choices()):
        errors["registers"] = _("Unknown choice.")
    if not 1 <= int(port) <= 65535:
        errors["port"] = _("A port is a number from 1 to 65535.")
    if not 0 <= int(rate_limit_count) <= 100_000 or not 0 <= int(rate_limit_minutes) <= 7 * 24 * 60:
        errors["rate_limit_count"] = _("Out of range.")
    if default_category is not None and default_category.parent_id is not None:
        errors["default_category"] = _("Not a main category.")
    if default_operator_group is not None and not (
        default_operator_group.active and default_operator_group.is_first_line
    ):
        errors["default_operator_group"] = _("Choose an active first-line group.")
    if ca_certificate.strip() and "BEGIN CERTIFICATE" not in ca_certificate:
        errors["ca_certificate"] = _("Paste a certificate in PEM format.")
    if refusal := outbound.literal_refusal(host):
        errors["host"] = _("Beheer may not connect to this address: %(reason)s") % {"reason": refusal}
    if auth == MailAuth.XOAUTH2:
        if not oauth_client_id.strip():
            errors["oauth_client_id"] = _("Required for OAuth 2.0.")
        if problem := token_url_problem(oauth_token_url):
            errors["oauth_token_url"] = problem
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)

    before: history.Snapshot | None = None
    secrets_before: dict[str, history.Secret] = {}
    was_active = active
    if mailbox is None:
        mailbox = Mailbox()
    else:
        mailbox = (
            Mailbox.objects.select_for_update(of=("self",))
            .select_related(*HISTORY_REFERENCES)
            .get(pk=mailbox.pk)
        )
        if expected_version is not None and mailbox.version != expected_version:
            raise Conflict(_("Somebody else changed this mailbox in the meantime. Reload it and try again."))
        secrets_before = _stored_secrets(mailbox)
        before = history.snapshot(mailbox, HISTORY_FIELDS, extra=secrets_before)
        was_active = mailbox.active
    name = _required(name, "name", 100)
    if Mailbox.objects.filter(name=name).exclude(pk=mailbox.pk).exists():
        raise DomainError(
            _("A mailbox with this name already exists."), field_errors={"name": _("Already in use.")}
        )
    server_changed = mailbox.pk is None or (mailbox.host, mailbox.username, mailbox.folder) != (
        host.strip(),
        username.strip(),
        folder.strip(),
    )
    mailbox.name = name
    mailbox.host = _required(host, "host", 255)
    mailbox.port = int(port)
    mailbox.security = security
    mailbox.username = _required(username, "username", 255)
    mailbox.auth = auth
    mailbox.ca_certificate = ca_certificate.strip()
    mailbox.folder = _folder(folder, "folder")
    mailbox.after_processing = after_processing
    mailbox.processed_folder = _folder(processed_folder, "processed_folder")
    if (
        after_processing == AfterProcessing.MOVE
        and mailbox.processed_folder.upper() == mailbox.folder.upper()
    ):
        message = _("The folder for processed messages must differ from the folder that is read.")
        raise DomainError(message, field_errors={"processed_folder": message})
    mailbox.oauth_client_id = oauth_client_id.strip()[:255]
    mailbox.oauth_token_url = oauth_token_url.strip()[:500]
    mailbox.oauth_scope = oauth_scope.strip()[:500]
    if secret is not None:
        mailbox.secret_encrypted = crypto.encrypt(secret)
        mailbox.access_token_encrypted = ""
        mailbox.access_token_expires_at = None
    if oauth_client_secret is not None:
        mailbox.oauth_client_secret_encrypted = crypto.encrypt(oauth_client_secret)
    if not mailbox.secret_encrypted:
        field = "secret"
        raise DomainError(_("Enter the password or refresh token."), field_errors={field: _("Required.")})
    if server_changed:  # another account or folder: its UIDs are another numbering
        mailbox.uidvalidity = None
        mailbox.last_seen_uid = 0
    mailbox.default_call_type = default_call_type
    mailbox.default_category = default_category
    mailbox.default_operator_group = default_operator_group
    mailbox.rate_limit_count = int(rate_limit_count)
    mailbox.rate_limit_minutes = int(rate_limit_minutes)
    mailbox.registers = registers
    mailbox.active = active
    if mailbox.pk is not None:
        mailbox.version += 1
    mailbox.updated_at = clock.now()
    mailbox.updated_by = actor
    mailbox.save()
    if before is None:
        history.record(
            MailboxHistoryEntry, mailbox, actor=actor, action=MailboxAction.CREATED, at=mailbox.updated_at
        )
        return mailbox
    secrets_after = {  # the new secret as entered: a stored one is never decrypted twice
        "secret": history.Secret(secret) if secret is not None else secrets_before["secret"],
        "oauth_client_secret": (
            history.Secret(oauth_client_secret)
            if oauth_client_secret is not None
            else secrets_before["oauth_client_secret"]
        ),
    }
    changes = history.changes_since(before, mailbox, extra=secrets_after)
    if active != was_active:
        action = MailboxAction.ACTIVATED if active else MailboxAction.DEACTIVATED
        changes.append(
            history.Change(
                "active", history.render(was_active), history.render(active), columns={"action": action}
            )
        )
    history.record(
        MailboxHistoryEntry,
        mailbox,
        actor=actor,
        action=MailboxAction.CHANGED,
        changes=changes,
        at=mailbox.updated_at,
    )
    return mailbox


def _stored_secrets(mailbox: Mailbox) -> dict[str, history.Secret]:
    """The stored password or refresh token and client secret, decrypted, for the history to
    compare (an encryption differs each time, the secret need not); never stored or rendered."""
    return {
        "secret": _stored_secret(mailbox.secret_encrypted),
        "oauth_client_secret": _stored_secret(mailbox.oauth_client_secret_encrypted),
    }


def _stored_secret(encrypted: str) -> history.Secret:
    try:
        return history.Secret(crypto.decrypt(encrypted))
    except crypto.UnreadableSecret:  # the key changed: unequal to anything entered, equal to itself
        return history.Secret(("unreadable", encrypted))


@transaction.atomic
def delete_mailbox(mailbox: Mailbox, *, actor: User) -> None:
    """Remove a mailbox; received messages and dead letters stay (without their mailbox), and so
    does its history, with its name: the removal is its last row."""
    _ensure_admin(actor)
    current = Mailbox.objects.select_for_update().filter(pk=mailbox.pk).only("pk", "name").first()
    if current is None:
        return  # removed already: nothing to record twice
    history.record(MailboxHistoryEntry, current, actor=actor, action=MailboxAction.DELETED)
    Mailbox.objects.filter(pk=current.pk).delete()


def validate_pattern(match_field: str, pattern: str) -> str:
    pattern = (pattern or "").strip()
    if match_field not in RuleField.values:
        raise DomainError(_("Unknown field."), field_errors={"match_field": _("Unknown field.")})
    if not pattern or len(pattern) > RULE_PATTERN_MAX:
        message = _("Enter a value of at most %(max)d characters.") % {"max": RULE_PATTERN_MAX}
        raise DomainError(message, field_errors={"pattern": message})
    if match_field == RuleField.SUBJECT:
        try:
            re.compile(pattern)
        except re.error as exc:
            message = _("Not a valid regular expression: %(error)s") % {"error": exc}
            raise DomainError(message, field_errors={"pattern": message}) from exc
        if _NESTED_QUANTIFIER.search(pattern) or re.search(r"\\[1-9]", pattern):
            message = _("Nested repetition and back-references are not allowed (they can be very slow).")
            raise DomainError(message, field_errors={"pattern": message})
    elif match_field == RuleField.SENDER and "@" not in pattern:
        message = _("Enter a complete e-mail address.")
        raise DomainError(message, field_errors={"pattern": message})
    return pattern


@transaction.atomic
def add_mail_rule(
    mailbox: Mailbox,
    *,
    actor: User,
    match_field: str,
    pattern: str,
    category: Category | None = None,
    operator_group: OperatorGroup | None = None,
    order: int = 10,
) -> MailRule:
    _ensure_admin(actor)
    pattern = validate_pattern(match_field, pattern)
    if category is None and operator_group is None:
        message = _("Choose a category or an operator group.")
        raise DomainError(message, field_errors={"category": message})
    if category is not None and category.parent_id is not None:
        raise DomainError(_("Choose a main category."), field_errors={"category": _("Not a main category.")})
    if operator_group is not None and not (operator_group.active and operator_group.is_first_line):
        message = _("Choose an active first-line group.")
        raise DomainError(message, field_errors={"operator_group": message})
    if not 0 <= int(order) <= 10_000:
        raise DomainError(_("Out of range."), field_errors={"order": _("Out of range.")})
    rule = MailRule.objects.create(
        mailbox=mailbox,
        order=int(order),
        match_field=match_field,
        pattern=pattern,
        category=category,
        operator_group=operator_group,
    )
    history.record(
        MailboxHistoryEntry,
        mailbox,
        actor=actor,
        action=MailboxAction.RULE_ADDED,
        field="rule",
        new=history.render(rule_history_value(rule)),
    )
    return rule


@transaction.atomic
def remove_mail_rule(rule: MailRule, *, actor: User) -> None:
    """Remove a rule; its mailbox's history keeps what it was."""
    _ensure_admin(actor)
    current = (
        MailRule.objects.select_related("mailbox", "category", "operator_group").filter(pk=rule.pk).first()
    )
    if current is None:
        return  # removed already
    MailRule.objects.filter(pk=current.pk).delete()
    history.record(
        MailboxHistoryEntry,
        current.mailbox,
        actor=actor,
        action=MailboxAction.RULE_REMOVED,
        field="rule",
        old=history.render(rule_history_value(current)),
    )


# --------------------------------------------------------------------------------------------------
# signing in


def refresh_access_token(mailbox: Mailbox, *, force: bool = False) -> str:
    """A valid OAuth2 access token: the stored one, or a new one from the token endpoint."""
    now = clock.now()
    if (
        not force
        and mailbox.access_token_encrypted
        and mailbox.access_token_expires_at
        and mailbox.access_token_expires_at > now + timedelta(seconds=60)
    ):
        return crypto.decrypt(mailbox.access_token_encrypted)
    if not mailbox.oauth_token_url:
        raise DomainError(_("No OAuth token endpoint is configured."))
    form: dict[str, str] = {
        "grant_type": "refresh_token",
        "refresh_token": crypto.decrypt(mailbox.secret_encrypted),
        "client_id": mailbox.oauth_client_id,
    }
    client_secret = crypto.decrypt(mailbox.oauth_client_secret_encrypted)
    if client_secret:
        form["client_secret"] = client_secret
    if mailbox.oauth_scope:
        form["scope"] = mailbox.oauth_scope
    problem = token_url_problem(mailbox.oauth_token_url)  # also for a URL saved before this rule
    if problem:
        raise DomainError(_("The token endpoint cannot be used: %(error)s") % {"error": problem})
    try:
        answer = outbound.http_request(
            mailbox.oauth_token_url,
            method="POST",
            body=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            timeout=TOKEN_TIMEOUT_SECONDS,
            max_body=MAX_TOKEN_RESPONSE,
        )
    except outbound.AddressRefused as exc:
        raise DomainError(
            _("The token endpoint cannot be reached: %(error)s") % {"error": outbound.refused_text(exc)}
        ) from exc
    except (outbound.UrlRefused, OSError, http.client.HTTPException) as exc:
        raise DomainError(_("The token endpoint cannot be reached: %(error)s") % {"error": exc}) from exc
    if 300 <= answer.status < 400:
        raise DomainError(
            _("The token endpoint answered with a redirect (%(status)s), which is not followed.")
            % {"status": answer.status}
        )
    if answer.status >= 400:
        detail = answer.body[:2000].decode("utf-8", "replace")
        raise DomainError(
            _("The token endpoint refused the refresh token (%(status)s): %(detail)s")
            % {"status": answer.status, "detail": _oauth_error(detail)}
        )
    body = answer.body
    try:
        data: Any = json.loads(body)
        token = str(data["access_token"])
        expires_in = int(data.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as exc:
        raise DomainError(_("The token endpoint gave an answer without an access token.")) from exc
    fields: dict[str, Any] = {
        "access_token_encrypted": crypto.encrypt(token),
        "access_token_expires_at": now + timedelta(seconds=max(0, min(expires_in, 24 * 3600))),
    }
    if data.get("refresh_token"):
        fields["secret_encrypted"] = crypto.encrypt(str(data["refresh_token"]))
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)
    return token


def _oauth_error(detail: str) -> str:
    try:
        data = json.loads(detail)
        return str(data.get("error_description") or data.get("error") or detail)[:300]
    except (ValueError, AttributeError):
        return detail[:300]


def _client(mailbox: Mailbox, *, timeout: float = IMAP_TIMEOUT_SECONDS) -> ImapClient:
    if not mailbox.ca_certificate:
        return ImapClient(
            mailbox.host,
            mailbox.port,
            security=mailbox.security,  # type: ignore[arg-type]
            timeout=timeout,
        )
    handle, path = tempfile.mkstemp(prefix="beheer-ca-", suffix=".pem")
    try:
        with os.fdopen(handle, "w", encoding="ascii", errors="ignore") as out:
            out.write(mailbox.ca_certificate)
        return ImapClient(
            mailbox.host,
            mailbox.port,
            security=mailbox.security,  # type: ignore[arg-type]
            ca_file=path,
            timeout=timeout,
        )
    except ImapError:
        raise
    except Exception as exc:  # a certificate the ssl module cannot load
        raise ImapError(_("The CA certificate cannot be used: %(error)s") % {"error": exc}) from exc
    finally:
        os.unlink(path)


def connect(mailbox: Mailbox, *, timeout: float = IMAP_TIMEOUT_SECONDS) -> ImapClient:
    """A signed-in IMAP connection. Raises ImapError (server, TLS, credentials) or DomainError (OAuth).

    `timeout` bounds each network operation (connect, every read and write), in seconds.
    """
    client = _client(mailbox, timeout=timeout)
    try:
        if mailbox.auth == MailAuth.XOAUTH2:
            client.login_oauth2(mailbox.username, refresh_access_token(mailbox))
        else:
            client.login(mailbox.username, crypto.decrypt(mailbox.secret_encrypted))
    except BaseException:
        client.logout()
        raise
    return client


def check_connection(mailbox: Mailbox, *, actor: User) -> int:
    """Sign in and open the folder ("test connection"); returns the number of messages waiting."""
    _ensure_admin(actor)
    try:
        client = connect(mailbox)
        try:
            count = len(client.list_uids(mailbox.folder, unseen_only=False).uids)
        finally:
            client.logout()
    except ImapError as exc:
        raise DomainError(_("The connection failed: %(error)s") % {"error": exc}) from exc
    return count
