"""OLAs per operator group: the pure split of the clock, the stored rows, the panel, the API, reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from beheer.accounts.models import OperatorGroup
from beheer.calendars.business_time import calendar_24x7
from beheer.calendars.models import BusinessCalendar
from beheer.core.clock import frozen
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    EntryType,
    Impact,
    Melding,
    MeldingOla,
    OlaTarget,
    Priority,
    Status,
    Urgency,
)
from beheer.servicedesk.sla import clock as sla_clock
from beheer.servicedesk.sla.queries import ola_summary
from tests.helpers import client_for

AMS = ZoneInfo("Europe/Amsterdam")


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# --------------------------------------------------------------------------------------------------
# the pure split (no database)

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ALWAYS = calendar_24x7()


def replay(clocks: dict[str, sla_clock.GroupClock], group: str, now: datetime) -> sla_clock.ClockReading:
    clock = clocks[group]
    return sla_clock.read_clock(ALWAYS, start=clock.start, target=minutes(600), events=clock.events, now=now)


def test_each_group_counts_only_its_own_stints_and_repeated_stints_add_up():
    timeline = [
        sla_clock.Handover(T0 + minutes(30), "2"),
        sla_clock.Handover(T0 + minutes(90), "1"),
    ]
    clocks = sla_clock.group_clocks(start=T0, first_group="1", timeline=timeline)
    now = T0 + minutes(120)
    assert replay(clocks, "1", now).elapsed == minutes(30 + 30)
    assert replay(clocks, "2", now).elapsed == minutes(60)
    assert clocks["1"].holding
    assert not clocks["2"].holding
    assert replay(clocks, "2", now).stopped_at == T0 + minutes(90)
    assert replay(clocks, "1", now).running


def test_a_pause_stops_only_the_group_holding_the_melding_and_carries_over_a_handover():
    timeline: list[sla_clock.ClockEvent | sla_clock.Handover] = [
        sla_clock.ClockEvent(T0 + minutes(10), sla_clock.EventKind.PAUSE),
        sla_clock.Handover(T0 + minutes(20), "2"),  # handed over while waiting for the caller
        sla_clock.ClockEvent(T0 + minutes(50), sla_clock.EventKind.RESUME),
    ]
    clocks = sla_clock.group_clocks(start=T0, first_group="1", timeline=timeline)
    now = T0 + minutes(60)
    one, two = replay(clocks, "1", now), replay(clocks, "2", now)
    assert one.elapsed == minutes(10)
    assert two.elapsed == minutes(10)  # paused from 20 to 50, then running 50-60
    assert two.paused_for == minutes(30)


def test_resolving_stops_the_group_and_reopening_restarts_the_group_that_holds_it():
    timeline = [
        sla_clock.ClockEvent(T0 + minutes(40), sla_clock.EventKind.RESOLVE),
        sla_clock.ClockEvent(T0 + minutes(100), sla_clock.EventKind.REOPEN),
    ]
    clocks = sla_clock.group_clocks(start=T0, first_group="1", timeline=timeline)
    reading = replay(clocks, "1", T0 + minutes(110))
    assert reading.elapsed == minutes(50)
    assert reading.running


def test_a_melding_without_a_group_has_no_clock_until_it_gets_one():
    clocks = sla_clock.group_clocks(
        start=T0, first_group="", timeline=[sla_clock.Handover(T0 + minutes(15), "3")]
    )
    assert list(clocks) == ["3"]
    assert clocks["3"].start == T0 + minutes(15)
    assert replay(clocks, "3", T0 + minutes(45)).elapsed == minutes(30)


# --------------------------------------------------------------------------------------------------
# with the database


def p1_cells() -> dict[str, Any]:
    return {"impact": Impact.objects.get(level=1), "urgency": Urgency.objects.get(level=1)}


@pytest.fixture
def olas(first_line: OperatorGroup, second_line: OperatorGroup) -> tuple[OlaTarget, OlaTarget]:
    return (
        OlaTarget.objects.create(operator_group=first_line, minutes=60),
        OlaTarget.objects.create(operator_group=second_line, minutes=120),
    )


def register(operator, caller, group, when: datetime) -> Melding:
    with frozen(when):
        return services.open_melding(
            actor=operator,
            brief_description="Wifi valt weg",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=group,
            **p1_cells(),
        )


@pytest.fixture
def handed_around(olas, operator, specialist, caller, first_line, second_line) -> Melding:
    """Monday 30 November 2026, office hours: first line 09:00-09:30, second line 09:30-11:30
    (waiting for the caller 10:00-11:00), first line again from 11:30."""
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0))
    with frozen(at(2026, 11, 30, 9, 30)):
        m = services.escalate_melding(
            m, to_group=second_line, reason="Access point", actor=operator, expected_version=m.version
        )
    with frozen(at(2026, 11, 30, 10, 0)):
        m = services.change_status(
            m, status=Status.objects.get(code="waiting_caller"), actor=specialist, expected_version=m.version
        )
    with frozen(at(2026, 11, 30, 11, 0)):
        m = services.change_status(
            m, status=Status.objects.get(code="in_progress"), actor=specialist, expected_version=m.version
        )
    with frozen(at(2026, 11, 30, 11, 30)):
        m = services.deescalate_melding(
            m, to_group=first_line, reason="Config pushed", actor=specialist, expected_version=m.version
        )
    return m


def test_the_ola_clocks_follow_the_assignment_history(handed_around, first_line, second_line):
    metrics = {o.group.pk: o for o in services.evaluate_olas(handed_around, now=at(2026, 11, 30, 11, 45))}
    first, second = metrics[first_line.pk], metrics[second_line.pk]
    assert first.reading.elapsed == minutes(30 + 15)
    assert first.holding
    assert first.state == sla_clock.SlaState.AT_RISK  # 45 of 60 minutes: exactly 75 %
    assert second.reading.elapsed == minutes(60)
    assert second.reading.paused_for == minutes(60)
    assert second.state == sla_clock.SlaState.MET
    assert not second.holding
    assert second.reading.stopped_at == at(2026, 11, 30, 11, 30)
    # 30 minutes used before the escalation, 30 left from 11:30
    assert first.due == at(2026, 11, 30, 12, 0)
    assert first.risk_at == at(2026, 11, 30, 11, 45)


def test_the_first_line_goes_at_risk_and_breached(handed_around, first_line):
    def state(when: datetime) -> sla_clock.SlaState:
        return next(o for o in services.evaluate_olas(handed_around, now=when) if o.group == first_line).state

    assert state(at(2026, 11, 30, 11, 40)) == sla_clock.SlaState.ON_TRACK
    assert state(at(2026, 11, 30, 11, 50)) == sla_clock.SlaState.AT_RISK
    assert state(at(2026, 11, 30, 12, 10)) == sla_clock.SlaState.BREACHED


def test_status_changes_store_the_rows_and_recompute_gives_the_same(handed_around, first_line, second_line):
    rows = {r.operator_group_id: r for r in MeldingOla.objects.filter(melding=handed_around)}
    # the de-escalation at 11:30 went through the SLA engine: the second line's stint is over
    assert rows[second_line.pk].elapsed_minutes == 60
    assert rows[second_line.pk].stopped_at == at(2026, 11, 30, 11, 30)
    assert rows[first_line.pk].stopped_at is None
    stored = {
        gid: (r.elapsed_minutes, r.due, r.stopped_at, r.met, r.target_minutes) for gid, r in rows.items()
    }
    MeldingOla.objects.filter(melding=handed_around).update(elapsed_minutes=999, met=False, due=None)
    services.recompute_olas(handed_around, now=at(2026, 11, 30, 11, 30))
    again = {
        r.operator_group_id: (r.elapsed_minutes, r.due, r.stopped_at, r.met, r.target_minutes)
        for r in MeldingOla.objects.filter(melding=handed_around)
    }
    assert again == stored


def test_the_sweep_refreshes_rows_after_a_handover(handed_around, first_line, second_line):
    handed_around.refresh_from_db()
    # rows behind the melding (a change made outside the SLA engine, or an OLA target edited)
    MeldingOla.objects.filter(melding=handed_around).update(stopped_at=None, met=None, due=None)
    Melding.objects.filter(pk=handed_around.pk).update(ola_computed_at=at(2026, 11, 30, 9, 0))
    handed_around.refresh_from_db()
    assert handed_around.ola_computed_at < handed_around.updated_at
    services.sweep_sla(now=at(2026, 11, 30, 11, 40))
    second = MeldingOla.objects.get(melding=handed_around, operator_group=second_line)
    first = MeldingOla.objects.get(melding=handed_around, operator_group=first_line)
    assert second.stopped_at == at(2026, 11, 30, 11, 30)
    assert second.met is True
    assert first.stopped_at is None
    assert first.due == at(2026, 11, 30, 12, 0)
    handed_around.refresh_from_db()
    assert handed_around.ola_computed_at >= handed_around.updated_at
    # nothing stale any more: a second sweep leaves the rows alone
    computed = first.computed_at
    services.sweep_sla(now=at(2026, 11, 30, 11, 41))
    first.refresh_from_db()
    assert first.computed_at == computed


def test_resolving_decides_the_ola_and_the_summary_counts_it(
    handed_around, operator, first_line, second_line
):
    with frozen(at(2026, 11, 30, 13, 0)):  # first line: 30 + 90 minutes > 60
        services.resolve_melding(
            handed_around, solution="AP vervangen", actor=operator, expected_version=None
        )
    first = MeldingOla.objects.get(melding=handed_around, operator_group=first_line)
    assert first.met is False
    assert first.elapsed_minutes == 120
    assert first.breached_at == at(2026, 11, 30, 12, 0)
    summary = {s.group_id: s for s in ola_summary(date(2026, 11, 30), date(2026, 11, 30))}
    assert summary[first_line.pk].total == 1
    assert summary[first_line.pk].breached == 1
    assert summary[first_line.pk].met_percent == 0.0
    assert summary[second_line.pk].met == 1
    assert summary[second_line.pk].met_percent == 100.0
    assert summary[second_line.pk].average_minutes == 60.0
    assert ola_summary(date(2026, 12, 1), date(2026, 12, 31)) == []
    only = ola_summary(date(2026, 11, 1), date(2026, 11, 30), groups=[second_line])
    assert [s.group_id for s in only] == [second_line.pk]


def test_the_summary_is_one_aggregate_query(olas, operator, caller, first_line, django_assert_num_queries):
    for hour, resolved in (
        (9, at(2026, 11, 30, 9, 30)),
        (10, at(2026, 11, 30, 10, 50)),
        (11, at(2026, 11, 30, 12, 10)),
    ):
        m = register(operator, caller, first_line, at(2026, 11, 30, hour, 0))
        with frozen(resolved):
            services.resolve_melding(m, solution="Opgelost", actor=operator, expected_version=None)
    with django_assert_num_queries(1):
        summary = ola_summary(date(2026, 11, 30), date(2026, 11, 30))
    assert len(summary) == 1
    assert (summary[0].total, summary[0].met, summary[0].breached) == (3, 2, 1)
    assert summary[0].met_percent == 66.7
    assert summary[0].average_minutes == round((30 + 50 + 70) / 3, 1)


def test_a_priority_target_wins_and_the_ola_calendar_can_differ(operator, caller, first_line):
    cal247 = BusinessCalendar.objects.get(name="24x7")
    OlaTarget.objects.create(operator_group=first_line, minutes=600)
    OlaTarget.objects.create(
        operator_group=first_line, priority=Priority.objects.get(level=1), minutes=120, calendar=cal247
    )
    m = register(operator, caller, first_line, at(2026, 11, 27, 22, 0))  # Friday night
    (metric,) = services.evaluate_olas(m, now=at(2026, 11, 27, 23, 0))
    assert metric.target == minutes(120)
    assert metric.reading.elapsed == minutes(60)  # the night counts on 24x7
    assert metric.calendar == cal247


def test_groups_without_an_ola_and_meldingen_without_any_ola_are_left_out(
    operator, caller, first_line, second_line
):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0))
    assert services.evaluate_olas(m, now=at(2026, 11, 30, 10, 0)) == []
    OlaTarget.objects.create(operator_group=second_line, minutes=60)
    assert services.evaluate_olas(m, now=at(2026, 11, 30, 10, 0)) == []


def test_without_an_sla_an_ola_needs_its_own_calendar(operator, caller, first_line, no_sla):
    ola = OlaTarget.objects.create(operator_group=first_line, minutes=60)
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0))
    assert services.evaluate_olas(m, now=at(2026, 11, 30, 10, 0)) == []
    ola.calendar = BusinessCalendar.objects.get(name__startswith="Kantooruren")
    ola.save()
    (metric,) = services.evaluate_olas(m, now=at(2026, 11, 30, 10, 0))
    assert metric.reading.elapsed == minutes(60)


def test_the_sweep_backfills_meldingen_never_computed(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0))
    assert Melding.objects.get(pk=m.pk).ola_computed_at is None
    services.sweep_sla(now=at(2026, 11, 30, 9, 5))
    assert not MeldingOla.objects.exists()  # no OLA configured: nothing to do
    assert Melding.objects.get(pk=m.pk).ola_computed_at is None
    OlaTarget.objects.create(operator_group=first_line, minutes=60)
    services.sweep_sla(now=at(2026, 11, 30, 9, 45))
    row = MeldingOla.objects.get(melding=m)
    assert row.elapsed_minutes == 45
    assert row.risk_at == at(2026, 11, 30, 9, 45)
    assert Melding.objects.get(pk=m.pk).ola_computed_at is not None


def test_changing_an_ola_marks_rows_stale_and_removing_it_removes_rows(operator, caller, first_line):
    ola = OlaTarget.objects.create(operator_group=first_line, minutes=60)
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0))
    services.recompute_olas(m, now=at(2026, 11, 30, 9, 10))
    assert services.invalidate_olas(operator_group_id=first_line.pk) == 1
    ola.minutes = 30
    ola.save()
    services.sweep_sla(now=at(2026, 11, 30, 9, 20))
    assert MeldingOla.objects.get(melding=m).target_minutes == 30
    ola.delete()
    OlaTarget.objects.create(operator_group=OperatorGroup.objects.create(name="Netwerk"), minutes=5)
    services.recompute_olas(m, now=at(2026, 11, 30, 9, 30))
    assert not MeldingOla.objects.filter(melding=m).exists()


# --------------------------------------------------------------------------------------------------
# panel, API, admin


def test_the_api_lists_the_olas_for_operators_only(handed_around, operator, caller, first_line):
    with frozen(at(2026, 11, 30, 11, 45)):
        body = client_for(operator).get(f"/api/v1/meldingen/{handed_around.pk}/sla").json()
        own = client_for(caller).get(f"/api/v1/meldingen/{handed_around.pk}/sla").json()
    assert [o["operator_group"]["name"] for o in body["olas"]] == ["Servicedesk", "Systeembeheer"]
    first, second = body["olas"]
    assert first["holding"] is True
    assert first["elapsed_minutes"] == 45
    assert first["target_minutes"] == 60
    assert first["state"] == "at_risk"
    assert first["due"].startswith("2026-11-30T11:00")  # 12:00 Amsterdam in UTC
    assert first["calendar"]["name"].startswith("Kantooruren")
    assert second["state"] == "met"
    assert second["paused_minutes"] == 60
    assert body["resolution"]["state"] in ("on_track", "at_risk")  # the existing fields stay
    assert own["olas"] == []  # OLAs are internal agreements
    assert own["resolution"] is not None


def test_the_detail_page_shows_the_ola_table(handed_around, operator):
    with frozen(at(2026, 11, 30, 11, 50)):
        page = client_for(operator).get(f"/meldingen/{handed_around.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "OLA per operator group" in html
    assert "Systeembeheer" in html
    assert 'class="badge sla-at_risk"' in html  # the first line, 50 of 60 minutes
    assert 'class="badge sla-met"' in html
    assert "style=" not in html


def test_a_coordinator_configures_an_ola_in_its_screen_and_the_admin_only_shows_it(
    coordinator, operator, first_line
):
    client = client_for(coordinator)
    assert client.get("/sla/olas/new/").status_code == 200
    response = client.post(
        "/sla/olas/new/",
        {
            "operator_group": first_line.pk,
            "priority": "",
            "norm_0": "1.5",
            "norm_1": "hours",
            "calendar": "",
            "at_risk_percent": 80,
            "active": "on",
        },
    )
    assert response.status_code == 302
    ola = OlaTarget.objects.get()
    assert (ola.minutes, ola.at_risk_percent, ola.priority) == (90, 80, None)
    assert client.get("/beheer-admin/servicedesk/olatarget/").status_code == 200
    assert client.get("/beheer-admin/servicedesk/olatarget/add/").status_code == 403  # no second write path
    assert client_for(operator).get("/beheer-admin/servicedesk/olatarget/").status_code in (302, 403)
