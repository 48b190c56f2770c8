"""Shared pieces of the register's tests: an application with an owner, and a right through its
steps."""

from __future__ import annotations

from typing import Any

from beheer.accounts.models import User
from beheer.cmdb import services as cmdb_services
from beheer.cmdb.models import CiType, ConfigurationItem
from beheer.rights import services
from beheer.rights.models import AccessRight


def application(actor: User, name: str = "Magister", owner: User | None = None) -> ConfigurationItem:
    return cmdb_services.create_item(
        actor=actor,
        data=cmdb_services.ItemData(name=name, ci_type=CiType.objects.get(code="application"), owner=owner),
    )


def requested(
    actor: User, person: User, ci: ConfigurationItem, right: str = "editor", **extra: Any
) -> AccessRight:
    return services.request_right(
        actor=actor, data=services.RequestData(person=person, ci=ci, right=right, **extra)
    )


def granted(
    staff: User, approver: User, person: User, ci: ConfigurationItem, right: str = "editor"
) -> AccessRight:
    r = requested(staff, person, ci, right)
    r = services.approve_right(r, actor=approver, expected_version=r.version)
    return services.grant_right(r, actor=staff, expected_version=r.version)
