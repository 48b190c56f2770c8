# Meldingen registered before they could point at a configuration item name one in their free-text
# object (object_name). Where that text names exactly one CI, by its name or its host name
# (case-insensitive, surrounding spaces ignored), the melding points at it. No CI is created from a
# melding's object text: it is free text ("de beamer in 2.14", "Teams"), and a text that names no CI
# or several stays as it is. The text itself is kept. Idempotent: only meldingen without a CI are read.

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Lower

CHUNK = 500


def _key(text):
    return (text or '').strip().lower()


def link_meldingen_to_cis(apps, schema_editor):
    Melding = apps.get_model('servicedesk', 'Melding')
    ConfigurationItem = apps.get_model('cmdb', 'ConfigurationItem')
    texts = {}  # key -> the object texts that have it
    rows = Melding.objects.filter(ci__isnull=True).exclude(object_name='')
    for text in rows.values_list('object_name', flat=True).distinct().iterator():
        key = _key(text)
        if key:
            texts.setdefault(key, set()).add(text)
    keys = sorted(texts)
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        found = {}  # key -> the CIs it names
        items = (
            ConfigurationItem.objects.annotate(lower_name=Lower('name'), lower_host=Lower('host_name'))
            .filter(Q(lower_name__in=part) | Q(lower_host__in=part))
            .values_list('pk', 'name', 'host_name')
        )
        for pk, name, host_name in items:
            for key in {_key(name), _key(host_name)}:
                if key in texts:
                    found.setdefault(key, set()).add(pk)
        for key, pks in found.items():
            if len(pks) == 1:
                Melding.objects.filter(ci__isnull=True, object_name__in=sorted(texts[key])).update(
                    ci_id=next(iter(pks))
                )


class Migration(migrations.Migration):
    dependencies = [
        ('cmdb', '0004_unclassified_type'),
        ('servicedesk', '0027_melding_ci'),
    ]

    operations = [
        migrations.RunPython(link_meldingen_to_cis, migrations.RunPython.noop, elidable=True),
    ]
