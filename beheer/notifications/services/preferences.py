"""Personal preferences (which events mail a person) and operator groups' notification settings."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import config_cache
from beheer.core.errors import DomainError, PermissionDenied

from ..events import EVENTS
from ..models import GroupNotificationSetting, NotificationPreference
from ._base import _require_admin, _valid_address


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
