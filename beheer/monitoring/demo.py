"""The demo's monitoring: Beheer's own health URL and web port (the monitor of `beheer run` probes
them), a backup heartbeat on the file server fs01 and a weekly maintenance window on it (by host and
by its CI, with what rests on it), made through the monitoring services. The checks of Beheer itself
have no CI: the school's CMDB does not list Beheer."""

from __future__ import annotations

from dataclasses import fields
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock
from beheer.servicedesk.demo.organisation import ADMIN_USERNAME, School

from . import services as monitoring
from .models import Check, CheckKind

SELF_HOST = "beheer"


def self_targets() -> dict[str, str]:
    """What the demo's checks of Beheer itself probe: the address this installation serves."""
    site = str(settings.SITE_URL).rstrip("/")
    port = urlsplit(site).port or (443 if site.startswith("https:") else 80)
    return {"Beheer zelf": site + "/api/v1/health", "Beheer webpoort": f"127.0.0.1:{port}"}


def create(school: School) -> None:
    admin, desk = school.administrator, school.desk
    # the CMDB's demo made the file server first; the checks of Beheer itself have no CI
    fs01 = ConfigurationItem.objects.filter(Q(host_name__iexact="fs01") | Q(name__iexact="fs01")).first()
    targets = self_targets()
    monitoring.create_check(
        actor=admin,
        data=monitoring.CheckData(
            name="Beheer zelf",
            kind=CheckKind.HTTP,
            target=targets["Beheer zelf"],
            host=SELF_HOST,
            operator_group=desk,
        ),
    )
    monitoring.create_check(  # a push check gets its secret ping address at once
        actor=admin,
        data=monitoring.CheckData(
            name="Nachtelijke back-up fileserver",
            kind=CheckKind.PUSH,
            host="fs01",
            ci=fs01,
            interval_seconds=86400,
            grace_seconds=3600,
            operator_group=desk,
        ),
    )
    monitoring.create_check(
        actor=admin,
        data=monitoring.CheckData(
            name="Beheer webpoort",
            kind=CheckKind.TCP,
            target=targets["Beheer webpoort"],
            host=SELF_HOST,
            tags="intern",
            operator_group=desk,
        ),
    )
    # the weekly patch evening of the file server: its backup's silence then opens no melding
    local = timezone.localtime(clock.now())
    monitoring.create_window(
        actor=school.desk_operators[0],
        data=monitoring.WindowData(
            name="Patchavond fileserver",
            start=local.replace(hour=22, minute=0, second=0, microsecond=0, tzinfo=None),
            duration_minutes=120,
            rule="FREQ=WEEKLY;BYDAY=WE",
            hosts="fs01",
            cis=[fs01.pk] if fs01 is not None else [],
            include_dependants=True,  # what runs on the file server is down with it
        ),
    )


def follow_site_url() -> list[str]:
    """Demo data loaded for another address (`BEHEER_BIND`): point its self-checks at this one, so
    they do not go down and open outage meldingen. Returns what moved."""
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        return []
    moved = []
    for name, target in self_targets().items():
        check = (
            Check.objects.filter(name=name, host=SELF_HOST)
            .filter(Q(created_by=None) | Q(created_by=admin))  # made by the demo, not by a person
            .first()
        )
        if check is None or check.target == target:
            continue
        values = {f.name: getattr(check, f.name) for f in fields(monitoring.CheckData)}
        values["options"] = monitoring.plain_options(check)
        values["target"] = target
        monitoring.update_check(
            check, actor=admin, data=monitoring.CheckData(**values), expected_version=check.version
        )
        moved.append(f"Demo check {name!r} now probes {target}.")
    return moved
