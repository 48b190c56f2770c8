"""Checks and maintenance windows name their hosts as text; link each to a configuration item.

For every distinct non-empty `Check.host` and every host in `MaintenanceWindow.hosts`: the CI whose
host name or name is that host (case-insensitive) is used, else a CI of the type `unclassified` is
created (name = the host, host name = the host lower-cased, in use), for an administrator to classify.
`Check.ci` is set where it is empty and the window gets the CI in `cis`. The text fields stay as they
were. Running it again finds the same CIs and changes nothing.
"""

from django.db import migrations
from django.utils import timezone


def _host_list(text):
    items = []
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        item = part.strip()
        if item and item.lower() not in {i.lower() for i in items}:
            items.append(item)
    return items


def link_hosts(apps, schema_editor):
    Check = apps.get_model("monitoring", "Check")
    MaintenanceWindow = apps.get_model("monitoring", "MaintenanceWindow")
    ConfigurationItem = apps.get_model("cmdb", "ConfigurationItem")
    CiType = apps.get_model("cmdb", "CiType")

    hosts = {}  # lower-case host -> the host as first written
    for host in Check.objects.exclude(host="").values_list("host", flat=True).distinct():
        if host.strip():
            hosts.setdefault(host.strip().lower(), host.strip())
    windows = list(MaintenanceWindow.objects.exclude(hosts=""))
    for window in windows:
        for host in _host_list(window.hosts):
            hosts.setdefault(host.lower(), host)
    if not hosts:
        return

    found = {}
    unclassified = None
    now = timezone.now()
    for key, host in sorted(hosts.items()):
        ci = (
            ConfigurationItem.objects.filter(host_name__iexact=key).order_by("id").first()
            or ConfigurationItem.objects.filter(name__iexact=key).order_by("id").first()
        )
        if ci is None:
            if unclassified is None:
                unclassified, _created = CiType.objects.get_or_create(
                    code="unclassified",
                    defaults={
                        "name_nl": "Nog te classificeren",
                        "name_en": "Not yet classified",
                        "kind": "other",
                        "order": 1000,
                        "shipped": True,
                    },
                )
            ci = ConfigurationItem.objects.create(
                name=host[:200],
                ci_type=unclassified,
                status="in_use",
                host_name=key[:255],
                created_at=now,
                updated_at=now,
                version=1,
            )
        found[key] = ci.pk

    for check in Check.objects.filter(ci__isnull=True).exclude(host="").only("pk", "host"):
        ci_id = found.get(check.host.strip().lower())
        if ci_id is not None:
            Check.objects.filter(pk=check.pk, ci__isnull=True).update(ci_id=ci_id)
    for window in windows:
        ids = [found[h.lower()] for h in _host_list(window.hosts) if h.lower() in found]
        if ids:
            window.cis.add(*ids)  # adding a CI the window already has changes nothing


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0004_unclassified_type"),
        ("monitoring", "0014_check_ci"),
    ]

    operations = [migrations.RunPython(link_hosts, migrations.RunPython.noop)]
