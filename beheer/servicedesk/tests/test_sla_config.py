"""Configuring service levels in the product's own screens and the API: policies, OLAs, and the
servicedesk's part in the business calendars (the calendars' own tests are in beheer/calendars/tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from beheer.calendars import services as calendar_services
from beheer.calendars.models import BusinessCalendar
from beheer.core.clock import frozen
from beheer.core.errors import DomainError
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    EntryType,
    Impact,
    OlaTarget,
    Priority,
    ServiceLevelChange,
    SlaPolicy,
    SlaTarget,
    Urgency,
)
from beheer.servicedesk.services import sla_config
from beheer.servicedesk.services.sla_config import PolicyData, TargetData
from tests.helpers import client_for

AMS = ZoneInfo("Europe/Amsterdam")


def calendar_post(**changes) -> dict[str, str]:
    data = {
        "name": "Schooluren",
        "time_zone": "Europe/Amsterdam",
        "public_holidays": "on",
        "school_holidays_region": "",
        "closing_rows": "2",
        "closing_0_date": "2026-12-24",
        "closing_0_name": "Kerstavond",
        "closing_1_date": "",
        "closing_1_name": "",
    }
    for day in range(5):
        data[f"h{day}_0_start"], data[f"h{day}_0_end"] = "08:00", "16:00"
    data.update(changes)
    return data


def _resolution(policy: SlaPolicy, priority_id: int) -> int | None:
    target = services.service_level.target_for(policy, priority_id)
    return target.resolution_minutes if target else None


# --------------------------------------------------------------------------------------------------
# the services: one validation for screens and API


class TestCalendarUse:
    """The servicedesk's part in a calendar's life (calendars/extensions.py)."""

    def test_archiving_a_calendar_in_use_is_refused(self, coordinator):
        office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
        with pytest.raises(DomainError):
            calendar_services.archive_calendar(office, actor=coordinator)
        assert BusinessCalendar.objects.get(pk=office.pk).active


class TestPolicyRules:
    def test_targets_must_be_positive(self, coordinator):
        office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
        p1 = Priority.objects.get(level=1)
        for bad in (0, -5):
            data = PolicyData(name="Scholen", calendar_id=office.pk, targets=[TargetData(p1.pk, bad)])
            with pytest.raises(DomainError) as caught:
                sla_config.create_policy(data=data, actor=coordinator)
            assert f"target_{p1.pk}_resolution" in caught.value.field_errors
        assert not SlaPolicy.objects.filter(name="Scholen").exists()

    def test_a_saved_target_applies_at_once_because_the_cache_is_cleared(
        self, coordinator, operator, caller, first_line
    ):
        policy = SlaPolicy.objects.get(name="Standaard")
        p1 = Priority.objects.get(level=1)
        assert _resolution(policy, p1.pk) == 240  # now cached
        data = PolicyData(
            name=policy.name,
            calendar_id=policy.calendar_id,
            targets=[
                TargetData(t.priority_id, t.resolution_minutes, t.response_minutes)
                for t in policy.targets.all()
                if t.priority_id != p1.pk
            ]
            + [TargetData(p1.pk, 120, 15)],
        )
        sla_config.update_policy(policy, data=data, actor=coordinator)
        assert _resolution(policy, p1.pk) == 120
        with frozen(datetime(2026, 11, 30, 9, 0, tzinfo=AMS)):
            m = services.open_melding(
                actor=operator,
                brief_description="Server plat",
                entry_type=EntryType.PHONE,
                caller=caller,
                operator_group=first_line,
                impact=Impact.objects.get(level=1),
                urgency=Urgency.objects.get(level=1),
            )
        assert m.resolution_due == datetime(2026, 11, 30, 11, 0, tzinfo=AMS)
        change = ServiceLevelChange.objects.get(subject="policy", subject_id=policy.pk, field="targets")
        assert "240" in change.old_value
        assert "120" in change.new_value


# --------------------------------------------------------------------------------------------------
# the screens


class TestScreens:
    def test_reachable_from_the_navigation_for_coordinators_only(self, coordinator, administrator, operator):
        for person in (coordinator, administrator):
            assert 'href="/sla/"' in client_for(person).get("/meldingen/").content.decode()
        assert 'href="/sla/"' not in client_for(operator).get("/meldingen/").content.decode()

    @pytest.mark.parametrize(
        "url",
        [
            "/sla/policies/",
            "/sla/policies/new/",
            "/sla/olas/",
            "/sla/olas/new/",
        ],
    )
    def test_operators_and_callers_are_refused(self, operator, caller, url):
        assert client_for(operator).get(url).status_code == 403
        assert client_for(caller).get(url).status_code == 403
        assert client_for(operator).post(url, calendar_post()).status_code == 403

    def test_a_policy_target_in_business_days_and_hours(self, coordinator):
        office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
        p1, p2 = Priority.objects.get(level=1), Priority.objects.get(level=2)
        client = client_for(coordinator)
        assert client.get("/sla/policies/new/").status_code == 200
        response = client.post(
            "/sla/policies/new/",
            {
                "name": "Scholen",
                "calendar": office.pk,
                "order": "50",
                "at_risk_percent": "80",
                f"t{p1.pk}_response_0": "0,5",
                f"t{p1.pk}_response_1": "hours",
                f"t{p1.pk}_resolution_0": "4",
                f"t{p1.pk}_resolution_1": "hours",
                f"t{p2.pk}_resolution_0": "2",
                f"t{p2.pk}_resolution_1": "days",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        policy = SlaPolicy.objects.get(name="Scholen")
        targets = {t.priority_id: t for t in SlaTarget.objects.filter(policy=policy)}
        assert (targets[p1.pk].response_minutes, targets[p1.pk].resolution_minutes) == (30, 240)
        assert targets[p2.pk].resolution_minutes == 2 * 9 * 60  # two office days of nine hours
        page = client.get(f"/sla/policies/{policy.pk}/").content.decode()
        # shown again as two business days, not as 1080 minutes
        assert f'name="t{p2.pk}_resolution_0" value="2"' in page
        assert '<option value="days" selected>' in page

    def test_a_zero_target_is_refused_on_the_screen(self, coordinator):
        office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
        p1 = Priority.objects.get(level=1)
        response = client_for(coordinator).post(
            "/sla/policies/new/",
            {
                "name": "Nul",
                "calendar": office.pk,
                "order": "1",
                "at_risk_percent": "75",
                f"t{p1.pk}_resolution_0": "0",
                f"t{p1.pk}_resolution_1": "hours",
            },
        )
        assert response.status_code == 400
        assert not SlaPolicy.objects.filter(name="Nul").exists()

    def test_an_ola_target_is_created_edited_and_deleted_after_confirmation(self, coordinator, second_line):
        client = client_for(coordinator)
        response = client.post(
            "/sla/olas/new/",
            {
                "operator_group": second_line.pk,
                "norm_0": "1",
                "norm_1": "days",
                "at_risk_percent": "75",
                "active": "on",
            },
        )
        assert response.status_code == 302
        ola = OlaTarget.objects.get(operator_group=second_line)
        assert ola.minutes == 540
        assert client.get(f"/sla/olas/{ola.pk}/delete/").status_code == 200
        assert OlaTarget.objects.filter(pk=ola.pk).exists()
        client.post(f"/sla/olas/{ola.pk}/delete/")
        assert not OlaTarget.objects.filter(pk=ola.pk).exists()
        assert ServiceLevelChange.objects.filter(subject="ola", subject_id=ola.pk, action="deleted").exists()


# --------------------------------------------------------------------------------------------------
# the API: the same services


class TestApi:
    BODY: dict[str, Any] = {
        "name": "Avonddienst",
        "hours": [{"weekday": d, "start": "17:00", "end": "00:00"} for d in range(5)],
        "closing_days": [{"date": "2026-12-31", "name": "Oudjaar"}],
    }

    def test_operators_and_callers_are_refused(self, operator, caller):
        for person in (operator, caller):
            client = client_for(person)
            assert client.get("/api/v1/sla/policies").status_code == 403

    def test_policy_targets_through_the_api(self, coordinator):
        office = BusinessCalendar.objects.get(name__startswith="Kantooruren")
        p1 = Priority.objects.get(level=1)
        body: dict[str, Any] = {
            "name": "API",
            "calendar_id": office.pk,
            "targets": [{"priority_id": p1.pk, "resolution_minutes": 60, "response_minutes": 120}],
        }
        client = client_for(coordinator)
        response = client.post("/api/v1/sla/policies", body, content_type="application/json")
        assert response.status_code == 400  # response longer than resolution: the services' rule
        body["targets"][0]["response_minutes"] = 15
        response = client.post("/api/v1/sla/policies", body, content_type="application/json")
        assert response.status_code == 201
        assert response.json()["targets"][0]["resolution_minutes"] == 60
