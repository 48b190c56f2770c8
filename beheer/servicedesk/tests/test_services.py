"""Service-level tests: every business rule of the servicedesk, one melding at a time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.cmdb.models import Supplier
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    Attachment,
    CallType,
    Category,
    ClosureCode,
    EntryType,
    HistoryEntry,
    Impact,
    Line,
    Melding,
    MeldingLink,
    Note,
    Priority,
    ServicedeskSettings,
    Status,
    StatusKind,
    TimeEntry,
    Urgency,
    Visibility,
)
from tests.helpers import make_person
from tests.sample_files import PNG


def status(code: str) -> Status:
    return Status.objects.get(code=code)


def impact(level: int) -> Impact:
    return Impact.objects.get(level=level)


def urgency(level: int) -> Urgency:
    return Urgency.objects.get(level=level)


def fresh(m: Melding) -> Melding:
    return Melding.objects.select_related("status").get(pk=m.pk)


def snapshot(m: Melding) -> dict[str, Any]:
    """Every stored column of a melding plus its dependent row counts: 'nothing changed' checks."""
    row = Melding.objects.filter(pk=m.pk).values().get()
    return {
        **row,
        "_history": HistoryEntry.objects.filter(melding_id=m.pk).count(),
        "_notes": Note.objects.filter(melding_id=m.pk).count(),
        "_time": TimeEntry.objects.filter(melding_id=m.pk).count(),
        "_attachments": Attachment.objects.filter(melding_id=m.pk).count(),
        "_partials": Melding.objects.filter(parent_id=m.pk).count(),
    }


def resolve(m: Melding, actor: User, solution: str = "Fixed") -> Melding:
    return services.resolve_melding(m, solution=solution, actor=actor, expected_version=fresh(m).version)


def close(m: Melding, actor: User) -> Melding:
    m = resolve(m, actor)
    return services.close_melding(m, actor=actor, expected_version=m.version)


# --------------------------------------------------------------------------------------------------
# registering


class TestRegister:
    def test_operator_for_registered_caller(self, operator, caller, first_line):
        before = timezone.now()
        m = services.open_melding(
            actor=operator,
            brief_description="  Laptop start niet  ",
            request="Zwart scherm",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
            operator=operator,
            impact=impact(2),
            urgency=urgency(1),
        )
        assert m.brief_description == "Laptop start niet"
        assert m.caller == caller
        assert m.caller_name == ""
        assert m.entry_type == EntryType.PHONE
        assert m.line == Line.FIRST
        assert m.parent is None
        assert m.operator_group == first_line
        assert m.operator == operator
        assert m.status.kind == StatusKind.NEW
        assert m.is_open
        assert m.created_by == operator
        assert m.created_at >= before
        assert m.version == 1
        assert m.number == f"M{m.pk:07d}"
        assert m.first_response_at is None
        assert HistoryEntry.objects.filter(melding=m, action="created", public=True).count() == 1

    def test_operator_for_unregistered_caller_by_name(self, operator):
        m = services.open_melding(
            actor=operator,
            brief_description="Beamer kapot",
            entry_type=EntryType.DESK,
            caller_name="Gastdocent Jansen",
            caller_phone="06-12345678",
            caller_email="jansen@example.org",
        )
        assert m.caller is None
        assert m.caller_display == "Gastdocent Jansen"
        assert m.caller_phone == "06-12345678"
        assert m.caller_email == "jansen@example.org"

    def test_caller_is_required(self, operator):
        with pytest.raises(DomainError) as exc:
            services.open_melding(
                actor=operator, brief_description="x", entry_type=EntryType.PHONE, caller_name="  "
            )
        assert "caller" in exc.value.field_errors
        assert not Melding.objects.exists()

    def test_inactive_caller_refused(self, operator, caller):
        caller.is_active = False
        caller.save()
        with pytest.raises(DomainError):
            services.open_melding(
                actor=operator, brief_description="x", entry_type=EntryType.PHONE, caller=caller
            )

    def test_inactive_actor_refused(self, operator, caller):
        operator.is_active = False
        operator.save()
        with pytest.raises(PermissionDenied):
            services.open_melding(
                actor=operator, brief_description="x", entry_type=EntryType.PHONE, caller=caller
            )

    def test_caller_via_portal_is_forced_to_self_and_classification_ignored(
        self, caller, other_caller, operator, first_line
    ):
        future = timezone.now() + timedelta(days=30)
        m = services.open_melding(
            actor=caller,
            brief_description="Wachtwoord vergeten",
            request="Help",
            entry_type=EntryType.PHONE,  # not a caller channel: becomes portal
            caller=other_caller,
            caller_name="Someone else",
            caller_phone="112",
            impact=impact(1),
            urgency=urgency(1),
            target_date=future,
            operator_group=first_line,
            operator=operator,
            estimated_minutes=30,
            estimated_people=2,
            estimated_means="Ladder",
        )
        assert m.caller == caller
        assert m.caller_name == ""
        assert m.caller_phone == ""
        assert m.entry_type == EntryType.PORTAL
        # lowest impact and urgency, not the ones the caller asked for
        assert m.impact.level == 3
        assert m.urgency.level == 3
        assert m.priority == services.priority_for(m.impact, m.urgency)
        assert m.target_date != future  # the caller cannot set it: it follows the SLA
        assert m.target_date == m.resolution_due
        assert not m.target_date_manual
        assert m.operator_group is None
        assert m.operator is None
        assert m.estimated_minutes is None
        assert m.estimated_people is None
        assert m.estimated_means == ""

    def test_caller_keeps_caller_channel(self, caller):
        m = services.open_melding(actor=caller, brief_description="Via mail", entry_type=EntryType.EMAIL)
        assert m.entry_type == EntryType.EMAIL

    def test_default_first_line_group_from_settings(self, caller, first_line):
        cfg = ServicedeskSettings.current()
        cfg.default_first_line_group = first_line
        cfg.save()
        m = services.open_melding(
            actor=caller, brief_description="Geen internet", entry_type=EntryType.PORTAL
        )
        assert m.operator_group == first_line

    def test_brief_description_max_80(self, operator, caller):
        ok = services.open_melding(
            actor=operator, brief_description="x" * 80, entry_type=EntryType.PHONE, caller=caller
        )
        assert len(ok.brief_description) == 80
        with pytest.raises(DomainError) as exc:
            services.open_melding(
                actor=operator, brief_description="x" * 81, entry_type=EntryType.PHONE, caller=caller
            )
        assert "brief_description" in exc.value.field_errors
        assert Melding.objects.count() == 1

    def test_brief_description_required(self, operator, caller):
        with pytest.raises(DomainError) as exc:
            services.open_melding(
                actor=operator, brief_description=" \x00 ", entry_type=EntryType.PHONE, caller=caller
            )
        assert "brief_description" in exc.value.field_errors

    def test_unknown_entry_type(self, operator, caller):
        with pytest.raises(DomainError):
            services.open_melding(actor=operator, brief_description="x", entry_type="pigeon", caller=caller)

    def test_target_date_in_past_refused(self, operator, caller):
        with pytest.raises(DomainError) as exc:
            services.open_melding(
                actor=operator,
                brief_description="x",
                entry_type=EntryType.PHONE,
                caller=caller,
                target_date=timezone.now() - timedelta(days=1),
            )
        assert "target_date" in exc.value.field_errors

    def test_explicit_target_date_kept(self, operator, caller):  # and the SLA leaves it alone
        target = timezone.now() + timedelta(days=9)
        m = services.open_melding(
            actor=operator,
            brief_description="x",
            entry_type=EntryType.PHONE,
            caller=caller,
            target_date=target,
        )
        assert m.target_date == target

    def test_subcategory_must_belong_to_category(self, operator, caller):
        hw = Category.objects.create(name="Hardware")
        sw = Category.objects.create(name="Software")
        printer = Category.objects.create(name="Printer", parent=hw)
        m = services.open_melding(
            actor=operator,
            brief_description="x",
            entry_type=EntryType.PHONE,
            caller=caller,
            category=hw,
            subcategory=printer,
        )
        assert m.subcategory == printer
        with pytest.raises(DomainError) as exc:
            services.open_melding(
                actor=operator,
                brief_description="x",
                entry_type=EntryType.PHONE,
                caller=caller,
                category=sw,
                subcategory=printer,
            )
        assert "subcategory" in exc.value.field_errors
        with pytest.raises(DomainError):
            services.open_melding(
                actor=operator,
                brief_description="x",
                entry_type=EntryType.PHONE,
                caller=caller,
                category=printer,
            )


# --------------------------------------------------------------------------------------------------
# priority and target date


@pytest.mark.usefixtures("no_sla")
class TestPriority:
    """Without an SLA policy the target date is the registration plus the priority's duration."""

    @pytest.mark.parametrize(
        ("imp", "urg", "expected"), [(1, 1, 1), (1, 2, 2), (2, 2, 3), (3, 3, 4), (3, 1, 3)]
    )
    def test_priority_from_matrix_and_target_date(self, operator, caller, imp, urg, expected):
        now = timezone.now()
        m = services.open_melding(
            actor=operator,
            brief_description="x",
            entry_type=EntryType.PHONE,
            caller=caller,
            impact=impact(imp),
            urgency=urgency(urg),
            now=now,
        )
        assert m.priority.level == expected
        assert m.priority_level == expected
        assert m.target_date == now + m.priority.duration
        assert m.target_date == m.created_at + timedelta(
            minutes=Priority.objects.get(level=expected).resolution_minutes
        )

    def test_reclassification_recomputes_priority_and_target(self, melding, operator):
        assert melding.priority.level == 4
        m = services.reclassify_melding(
            melding,
            actor=operator,
            expected_version=melding.version,
            brief_description="Hele school print niet",
            request=melding.request,
            call_type=melding.call_type,
            category=None,
            subcategory=None,
            object_name="",
            impact=impact(1),
            urgency=urgency(1),
        )
        m = fresh(m)
        assert m.priority.level == 1
        assert m.priority_level == 1
        assert m.target_date == m.created_at + m.priority.duration
        assert m.version == melding.version + 1
        fields = set(HistoryEntry.objects.filter(melding=m, action="changed").values_list("field", flat=True))
        assert {"brief_description", "impact", "urgency", "priority", "target_date"} <= fields
        prio = HistoryEntry.objects.get(melding=m, field="priority")
        assert prio.old_value == str(Priority.objects.get(level=4))
        assert prio.new_value == str(Priority.objects.get(level=1))

    def test_reclassify_without_changes_keeps_version(self, melding, operator):
        m = services.reclassify_melding(
            melding,
            actor=operator,
            expected_version=melding.version,
            brief_description=melding.brief_description,
            request=melding.request,
            call_type=melding.call_type,
            category=None,
            subcategory=None,
            object_name="",
            impact=melding.impact,
            urgency=melding.urgency,
        )
        assert fresh(m).version == melding.version

    def test_reclassify_refused_for_caller(self, melding, caller):
        with pytest.raises(PermissionDenied):
            services.reclassify_melding(
                melding,
                actor=caller,
                expected_version=None,
                brief_description="x",
                request="",
                call_type=melding.call_type,
                category=None,
                subcategory=None,
                object_name="",
                impact=impact(1),
                urgency=urgency(1),
            )

    def test_empty_matrix_cell_falls_back_to_sum_rule(self, operator, caller):
        from beheer.servicedesk.models import PriorityMatrixCell

        PriorityMatrixCell.objects.filter(impact=impact(2), urgency=urgency(3)).delete()
        assert services.priority_for(impact(2), urgency(3)).level == 4

    def test_set_target_date(self, melding, operator):
        target = melding.created_at + timedelta(days=2)
        m = services.set_target_date(
            melding, target_date=target, actor=operator, expected_version=melding.version
        )
        assert fresh(m).target_date == target
        with pytest.raises(DomainError):
            services.set_target_date(
                m, target_date=m.created_at - timedelta(hours=1), actor=operator, expected_version=None
            )


