"""Each series' linked objects (names typed before the CMDB existed) become configuration items.

For every name in every series' `linked_objects`: the CI whose host name or name is that name
(case-insensitive; the host name first, then the lowest number), else a new CI of the shipped type
`unclassified` (name = the name, host name = the name in lower case, in use), for an administrator to
classify; then the CI is added to the series' `cis`. The names themselves stay in `linked_objects`.
Running it again finds the same CIs and adds nothing. Another app's migration may have created a CI
of the same name already: it is matched, not duplicated.
"""

from django.db import migrations
from django.utils import timezone


def _find(ConfigurationItem, name):
    by_host = ConfigurationItem.objects.filter(host_name__iexact=name).order_by("pk").first()
    if by_host is not None:
        return by_host
    return ConfigurationItem.objects.filter(name__iexact=name).order_by("pk").first()


def link_names(apps, schema_editor):
    ActivitySeries = apps.get_model("operations", "ActivitySeries")
    ConfigurationItem = apps.get_model("cmdb", "ConfigurationItem")
    CiType = apps.get_model("cmdb", "CiType")
    unclassified = None
    for series in ActivitySeries.objects.order_by("pk").iterator():
        names = [str(n).strip() for n in (series.linked_objects or []) if str(n).strip()]
        found = []
        for name in names:
            ci = _find(ConfigurationItem, name)
            if ci is None:
                if unclassified is None:
                    unclassified = CiType.objects.get(code="unclassified")
                now = timezone.now()
                ci = ConfigurationItem.objects.create(
                    name=name[:200],
                    host_name=name.lower()[:255],
                    ci_type=unclassified,
                    status="in_use",
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            found.append(ci.pk)
        if found:
            series.cis.add(*found)


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0004_unclassified_type"),
        ("operations", "0005_series_cis"),
    ]

    operations = [migrations.RunPython(link_names, migrations.RunPython.noop)]
