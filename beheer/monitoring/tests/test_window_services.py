"""Scheduling maintenance windows: the services' rules, field errors, versions and ending now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beheer.accounts.models import Role
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.monitoring import services
from beheer.monitoring.models import Check, CheckResult, MaintenanceWindow
from beheer.monitoring.services import Ending, WindowData
from tests.helpers import make_person

AMS = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)  # Sunday 6 December 2026, 02:00 in Amsterdam


def data(**kw: Any) -> WindowData:
    base: dict[str, Any] = {
        "name": "Patch night",
        "start": datetime(2026, 12, 6, 2, 0),  # local time in Europe/Amsterdam
        "duration_minutes": 120,
        "hosts": "web01",
    }
    base.update(kw)
    return WindowData(**base)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The messages are compared in English (the default language is Dutch)."""
    with translation.override("en"):
        yield


@pytest.fixture
def web(db: Any) -> Check:
    return Check.objects.create(
        name="Website", kind="http", target="https://www.school.test/", host="Web01", created_at=T0
    )


def errors_of(actor: Any, **kw: Any) -> dict[str, str]:
    with pytest.raises(DomainError) as info:
        services.create_window(actor=actor, data=data(**kw))
    assert type(info.value) is DomainError
    return info.value.field_errors


# --------------------------------------------------------------------------------------------------
# who and what


@pytest.mark.django_db
def test_operators_coordinators_and_administrators_schedule_callers_do_not(operator, caller):
    with pytest.raises(PermissionDenied):
        services.create_window(actor=caller, data=data())
    for actor in (operator, make_person(Role.COORDINATOR), make_person(Role.ADMIN)):
        assert services.create_window(actor=actor, data=data()).pk
    window = MaintenanceWindow.objects.first()
    assert window is not None
    for call in (
        lambda: services.update_window(window, actor=caller, data=data(), expected_version=None),
        lambda: services.delete_window(window, actor=caller),
        lambda: services.end_window_now(window, actor=caller),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert MaintenanceWindow.objects.visible_to(caller).count() == 0
    assert MaintenanceWindow.objects.visible_to(operator).count() == 3


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once_and_nothing_is_saved(operator):
    fields = errors_of(
        operator,
        name=" ",
        time_zone="Mars/Olympus",
        duration_minutes=0,
        rule="FREQ=SOMETIMES",
        checks=[987654],
        tags="x" * 51,
        hosts="web 01",
    )
    assert set(fields) == {"name", "time_zone", "duration_minutes", "rule", "checks", "tags", "hosts"}
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.django_db
def test_the_limits_of_each_field(operator):
    assert set(errors_of(operator, name="n" * 121)) == {"name"}
    assert set(errors_of(operator, duration_minutes=31 * 24 * 60 + 1)) == {"duration_minutes"}
    assert set(errors_of(operator, duration_minutes=-5)) == {"duration_minutes"}
    assert set(errors_of(operator, time_zone="../../etc/passwd")) == {"time_zone"}
    assert set(errors_of(operator, start=None)) == {"start"}
    assert set(errors_of(operator, start=datetime(1, 1, 1, tzinfo=UTC))) == {"start"}
    assert set(errors_of(operator, hosts=",".join(f"host{i:03}.school.test" for i in range(40)))) == {"hosts"}
    assert set(errors_of(operator, tags="ok, bad\x00tag")) == {"tags"}
    assert set(errors_of(operator, checks=list(range(1, 1100)))) == {"checks"}
    one_month = services.create_window(actor=operator, data=data(duration_minutes=31 * 24 * 60))
    assert one_month.duration_minutes == 44640


@pytest.mark.django_db
def test_a_window_must_cover_something(operator):
    fields = errors_of(operator, hosts=" , ", tags="", checks=[])
    assert set(fields) == {"checks"}
    assert "check, tag or host" in fields["checks"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MINUTELY", "hourly"),
        ("FREQ=HOURLY;BYMINUTE=0,10,30", "15 minutes"),
        ("FREQ=DAILY;BYHOUR=2;BYMINUTE=0;BYSECOND=0,30", "15 minutes"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "never"),  # the start is a Sunday: never a Monday
        ("FREQ=DAILY;UNTIL=20200101T000000Z", "UNTIL"),
        ("FREQ=WEEKLY;BYDAY=XX", "not valid"),
        ("FREQ=DAILY\nFREQ=WEEKLY", "not valid"),
        ("R" * 501, "500"),
    ],
)
@pytest.mark.django_db
def test_rules_are_refused_with_a_reason_on_the_rule_field(operator, rule, message):
    fields = errors_of(operator, rule=rule)
    assert set(fields) == {"rule"}
    assert message in fields["rule"]


@pytest.mark.django_db
def test_rules_are_normalised_and_every_15_minutes_is_the_limit(operator):
    weekly = services.create_window(actor=operator, data=data(rule=" RRULE:freq=weekly;byday=su "))
    assert weekly.rule == "FREQ=WEEKLY;BYDAY=SU"
    quarter = services.create_window(actor=operator, data=data(rule="FREQ=HOURLY;BYMINUTE=0,15,30,45"))
    assert quarter.window() is not None