# --------------------------------------------------------------------------------------------------
# assignment, escalation


class TestAssignment:
    def test_first_line_melding_only_to_first_line_group(self, melding, operator, second_line):
        before = snapshot(melding)
        with pytest.raises(DomainError) as exc:
            services.assign_melding(
                melding,
                operator_group=second_line,
                operator=None,
                actor=operator,
                expected_version=melding.version,
            )
        assert "operator_group" in exc.value.field_errors
        assert snapshot(melding) == before

    def test_operator_must_be_member_of_group(self, melding, operator, specialist, first_line):
        with pytest.raises(DomainError) as exc:
            services.assign_melding(
                melding,
                operator_group=first_line,
                operator=specialist,
                actor=operator,
                expected_version=melding.version,
            )
        assert "operator" in exc.value.field_errors

    def test_only_staff_can_be_assigned(self, melding, operator, caller, first_line):
        with pytest.raises(DomainError):
            services.assign_melding(
                melding, operator_group=None, operator=caller, actor=operator, expected_version=None
            )

    def test_inactive_group_refused(self, melding, operator):
        group = OperatorGroup.objects.create(name="Oud", is_first_line=True, active=False)
        with pytest.raises(DomainError):
            services.assign_melding(
                melding, operator_group=group, operator=None, actor=operator, expected_version=None
            )

    def test_group_or_operator_required(self, melding, operator):
        with pytest.raises(DomainError):
            services.assign_melding(
                melding, operator_group=None, operator=None, actor=operator, expected_version=None
            )

    def test_assign_records_history(self, melding, operator, first_line):
        m = services.assign_melding(
            melding,
            operator_group=first_line,
            operator=operator,
            actor=operator,
            expected_version=melding.version,
        )
        m = fresh(m)
        assert m.operator == operator
        assert m.version == melding.version + 1
        h = HistoryEntry.objects.get(melding=m, action="assigned", field="operator")
        assert h.old_value == ""
        assert h.new_value == str(operator)
        assert h.actor == operator
        assert not h.public

    def test_caller_cannot_assign(self, melding, caller, operator, first_line):
        with pytest.raises(PermissionDenied):
            services.assign_melding(
                melding, operator_group=first_line, operator=operator, actor=caller, expected_version=None
            )

    def test_escalate_and_deescalate(self, melding, operator, specialist, second_line, first_line):
        m = services.escalate_melding(
            melding,
            to_group=second_line,
            operator=specialist,
            reason="Server nodig",
            actor=operator,
            expected_version=melding.version,
        )
        m = fresh(m)
        assert m.line == Line.SECOND
        assert m.operator_group == second_line
        assert m.operator == specialist
        h = HistoryEntry.objects.get(melding=m, action="escalated")
        assert h.detail == "Server nodig"
        assert h.old_value == str(Line.FIRST.label)
        assert h.new_value == str(Line.SECOND.label)
        # a second-line melding only goes to second-line groups
        with pytest.raises(DomainError):
            services.assign_melding(
                m, operator_group=first_line, operator=None, actor=specialist, expected_version=None
            )
        with pytest.raises(DomainError):
            services.escalate_melding(
                m, to_group=second_line, reason="again", actor=operator, expected_version=None
            )
        m = services.deescalate_melding(
            m, to_group=first_line, reason="Terug", actor=specialist, expected_version=m.version
        )
        m = fresh(m)
        assert m.line == Line.FIRST
        assert m.operator_group == first_line
        assert m.operator is None
        assert HistoryEntry.objects.filter(melding=m, action="deescalated", detail="Terug").exists()
        with pytest.raises(DomainError):
            services.deescalate_melding(
                m, to_group=first_line, reason="x", actor=operator, expected_version=None
            )

    def test_escalate_requires_reason_and_second_line_group(self, melding, operator, first_line, second_line):
        before = snapshot(melding)
        with pytest.raises(DomainError) as exc:
            services.escalate_melding(
                melding, to_group=second_line, reason="  ", actor=operator, expected_version=None
            )
        assert "reason" in exc.value.field_errors
        with pytest.raises(DomainError) as exc:
            services.escalate_melding(
                melding, to_group=first_line, reason="x", actor=operator, expected_version=None
            )
        assert "to_group" in exc.value.field_errors
        assert snapshot(melding) == before

    def test_escalate_operator_must_be_member(self, melding, operator, second_line):
        with pytest.raises(DomainError):
            services.escalate_melding(
                melding,
                to_group=second_line,
                operator=operator,
                reason="x",
                actor=operator,
                expected_version=None,
            )

    def test_escalate_resolved_refused(self, melding, operator, second_line):
        m = resolve(melding, operator)
        with pytest.raises(DomainError):
            services.escalate_melding(
                m, to_group=second_line, reason="x", actor=operator, expected_version=None
            )

    def test_deescalate_requires_first_line_group(self, melding, operator, specialist, second_line):
        m = services.escalate_melding(
            melding, to_group=second_line, reason="x", actor=operator, expected_version=None
        )
        with pytest.raises(DomainError):
            services.deescalate_melding(
                m, to_group=second_line, reason="x", actor=specialist, expected_version=None
            )


