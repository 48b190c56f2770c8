"""The SLA engine wired to the database: policies, deadlines from history, pauses, the sweep."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext

from beheer.accounts.models import OperatorGroup
from beheer.calendars.models import BusinessCalendar, ClosingDay, OpeningHours
from beheer.cmdb.models import Supplier
from beheer.core.clock import frozen
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    Category,
    EntryType,
    HistoryEntry,
    Impact,
    Line,
    Melding,
    Priority,
    SlaEscalation,
    SlaPolicy,
    SlaTarget,
    Status,
    Urgency,
    Visibility,
)

AMS = ZoneInfo("Europe/Amsterdam")


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


def p1_cells() -> dict[str, object]:
    return {
        "impact": Impact.objects.get(code="organisation"),
        "urgency": Urgency.objects.get(code="cannot_work"),
    }


def register(operator, caller, group, when: datetime, **kwargs) -> Melding:
    with frozen(when):
        return services.open_melding(
            actor=operator,
            brief_description="Netwerk ligt eruit",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=group,
            **kwargs,
        )


@pytest.fixture
def office(db) -> BusinessCalendar:
    return BusinessCalendar.objects.get(name__startswith="Kantooruren")


def test_the_default_policy_gives_business_hour_deadlines(operator, caller, first_line, office):
    # Friday 16:30, P1: 4 business hours -> Monday 11:30; response 30 minutes -> Friday 17:00.
    m = register(operator, caller, first_line, at(2026, 11, 27, 16, 30), **p1_cells())
    m.refresh_from_db()
    assert m.sla_policy is not None
    assert m.sla_policy.name == "Standaard"
    assert m.priority.level == 1
    assert m.resolution_due == at(2026, 11, 30, 11, 30)
    assert m.response_due == at(2026, 11, 27, 17, 0)
    # at risk from 75% of 4 h = 3 h: Friday 0.5 h + Monday 2.5 h -> Monday 10:30
    assert m.resolution_risk_at == at(2026, 11, 30, 10, 30)


def test_a_waiting_status_pauses_the_clock_and_resuming_moves_the_deadline(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    waiting = Status.objects.get(code="waiting_caller")
    in_progress = Status.objects.get(code="in_progress")
    with frozen(at(2026, 11, 30, 10, 0)):
        m = services.change_status(m, status=waiting, actor=operator, expected_version=m.version)
    m.refresh_from_db()
    assert m.resolution_due is None  # no deadline while paused
    assert m.resolution_risk_at is None
    with frozen(at(2026, 12, 1, 9, 0)):  # paused 7 h Monday + 1 h Tuesday = 8 business hours
        m = services.change_status(m, status=in_progress, actor=operator, expected_version=m.version)
    m.refresh_from_db()
    # 1 h used before the pause; 3 h left from Tuesday 09:00 -> 12:00
    assert m.resolution_due == at(2026, 12, 1, 12, 0)


def test_the_clock_replayed_from_history_already_read_equals_the_one_read_itself(
    operator, caller, first_line
):
    """The melding page hands the SLA clock the history it shows instead of a query of its own."""
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    codes = ("waiting_caller", "in_progress", "waiting_caller", "in_progress", "resolved")
    for hour, code in zip((10, 12, 13, 15, 16), codes, strict=True):
        with frozen(at(2026, 11, 30, hour, 0)):
            if code == "resolved":
                m = services.resolve_melding(
                    m, solution="Opgelost.", actor=operator, expected_version=m.version
                )
            else:
                status = Status.objects.get(code=code)
                m = services.change_status(m, status=status, actor=operator, expected_version=m.version)
    m.refresh_from_db()
    history = list(HistoryEntry.objects.filter(melding=m).order_by("-at", "-id"))  # newest first, as shown
    now = at(2026, 12, 2, 9, 0)
    read = services.evaluate(m, now=now)
    replayed = services.evaluate(m, now=now, history=history)
    assert read is not None
    assert replayed == read
    assert read.resolution.reading.paused_for > timedelta(0)
    assert read.resolution.reading.stopped_at is not None


def test_a_pause_outside_business_hours_costs_and_saves_nothing(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 27, 16, 0), **p1_cells())
    waiting = Status.objects.get(code="waiting_supplier")
    in_progress = Status.objects.get(code="in_progress")
    supplier = Supplier.objects.create(name="Leverancier")
    with frozen(at(2026, 11, 27, 18, 0)):
        m = services.change_status(
            m, status=waiting, supplier=supplier, actor=operator, expected_version=m.version
        )
    with frozen(at(2026, 11, 30, 7, 0)):
        m = services.change_status(m, status=in_progress, actor=operator, expected_version=m.version)
    m.refresh_from_db()
    assert m.resolution_due == at(2026, 11, 30, 11, 0)  # 1 h on Friday, 3 h on Monday


def test_a_caller_reply_resumes_a_paused_clock(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 11, 30, 10, 0)):
        m = services.change_status(
            m, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=m.version
        )
    with frozen(at(2026, 11, 30, 14, 0)):
        services.add_note(m, text="Het werkt weer niet", visibility=Visibility.CALLER, actor=caller)
    m.refresh_from_db()
    assert m.status.code == "in_progress"
    assert m.resolution_due == at(2026, 11, 30, 17, 0)  # 1 h used, 3 h from 14:00


def test_a_priority_change_keeps_the_time_already_spent(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 11, 30, 12, 0)):
        m = services.reclassify_melding(
            m,
            actor=operator,
            expected_version=m.version,
            brief_description=m.brief_description,
            request=m.request,
            call_type=m.call_type,
            category=None,
            subcategory=None,
            object_name="",
            impact=Impact.objects.get(code="organisation"),
            urgency=Urgency.objects.get(code="limited"),  # -> P2: 9 business hours
        )
    m.refresh_from_db()
    assert m.priority.level == 2
    # counted from registration: 8 h Monday (09-17) + 1 h Tuesday
    assert m.resolution_due == at(2026, 12, 1, 9, 0)


def test_resolution_in_time_is_met_late_is_breached_and_reopen_clears(operator, caller, first_line):
    quick = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 11, 30, 9, 20)):
        services.add_note(quick, text="We kijken ernaar", visibility=Visibility.CALLER, actor=operator)
    quick.refresh_from_db()
    with frozen(at(2026, 11, 30, 10, 0)):
        quick = services.resolve_melding(
            quick, solution="Kabel vast", actor=operator, expected_version=quick.version
        )
    quick.refresh_from_db()
    assert quick.resolution_met is True
    assert quick.response_met is True
    assert quick.resolution_due is None
    late = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 12, 1, 9, 0)):
        late = services.resolve_melding(
            late, solution="Switch vervangen", actor=operator, expected_version=late.version
        )
    late.refresh_from_db()
    assert late.resolution_met is False
    assert late.response_met is False  # the first response came with the (late) resolution
    with frozen(at(2026, 12, 1, 10, 0)):
        quick = services.reopen_melding(quick, reason="Weer stuk", actor=caller)
    quick.refresh_from_db()
    assert quick.resolution_met is None
    assert quick.resolution_due == at(2026, 12, 1, 13, 0)  # 1 h used, 3 h from the reopen


def test_the_first_matching_policy_by_order_applies(operator, caller, first_line, office):
    network = Category.objects.create(name="Netwerk")
    cal247 = BusinessCalendar.objects.get(name="24x7")
    policy = SlaPolicy.objects.create(name="Netwerk 24x7", calendar=cal247, order=1)
    policy.categories.add(network)
    SlaTarget.objects.create(policy=policy, priority=Priority.objects.get(level=1), resolution_minutes=120)
    m = register(operator, caller, first_line, at(2026, 11, 28, 22, 0), category=network, **p1_cells())
    m.refresh_from_db()
    assert m.sla_policy == policy
    assert m.resolution_due == at(2026, 11, 29, 0, 0)  # Saturday night counts on 24x7
    other = register(operator, caller, first_line, at(2026, 11, 28, 22, 0), **p1_cells())
    other.refresh_from_db()
    assert other.sla_policy is not None
    assert other.sla_policy.name == "Standaard"


def test_holidays_and_closing_days_do_not_count(operator, caller, first_line, office):
    ClosingDay.objects.create(calendar=office, date=date(2026, 12, 24), name="Kerstsluiting")
    # Wednesday 23 December 16:00, P1 4 h: 1 h on the 23rd, closed 24th, 25th (Christmas), 26th;
    # then Monday 28th from 08:00 -> 11:00.
    m = register(operator, caller, first_line, at(2026, 12, 23, 16, 0), **p1_cells())
    m.refresh_from_db()
    assert m.resolution_due == at(2026, 12, 28, 11, 0)


def test_school_holidays_close_a_school_calendar(operator, caller, first_line, office):
    office.school_holidays_region = "Midden"
    office.save()
    # Christmas break 2026/2027 in region Midden starts Saturday 19 December.
    m = register(operator, caller, first_line, at(2026, 12, 18, 16, 0), **p1_cells())
    m.refresh_from_db()
    assert m.resolution_due is not None
    assert m.resolution_due.astimezone(AMS).date() >= date(2027, 1, 4)


def test_a_calendar_without_opening_hours_gives_no_deadline_instead_of_an_error(
    operator, caller, first_line, office
):
    OpeningHours.objects.filter(calendar=office).delete()
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    m.refresh_from_db()
    assert m.resolution_due is None
    assert m.sla_policy is None


def test_recompute_after_a_calendar_fix(operator, caller, first_line, office):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    m.refresh_from_db()
    assert m.resolution_due == at(2026, 11, 30, 13, 0)
    OpeningHours.objects.filter(calendar=office, weekday=0).update(start=time(10, 0))
    services.recompute_sla(m, now=at(2026, 11, 30, 9, 30))
    m.refresh_from_db()
    assert m.resolution_due == at(2026, 11, 30, 14, 0)


def test_the_sweep_escalates_once_at_risk_and_once_breached(operator, caller, first_line, second_line):
    policy = SlaPolicy.objects.get(name="Standaard")
    policy.escalate_on_breach = True
    policy.raise_priority_on_breach = False
    policy.escalation_group = second_line
    policy.save()
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    assert services.sweep_sla(now=at(2026, 11, 30, 11, 0)) == 1  # response (30 min) breached
    assert services.sweep_sla(now=at(2026, 11, 30, 11, 30)) == 0
    assert services.sweep_sla(now=at(2026, 11, 30, 12, 1)) == 1  # at risk from 12:00
    assert services.sweep_sla(now=at(2026, 11, 30, 12, 2)) == 0
    assert services.sweep_sla(now=at(2026, 11, 30, 13, 1)) == 1  # breached at 13:00
    assert services.sweep_sla(now=at(2026, 11, 30, 14, 0)) == 0
    m.refresh_from_db()
    assert m.line == Line.SECOND
    assert m.operator_group == second_line
    kinds = set(SlaEscalation.objects.filter(melding=m).values_list("metric", "kind"))
    assert kinds == {("response", "breached"), ("resolution", "at_risk"), ("resolution", "breached")}
    assert HistoryEntry.objects.filter(melding=m, action="sla_breached").count() == 2


def test_the_sweep_can_raise_the_priority(operator, caller, first_line):
    policy = SlaPolicy.objects.get(name="Standaard")
    policy.raise_priority_on_breach = True
    policy.save()
    m = register(
        operator,
        caller,
        first_line,
        at(2026, 11, 30, 9, 0),
        impact=Impact.objects.get(code="department"),
        urgency=Urgency.objects.get(code="limited"),  # P3
    )
    services.sweep_sla(now=at(2026, 12, 30, 9, 0))
    m.refresh_from_db()
    assert m.priority.level == 2


def test_the_sweep_ignores_closed_and_paused_meldingen(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 11, 30, 9, 10)):
        m = services.change_status(
            m, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=m.version
        )
    assert services.sweep_sla(now=at(2026, 12, 10, 9, 0)) == 0
    assert not SlaEscalation.objects.exists()


def test_each_group_can_be_escalated_only_to_a_second_line_group(operator, caller, first_line):
    policy = SlaPolicy.objects.get(name="Standaard")
    policy.escalate_on_breach = True
    policy.escalation_group = OperatorGroup.objects.create(name="Niet tweede lijn", is_first_line=True)
    policy.save()
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    services.sweep_sla(now=at(2026, 12, 30, 9, 0))
    m.refresh_from_db()
    assert m.line == Line.FIRST


def test_one_melding_that_fails_to_escalate_does_not_stop_the_sweep(
    operator, caller, first_line, monkeypatch
):
    from datetime import timedelta

    from beheer.core import clock
    from beheer.servicedesk.services import service_level
    from tests.helpers import run_job

    registered = clock.now() - timedelta(days=10)
    bad = register(operator, caller, first_line, registered, **p1_cells())  # the lowest id: first
    good = register(operator, caller, first_line, registered, **p1_cells())
    real_actions = service_level._escalation_actions

    def actions(m: Melding, **kwargs: object) -> list[str]:
        if m.pk == bad.pk:
            raise ValueError("a melding whose data makes the escalation fail")
        return real_actions(m, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service_level, "_escalation_actions", actions)
    run = run_job("servicedesk.sweep_sla")
    assert set(SlaEscalation.objects.filter(melding=good).values_list("metric", "kind")) == {
        ("response", "breached"),
        ("resolution", "at_risk"),
        ("resolution", "breached"),
    }
    assert not SlaEscalation.objects.filter(melding=bad).exists()  # rolled back, tried again next run
    assert run.failed_items == 3
    assert run.error_count == 1
    assert f"melding {bad.pk}: ValueError: a melding whose data makes the escalation fail" in run.last_error


def test_a_full_batch_of_failing_meldingen_does_not_hide_the_ones_after_it(
    operator, caller, first_line, monkeypatch
):
    from datetime import timedelta

    from beheer.core import clock
    from beheer.servicedesk.services import service_level

    registered = clock.now() - timedelta(days=10)
    bad = [register(operator, caller, first_line, registered, **p1_cells()) for _ in range(2)]
    good = register(operator, caller, first_line, registered, **p1_cells())
    real_actions = service_level._escalation_actions

    def actions(m: Melding, **kwargs: object) -> list[str]:
        if m.pk in {b.pk for b in bad}:
            raise ValueError("bad row")
        return real_actions(m, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service_level, "_escalation_actions", actions)
    assert services.sweep_sla(batch=2) == 3  # the two bad ones fill the first batch of each kind
    assert SlaEscalation.objects.filter(melding=good).count() == 3


# --------------------------------------------------------------------------------------------------
# at risk after a change, and the caller-update clock


def test_a_change_after_the_at_risk_moment_keeps_the_melding_at_risk(operator, caller, first_line):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 11, 30, 12, 30)):  # at risk from 12:00
        m = services.change_status(
            m, status=Status.objects.get(code="in_progress"), actor=operator, expected_version=m.version
        )
    m.refresh_from_db()
    assert m.resolution_risk_at == at(2026, 11, 30, 12, 0)
    assert m.sla_state(at(2026, 11, 30, 12, 31)) == "at_risk"


@pytest.fixture
def hourly_updates(db) -> None:
    SlaTarget.objects.filter(policy__name="Standaard", priority__level=1).update(update_minutes=60)


def test_the_update_clock_restarts_at_each_public_update(operator, caller, first_line, hourly_updates):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    m.refresh_from_db()
    assert m.update_due == at(2026, 11, 30, 10, 0)
    assert m.update_risk_at == at(2026, 11, 30, 9, 45)
    assert m.update_state(at(2026, 11, 30, 9, 50)) == "at_risk"
    with frozen(at(2026, 11, 30, 9, 30)):
        m = services.change_status(
            m, status=Status.objects.get(code="in_progress"), actor=operator, expected_version=m.version
        )
    m.refresh_from_db()
    assert m.update_due == at(2026, 11, 30, 10, 30)
    with frozen(at(2026, 11, 30, 10, 0)):  # the caller's own reply is no update
        services.add_note(m, text="Nog nieuws?", visibility=Visibility.CALLER, actor=caller)
    ev = services.evaluate(m, now=at(2026, 11, 30, 10, 5))
    assert ev is not None
    assert ev.update is not None
    assert ev.update.due == at(2026, 11, 30, 10, 30)
    with frozen(at(2026, 11, 30, 10, 10)):
        services.add_note(m, text="We zijn ermee bezig", visibility=Visibility.CALLER, actor=operator)
    ev = services.evaluate(m, now=at(2026, 11, 30, 10, 15))
    assert ev is not None
    assert ev.update is not None
    assert ev.last_update_at == at(2026, 11, 30, 10, 10)
    assert ev.update.due == at(2026, 11, 30, 11, 10)
    # an internal note is no update either
    with frozen(at(2026, 11, 30, 10, 20)):
        services.add_note(m, text="Switch checken", visibility=Visibility.INTERNAL, actor=operator)
    assert services.last_update_at(m) == at(2026, 11, 30, 10, 10)


def test_the_update_clock_pauses_with_the_sla_and_stops_at_resolution(
    operator, caller, first_line, hourly_updates
):
    m = register(operator, caller, first_line, at(2026, 11, 27, 16, 30), **p1_cells())  # Friday
    m.refresh_from_db()
    assert m.update_due == at(2026, 11, 30, 8, 30)  # 30 minutes on Friday, 30 on Monday
    with frozen(at(2026, 11, 30, 8, 10)):
        m = services.change_status(
            m, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=m.version
        )
    m.refresh_from_db()
    assert m.update_due is None
    assert m.update_state(at(2026, 12, 9, 9, 0)) == ""
    with frozen(at(2026, 11, 30, 9, 0)):
        m = services.resolve_melding(m, solution="Opgelost", actor=operator, expected_version=m.version)
    m.refresh_from_db()
    assert m.update_due is None
    assert m.update_risk_at is None


def test_the_sweep_escalates_a_missed_update_once_and_not_on_a_stale_deadline(
    operator, caller, first_line, hourly_updates
):
    m = register(operator, caller, first_line, at(2026, 11, 30, 9, 0), **p1_cells())
    with frozen(at(2026, 11, 30, 9, 10)):  # the first response: stops the response clock
        services.add_note(m, text="Ontvangen", visibility=Visibility.CALLER, actor=operator)
    with frozen(at(2026, 11, 30, 9, 40)):  # a later reply starts the update clock again
        services.add_note(m, text="Nog even geduld", visibility=Visibility.CALLER, actor=operator)
    m.refresh_from_db()
    assert m.update_due == at(2026, 11, 30, 10, 40)
    # a stored deadline that fell behind (say, restored from an old backup) is not escalated
    Melding.objects.filter(pk=m.pk).update(update_due=at(2026, 11, 30, 10, 10))
    assert services.sweep_sla(now=at(2026, 11, 30, 10, 15)) == 0
    m.refresh_from_db()
    assert m.update_due == at(2026, 11, 30, 10, 40)  # corrected by the sweep
    assert not SlaEscalation.objects.filter(metric="update").exists()
    assert services.sweep_sla(now=at(2026, 11, 30, 10, 41)) == 2  # at risk and breached
    assert services.sweep_sla(now=at(2026, 11, 30, 10, 42)) == 0
    kinds = set(SlaEscalation.objects.filter(melding=m, metric="update").values_list("kind", flat=True))
    assert kinds == {"at_risk", "breached"}
    entry = HistoryEntry.objects.get(melding=m, action="sla_breached", field="update")
    assert entry.detail_display == gettext("The caller has not had an update in time.")
    m.refresh_from_db()
    assert m.line == Line.FIRST  # a missed update changes nothing else