@pytest.mark.django_db
def test_tags_and_hosts_are_normalised(operator):
    window = services.create_window(
        actor=operator,
        data=data(tags=" Webservers,, EXTERN ,webservers", hosts="WEB01 , db01.school.test,web01"),
    )
    assert window.tags == "webservers, extern"
    assert window.hosts == "web01, db01.school.test"
    assert window.host_list == ["web01", "db01.school.test"]


@pytest.mark.django_db
def test_the_start_is_local_time_in_the_windows_time_zone(operator):
    local = services.create_window(actor=operator, data=data(start=datetime(2026, 7, 5, 2, 0)))
    assert local.start == datetime(2026, 7, 5, 0, 0, tzinfo=UTC)  # 02:00 CEST
    aware = services.create_window(
        actor=operator,
        data=data(start=datetime(2026, 7, 5, 9, 0, tzinfo=UTC), time_zone="America/New_York"),
    )
    assert aware.start == datetime(2026, 7, 5, 9, 0, tzinfo=UTC)
    assert aware.window() is not None
    assert aware.window().start == datetime(2026, 7, 5, 5, 0)  # type: ignore[union-attr]
    # 29 March 2026, 02:30 does not exist in Amsterdam: the clocks go from 02:00 to 03:00
    fields = errors_of(operator, start=datetime(2026, 3, 29, 2, 30), rule="FREQ=DAILY")
    assert set(fields) == {"start"}
    assert "does not exist" in fields["start"]


@pytest.mark.django_db
def test_checks_must_exist_and_are_set_on_update(operator, web):
    other = Check.objects.create(name="Mail", kind="tcp", target="mail:25", created_at=T0)
    window = services.create_window(actor=operator, data=data(hosts="", checks=[web.pk, web.pk]))
    assert list(window.checks.all()) == [web]
    changed = services.update_window(
        window, actor=operator, data=data(hosts="", checks=[other.pk]), expected_version=window.version
    )
    assert list(changed.checks.all()) == [other]
    fields = errors_of(operator, hosts="", checks=[web.pk, 424242])
    assert fields == {"checks": "No such check: 424242."}


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict(operator):
    window = services.create_window(actor=operator, data=data())
    assert window.version == 1
    saved = services.update_window(
        window, actor=operator, data=data(name="Patch night 2"), expected_version=1
    )
    assert saved.version == 2
    with pytest.raises(Conflict):
        services.update_window(window, actor=operator, data=data(name="Mine"), expected_version=1)
    assert MaintenanceWindow.objects.get().name == "Patch night 2"
    services.update_window(window, actor=operator, data=data(name="Forced"), expected_version=None)
    assert MaintenanceWindow.objects.get().version == 3


@pytest.mark.django_db
def test_delete_twice_is_not_found_the_second_time(operator, web):
    window = services.create_window(actor=operator, data=data(checks=[web.pk]))
    services.delete_window(window, actor=operator)
    assert not MaintenanceWindow.objects.exists()
    assert Check.objects.filter(pk=web.pk).exists()
    with pytest.raises(NotFound):
        services.delete_window(window, actor=operator)
    with pytest.raises(NotFound):
        services.update_window(window, actor=operator, data=data(), expected_version=None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=st.text(max_size=60) | st.sampled_from(["FREQ=DAILY;BYHOUR=", "FREQ=WEEKLY;COUNT=-1", "FREQ=;"]),
    zone=st.text(max_size=20) | st.sampled_from(["UTC", "Europe/Amsterdam", "Etc/GMT+14"]),
    tags=st.text(max_size=30),
    minutes=st.integers(min_value=-(2**70), max_value=2**70),
)
@pytest.mark.django_db
def test_anything_is_either_saved_or_refused_with_field_errors(operator, rule, zone, tags, minutes):
    refused: dict[str, str] | None = None
    try:
        window = services.create_window(
            actor=operator, data=data(rule=rule, time_zone=zone, tags=tags, duration_minutes=minutes)
        )
    except DomainError as exc:
        refused = exc.field_errors
    if refused is None:
        assert window.window() is not None
    else:
        assert refused
        assert set(refused) <= {"rule", "time_zone", "tags", "duration_minutes", "start"}


# --------------------------------------------------------------------------------------------------
# end now


def end_at(moment: datetime, window: MaintenanceWindow, actor: Any) -> tuple[MaintenanceWindow, Ending]:
    with clock.frozen(moment):
        return services.end_window_now(window, actor=actor)