# --------------------------------------------------------------------------------------------------
# status and workflow


class TestStatus:
    def test_status_change_out_of_new_sets_first_response(self, melding, operator):
        assert melding.first_response_at is None
        m = services.change_status(
            melding, status=status("in_progress"), actor=operator, expected_version=melding.version
        )
        m = fresh(m)
        assert m.status.code == "in_progress"
        assert m.first_response_at is not None
        assert m.is_open
        h = HistoryEntry.objects.get(melding=m, action="status")
        assert h.old_value == str(status("new"))
        assert h.new_value == str(status("in_progress"))
        assert h.public
        first = m.first_response_at
        m = services.change_status(
            m, status=status("waiting_caller"), actor=operator, expected_version=m.version
        )
        assert fresh(m).first_response_at == first
        assert fresh(m).is_open

    @pytest.mark.parametrize("code", ["resolved", "closed", "new"])
    def test_change_status_cannot_reach_resolved_closed_or_new(self, melding, operator, code):
        services.change_status(melding, status=status("in_progress"), actor=operator, expected_version=None)
        before = snapshot(melding)
        with pytest.raises(DomainError):
            services.change_status(melding, status=status(code), actor=operator, expected_version=None)
        assert snapshot(melding) == before

    def test_same_status_is_a_no_op(self, melding, operator):
        m = services.change_status(
            melding, status=status("new"), actor=operator, expected_version=melding.version
        )
        assert fresh(m).version == melding.version

    def test_inactive_status_refused(self, melding, operator):
        s = status("waiting_supplier")
        s.active = False
        s.save()
        with pytest.raises(DomainError):
            services.change_status(melding, status=s, actor=operator, expected_version=None)

    def test_configured_next_statuses_narrow_the_choice(self, melding, operator):
        status("new").allowed_next.set([status("in_progress")])
        with pytest.raises(DomainError):
            services.change_status(
                melding, status=status("waiting_caller"), actor=operator, expected_version=None
            )
        services.change_status(melding, status=status("in_progress"), actor=operator, expected_version=None)
        assert fresh(melding).status.code == "in_progress"

    def test_closed_is_final(self, melding, operator):
        close(melding, operator)
        with pytest.raises(ReadOnly):
            services.change_status(
                melding, status=status("in_progress"), actor=operator, expected_version=None
            )

    def test_resolved_cannot_change_status_directly(self, melding, operator):
        resolve(melding, operator)
        with pytest.raises(DomainError):
            services.change_status(
                melding, status=status("in_progress"), actor=operator, expected_version=None
            )

    def test_caller_cannot_change_status(self, melding, caller):
        with pytest.raises(PermissionDenied):
            services.change_status(melding, status=status("in_progress"), actor=caller, expected_version=None)


