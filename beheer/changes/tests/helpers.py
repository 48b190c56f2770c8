"""Helpers for the change tests: a change with a service CI whose owner approves."""

from __future__ import annotations

from typing import Any

from beheer.accounts.models import OperatorGroup, User
from beheer.changes import services
from beheer.changes.models import ApprovalRule, Change, Phase
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem, RelationKind


def make_ci(actor: User, name: str, code: str, **kw: Any) -> ConfigurationItem:
    return cmdb.create_item(
        actor=actor, data=cmdb.ItemData(name=name, ci_type=CiType.objects.get(code=code), **kw)
    )


def wifi_world(actor: User, owner: User) -> tuple[ConfigurationItem, ConfigurationItem]:
    """An access point that the Wi-Fi service (owned by `owner`) rests on."""
    ap = make_ci(actor, "ap-1.02", "access_point")
    wifi = make_ci(actor, "Wifi", "service", owner=owner)
    cmdb.add_relation(ap, actor=actor, target=wifi, kind=RelationKind.PART_OF)
    return ap, wifi


def make_change(actor: User, **kwargs: Any) -> Change:
    cis = kwargs.pop("cis", None)
    kwargs.setdefault("title", "Wifi vernieuwen in gebouw B")
    kwargs.setdefault("kind", "normal")
    return services.create_change(actor=actor, data=services.ChangeData(**kwargs), cis=cis)


def assessed(actor: User, change: Change) -> Change:
    """The change moved to assessment with its risk and rollback plan filled in."""
    change = move(actor, change, "assessment")
    data = services.ChangeData(
        title=change.title,
        kind=change.kind,
        coordinator=change.coordinator,
        likelihood=2,
        impact=3,
        rollback_plan="Oude controller terugzetten.",
    )
    return services.update_change(change, actor=actor, data=data, expected_version=change.version)


def move(actor: User, change: Change, code: str) -> Change:
    change.refresh_from_db()
    return services.move_change(
        change, actor=actor, to_phase=Phase.objects.get(code=code), expected_version=change.version
    )


def cab(members: list[User], rule: str = "all", kind: str = "normal", owners: bool = False) -> OperatorGroup:
    group = OperatorGroup.objects.create(name=f"CAB {kind}")
    group.members.set(members)
    ApprovalRule.objects.filter(kind=kind).update(operator_group=group, rule=rule, service_owners=owners)
    return group


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)
