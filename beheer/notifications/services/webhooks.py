"""Webhook endpoints: which events they receive, where, and the secret that signs them."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock, config_cache, outbound
from beheer.core.errors import DomainError, NotFound

from .. import crypto, transports
from ..events import EVENTS
from ..models import WebhookEndpoint
from ._base import _require_admin


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