# --------------------------------------------------------------------------------------------------
# notes


class TestNotes:
    def test_internal_note_does_not_count_as_response(self, melding, operator):
        note = services.add_note(
            melding, text="Intern: toner bestellen", visibility=Visibility.INTERNAL, actor=operator
        )
        assert note.visibility == Visibility.INTERNAL
        m = fresh(melding)
        assert m.first_response_at is None
        # activity, not an edit: no new version (it conflicts with no editor), but updated_at moves
        assert m.version == melding.version
        assert m.updated_at >= melding.updated_at
        h = HistoryEntry.objects.get(melding=m, action="note")
        assert not h.public

    def test_caller_visible_reply_sets_first_response_once(self, melding, operator):
        services.add_note(melding, text="We komen eraan", visibility=Visibility.CALLER, actor=operator)
        first = fresh(melding).first_response_at
        assert first is not None
        services.add_note(melding, text="Nog even", visibility=Visibility.CALLER, actor=operator)
        assert fresh(melding).first_response_at == first
        assert HistoryEntry.objects.filter(melding=melding, action="reply", public=True).count() == 2

    def test_caller_note_is_always_visible_and_not_a_response(self, melding, caller):
        note = services.add_note(
            melding, text="Nog steeds kapot", visibility=Visibility.INTERNAL, actor=caller
        )
        assert note.visibility == Visibility.CALLER
        assert fresh(melding).first_response_at is None

    def test_caller_reply_moves_waiting_back_to_open(self, melding, operator, caller):
        services.change_status(
            melding, status=status("waiting_caller"), actor=operator, expected_version=None
        )
        services.add_note(melding, text="Hier is de info", visibility=Visibility.CALLER, actor=caller)
        m = fresh(melding)
        assert m.status.kind == StatusKind.OPEN
        h = HistoryEntry.objects.filter(melding=m, action="status").last()
        assert h is not None
        assert h.new_value == str(m.status)
        assert h.public
        assert h.actor == caller

    def test_operator_note_keeps_waiting(self, melding, operator):
        services.change_status(
            melding, status=status("waiting_caller"), actor=operator, expected_version=None
        )
        services.add_note(melding, text="Herinnering", visibility=Visibility.CALLER, actor=operator)
        assert fresh(melding).status.kind == StatusKind.WAITING

    def test_other_caller_cannot_note(self, melding, other_caller):
        with pytest.raises(NotFound):
            services.add_note(melding, text="Hallo", visibility=Visibility.CALLER, actor=other_caller)
        assert not Note.objects.exists()

    def test_empty_text_and_unknown_visibility(self, melding, operator):
        with pytest.raises(DomainError):
            services.add_note(melding, text="   ", visibility=Visibility.INTERNAL, actor=operator)
        with pytest.raises(DomainError):
            services.add_note(melding, text="x", visibility="everyone", actor=operator)
        assert not Note.objects.exists()

    def test_notes_visible_to(self, melding, operator, caller, other_caller):
        services.add_note(melding, text="intern", visibility=Visibility.INTERNAL, actor=operator)
        services.add_note(melding, text="extern", visibility=Visibility.CALLER, actor=operator)
        assert Note.objects.visible_to(operator).count() == 2
        assert list(Note.objects.visible_to(caller).values_list("text", flat=True)) == ["extern"]
        assert not Note.objects.visible_to(other_caller).exists()


# --------------------------------------------------------------------------------------------------
# time and estimates


class TestTime:
    def test_time_is_booked_on_the_line_at_entry(self, melding, operator, specialist, second_line):
        first = services.register_time(melding, minutes=15, actor=operator, note="Telefoon")
        services.escalate_melding(
            melding, to_group=second_line, reason="x", actor=operator, expected_version=None
        )
        second = services.register_time(melding, minutes=45, actor=specialist)
        first.refresh_from_db()
        assert first.line == Line.FIRST
        assert first.minutes == 15
        assert first.operator == operator
        assert second.line == Line.SECOND
        assert first.date == timezone.localdate()
        assert HistoryEntry.objects.filter(melding=melding, action="time").count() == 2

    @pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
    def test_minutes_limits(self, melding, operator, minutes):
        with pytest.raises(DomainError) as exc:
            services.register_time(melding, minutes=minutes, actor=operator)
        assert "minutes" in exc.value.field_errors
        assert not TimeEntry.objects.exists()

    def test_max_minutes_allowed(self, melding, operator):
        assert services.register_time(melding, minutes=24 * 60, actor=operator).minutes == 24 * 60

    def test_no_future_dates(self, melding, operator):
        with pytest.raises(DomainError):
            services.register_time(
                melding, minutes=5, actor=operator, on=timezone.localdate() + timedelta(days=1)
            )
        past = timezone.localdate() - timedelta(days=3)
        assert services.register_time(melding, minutes=5, actor=operator, on=past).date == past

    def test_caller_cannot_register_time(self, melding, caller):
        with pytest.raises(PermissionDenied):
            services.register_time(melding, minutes=5, actor=caller)

    def test_estimates(self, melding, operator):
        m = services.set_estimates(
            melding,
            minutes=90,
            people=2,
            means="Hoogwerker",
            actor=operator,
            expected_version=melding.version,
        )
        m = fresh(m)
        assert (m.estimated_minutes, m.estimated_people, m.estimated_means) == (90, 2, "Hoogwerker")
        assert HistoryEntry.objects.filter(
            melding=m, action="changed", field="estimated_minutes", new_value="90"
        ).exists()
        with pytest.raises(DomainError):
            services.set_estimates(
                m, minutes=-1, people=None, means="", actor=operator, expected_version=None
            )
        with pytest.raises(DomainError):
            services.set_estimates(
                m, minutes=None, people=None, means="x" * 501, actor=operator, expected_version=None
            )


