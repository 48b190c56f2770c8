"""The demo school has preventive activities with a past: done, skipped and one anomaly."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from beheer.core import clock
from beheer.operations.models import ActivitySeries, Occurrence
from beheer.servicedesk.models import EntryType, Melding


@pytest.mark.django_db
def test_demo_series_and_past_occurrences():
    call_command("load_demo", meldingen=5)
    # five recurring series, and the one-off preparation of the Wi-Fi pilot's test lab (done)
    assert ActivitySeries.objects.filter(active=True).count() == 6
    preparation = Occurrence.objects.get(series__name__startswith="Wifi-testopstelling")
    assert preparation.status == "done"
    assert all(item["done"] for item in preparation.checklist_results)
    statuses = set(Occurrence.objects.values_list("status", flat=True))
    assert {"done", "skipped", "anomaly", "open"} <= statuses
    anomaly = Occurrence.objects.get(status="anomaly")
    assert anomaly.melding is not None
    assert anomaly.melding.entry_type == EntryType.PREVENTIVE
    assert Melding.objects.filter(entry_type=EntryType.PREVENTIVE).count() == 1
    assert Occurrence.objects.filter(planned_at__gt=clock.now()).exists()  # created ahead
    call_command("load_demo", meldingen=5)  # a second run changes nothing
    assert ActivitySeries.objects.count() == 6
