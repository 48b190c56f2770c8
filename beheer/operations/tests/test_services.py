"""Business rules of preventive activities: generation, rule changes, transitions and permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.core.scheduler import JOBS, autodiscover, run_due_jobs
from beheer.operations import services
from beheer.operations.models import ActivitySeries, Evidence, LogEntry, Occurrence, OccurrenceStatus
from beheer.operations.services import ChecklistAnswer
from beheer.servicedesk.models import EntryType, Melding
from tests.sample_files import PNG

from .helpers import first_open, make_series
from .helpers import series_fields as _fields

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, before the 09:00 occurrence


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield NOW


class TestGeneration:
    def test_creates_ahead_within_lead_time(self, coordinator, frozen):
        series = make_series(coordinator, lead_days=30)
        planned = list(series.occurrences.order_by("planned_at").values_list("planned_at", flat=True))
        assert len(planned) == 5  # Mondays 2, 9, 16, 23, 30 March
        assert all(p.astimezone(AMS).weekday() == 0 for p in planned)
        assert planned[0] == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 CET

    def test_twice_creates_nothing_new(self, coordinator, frozen):
        series = make_series(coordinator)
        rows = list(Occurrence.objects.values_list("pk", "planned_at").order_by("pk"))
        assert services.generate_occurrences(now=NOW) == 0
        assert services.generate_occurrences(now=NOW) == 0
        assert list(Occurrence.objects.values_list("pk", "planned_at").order_by("pk")) == rows
        later = NOW + timedelta(days=7)
        assert services.generate_occurrences(now=later) == 1
        assert services.generate_occurrences(now=later) == 0
        assert series.occurrences.count() == len(rows) + 1

    def test_insert_or_ignore_when_rows_already_exist(self, coordinator, frozen):
        """Another worker created the rows between the read and the insert: no error, no duplicate."""
        series = make_series(coordinator)
        count = series.occurrences.count()
        Occurrence.objects.filter(series=series).order_by("-planned_at")[0].delete()
        existing = {o.planned_at: o for o in series.occurrences.all()}
        # simulate the race: the unique constraint makes the second insert a no-op
        Occurrence.objects.bulk_create(
            [
                Occurrence(series=series, planned_at=p, due_at=p, remind_at=p, created_at=NOW)
                for p in existing
            ],
            ignore_conflicts=True,
        )
        assert series.occurrences.count() == count - 1
        services.generate_occurrences(now=NOW)
        assert series.occurrences.count() == count

    def test_one_series_whose_data_breaks_planning_does_not_stop_the_others(self, coordinator, frozen):
        from tests.helpers import run_job

        bad = make_series(coordinator, name="Kapot")  # the lowest id: planned first
        good = make_series(coordinator, name="Goed")
        # stored straight into the database: a grace no date arithmetic can hold (year 200,000+)
        ActivitySeries.objects.filter(pk=bad.pk).update(grace_hours=2_000_000_000)
        before = good.occurrences.count()
        with clock.frozen(NOW + timedelta(days=7)):
            run = run_job("operations.generate_occurrences")
        assert good.occurrences.count() == before + 1  # the next Monday, a week further on
        assert run.failed_items == 1
        assert run.last_error.startswith(f"activity series {bad.pk}: OverflowError")

    def test_dst_week_keeps_local_time(self, coordinator):
        # 29 March 2026: clocks go forward in Europe/Amsterdam
        with clock.frozen(datetime(2026, 3, 20, 12, 0, tzinfo=UTC)):
            series = make_series(coordinator, rule="FREQ=DAILY", lead_days=14)
        local = [
            p.astimezone(AMS)
            for p in series.occurrences.order_by("planned_at").values_list("planned_at", flat=True)
        ]
        assert {(t.hour, t.minute) for t in local} == {(9, 0)}
        offsets = {t.utcoffset() for t in local}
        assert offsets == {timedelta(hours=1), timedelta(hours=2)}
        days = [t.date() for t in local]
        assert date(2026, 3, 29) in days
        assert date(2026, 3, 30) in days
        assert len(days) == len(set(days))

    def test_autumn_dst_keeps_local_time(self, coordinator):
        with clock.frozen(datetime(2026, 10, 20, 12, 0, tzinfo=UTC)):
            series = make_series(
                coordinator, rule="FREQ=WEEKLY;BYDAY=SU", start_time=time(2, 30), lead_days=21
            )
        local = [
            p.astimezone(AMS)
            for p in series.occurrences.order_by("planned_at").values_list("planned_at", flat=True)
        ]
        assert [(t.hour, t.minute) for t in local] == [(2, 30)] * len(local)
        assert date(2026, 10, 25) in [t.date() for t in local]

    def test_rule_change_does_not_duplicate(self, coordinator, frozen):
        series = make_series(coordinator, rule="FREQ=WEEKLY;BYDAY=MO")
        kept = first_open(series)
        services.record_time(series.occurrences.order_by("-planned_at")[0], minutes=5, actor=coordinator)
        series = services.update_series(
            series,
            actor=coordinator,
            expected_version=series.version,
            **_fields(series, rule="FREQ=WEEKLY;BYDAY=MO,TH"),
        )
        planned = list(series.occurrences.values_list("planned_at", flat=True))
        assert len(planned) == len(set(planned))
        weekdays = {p.astimezone(AMS).weekday() for p in planned}
        assert weekdays == {0, 3}
        assert Occurrence.objects.filter(pk=kept.pk).exists()  # matches the new rule too

        # to Wednesdays: the Monday/Thursday ones go, except the one with time recorded
        series = services.update_series(
            series,
            actor=coordinator,
            expected_version=series.version,
            **_fields(series, rule="FREQ=WEEKLY;BYDAY=WE"),
        )
        worked = series.occurrences.filter(time_spent_minutes__gt=0)
        assert worked.count() == 1
        others = series.occurrences.exclude(pk__in=worked.values("pk"))
        assert {p.astimezone(AMS).weekday() for p in others.values_list("planned_at", flat=True)} == {2}
        assert services.generate_occurrences(now=NOW) == 0

    def test_grace_change_moves_due_of_open(self, coordinator, frozen):
        series = make_series(coordinator, grace_hours=24)
        series = services.update_series(
            series, actor=coordinator, expected_version=series.version, **_fields(series, grace_hours=48)
        )
        for o in series.occurrences.all():
            assert o.due_at - o.planned_at == timedelta(hours=48)

    def test_deactivate_removes_future_untouched_and_stops(self, coordinator, frozen):
        series = make_series(coordinator)
        with clock.frozen(NOW + timedelta(days=2)):
            series = services.deactivate_series(series, actor=coordinator, expected_version=series.version)
        # the occurrence of 2 March lies in the past: it stays open (overdue), the future ones go
        assert list(series.occurrences.values_list("planned_at", flat=True)) == [NOW]
        assert services.generate_occurrences(now=NOW + timedelta(days=3)) == 0
        series = services.activate_series(series, actor=coordinator, expected_version=series.version)
        assert series.active
        assert series.occurrences.count() > 1

    def test_hourly_and_bad_rules_refused(self, coordinator, frozen):
        for rule, field in [
            ("FREQ=HOURLY", "rule"),
            ("FREQ=SOMETIMES", "rule"),
            ("", "rule"),
            ("FREQ=DAILY\nFREQ=WEEKLY", "rule"),
        ]:
            with pytest.raises(DomainError) as exc:
                make_series(coordinator, rule=rule)
            assert field in exc.value.field_errors
        with pytest.raises(DomainError) as exc:
            make_series(coordinator, time_zone="Mars/Olympus")
        assert "time_zone" in exc.value.field_errors
        for field, value in [("lead_days", 0), ("lead_days", 10_000), ("grace_hours", 0), ("name", " ")]:
            with pytest.raises(DomainError) as exc:
                make_series(coordinator, **{field: value})
            assert field in exc.value.field_errors
        assert not ActivitySeries.objects.exists()

    def test_preview(self, frozen):
        dates = services.preview_dates(
            rule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
            start_date=date(2026, 1, 1),
            start_time=time(7, 30),
            time_zone="Europe/Amsterdam",
            now=NOW,
        )
        assert [d.date() for d in dates] == [
            date(2026, 4, 1),
            date(2026, 7, 1),
            date(2026, 10, 1),
            date(2027, 1, 1),
            date(2027, 4, 1),
        ]
        assert all((d.hour, d.minute) == (7, 30) for d in dates)

    def test_periodic_job_registered_and_runs(self, coordinator, frozen):
        autodiscover()
        assert "operations.generate_occurrences" in JOBS
        series = make_series(coordinator)
        series.occurrences.all().delete()
        ran = run_due_jobs(now=NOW)
        assert "operations.generate_occurrences" in ran
        assert series.occurrences.count() == 5


class TestTransitions:
    def test_done_with_checklist_and_time(self, coordinator, operator, frozen):
        series = make_series(coordinator)
        o = first_open(series)
        o = services.complete_occurrence(
            o,
            actor=operator,
            expected_version=o.version,
            results=[ChecklistAnswer(True), ChecklistAnswer(False, "NAS offline")],
            minutes=15,
        )
        assert o.status == OccurrenceStatus.DONE
        assert o.completed_by == operator
        assert o.completed_at == NOW
        assert o.time_spent_minutes == 15
        assert [r["done"] for r in o.checklist_results] == [True, False]
        assert o.checklist_results[1]["remark"] == "NAS offline"
        with pytest.raises(ReadOnly):
            services.skip_occurrence(o, reason="te laat", actor=operator, expected_version=o.version)
        assert LogEntry.objects.filter(occurrence=o, action="done").count() == 1

    def test_skip_requires_reason(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        for reason in ("", "   ", "\x00"):
            with pytest.raises(DomainError) as exc:
                services.skip_occurrence(o, reason=reason, actor=operator, expected_version=o.version)
            assert "reason" in exc.value.field_errors
        o.refresh_from_db()
        assert o.status == OccurrenceStatus.OPEN
        o = services.skip_occurrence(o, reason="Vakantie", actor=operator, expected_version=o.version)
        assert o.status == OccurrenceStatus.SKIPPED
        assert o.reason == "Vakantie"

    def test_anomaly_requires_reason_and_opens_one_melding(self, coordinator, operator, first_line, frozen):
        o = first_open(make_series(coordinator, operator_group=first_line, name="Back-up <b>fs01</b>"))
        with pytest.raises(DomainError) as exc:
            services.report_anomaly(o, reason=" ", actor=operator, expected_version=o.version)
        assert "reason" in exc.value.field_errors
        assert not Melding.objects.exists()
        version = o.version
        o = services.report_anomaly(
            o,
            reason="Back-up van gisteren mislukt",
            actor=operator,
            expected_version=version,
            results=[ChecklistAnswer(True), ChecklistAnswer(False, "fout 17")],
        )
        again = services.report_anomaly(o, reason="nogmaals", actor=operator, expected_version=version)
        assert Melding.objects.count() == 1
        assert again.melding_id == o.melding_id
        m = Melding.objects.get()
        assert m.entry_type == EntryType.PREVENTIVE
        assert "Back-up <b>fs01</b>" in m.brief_description
        assert "Back-up van gisteren mislukt" in m.request
        assert "[ ] Steekproef terugzetten (fout 17)" in m.request
        assert m.object_name == "fs01"
        assert m.operator_group == first_line
        assert o.status == OccurrenceStatus.ANOMALY

    def test_anomaly_on_done_occurrence_refused(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        o = services.complete_occurrence(o, actor=operator, expected_version=o.version)
        with pytest.raises(ReadOnly):
            services.report_anomaly(o, reason="x", actor=operator, expected_version=o.version)
        assert not Melding.objects.exists()

    def test_stale_version_conflicts(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        services.save_checklist(
            o,
            results=[ChecklistAnswer(True), ChecklistAnswer(False)],
            actor=operator,
            expected_version=o.version,
        )
        with pytest.raises(Conflict):
            services.complete_occurrence(o, actor=operator, expected_version=o.version)

    def test_checklist_length_must_match(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        with pytest.raises(DomainError) as exc:
            services.complete_occurrence(
                o, actor=operator, expected_version=o.version, results=[ChecklistAnswer(True)]
            )
        assert "checklist" in exc.value.field_errors

    def test_checklist_with_time_is_saved_together_or_not_at_all(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        version = o.version
        answers = [ChecklistAnswer(True, "gecontroleerd"), ChecklistAnswer(False)]
        with pytest.raises(DomainError) as exc:  # more minutes than a day: the checklist stays unsaved too
            services.save_checklist(
                o, results=answers, actor=operator, expected_version=version, minutes=24 * 60 + 1
            )
        assert "minutes" in exc.value.field_errors
        o.refresh_from_db()
        assert o.version == version
        assert not any(r["done"] for r in o.checklist_results)
        assert not LogEntry.objects.filter(occurrence=o).exists()

        o = services.save_checklist(o, results=answers, actor=operator, expected_version=version, minutes=20)
        assert o.version == version + 1
        assert o.time_spent_minutes == 20
        assert o.checklist_results[0] == {
            "item": o.checklist_results[0]["item"],
            "done": True,
            "remark": "gecontroleerd",
        }
        assert list(LogEntry.objects.filter(occurrence=o).order_by("pk").values_list("action", "detail")) == [
            ("checklist", ""),
            ("time", "20"),
        ]
        o = services.save_checklist(o, results=answers, actor=operator, expected_version=o.version)
        assert o.time_spent_minutes == 20  # no minutes: no time entry
        assert LogEntry.objects.filter(occurrence=o, action="time").count() == 1

    def test_skip_with_time_is_recorded_together_or_not_at_all(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        with pytest.raises(DomainError) as exc:
            services.skip_occurrence(
                o, reason="Vakantie", actor=operator, expected_version=o.version, minutes=-5
            )
        assert "minutes" in exc.value.field_errors
        o.refresh_from_db()
        assert o.status == OccurrenceStatus.OPEN
        assert not LogEntry.objects.filter(occurrence=o).exists()
        o = services.skip_occurrence(
            o, reason="Vakantie", actor=operator, expected_version=o.version, minutes=7
        )
        assert o.status == OccurrenceStatus.SKIPPED
        assert o.time_spent_minutes == 7
        assert list(
            LogEntry.objects.filter(occurrence=o).order_by("pk").values_list("action", flat=True)
        ) == [
            "skipped",
            "time",
        ]

    def test_time_and_evidence(self, coordinator, operator, frozen, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        o = first_open(make_series(coordinator))
        for minutes in (0, -1, 24 * 60 + 1):
            with pytest.raises(DomainError):
                services.record_time(o, minutes=minutes, actor=operator)
        services.record_time(o, minutes=10, actor=operator)
        o = services.record_time(o, minutes=5, actor=operator)
        assert o.time_spent_minutes == 15
        e = services.add_evidence(o, upload=SimpleUploadedFile("../herstel<1>.png", PNG), actor=operator)
        assert e.original_name == "herstel1.png"
        assert e.size == len(PNG)
        assert e.content_type == "image/png"
        with pytest.raises(DomainError):  # a name that claims an image the bytes are not
            services.add_evidence(o, upload=SimpleUploadedFile("foto.png", b"<html>"), actor=operator)
        with pytest.raises(DomainError):
            services.add_evidence(o, upload=SimpleUploadedFile("leeg.txt", b""), actor=operator)
        settings.MAX_ATTACHMENT_BYTES = 2
        with pytest.raises(DomainError):
            services.add_evidence(o, upload=SimpleUploadedFile("groot.txt", b"abc"), actor=operator)
        assert Evidence.objects.count() == 1


class TestPermissions:
    def test_only_coordinators_manage_series(self, operator, caller, frozen):
        for actor in (operator, caller):
            with pytest.raises(PermissionDenied):
                make_series(actor)
        assert not ActivitySeries.objects.exists()

    def test_operator_of_other_group_cannot_act(self, coordinator, operator, specialist, second_line, frozen):
        o = first_open(make_series(coordinator, operator_group=second_line))
        with pytest.raises(NotFound):
            services.complete_occurrence(o, actor=operator, expected_version=o.version)
        with pytest.raises(NotFound):
            services.record_time(o, minutes=5, actor=operator)
        assert services.complete_occurrence(o, actor=specialist, expected_version=o.version).status == "done"

    def test_assignee_outside_group_can_act(self, coordinator, operator, second_line, frozen):
        o = first_open(make_series(coordinator, operator_group=second_line, assignee=operator))
        assert (
            services.skip_occurrence(o, reason="x", actor=operator, expected_version=o.version).status
            == "skipped"
        )

    def test_caller_cannot_act(self, coordinator, caller, frozen):
        o = first_open(make_series(coordinator))
        with pytest.raises(PermissionDenied):
            services.complete_occurrence(o, actor=caller, expected_version=o.version)

    def test_visibility(self, coordinator, operator, specialist, caller, first_line, second_line, frozen):
        own = make_series(coordinator, operator_group=first_line, name="eigen")
        other = make_series(coordinator, operator_group=second_line, name="ander")
        nobody = make_series(coordinator, name="niemand")
        assert set(ActivitySeries.objects.visible_to(operator)) == {own, nobody}
        assert set(ActivitySeries.objects.visible_to(specialist)) == {other, nobody}
        assert set(ActivitySeries.objects.visible_to(coordinator)) == {own, other, nobody}
        assert not ActivitySeries.objects.visible_to(caller).exists()
        assert not Occurrence.objects.visible_to(caller).exists()
        assert not Occurrence.objects.visible_to(operator).filter(series=other).exists()
        assert not Occurrence.objects.visible_to(None).exists()


def test_a_series_without_a_time_zone_takes_the_installations(coordinator, frozen, settings):
    """An installation in another zone plans its series there, not in Amsterdam."""
    settings.TIME_ZONE = "Europe/London"
    series = make_series(coordinator, time_zone="")
    assert series.time_zone == "Europe/London"
    first = series.occurrences.order_by("planned_at").values_list("planned_at", flat=True)[0]
    assert first.astimezone(ZoneInfo("Europe/London")).hour == 9
    assert ActivitySeries._meta.get_field("time_zone").get_default() == "Europe/London"
