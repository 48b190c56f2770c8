"""Transports: SMTP (plain, STARTTLS, implicit TLS, optional AUTH) and signed webhook POSTs.

No ORM. A transport raises TransientError (try again later) or PermanentError (the message can never
be delivered as it is); anything else is treated as transient by the sender.

Both connect only through the outbound address policy (beheer/core/outbound.py): the host name is
resolved and every address checked at connect time, the socket goes to a checked address, and TLS
is verified against the host name. A webhook's redirect is never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core import outbound

SIGNATURE_HEADER = "X-Beheer-Signature"
TIMESTAMP_HEADER = "X-Beheer-Timestamp"
EVENT_HEADER = "X-Beheer-Event"
DELIVERY_HEADER = "X-Beheer-Delivery"


class TransientError(Exception):
    """Delivery failed for now; retry later."""


class PermanentError(Exception):
    """Delivery can never succeed for this message (e.g. the recipient address is refused)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # none, starttls, tls
    username: str
    password: str
    timeout: int
    verify_certificate: bool = True


def ssl_context(verify: bool) -> ssl.SSLContext:
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    cafile = str(getattr(settings, "SMTP_CA_FILE", "") or "") or None
    return ssl.create_default_context(cafile=cafile)


def build_email(
    *,
    from_address: str,
    from_name: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str,
    headers: dict[str, str],
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((from_name, from_address)) if from_name else from_address
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    for name, value in headers.items():
        if value and name.lower() not in {"from", "to", "subject", "date", "bcc"}:
            msg[name] = value
    msg.set_content(body_text)
    if body_html:
        msg.add_alternative(body_html, subtype="html")
    return msg


class _SMTP(smtplib.SMTP):
    """smtplib.SMTP connecting through the outbound address policy."""

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        if timeout is not None and not timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        return outbound.create_connection((host, port), timeout, self.source_address)


class _SMTP_SSL(smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL connecting through the outbound address policy; TLS checks the host name."""

    def _get_socket(self, host: str, port: int, timeout: float) -> Any:
        if timeout is not None and not timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        sock = outbound.create_connection((host, port), timeout, self.source_address)
        return self.context.wrap_socket(sock, server_hostname=self._host)  # type: ignore[attr-defined]


def send_email(config: SmtpConfig, message: EmailMessage) -> None:
    """Deliver one message; raises TransientError or PermanentError."""
    try:
        if config.security == "tls":
            client: smtplib.SMTP = _SMTP_SSL(
                config.host,
                config.port,
                timeout=config.timeout,
                context=ssl_context(config.verify_certificate),
            )
        else:
            client = _SMTP(config.host, config.port, timeout=config.timeout)
        try:
            client.ehlo()
            if config.security == "starttls":
                client.starttls(context=ssl_context(config.verify_certificate))
                client.ehlo()
            if config.username:
                client.login(config.username, config.password)
            client.send_message(message)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except outbound.AddressRefused as exc:  # the server's address: fixed in the settings, then retried
        raise TransientError(outbound.refused_text(exc)) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {_decode(msg)}" for rcpt, (code, msg) in exc.recipients.items())
        if codes and all(code >= 500 for code in codes):
            raise PermanentError(f"Recipient refused: {detail}") from exc
        raise TransientError(f"Recipient refused for now: {detail}") from exc
    except smtplib.SMTPDataError as exc:
        if exc.smtp_code >= 500:
            raise PermanentError(f"Message refused: {exc.smtp_code} {_decode(exc.smtp_error)}") from exc
        raise TransientError(f"SMTP {exc.smtp_code} {_decode(exc.smtp_error)}") from exc
    except smtplib.SMTPResponseException as exc:
        raise TransientError(f"SMTP {exc.smtp_code} {_decode(exc.smtp_error)}") from exc
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc


def _decode(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --------------------------------------------------------------------------------------------------
# webhooks


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def valid_webhook_url(url: str) -> bool:
    try:
        outbound.split_http_url(url)
    except outbound.UrlRefused:
        return False
    return True


def post_webhook(
    *, url: str, secret: str, event: str, delivery: str, payload: dict[str, Any], timeout: int = 10
) -> int:
    """POST `payload` as JSON with a signature to an address the outbound policy allows; returns the
    HTTP status. Only http(s) URLs; a redirect is an error, never followed."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    try:
        answer = outbound.http_request(
            url,
            method="POST",
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Beheer-Webhook/1",
                EVENT_HEADER: event,
                DELIVERY_HEADER: delivery,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(secret, timestamp, body),
            },
            timeout=timeout,
            max_body=10_000,
        )
    except outbound.UrlRefused as exc:
        raise PermanentError(str(exc)) from exc
    except outbound.AddressRefused as exc:
        raise PermanentError(outbound.refused_text(exc)) from exc
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    status = answer.status
    if 200 <= status < 300:
        return status
    text = f"HTTP {status} {answer.reason}".strip()
    if 300 <= status < 400:
        location = answer.headers.get("location", "")[:200]
        raise PermanentError(
            _("%(status)s: the webhook redirects to %(location)s, and redirects are not followed.")
            % {"status": text, "location": location or "-"}
        )
    if status < 500 and status not in (408, 425, 429):
        raise PermanentError(text)
    raise TransientError(text)
