"""What a change affects, from the CMDB's impact analysis: the services and the people that fail
with its CIs (upward, transitive), bounded like the CI page's impact (`cmdb.impact.SHOWN`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from beheer.cmdb import impact as cmdb_impact
from beheer.cmdb.models import CiKind, ConfigurationItem
from beheer.core import access

from .models import Change, ChangeCi

SHOWN = cmdb_impact.SHOWN
READ_MAX = 5000  # CIs reached read to count; more are counted as "at least"


@dataclass(frozen=True)
class ChangeImpact:
    services: list[ConfigurationItem] = field(default_factory=list)  # the first SHOWN by name
    service_count: int = 0
    people: list[Any] = field(default_factory=list)  # the first SHOWN by name
    people_count: int = 0
    reached_count: int = 0


def reached_ids(change: Change) -> set[int]:
    """Every CI that fails with the change's CIs (themselves included)."""
    ids = list(ChangeCi.objects.filter(change=change).values_list("ci_id", flat=True))
    return cmdb_impact.reach(ids, cmdb_impact.UP) if ids else set()


def service_owner_ids(change: Change) -> list[int]:
    """The active owners of the service CIs the change affects (its approvers by the rule)."""
    reached = sorted(reached_ids(change))[:READ_MAX]
    owners = (
        ConfigurationItem.objects.filter(pk__in=reached, ci_type__kind=CiKind.SERVICE, owner__is_active=True)
        .values_list("owner_id", flat=True)
        .distinct()
    )
    return sorted({pk for pk in owners if pk is not None})


def change_impact(change: Change, *, user: Any) -> ChangeImpact:
    """For staff: the affected services and people (nothing for anyone else)."""
    if not access.is_staff(user):
        return ChangeImpact()
    reached = sorted(reached_ids(change))[:READ_MAX]
    if not reached:
        return ChangeImpact()
    services = ConfigurationItem.objects.filter(pk__in=reached, ci_type__kind=CiKind.SERVICE)
    users = ConfigurationItem.users.through.objects.filter(configurationitem_id__in=reached)
    owners = ConfigurationItem.objects.filter(pk__in=reached, owner__isnull=False).values_list(
        "owner_id", flat=True
    )
    people_ids = set(users.values_list("user_id", flat=True)) | set(owners)
    people = get_user_model().objects.filter(pk__in=sorted(people_ids)[:READ_MAX])
    return ChangeImpact(
        services=list(services.select_related("ci_type").order_by("name", "id")[:SHOWN]),
        service_count=services.count(),
        people=list(people.order_by("last_name", "first_name", "id")[:SHOWN]),
        people_count=len(people_ids),
        reached_count=len(reached),
    )
