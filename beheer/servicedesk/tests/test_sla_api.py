"""The service level through the API and the UI."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from beheer.core.clock import frozen
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Impact, SlaTarget, Status, Urgency
from tests.helpers import client_for

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def p1_melding(operator, caller, first_line):
    with frozen(datetime(2026, 11, 30, 9, 0, tzinfo=AMS)):
        return services.open_melding(
            actor=operator,
            brief_description="Server plat",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
            impact=Impact.objects.get(level=1),
            urgency=Urgency.objects.get(level=1),
        )


def test_list_and_detail_carry_the_sla_fields(operator, p1_melding):
    client = client_for(operator)
    with frozen(datetime(2026, 11, 30, 12, 30, tzinfo=AMS)):
        item = client.get("/api/v1/meldingen").json()["items"][0]
        detail = client.get(f"/api/v1/meldingen/{p1_melding.pk}").json()
    assert item["sla_policy"]["name"] == "Standaard"
    assert item["sla_state"] == "at_risk"  # 3.5 of 4 business hours used
    assert detail["resolution_due"].startswith("2026-11-30T12:00")  # 13:00 Amsterdam in UTC
    assert detail["response_due"].startswith("2026-11-30T08:30")
    assert detail["resolution_met"] is None


def test_the_sla_endpoint_replays_the_clock(operator, p1_melding):
    client = client_for(operator)
    with frozen(datetime(2026, 11, 30, 9, 15, tzinfo=AMS)):
        services.change_status(
            p1_melding, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=1
        )
    with frozen(datetime(2026, 11, 30, 11, 0, tzinfo=AMS)):
        body = client.get(f"/api/v1/meldingen/{p1_melding.pk}/sla").json()
    assert body["policy"]["name"] == "Standaard"
    assert body["resolution"]["state"] == "paused"
    assert body["resolution"]["elapsed_minutes"] == 15
    assert body["resolution"]["paused_minutes"] == 105
    assert body["resolution"]["remaining_minutes"] == 225
    assert body["resolution"]["due"] is None
    assert body["response"]["state"] == "met"  # leaving "new" after 15 of 30 minutes counts


def test_the_sla_endpoint_without_a_policy(operator, p1_melding, no_sla):
    body = client_for(operator).get(f"/api/v1/meldingen/{p1_melding.pk}/sla").json()
    assert body == {
        "policy": None,
        "calendar": None,
        "response": None,
        "resolution": None,
        "update": None,
        "last_update_at": None,
        "olas": [],
    }


def test_another_caller_cannot_read_the_sla(other_caller, p1_melding):
    assert client_for(other_caller).get(f"/api/v1/meldingen/{p1_melding.pk}/sla").status_code == 404


def test_the_queue_and_the_detail_page_show_the_sla(operator, p1_melding):
    client = client_for(operator)
    with frozen(datetime(2026, 11, 30, 12, 30, tzinfo=AMS)):
        queue = client.get("/meldingen/?queue=all", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        detail = client.get(f"/meldingen/{p1_melding.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="badge sla-at_risk"' in queue
    assert "At risk" in queue
    assert "Service level" in detail
    assert "Standaard" in detail
    assert "target 4 h 00 min" in detail  # the resolution target
    assert "used 3 h 30 min" in detail  # business time used from 09:00 to 12:30
    assert "30 min left" in detail  # and what remains of it


def test_the_detail_page_says_when_no_sla_applies(operator, p1_melding, no_sla):
    detail = (
        client_for(operator).get(f"/meldingen/{p1_melding.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "No SLA applies to this call." in detail


def test_the_sla_endpoint_and_the_panel_show_the_update_clock(operator, p1_melding):
    SlaTarget.objects.filter(priority__level=1).update(update_minutes=60)
    with frozen(datetime(2026, 11, 30, 9, 50, tzinfo=AMS)):
        body = client_for(operator).get(f"/api/v1/meldingen/{p1_melding.pk}/sla").json()
        page = client_for(operator).get(f"/meldingen/{p1_melding.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert body["update"]["target_minutes"] == 60
    assert body["update"]["elapsed_minutes"] == 50
    assert body["update"]["state"] == "at_risk"
    assert body["update"]["due"].startswith("2026-11-30T09:00")  # 10:00 Amsterdam
    assert body["last_update_at"].startswith("2026-11-30T08:00")  # registration, 09:00 Amsterdam
    html = page.content.decode()
    assert "Update to the caller" in html
    assert "Last update to the caller" in html


# --------------------------------------------------------------------------------------------------
# A target used up exactly at closing time: every reading agrees, pausing does not move the deadline


@pytest.fixture
def evening_p2(operator, caller, first_line):
    """P2 (nine office hours) registered on Monday evening: the target runs out on Tuesday at 17:00."""
    with frozen(datetime(2026, 11, 30, 20, 0, tzinfo=AMS)):
        return services.open_melding(
            actor=operator,
            brief_description="Printer op de tweede verdieping",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
            impact=Impact.objects.get(code="organisation"),
            urgency=Urgency.objects.get(code="limited"),
        )


def _readings(client, melding_id: int) -> tuple[str, str, str]:
    detail = client.get(f"/api/v1/meldingen/{melding_id}").json()
    replay = client.get(f"/api/v1/meldingen/{melding_id}/sla").json()
    listed = client.get(f"/api/v1/meldingen?sla={detail['sla_state']}").json()["items"]
    in_filter = "yes" if any(item["id"] == melding_id for item in listed) else "no"
    return detail["sla_state"], replay["resolution"]["state"], in_filter


def test_at_closing_time_the_detail_the_replay_and_the_sweep_agree(operator, evening_p2):
    from beheer.servicedesk.models import SlaEscalation

    closing = datetime(2026, 12, 1, 17, 0, tzinfo=AMS)
    evening_p2.refresh_from_db()
    assert evening_p2.priority.level == 2
    assert evening_p2.resolution_due == closing
    client = client_for(operator)
    with frozen(closing):
        assert _readings(client, evening_p2.pk) == ("at_risk", "at_risk", "yes")
        services.sweep_sla(now=closing)
    assert not SlaEscalation.objects.filter(melding=evening_p2, metric="resolution", kind="breached").exists()
    later = datetime(2026, 12, 1, 17, 30, tzinfo=AMS)
    with frozen(later):
        assert _readings(client, evening_p2.pk) == ("breached", "breached", "yes")
        services.sweep_sla(now=later)
    assert SlaEscalation.objects.filter(melding=evening_p2, metric="resolution", kind="breached").exists()


def test_pausing_after_the_target_ran_out_at_closing_time_keeps_the_deadline(operator, evening_p2):
    closing = datetime(2026, 12, 1, 17, 0, tzinfo=AMS)
    client = client_for(operator)
    with frozen(datetime(2026, 12, 1, 18, 0, tzinfo=AMS)):
        m = services.change_status(
            evening_p2, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=1
        )
        assert _readings(client, m.pk) == ("breached", "breached", "yes")
    m.refresh_from_db()
    assert m.resolution_due == closing
    with frozen(datetime(2026, 12, 2, 10, 0, tzinfo=AMS)):
        m = services.change_status(
            m, status=Status.objects.get(code="in_progress"), actor=operator, expected_version=m.version
        )
    m.refresh_from_db()
    assert m.resolution_due == closing  # not the resume moment
    with frozen(datetime(2026, 12, 2, 10, 5, tzinfo=AMS)):
        assert _readings(client, m.pk) == ("breached", "breached", "yes")
        replay = client.get(f"/api/v1/meldingen/{m.pk}/sla").json()["resolution"]
    assert replay["due"].startswith("2026-12-01T16:00")  # 17:00 Amsterdam in UTC
