"""The demo's risks and classification: Magister high confidentiality, the Wi-Fi medium
availability, the file server's adopted suggestion, and two risks with owners, review dates and the
controls the catalogue holds."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from beheer.security.models import Classification, Risk

pytestmark = pytest.mark.django_db


def test_the_demo_classifies_the_main_services_and_registers_two_risks() -> None:
    call_command("load_demo", meldingen=5)  # with the shipped catalogue (ISO/IEC 27002:2022 and BIO2)
    magister = Classification.objects.get(ci__name="Magister")
    assert magister.confidentiality == 3
    assert Classification.objects.get(ci__name="Wifi (eduroam en gasten)").availability == 2
    assert Classification.objects.get(ci__name="fs01").confidentiality == 3  # adopted
    risks = list(Risk.objects.order_by("number").prefetch_related("controls"))
    assert [r.code for r in risks] == ["RSK-1", "RSK-2"]
    assert {c.number for c in risks[0].controls.all()} == {"8.13", "8.7"}
    assert {c.number for c in risks[1].controls.all()} == {"6.3", "8.5"}
    assert all(r.owner_id and r.review_date for r in risks)