# --------------------------------------------------------------------------------------------------
# links, merge, partial incidents


class TestLinksAndMerge:
    def test_link_and_unlink(self, melding, operator, caller):
        other = services.open_melding(
            actor=operator, brief_description="Ook printer", entry_type=EntryType.PHONE, caller=caller
        )
        link = services.link_meldingen(other, other=melding, actor=operator)
        assert (link.from_melding_id, link.to_melding_id) == (melding.pk, other.pk)
        # linking again, either way round, makes no second link
        services.link_meldingen(melding, other=other, actor=operator)
        assert MeldingLink.objects.count() == 1
        assert HistoryEntry.objects.filter(action="linked").count() == 2
        with pytest.raises(DomainError):
            services.link_meldingen(melding, other=melding, actor=operator)
        services.unlink_meldingen(melding, other=other, actor=operator)
        assert not MeldingLink.objects.exists()
        assert HistoryEntry.objects.filter(action="unlinked").count() == 2

    def test_caller_cannot_link(self, melding, operator, caller):
        other = services.open_melding(
            actor=operator, brief_description="y", entry_type=EntryType.PHONE, caller=caller
        )
        with pytest.raises(PermissionDenied):
            services.link_meldingen(melding, other=other, actor=caller)

    def test_merge_duplicate(self, melding, operator, caller):
        dup = services.open_melding(
            actor=operator,
            brief_description="Printer weer stuk",
            request="Zelfde",
            entry_type=EntryType.PHONE,
            caller=caller,
        )
        merged = services.merge_melding(dup, into=melding, actor=operator)
        merged = fresh(merged)
        assert merged.merged_into == melding
        assert merged.status.kind == StatusKind.CLOSED
        assert not merged.is_open
        assert merged.closed_at is not None
        assert merged.solution
        assert merged.resolved_at is not None
        assert merged.closure_code == ClosureCode.objects.get(code="duplicate")
        note = Note.objects.get(melding=melding)
        assert dup.number in note.text
        assert "Zelfde" in note.text
        assert note.visibility == Visibility.INTERNAL
        assert MeldingLink.objects.filter(from_melding=melding, to_melding=dup).exists()
        assert HistoryEntry.objects.filter(
            melding=melding, action="merged_duplicate", new_value=dup.number
        ).exists()
        assert fresh(melding).is_open
        with pytest.raises(ReadOnly):
            services.merge_melding(dup, into=melding, actor=operator)

    def test_cannot_merge_into_itself(self, melding, operator):
        before = snapshot(melding)
        with pytest.raises(DomainError):
            services.merge_melding(melding, into=melding, actor=operator)
        assert snapshot(melding) == before

    def test_cannot_merge_into_merged(self, melding, operator, caller):
        a = services.open_melding(
            actor=operator, brief_description="a", entry_type=EntryType.PHONE, caller=caller
        )
        b = services.open_melding(
            actor=operator, brief_description="b", entry_type=EntryType.PHONE, caller=caller
        )
        services.merge_melding(a, into=melding, actor=operator)
        with pytest.raises(ReadOnly):
            services.merge_melding(b, into=a, actor=operator)


class TestPartials:
    def test_partial_needs_group_or_supplier(self, melding, operator):
        with pytest.raises(DomainError) as exc:
            services.create_partial(melding, brief_description="Kabel trekken", actor=operator)
        assert "operator_group" in exc.value.field_errors
        assert not Melding.objects.filter(parent=melding).exists()

    def test_partial_to_supplier(self, melding, operator):
        supplier = Supplier.objects.create(name="Printerleverancier BV")
        p = services.create_partial(
            melding, brief_description="Fuser vervangen", supplier=supplier, actor=operator
        )
        assert p.parent == melding
        assert p.line == Line.PARTIAL
        assert p.supplier == supplier
        assert p.caller == melding.caller
        assert p.priority == melding.priority
        assert p.status.kind == StatusKind.NEW
        assert HistoryEntry.objects.filter(
            melding=melding, action="partial_created", new_value=p.number
        ).exists()

    def test_partials_not_nested(self, melding, operator, second_line):
        p = services.create_partial(
            melding, brief_description="Deel", operator_group=second_line, actor=operator
        )
        with pytest.raises(DomainError):
            services.create_partial(
                p, brief_description="Deel van deel", operator_group=second_line, actor=operator
            )

    def test_partial_operator_must_be_member(self, melding, operator, second_line):
        with pytest.raises(DomainError):
            services.create_partial(
                melding,
                brief_description="Deel",
                operator_group=second_line,
                operator=operator,
                actor=operator,
            )

    def test_main_cannot_resolve_while_partials_open(self, melding, operator, specialist, second_line):
        p = services.create_partial(
            melding, brief_description="Deel", operator_group=second_line, operator=specialist, actor=operator
        )
        before = snapshot(melding)
        with pytest.raises(DomainError):
            resolve(melding, operator)
        assert snapshot(melding) == before
        services.resolve_melding(p, solution="Kabel getrokken", actor=specialist, expected_version=None)
        h = HistoryEntry.objects.get(melding=melding, action="partial_resolved")
        assert h.new_value == p.number
        assert h.detail == "Kabel getrokken"
        m = resolve(melding, operator)
        assert m.status.kind == StatusKind.RESOLVED

    def test_partial_for_resolved_main_refused(self, melding, operator, second_line):
        resolve(melding, operator)
        with pytest.raises(DomainError):
            services.create_partial(
                melding, brief_description="Te laat", operator_group=second_line, actor=operator
            )

    def test_partial_invisible_to_caller(self, melding, operator, caller, second_line):
        p = services.create_partial(
            melding, brief_description="Deel", operator_group=second_line, actor=operator
        )
        assert not Melding.objects.visible_to(caller).filter(pk=p.pk).exists()
        assert Melding.objects.visible_to(caller).filter(pk=melding.pk).exists()