@pytest.mark.django_db
def test_ending_a_running_one_off_window_shortens_it_and_stops_covering(operator, web):
    window = services.create_window(actor=operator, data=data())  # 02:00-04:00 local, 01:00-03:00 UTC
    services.record_result(web, ok=False, at=T0 + timedelta(minutes=30))
    assert CheckResult.objects.get().in_maintenance
    ended, outcome = end_at(T0 + timedelta(minutes=45, seconds=30), window, operator)
    assert outcome == Ending.SHORTENED
    assert (ended.duration_minutes, ended.active, ended.version) == (45, True, 2)
    after = services.record_result(web, ok=False, at=T0 + timedelta(minutes=46))
    assert not after.in_maintenance
    # twice is harmless: nothing is running any more
    again, outcome = end_at(T0 + timedelta(minutes=47), ended, operator)
    assert outcome == Ending.UNCHANGED
    assert again.version == 2


@pytest.mark.django_db
def test_ending_a_one_off_window_that_has_not_started_cancels_it(operator):
    window = services.create_window(actor=operator, data=data())
    ended, outcome = end_at(T0 - timedelta(days=1), window, operator)
    assert outcome == Ending.CANCELLED
    assert not ended.active
    assert end_at(T0, ended, operator)[1] == Ending.UNCHANGED  # inactive: nothing to end


@pytest.mark.django_db
def test_ending_within_the_first_minute_cancels_the_window(operator):
    window = services.create_window(actor=operator, data=data())
    ended, outcome = end_at(T0 + timedelta(seconds=20), window, operator)
    assert outcome == Ending.CANCELLED
    assert not ended.active


@pytest.mark.django_db
def test_ending_a_recurring_window_ends_this_occurrence_and_keeps_the_next(operator, web):
    window = services.create_window(
        actor=operator,
        data=data(start=datetime(2026, 11, 1, 2, 0), rule="FREQ=WEEKLY;BYDAY=SU", hosts="web01"),
    )
    assert services.in_maintenance(web, T0 + timedelta(minutes=30))
    ended, outcome = end_at(T0 + timedelta(minutes=30), window, operator)
    assert outcome == Ending.NEXT_OCCURRENCE
    assert ended.active
    assert ended.rule == "FREQ=WEEKLY;BYDAY=SU"
    assert ended.start == T0 + timedelta(days=7)  # next Sunday, 02:00 Amsterdam
    assert not services.in_maintenance(web, T0 + timedelta(minutes=31))
    assert services.in_maintenance(web, T0 + timedelta(days=7, minutes=30))
    assert services.in_maintenance(web, T0 + timedelta(days=14, minutes=30))
    # between occurrences there is nothing to end
    assert end_at(T0 + timedelta(days=2), ended, operator)[1] == Ending.UNCHANGED


@pytest.mark.django_db
def test_ending_a_recurring_window_with_count_keeps_the_occurrences_left(operator, web):
    window = services.create_window(
        actor=operator,
        data=data(start=datetime(2026, 11, 22, 2, 0), rule="FREQ=WEEKLY;COUNT=4", hosts="web01"),
    )  # 22 and 29 November, 6 and 13 December
    ended, outcome = end_at(T0 + timedelta(minutes=10), window, operator)  # the third one
    assert outcome == Ending.NEXT_OCCURRENCE
    assert ended.rule == "FREQ=WEEKLY;COUNT=1"
    assert services.in_maintenance(web, T0 + timedelta(days=7, minutes=10))
    assert not services.in_maintenance(web, T0 + timedelta(days=14, minutes=10))
    last, outcome = end_at(T0 + timedelta(days=7, minutes=10), ended, operator)
    assert outcome == Ending.CANCELLED  # no occurrence left after the last one
    assert not last.active


@pytest.mark.django_db
def test_plan_end_changes_nothing(operator):
    window = services.create_window(actor=operator, data=data())
    plan = services.plan_end(window, T0 + timedelta(minutes=90))
    assert plan.outcome == Ending.SHORTENED
    assert plan.duration_minutes == 90
    assert MaintenanceWindow.objects.get().duration_minutes == 120


@pytest.mark.django_db
def test_the_local_time_of_a_recurring_window_survives_daylight_saving(operator):
    window = services.create_window(
        actor=operator, data=data(start=datetime(2026, 1, 4, 2, 0), rule="FREQ=WEEKLY;BYDAY=SU")
    )
    pure = window.window()
    assert pure is not None
    assert pure.next_start(datetime(2026, 7, 1, tzinfo=UTC)) == datetime(2026, 7, 5, 0, 0, tzinfo=UTC)
    assert window.start.astimezone(AMS).hour == 2


@pytest.mark.django_db
def test_rules_that_could_not_be_evaluated_are_refused(operator):
    """What the admin's own form used to refuse (the admin no longer writes windows): the services
    refuse it, for every screen."""
    for rule in ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;INTERVAL=0", "FREQ=HOURLY;BYMINUTE=0,5"):
        assert set(errors_of(operator, rule=rule)) == {"rule"}, rule
    assert set(errors_of(operator, time_zone="Mars/Olympus")) == {"time_zone"}
    assert services.create_window(actor=operator, data=data(rule="FREQ=WEEKLY;BYDAY=SU")).pk
