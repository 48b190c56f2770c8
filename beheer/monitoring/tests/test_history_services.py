"""The audit trails of checks and maintenance windows: every service writes its rows, old -> new,
in the transaction of the change; secrets never; the trail outlives the check or window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.core.history import SECRET_CHANGED
from beheer.monitoring import services
from beheer.monitoring.models import (
    Check,
    CheckAction,
    CheckHistoryEntry,
    MaintenanceWindow,
    MaintenanceWindowHistoryEntry,
    WindowAction,
)
from beheer.monitoring.options import MASK
from beheer.monitoring.services import Ending, WindowData

SECRET = "canary-secret-7c2d"
NEW_SECRET = "canary-secret-new-4f0a"
T0 = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)  # Sunday 6 December 2026, 02:00 in Amsterdam


def data(**kw: Any) -> services.CheckData:
    base: dict[str, Any] = {"name": "Intranet", "kind": "http", "target": "https://intranet.school.test/"}
    base.update(kw)
    return services.CheckData(**base)


def window_data(**kw: Any) -> WindowData:
    base: dict[str, Any] = {
        "name": "Patch night",
        "start": datetime(2026, 12, 6, 2, 0),
        "time_zone": "Europe/Amsterdam",
        "duration_minutes": 120,
        "hosts": "web01",
    }
    base.update(kw)
    return WindowData(**base)


def trail(check: Check) -> list[tuple[str, str, str, str]]:
    rows = CheckHistoryEntry.objects.filter(check_obj=check).order_by("id")
    return [(r.action, r.field, r.old_value, r.new_value) for r in rows]


def window_trail(window: MaintenanceWindow) -> list[tuple[str, str, str, str]]:
    rows = MaintenanceWindowHistoryEntry.objects.filter(window=window).order_by("id")
    return [(r.action, r.field, r.old_value, r.new_value) for r in rows]


def stored_text(model: Any) -> str:
    """Every value of every row of a trail, as one text."""
    return " ".join(str(v) for row in model.objects.values() for v in row.values())


@pytest.fixture
def http_check(operator: Any) -> Check:
    return services.create_check(
        actor=operator, data=data(options={"keyword": "welkom", "headers": {"X-Token": SECRET}})
    )


# --------------------------------------------------------------------------------------------------
# checks


@pytest.mark.django_db
def test_creating_a_check_records_who_and_when(operator, http_check):
    (row,) = CheckHistoryEntry.objects.filter(check_obj=http_check)
    assert (row.action, row.actor, row.check_name, row.field) == (
        CheckAction.CREATED,
        operator,
        "Intranet",
        "",
    )
    assert row.at == http_check.created_at


@pytest.mark.django_db
def test_an_update_records_each_changed_field_old_to_new(operator, http_check):
    parent = services.create_check(actor=operator, data=data(name="Switch", kind="tcp", target="sw01:22"))
    services.update_check(
        http_check,
        actor=operator,
        data=data(
            name="Intranet (new)",
            interval_seconds=30,
            parent=parent,
            options={"keyword": "hallo", "headers": {"X-Token": MASK}},
        ),
        expected_version=http_check.version,
    )
    changed = [row for row in trail(http_check) if row[0] == CheckAction.CHANGED]
    assert sorted(changed) == sorted(
        [
            ("changed", "name", "Intranet", "Intranet (new)"),
            ("changed", "interval_seconds", "60", "30"),
            ("changed", "parent", "", "Switch"),
            ("changed", "options.keyword", "welkom", "hallo"),
        ]
    )  # the header sent back masked kept its value: no row for it
    assert CheckHistoryEntry.objects.filter(check_obj=http_check).latest("id").check_name == "Intranet (new)"


@pytest.mark.django_db
def test_saving_without_a_change_records_nothing(operator, http_check):
    before = CheckHistoryEntry.objects.count()
    services.update_check(
        http_check,
        actor=operator,
        data=data(options={"keyword": "welkom", "headers": {"X-Token": MASK}}),
        expected_version=None,
    )
    assert CheckHistoryEntry.objects.count() == before


@pytest.mark.django_db
def test_a_secret_change_is_recorded_without_the_secret(operator, http_check):
    services.update_check(
        http_check,
        actor=operator,
        data=data(options={"keyword": "welkom", "headers": {"X-Token": NEW_SECRET, "X-Other": "plain-ish"}}),
        expected_version=None,
    )
    changed = [row for row in trail(http_check) if row[0] == CheckAction.CHANGED]
    assert sorted(changed) == [
        ("changed", "options.headers.X-Other", "", SECRET_CHANGED),
        ("changed", "options.headers.X-Token", "", SECRET_CHANGED),
    ]
    text = stored_text(CheckHistoryEntry)
    assert SECRET not in text
    assert NEW_SECRET not in text
    assert "plain-ish" not in text
    row = CheckHistoryEntry.objects.get(check_obj=http_check, field="options.headers.X-Token")
    with translation.override("en"):
        assert (row.field_label, row.old_display, row.new_display) == (
            "options: headers.X-Token",
            "",
            "changed",
        )


@pytest.mark.django_db
def test_an_snmp_community_change_is_recorded_without_it(operator):
    check = services.create_check(
        actor=operator,
        data=data(
            name="Core switch",
            kind="snmp",
            target="sw01",
            options={"community": SECRET, "oid": "1.3.6.1.2.1.1.3.0"},
        ),
    )
    services.update_check(
        check,
        actor=operator,
        data=data(
            name="Core switch",
            kind="snmp",
            target="sw01",
            options={"community": NEW_SECRET, "oid": "1.3.6.1.2.1.1.3.0"},
        ),
        expected_version=None,
    )
    assert ("changed", "options.community", "", SECRET_CHANGED) in trail(check)
    assert SECRET not in stored_text(CheckHistoryEntry)
    assert NEW_SECRET not in stored_text(CheckHistoryEntry)


@pytest.mark.django_db
def test_a_refused_update_records_nothing(operator, http_check):
    before = CheckHistoryEntry.objects.count()
    with pytest.raises(DomainError):
        services.update_check(
            http_check, actor=operator, data=data(name=" ", interval_seconds=1), expected_version=None
        )
    assert CheckHistoryEntry.objects.count() == before


@pytest.mark.django_db
def test_pause_and_resume_are_recorded_once_each(operator, http_check):
    paused = services.pause_check(http_check, actor=operator)
    assert paused.active is False
    assert paused.version == http_check.version + 1  # the monitor reads the check again
    services.pause_check(http_check, actor=operator)  # twice: harmless, no second row
    resumed = services.resume_check(http_check, actor=operator)
    assert resumed.active is True
    assert trail(http_check)[1:] == [
        ("paused", "active", "true", "false"),
        ("resumed", "active", "false", "true"),
    ]
    row = CheckHistoryEntry.objects.get(check_obj=http_check, action=CheckAction.PAUSED)
    with translation.override("en"):
        assert (row.action_label, row.field_label, row.old_display, row.new_display) == (
            "Paused",
            "active",
            "yes",
            "no",
        )


@pytest.mark.django_db
def test_the_trail_survives_deleting_the_check_and_says_whose_it_was(operator, http_check):
    child = services.create_check(actor=operator, data=data(name="Intranet login", parent=http_check))
    window = services.create_window(actor=operator, data=window_data(checks=[http_check.pk, child.pk]))
    check_id = http_check.pk
    services.delete_check(http_check, actor=operator)
    assert not Check.objects.filter(pk=check_id).exists()
    orphans = CheckHistoryEntry.objects.filter(check_obj__isnull=True, check_name="Intranet").order_by("id")
    assert [r.action for r in orphans] == [CheckAction.CREATED, CheckAction.DELETED]
    assert orphans.last().actor == operator  # type: ignore[union-attr]
    # the check that depended on it, and the window that named it, say they lost it
    assert trail(child)[-1] == ("parent_deleted", "parent", "Intranet", "")
    assert window_trail(window)[-1] == ("check_deleted", "checks", "Intranet", "")
    # whoever may see checks reads the orphaned trail; a caller never does
    assert CheckHistoryEntry.objects.visible_to(operator).filter(check_obj__isnull=True).count() == 2


@pytest.mark.django_db
def test_the_trail_is_read_only_by_whoever_may_see_the_check(operator, caller, http_check):
    assert CheckHistoryEntry.objects.visible_to(operator).filter(check_obj=http_check).count() == 1
    assert not CheckHistoryEntry.objects.visible_to(caller).exists()
    assert not CheckHistoryEntry.objects.visible_to(None).exists()
    services.delete_check(http_check, actor=operator)
    assert not CheckHistoryEntry.objects.visible_to(caller).exists()


# --------------------------------------------------------------------------------------------------
# maintenance windows


@pytest.fixture
def web(operator: Any) -> Check:
    return services.create_check(actor=operator, data=data(name="Website", host="web01"))


@pytest.mark.django_db
def test_window_create_update_and_delete_are_recorded(operator, web):
    window = services.create_window(actor=operator, data=window_data())
    services.update_window(
        window,
        actor=operator,
        data=window_data(duration_minutes=90, checks=[web.pk], rule="FREQ=WEEKLY;BYDAY=SU"),
        expected_version=window.version,
    )
    assert window_trail(window) == [
        ("created", "", "", ""),
        ("changed", "duration_minutes", "120", "90"),
        ("changed", "rule", "", "FREQ=WEEKLY;BYDAY=SU"),
        ("changed", "checks", "", "Website"),
    ]
    rule_row = MaintenanceWindowHistoryEntry.objects.get(window=window, field="rule")
    with translation.override("en"):
        assert "RRULE" not in rule_row.new_display
        assert "FREQ" not in rule_row.new_display  # a rule is shown in words
        assert rule_row.field_label == "recurrence (RRULE)"
    before = MaintenanceWindowHistoryEntry.objects.count()
    services.update_window(  # the same values again: nothing changed, nothing recorded
        window,
        actor=operator,
        data=window_data(duration_minutes=90, checks=[web.pk], rule="FREQ=WEEKLY;BYDAY=SU"),
        expected_version=None,
    )
    assert MaintenanceWindowHistoryEntry.objects.count() == before
    window_id = window.pk
    services.delete_window(window, actor=operator)
    assert not MaintenanceWindow.objects.filter(pk=window_id).exists()
    orphans = MaintenanceWindowHistoryEntry.objects.filter(window__isnull=True, window_name="Patch night")
    assert orphans.count() == 5
    assert orphans.order_by("id").last().action == WindowAction.DELETED  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_window_ended_early_is_recorded_with_what_changed(operator):
    window = services.create_window(actor=operator, data=window_data())
    with clock.frozen(T0 + timedelta(minutes=30)):
        _window, outcome = services.end_window_now(window, actor=operator)
        assert outcome == Ending.SHORTENED
        _window, again = services.end_window_now(window, actor=operator)
        assert again == Ending.UNCHANGED  # ending twice records nothing more
    assert window_trail(window)[1:] == [("ended_early", "duration_minutes", "120", "30")]


@pytest.mark.django_db
def test_a_window_cancelled_or_its_occurrence_ended_is_recorded(operator):
    later = services.create_window(actor=operator, data=window_data(name="Later"))
    weekly = services.create_window(actor=operator, data=window_data(name="Weekly", rule="FREQ=WEEKLY"))
    with clock.frozen(T0 - timedelta(days=1)):
        assert services.end_window_now(later, actor=operator)[1] == Ending.CANCELLED
    with clock.frozen(T0 + timedelta(minutes=30)):
        assert services.end_window_now(weekly, actor=operator)[1] == Ending.NEXT_OCCURRENCE
    assert window_trail(later)[1:] == [("cancelled", "active", "true", "false")]
    (row,) = MaintenanceWindowHistoryEntry.objects.filter(window=weekly, action=WindowAction.OCCURRENCE_ENDED)
    assert (row.field, row.old_value, row.new_value) == (
        "start",
        "2026-12-06T01:00:00+00:00",
        "2026-12-13T01:00:00+00:00",
    )


@pytest.mark.django_db
def test_a_refused_window_change_records_nothing(operator):
    window = services.create_window(actor=operator, data=window_data())
    before = MaintenanceWindowHistoryEntry.objects.count()
    with pytest.raises(DomainError):
        services.update_window(
            window, actor=operator, data=window_data(duration_minutes=0), expected_version=None
        )
    assert MaintenanceWindowHistoryEntry.objects.count() == before
    assert not MaintenanceWindowHistoryEntry.objects.visible_to(None).exists()