# --------------------------------------------------------------------------------------------------
# resolve, confirm, close, reopen


class TestResolution:
    def test_resolve_requires_solution(self, melding, operator):
        before = snapshot(melding)
        with pytest.raises(DomainError) as exc:
            services.resolve_melding(melding, solution="  ", actor=operator, expected_version=None)
        assert "solution" in exc.value.field_errors
        assert snapshot(melding) == before

    def test_resolve(self, melding, operator):
        code = ClosureCode.objects.get(code="workaround")
        m = services.resolve_melding(
            melding,
            solution="Andere printer gebruiken",
            is_workaround=True,
            closure_code=code,
            actor=operator,
            expected_version=melding.version,
        )
        m = fresh(m)
        assert m.status.kind == StatusKind.RESOLVED
        assert not m.is_open
        assert m.resolved_at is not None
        assert m.closed_at is None
        assert m.is_resolved
        assert m.solution == "Andere printer gebruiken"
        assert m.is_workaround
        assert m.closure_code == code
        assert m.first_response_at is not None
        h = HistoryEntry.objects.get(melding=m, action="resolved")
        assert h.public
        assert h.old_value == str(status("new"))
        assert h.new_value == str(status("resolved"))
        with pytest.raises(DomainError):
            services.resolve_melding(m, solution="Again", actor=operator, expected_version=None)

    def test_caller_cannot_resolve_or_close(self, melding, caller, operator):
        with pytest.raises(PermissionDenied):
            services.resolve_melding(melding, solution="x", actor=caller, expected_version=None)
        resolve(melding, operator)
        with pytest.raises(PermissionDenied):
            services.close_melding(melding, actor=caller, expected_version=None)

    def test_confirm_by_caller_closes(self, melding, operator, caller):
        resolve(melding, operator)
        m = fresh(services.confirm_resolution(melding, actor=caller))
        assert m.status.kind == StatusKind.CLOSED
        assert m.closed_at is not None
        assert not m.is_open
        h = HistoryEntry.objects.get(melding=m, action="closed")
        assert h.actor == caller
        assert h.public

    def test_confirm_before_resolution_refused(self, melding, caller):
        with pytest.raises(DomainError):
            services.confirm_resolution(melding, actor=caller)
        assert fresh(melding).closed_at is None

    def test_other_caller_cannot_confirm_or_reopen(self, melding, operator, other_caller):
        resolve(melding, operator)
        with pytest.raises(NotFound):
            services.confirm_resolution(melding, actor=other_caller)
        with pytest.raises(NotFound):
            services.reopen_melding(melding, reason="nee", actor=other_caller)
        assert fresh(melding).status.kind == StatusKind.RESOLVED

    def test_close_only_resolved(self, melding, operator):
        with pytest.raises(DomainError):
            services.close_melding(melding, actor=operator, expected_version=None)
        m = close(melding, operator)
        assert fresh(m).closed_at is not None

    def test_reopen_within_period(self, melding, operator, caller):
        resolve(melding, operator)
        m = fresh(services.reopen_melding(melding, reason="Doet het weer niet", actor=caller))
        assert m.status.kind == StatusKind.OPEN
        assert m.is_open
        assert m.resolved_at is None
        assert m.reopen_count == 1
        note = Note.objects.get(melding=m)
        assert note.text == "Doet het weer niet"
        assert note.visibility == Visibility.CALLER
        assert HistoryEntry.objects.filter(melding=m, action="reopened", public=True).exists()

    def test_reopen_requires_reason(self, melding, operator, caller):
        resolve(melding, operator)
        with pytest.raises(DomainError):
            services.reopen_melding(melding, reason=" ", actor=caller)

    def test_reopen_refused_after_period(self, melding, operator, caller):
        cfg = ServicedeskSettings.current()
        cfg.reopen_days = 3
        cfg.save()
        resolve(melding, operator)
        Melding.objects.filter(pk=melding.pk).update(
            resolved_at=timezone.now() - timedelta(days=3, minutes=1)
        )
        before = snapshot(melding)
        with pytest.raises(DomainError):
            services.reopen_melding(melding, reason="Te laat", actor=caller)
        assert snapshot(melding) == before
        Melding.objects.filter(pk=melding.pk).update(resolved_at=timezone.now() - timedelta(days=2, hours=23))
        assert services.reopen_melding(melding, reason="Net op tijd", actor=caller).is_open

    def test_reopen_open_melding_refused(self, melding, caller):
        with pytest.raises(DomainError):
            services.reopen_melding(melding, reason="x", actor=caller)


