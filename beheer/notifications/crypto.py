"""Secrets stored in the database (the SMTP password, webhook secrets) are encrypted with Fernet.

The key comes from BEHEER_ENCRYPTION_KEY (one or more Fernet keys separated by commas: the first
encrypts, all decrypt, so keys can be rotated), or else is derived from BEHEER_SECRET_KEY. A bad key
stops start-up.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from beheer.core.errors import DomainError


def _keys() -> list[bytes]:
    configured = str(getattr(settings, "ENCRYPTION_KEY", "") or "")
    if configured:
        return [k.strip().encode() for k in configured.split(",") if k.strip()]
    digest = hashlib.sha256(b"beheer.notifications.fernet:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def check_configuration() -> None:
    try:
        _fernet()
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "BEHEER_ENCRYPTION_KEY must be one or more Fernet keys (32 url-safe base64-encoded bytes) "
            "separated by commas"
        ) from exc


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


class UnreadableSecret(DomainError):
    """A stored secret cannot be decrypted: the encryption key changed."""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UnreadableSecret(
            _("A stored secret cannot be decrypted (the encryption key changed); enter it again.")
        ) from exc
