"""The outgoing mail server: its settings and a test message."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock, outbound
from beheer.core.errors import DomainError

from .. import crypto, transports
from ..models import MailServer, Security
from ..sending import active_mail_server, smtp_config
from ._base import _message_id, _require_admin, _valid_address


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