class TestClosedIsReadOnly:
    def test_every_write_raises_read_only(
        self, melding, operator, caller, caller_melding_pair, second_line, first_line
    ):
        other = caller_melding_pair
        close(melding, operator)
        before = snapshot(melding)
        writes: list[Any] = [
            lambda: services.reclassify_melding(
                melding,
                actor=operator,
                expected_version=None,
                brief_description="x",
                request="",
                call_type=melding.call_type,
                category=None,
                subcategory=None,
                object_name="",
                impact=impact(1),
                urgency=urgency(1),
            ),
            lambda: services.set_target_date(
                melding, target_date=timezone.now() + timedelta(days=1), actor=operator, expected_version=None
            ),
            lambda: services.assign_melding(
                melding, operator_group=first_line, operator=operator, actor=operator, expected_version=None
            ),
            lambda: services.change_status(
                melding, status=status("in_progress"), actor=operator, expected_version=None
            ),
            lambda: services.escalate_melding(
                melding, to_group=second_line, reason="x", actor=operator, expected_version=None
            ),
            lambda: services.deescalate_melding(
                melding, to_group=first_line, reason="x", actor=operator, expected_version=None
            ),
            lambda: services.set_estimates(
                melding, minutes=1, people=1, means="", actor=operator, expected_version=None
            ),
            lambda: services.add_note(melding, text="x", visibility=Visibility.INTERNAL, actor=operator),
            lambda: services.add_note(melding, text="x", visibility=Visibility.CALLER, actor=caller),
            lambda: services.register_time(melding, minutes=5, actor=operator),
            lambda: services.link_meldingen(melding, other=other, actor=operator),
            lambda: services.link_meldingen(other, other=melding, actor=operator),
            lambda: services.unlink_meldingen(melding, other=other, actor=operator),
            lambda: services.add_attachment(
                melding, upload=SimpleUploadedFile("a.txt", b"abc"), actor=operator
            ),
            lambda: services.create_partial(
                melding, brief_description="x", operator_group=second_line, actor=operator
            ),
            lambda: services.merge_melding(melding, into=other, actor=operator),
            lambda: services.merge_melding(other, into=melding, actor=operator),
            lambda: services.resolve_melding(melding, solution="x", actor=operator, expected_version=None),
            lambda: services.confirm_resolution(melding, actor=caller),
            lambda: services.close_melding(melding, actor=operator, expected_version=None),
            lambda: services.reopen_melding(melding, reason="x", actor=caller),
        ]
        for write in writes:
            with pytest.raises(ReadOnly):
                write()
        assert snapshot(melding) == before
        assert not MeldingLink.objects.exists()


@pytest.fixture
def caller_melding_pair(operator: User, caller: User) -> Melding:
    return services.open_melding(
        actor=operator, brief_description="Tweede melding", entry_type=EntryType.PHONE, caller=caller
    )


# --------------------------------------------------------------------------------------------------
# optimistic locking


class TestOptimisticLocking:
    def test_stale_version_raises_conflict_and_changes_nothing(
        self, melding, operator, first_line, second_line
    ):
        stale = melding.version
        services.set_estimates(
            melding, minutes=10, people=None, means="", actor=operator, expected_version=stale
        )
        before = snapshot(melding)
        calls: list[Any] = [
            lambda: services.assign_melding(
                melding, operator_group=first_line, operator=operator, actor=operator, expected_version=stale
            ),
            lambda: services.change_status(
                melding, status=status("in_progress"), actor=operator, expected_version=stale
            ),
            lambda: services.escalate_melding(
                melding, to_group=second_line, reason="x", actor=operator, expected_version=stale
            ),
            lambda: services.resolve_melding(melding, solution="x", actor=operator, expected_version=stale),
            lambda: services.set_estimates(
                melding, minutes=5, people=None, means="", actor=operator, expected_version=stale
            ),
            lambda: services.set_target_date(
                melding,
                target_date=timezone.now() + timedelta(days=3),
                actor=operator,
                expected_version=stale,
            ),
            lambda: services.reclassify_melding(
                melding,
                actor=operator,
                expected_version=stale,
                brief_description="y",
                request="",
                call_type=CallType.objects.get(code="incident"),
                category=None,
                subcategory=None,
                object_name="",
                impact=impact(1),
                urgency=urgency(1),
            ),
        ]
        for call in calls:
            with pytest.raises(Conflict):
                call()
        assert snapshot(melding) == before

    def test_current_version_succeeds_and_increments(self, melding, operator):
        v = fresh(melding).version
        m = services.change_status(melding, status=status("in_progress"), actor=operator, expected_version=v)
        assert fresh(m).version == v + 1


# --------------------------------------------------------------------------------------------------
# auto close


class TestAutoClose:
    def test_closes_only_past_the_period_and_only_once(self, operator, caller):
        cfg = ServicedeskSettings.current()
        cfg.reopen_days = 5
        cfg.save()
        now = timezone.now()
        old = services.open_melding(
            actor=operator, brief_description="oud", entry_type=EntryType.PHONE, caller=caller
        )
        recent = services.open_melding(
            actor=operator, brief_description="recent", entry_type=EntryType.PHONE, caller=caller
        )
        still_open = services.open_melding(
            actor=operator, brief_description="open", entry_type=EntryType.PHONE, caller=caller
        )
        resolve(old, operator)
        resolve(recent, operator)
        Melding.objects.filter(pk=old.pk).update(resolved_at=now - timedelta(days=6))
        Melding.objects.filter(pk=recent.pk).update(resolved_at=now - timedelta(days=4))
        Melding.objects.filter(pk=still_open.pk).update(resolved_at=now - timedelta(days=30))  # odd but open
        assert services.auto_close_resolved(now=now) == 1
        assert services.auto_close_resolved(now=now) == 0
        assert fresh(old).status.kind == StatusKind.CLOSED
        assert fresh(old).closed_at == now
        assert fresh(recent).status.kind == StatusKind.RESOLVED
        assert fresh(still_open).is_open
        assert fresh(still_open).closed_at is None
        h = HistoryEntry.objects.get(melding=old, action="closed")
        assert h.actor is None
        assert HistoryEntry.objects.filter(action="closed").count() == 1

    def test_one_melding_that_cannot_be_closed_does_not_stop_the_others(self, operator, caller, monkeypatch):
        from beheer.servicedesk.services import resolution
        from tests.helpers import run_job

        now = timezone.now()
        bad, good = (
            services.open_melding(
                actor=operator, brief_description=text, entry_type=EntryType.PHONE, caller=caller
            )
            for text in ("kapot", "goed")
        )
        for m, days in ((bad, 30), (good, 20)):  # the bad one comes first
            resolve(m, operator)
            Melding.objects.filter(pk=m.pk).update(resolved_at=now - timedelta(days=days))
        real_close = resolution._close

        def close(m: Melding, *args: Any, **kwargs: Any) -> Melding:
            real_close(m, *args, **kwargs)  # its writes are rolled back with its savepoint
            if m.pk == bad.pk:
                raise ValueError("a melding whose data makes closing fail")
            return m

        monkeypatch.setattr(resolution, "_close", close)
        run = run_job("servicedesk.auto_close_resolved")
        assert fresh(good).status.kind == StatusKind.CLOSED
        assert fresh(bad).status.kind == StatusKind.RESOLVED
        assert fresh(bad).closed_at is None
        assert not HistoryEntry.objects.filter(melding=bad, action="closed").exists()
        assert (run.failed_items, run.error_count) == (1, 1)
        assert run.last_error == f"melding {bad.pk}: ValueError: a melding whose data makes closing fail"

    def test_disabled(self, melding, operator):
        cfg = ServicedeskSettings.current()
        cfg.auto_close = False
        cfg.save()
        resolve(melding, operator)
        Melding.objects.filter(pk=melding.pk).update(resolved_at=timezone.now() - timedelta(days=100))
        assert services.auto_close_resolved() == 0
        assert fresh(melding).closed_at is None


# --------------------------------------------------------------------------------------------------
# history


def test_history_records_old_and_new_values(melding, operator, specialist, second_line):
    services.change_status(melding, status=status("in_progress"), actor=operator, expected_version=None)
    services.escalate_melding(
        melding,
        to_group=second_line,
        operator=specialist,
        reason="Netwerk",
        actor=operator,
        expected_version=None,
    )
    services.set_estimates(
        melding, minutes=30, people=None, means="", actor=specialist, expected_version=None
    )
    resolve(melding, specialist, "Switch herstart")
    rows = list(HistoryEntry.objects.filter(melding=melding).order_by("at", "id"))
    summary = [(h.action, h.field, h.old_value, h.new_value) for h in rows]
    assert summary[0][0] == "created"
    assert ("status", "status", str(status("new")), str(status("in_progress"))) in summary
    assert ("assigned", "operator_group", str(melding.operator_group), str(second_line)) in summary
    assert ("assigned", "operator", "", str(specialist)) in summary
    assert ("changed", "estimated_minutes", "", "30") in summary
    assert ("resolved", "status", str(status("in_progress")), str(status("resolved"))) in summary
    assert all(h.actor in (operator, specialist) for h in rows)


# --------------------------------------------------------------------------------------------------
# attachments


class TestAttachments:
    def test_stored_under_random_path_with_sanitised_name(self, melding, operator, settings):
        upload = SimpleUploadedFile("../../etc/pass\x00wd.txt", b"geheim", content_type="text/plain")
        a = services.add_attachment(melding, upload=upload, actor=operator)
        assert a.original_name == "passwd.txt"
        assert a.file.name is not None
        assert ".." not in a.file.name
        assert "passwd" not in a.file.name
        assert a.file.name.startswith("attachments/")
        stored = Path(a.file.path).resolve()
        assert str(stored).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
        assert stored.read_bytes() == b"geheim"
        assert a.size == 6
        assert a.content_type == "text/plain"
        b = services.add_attachment(melding, upload=SimpleUploadedFile("passwd.txt", b"x"), actor=operator)
        assert b.file.name != a.file.name
        assert fresh(melding).version == melding.version

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("../../x", "x"),
            ("..\\..\\windows\\evil.exe", "evil.exe"),
            ("\x00", "bestand"),
            ("", "bestand"),
            ('a<b>:"c|?*.txt', "abc.txt"),
        ],
    )
    def test_filename_sanitising(self, melding, operator, name, expected):
        a = (
            services.add_attachment(
                melding, upload=SimpleUploadedFile(name or "placeholder", b"data"), actor=operator
            )
            if name
            else None
        )
        if a is None:
            assert services._safe_filename(name) == expected
        else:
            assert a.original_name == expected

    def test_size_limit(self, melding, operator, settings):
        settings.MAX_ATTACHMENT_BYTES = 10
        before = snapshot(melding)
        with pytest.raises(DomainError) as exc:
            services.add_attachment(melding, upload=SimpleUploadedFile("big.bin", b"x" * 11), actor=operator)
        assert "file" in exc.value.field_errors
        assert snapshot(melding) == before
        assert (
            services.add_attachment(
                melding, upload=SimpleUploadedFile("ok.bin", b"x" * 10), actor=operator
            ).size
            == 10
        )

    def test_empty_file_refused(self, melding, operator):
        with pytest.raises(DomainError):
            services.add_attachment(melding, upload=SimpleUploadedFile("empty.txt", b""), actor=operator)
        assert not Attachment.objects.exists()

    def test_caller_attachment_is_always_visible(self, melding, caller, other_caller):
        a = services.add_attachment(
            melding, upload=SimpleUploadedFile("foto.png", PNG), actor=caller, visible_to_caller=False
        )
        assert a.visible_to_caller
        with pytest.raises(NotFound):
            services.add_attachment(melding, upload=SimpleUploadedFile("foto.png", PNG), actor=other_caller)

    def test_internal_attachment_hidden_from_caller(self, melding, operator, caller):
        services.add_attachment(
            melding, upload=SimpleUploadedFile("intern.txt", b"i"), actor=operator, visible_to_caller=False
        )
        services.add_attachment(melding, upload=SimpleUploadedFile("extern.txt", b"e"), actor=operator)
        assert list(Attachment.objects.visible_to(caller).values_list("original_name", flat=True)) == [
            "extern.txt"
        ]
        assert Attachment.objects.visible_to(operator).count() == 2
        assert not HistoryEntry.objects.visible_to(caller).filter(new_value="intern.txt").exists()


def test_visible_to(melding, operator, caller, other_caller, coordinator):
    inactive = make_person(Role.OPERATOR)
    inactive.is_active = False
    inactive.save()
    assert Melding.objects.visible_to(operator).filter(pk=melding.pk).exists()
    assert Melding.objects.visible_to(coordinator).filter(pk=melding.pk).exists()
    assert Melding.objects.visible_to(caller).filter(pk=melding.pk).exists()
    assert not Melding.objects.visible_to(other_caller).exists()
    assert not Melding.objects.visible_to(inactive).exists()
    assert not Melding.objects.visible_to(None).exists()
