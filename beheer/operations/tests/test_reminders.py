"""Reminders of preventive activities: `preventive_due` and `preventive_overdue`, once per occurrence
and event; who is told; what is never told (done, skipped, stopped, the past); the language of the
recipient; preferences and group settings; the templates and the screens that list them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core import clock
from beheer.core.scheduler import JOBS, autodiscover
from beheer.notifications import rendering
from beheer.notifications import services as notifications
from beheer.notifications.events import EVENTS, LANGUAGES
from beheer.notifications.models import OutgoingMessage
from beheer.notifications.tests.conftest import (  # noqa: F401  (fixtures: a real SMTP sink)
    SmtpServer,
    certificate,
    configure,
    smtp,
    smtp_factory,
)
from beheer.operations import services
from beheer.operations.models import ActivitySeries, LogEntry, Notice, Occurrence
from tests.helpers import client_for, make_person

from .helpers import first_open, make_series, series_fields

# Sunday 1 March 2026, 13:00 in Amsterdam; the weekly series runs on Mondays at 09:00 (08:00 UTC).
CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DUE = PLANNED + timedelta(hours=24)


def run(at: datetime) -> int:
    with clock.frozen(at):
        return services.send_reminders()


def mails(event: str, occurrence: Occurrence | None = None) -> list[OutgoingMessage]:
    qs = OutgoingMessage.objects.filter(event=event, channel="email")
    if occurrence is not None:
        qs = qs.filter(object_type="operations.occurrence", object_id=occurrence.pk)
    return list(qs.order_by("recipient"))


def to(event: str, occurrence: Occurrence | None = None) -> list[str]:
    return sorted(m.recipient for m in mails(event, occurrence))


def series_at(at: datetime, actor: User, **kwargs: Any) -> ActivitySeries:
    with clock.frozen(at):
        return make_series(actor, **kwargs)


@pytest.fixture
def group(first_line: OperatorGroup, coordinator: User) -> OperatorGroup:
    """The servicedesk with a mailbox and a coordinator."""
    first_line.email = "servicedesk@school.example"
    first_line.coordinator = coordinator
    first_line.save()
    return first_line


# --------------------------------------------------------------------------------------------------
# once per occurrence and event


def test_one_occurrence_whose_message_fails_does_not_stop_the_others(
    coordinator: User, operator: User
) -> None:
    from tests.helpers import run_job

    bad = series_at(CREATED, coordinator, assignee=operator, name="Kapot")  # told first
    good = series_at(CREATED, coordinator, assignee=operator, name="Goed")
    # stored straight into the database: a time zone that does not exist (any more)
    ActivitySeries.objects.filter(pk=bad.pk).update(time_zone="Mars/Olympus_Mons")
    with clock.frozen(PLANNED):
        run = run_job("operations.send_reminders")
    assert len(mails("preventive_due", first_open(good))) == 1
    assert mails("preventive_due", first_open(bad)) == []
    assert first_open(bad).notice == Notice.NONE  # rolled back: tried again next time
    assert run.failed_items == 1
    assert run.last_error.startswith(f"occurrence {first_open(bad).pk}: ZoneInfoNotFoundError")


def test_due_once_even_when_the_job_runs_twice(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    assert o.planned_at == PLANNED
    assert o.remind_at == PLANNED
    assert run(CREATED) == 0
    assert run(PLANNED - timedelta(minutes=1)) == 0
    assert run(PLANNED) == 1
    assert run(PLANNED) == 0
    assert run(PLANNED + timedelta(hours=1)) == 0
    [message] = mails("preventive_due")
    assert message.recipient == operator.email
    assert message.recipient_user == operator
    assert message.key.startswith(f"operations:occurrence:{o.pk}:preventive_due:")
    assert (message.object_type, message.object_id) == ("operations.occurrence", o.pk)
    assert "Back-upcontrole" in message.subject
    assert reverse("operations-occurrence", args=[o.pk]) in message.body_text
    assert Occurrence.objects.get(pk=o.pk).notice == Notice.DUE
    # the next Monday's occurrence has its own reminder, a week later (the first is overdue by then)
    assert run(PLANNED + timedelta(days=7)) == 2
    assert len(mails("preventive_due")) == 2
    assert len(mails("preventive_overdue")) == 1


def test_overdue_once_even_when_the_job_runs_twice(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    run(PLANNED)
    assert run(DUE - timedelta(seconds=1)) == 0
    assert run(DUE) == 1
    assert run(DUE) == 0
    assert run(DUE + timedelta(hours=5)) == 0
    assert to("preventive_overdue", o) == [operator.email]
    assert len(mails("preventive_due", o)) == 1
    assert Occurrence.objects.get(pk=o.pk).notice == Notice.OVERDUE


def test_the_outbox_key_keeps_a_repeat_out_even_if_the_mark_were_lost(
    coordinator: User, operator: User
) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    run(PLANNED)
    Occurrence.objects.filter(pk=o.pk).update(notice=Notice.NONE)
    run(PLANNED + timedelta(minutes=5))
    assert len(mails("preventive_due", o)) == 1


def test_found_overdue_at_once_only_the_overdue_message(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    assert run(DUE + timedelta(hours=1)) == 1  # the worker did not run in between
    assert to("preventive_overdue", o) == [operator.email]
    assert mails("preventive_due", o) == []


def test_one_email_per_occurrence_and_event_through_smtp(
    smtp: SmtpServer,  # noqa: F811
    administrator: User,
    coordinator: User,
    operator: User,
) -> None:
    configure(smtp, administrator)
    series = series_at(CREATED, coordinator, assignee=operator)
    for at in (PLANNED, PLANNED, DUE, DUE + timedelta(minutes=5)):
        run(at)
        with clock.frozen(at):
            notifications.send_due(now=at + timedelta(seconds=1))
    subjects = sorted(str(m["Subject"]).strip() for m in smtp.sink.by_to(operator.email))
    assert len(subjects) == 2
    assert subjects[0].startswith("Preventieve activiteit te laat: Back-upcontrole")
    assert subjects[1].startswith("Preventieve activiteit uitvoeren: Back-upcontrole")
    assert series.occurrences.filter(notice=Notice.OVERDUE).count() == 1


def test_the_job_is_registered() -> None:
    autodiscover()
    job = JOBS["operations.send_reminders"]
    assert job.every <= timedelta(minutes=15)


# --------------------------------------------------------------------------------------------------
# when: remind before (hours)


def test_remind_hours_before_the_planned_time(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator, remind_hours=12)
    o = first_open(series)
    assert o.remind_at == PLANNED - timedelta(hours=12)
    assert run(PLANNED - timedelta(hours=12, seconds=1)) == 0
    assert run(PLANNED - timedelta(hours=12)) == 1
    assert to("preventive_due", o) == [operator.email]


def test_changing_remind_hours_moves_the_reminders_not_yet_sent(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    run(PLANNED)  # the first one has been told
    with clock.frozen(PLANNED + timedelta(hours=1)):
        series = services.update_series(
            series,
            actor=coordinator,
            expected_version=series.version,
            **series_fields(series, remind_hours=48),
        )
    rows = list(series.occurrences.order_by("planned_at").values_list("planned_at", "remind_at", "notice"))
    assert rows[0] == (PLANNED, PLANNED, Notice.DUE)  # already told: left alone
    assert all(remind == planned - timedelta(hours=48) for planned, remind, _notice in rows[1:])
    # two days before the next Monday: its reminder (and the first one's overdue notice)
    assert run(PLANNED + timedelta(days=5)) == 2
    assert len(mails("preventive_due")) == 2


def test_remind_hours_are_checked(coordinator: User) -> None:
    from beheer.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        series_at(CREATED, coordinator, remind_hours=10**6)
    assert "remind_hours" in err.value.field_errors


# --------------------------------------------------------------------------------------------------
# who is told


def test_recipients_assignee_group_and_coordinator(
    coordinator: User, operator: User, group: OperatorGroup
) -> None:
    with_assignee = series_at(
        CREATED, coordinator, name="Met behandelaar", assignee=operator, operator_group=group
    )
    without = series_at(CREATED, coordinator, name="Zonder behandelaar", operator_group=group)
    a, b = first_open(with_assignee), first_open(without)
    run(PLANNED)
    assert to("preventive_due", a) == [operator.email]  # the assignee, not the group
    assert to("preventive_due", b) == ["servicedesk@school.example"]  # no assignee: the group
    run(DUE)
    assert to("preventive_overdue", a) == sorted([operator.email, coordinator.email])
    assert to("preventive_overdue", b) == sorted(["servicedesk@school.example", coordinator.email])


def test_an_inactive_assignee_counts_as_none(coordinator: User, operator: User, group: OperatorGroup) -> None:
    series = series_at(CREATED, coordinator, assignee=operator, operator_group=group)
    User.objects.filter(pk=operator.pk).update(is_active=False)
    run(PLANNED)
    assert to("preventive_due", first_open(series)) == ["servicedesk@school.example"]


def test_group_settings_apply(
    coordinator: User, administrator: User, operator: User, group: OperatorGroup
) -> None:
    notifications.configure_group(
        group, actor=administrator, email="", mail_group_address=False, mail_members=True
    )
    colleague = make_person(Role.OPERATOR, first_name="Cas", last_name="Collega")
    group.members.add(colleague)
    series = series_at(CREATED, coordinator, operator_group=group)
    run(PLANNED)
    assert to("preventive_due", first_open(series)) == sorted([operator.email, colleague.email])


def test_preferences_apply(coordinator: User, operator: User, group: OperatorGroup) -> None:
    notifications.set_preferences(operator, preferences={"preventive_due": False}, actor=operator)
    series = series_at(CREATED, coordinator, assignee=operator, operator_group=group)
    o = first_open(series)
    run(PLANNED)
    assert mails("preventive_due", o) == []
    assert Occurrence.objects.get(pk=o.pk).notice == Notice.DUE  # decided; not tried again
    run(DUE)
    assert to("preventive_overdue", o) == sorted([operator.email, coordinator.email])  # still on
    notifications.set_preferences(coordinator, preferences={"preventive_overdue": False}, actor=coordinator)
    second = series.occurrences.order_by("planned_at")[1]
    run(second.due_at)
    assert to("preventive_overdue", second) == [operator.email]


def test_a_series_of_nobody_tells_nobody(coordinator: User) -> None:
    series = series_at(CREATED, coordinator)
    o = first_open(series)
    assert run(PLANNED) == 0
    assert run(DUE) == 0
    assert OutgoingMessage.objects.count() == 0
    assert Occurrence.objects.get(pk=o.pk).notice == Notice.OVERDUE


def test_the_occurrence_history_shows_who_was_told(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    run(PLANNED)
    run(DUE)
    entries = list(LogEntry.objects.filter(occurrence=o).order_by("at").values_list("action", "detail"))
    assert entries == [("due_notice", str(operator)), ("overdue_notice", str(operator))]
    page = client_for(operator).get(reverse("operations-occurrence", args=[o.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "herinnering klaargezet" in text or "reminder queued for sending" in text  # queued, not sent


# --------------------------------------------------------------------------------------------------
# what is never told


def test_done_skipped_and_anomaly_send_nothing(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator, rule="FREQ=DAILY", lead_days=5)
    first, second, third, *_rest = list(series.occurrences.order_by("planned_at"))
    with clock.frozen(CREATED):
        services.complete_occurrence(first, actor=operator, expected_version=first.version)
        services.skip_occurrence(second, reason="Vakantie", actor=operator, expected_version=second.version)
        services.report_anomaly(third, reason="Schijf vol", actor=operator, expected_version=third.version)
    run(third.due_at + timedelta(hours=1))
    for o in (first, second, third):
        assert (
            OutgoingMessage.objects.filter(object_type="operations.occurrence", object_id=o.pk).count() == 0
        )


def test_done_after_the_reminder_stops_the_overdue_message(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    run(PLANNED)
    with clock.frozen(PLANNED + timedelta(hours=2)):
        services.complete_occurrence(o, actor=operator, expected_version=o.version)
    run(DUE)
    assert len(mails("preventive_due", o)) == 1
    assert mails("preventive_overdue", o) == []


def test_a_stopped_series_sends_nothing_and_its_restart_no_burst(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    run(PLANNED)
    with clock.frozen(PLANNED + timedelta(hours=1)):
        series = services.deactivate_series(series, actor=coordinator, expected_version=series.version)
    assert Occurrence.objects.filter(pk=o.pk).exists()  # past its planned time: stays, to be done
    assert run(DUE + timedelta(days=2)) == 0
    assert mails("preventive_overdue") == []
    restart = DUE + timedelta(days=3)
    with clock.frozen(restart):
        series = services.activate_series(series, actor=coordinator, expected_version=series.version)
    assert run(restart) == 0  # what fell due while it was stopped is not told afterwards
    assert run(restart + timedelta(minutes=5)) == 0
    assert mails("preventive_overdue") == []
    # from the restart on, it tells again: the next Monday
    upcoming = series.occurrences.filter(planned_at__gt=restart).order_by("planned_at")[0]
    assert run(upcoming.planned_at) == 1
    assert to("preventive_due", upcoming) == [operator.email]


def test_a_new_series_with_a_first_date_in_the_past_sends_no_burst(coordinator: User, operator: User) -> None:
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 local: today's 09:00 has passed
    series = series_at(
        now, coordinator, assignee=operator, rule="FREQ=DAILY", start_date=datetime(2025, 1, 1).date()
    )
    assert series.occurrences.filter(planned_at__lt=now).count() == 0
    assert run(now) == 0
    assert run(now + timedelta(minutes=5)) == 0
    assert OutgoingMessage.objects.count() == 0
    assert run(datetime(2026, 3, 3, 8, 0, tzinfo=UTC)) == 1  # tomorrow 09:00: the first reminder


def test_occurrences_created_overdue_after_a_pause_of_the_worker_send_nothing(
    coordinator: User, operator: User
) -> None:
    series = series_at(CREATED, coordinator, assignee=operator, rule="FREQ=DAILY", lead_days=1)
    run(CREATED)
    back = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # no worker for four days
    with clock.frozen(back):
        services.generate_occurrences(now=back)
    late = series.occurrences.filter(created_at=back, due_at__lte=back)
    assert late.count() >= 2
    assert set(late.values_list("notice", flat=True)) == {Notice.OVERDUE}
    run(back)
    for o in late:
        assert (
            OutgoingMessage.objects.filter(object_type="operations.occurrence", object_id=o.pk).count() == 0
        )
    # the one created before the pause became overdue while Beheer knew it: told
    told = series.occurrences.filter(created_at=CREATED, due_at__lte=back)
    assert {m.object_id for m in mails("preventive_overdue")} == set(told.values_list("pk", flat=True))
    # today's, planned this morning and not overdue yet, is told as due
    today = series.occurrences.get(planned_at=datetime(2026, 3, 6, 8, 0, tzinfo=UTC))
    assert to("preventive_due", today) == [operator.email]


# --------------------------------------------------------------------------------------------------
# language and texts


def test_the_language_of_the_recipient(coordinator: User, group: OperatorGroup) -> None:
    english = make_person(Role.OPERATOR, first_name="Emma", last_name="English", language="en")
    User.objects.filter(pk=coordinator.pk).update(language="nl")
    series = series_at(CREATED, coordinator, assignee=english, operator_group=group)
    o = first_open(series)
    run(PLANNED)
    run(DUE)
    [due] = mails("preventive_due", o)
    assert due.language == "en"
    assert due.subject == "Preventive activity due: Back-upcontrole (Monday 2 March 2026, 09:00)"
    assert "Please carry it out by Tuesday 3 March 2026, 09:00." in due.body_text
    assert "Backup check" in due.body_text
    assert "Dear Emma English," in due.body_text
    by_person = {m.recipient: m for m in mails("preventive_overdue", o)}
    assert by_person[english.email].subject.startswith("Preventive activity overdue: Back-upcontrole")
    dutch = by_person[coordinator.email]
    assert dutch.language == "nl"
    assert dutch.subject == "Preventieve activiteit te laat: Back-upcontrole (maandag 2 maart 2026, 09:00)"
    assert "uiterlijk dinsdag 3 maart 2026, 09:00" in dutch.body_text
    assert "Behandelaar: Emma English" in dutch.body_text
    assert "Behandelaarsgroep: Servicedesk" in dutch.body_text


def test_the_message_names_the_checklist_objects_and_link(coordinator: User, operator: User) -> None:
    series = series_at(CREATED, coordinator, assignee=operator)
    o = first_open(series)
    with clock.frozen(PLANNED):
        services.save_checklist(
            o,
            results=[services.ChecklistAnswer(True), services.ChecklistAnswer(False)],
            actor=operator,
            expected_version=o.version,
        )
    run(DUE)
    [message] = mails("preventive_overdue", o)
    assert "[x] Logboek bekijken\n[ ] Steekproef terugzetten" in message.body_text
    assert "Objecten: fs01, nas02" in message.body_text
    assert message.body_text.rstrip().endswith(reverse("operations-occurrence", args=[o.pk]))


def test_the_templates_render_in_both_languages_with_a_real_occurrence(
    coordinator: User, operator: User, group: OperatorGroup
) -> None:
    series = series_at(CREATED, coordinator, assignee=operator, operator_group=group, time_zone="UTC")
    o = first_open(series)
    context = services.message_context(o)
    for code in ("preventive_due", "preventive_overdue"):
        event = EVENTS[code]
        assert not event.about_melding
        assert event.audience == "staff"
        for language in LANGUAGES:
            rendering.check_source(event.subject[language], variables=event.all_variables)
            rendering.check_source(event.body[language], variables=event.all_variables)
            values = {k: (v[language] if isinstance(v, dict) else v) for k, v in context.items()} | {
                "recipient_name": "Olga"
            }
            rendered = rendering.render_message(
                subject=event.subject[language],
                body=event.body[language],
                body_html="",
                context=values,
                strict=True,
            )
            assert "Back-upcontrole" in rendered.subject
            assert "(UTC)" in rendered.subject  # another zone than the installation's is named
            assert "{{" not in rendered.body_text
            assert "{%" not in rendered.body_text
            assert "fs01, nas02" in rendered.body_text
            assert context["link_url"] in rendered.body_html


def test_the_template_screens_and_preferences_list_the_events(administrator: User, operator: User) -> None:
    admin = client_for(administrator)
    listing = admin.get(reverse("notification-templates")).content.decode()
    assert "preventive_due" in listing
    assert "preventive_overdue" in listing
    for code in ("preventive_due", "preventive_overdue"):
        page = admin.get(reverse("notification-template-event", args=[code]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Back-up controleren" in text
        assert "Checking the backup" in text
        for language in LANGUAGES:
            edit = admin.get(reverse("notification-template-edit", args=[code, language]))
            assert edit.status_code == 200
            assert "activity_name" in edit.content.decode()
    preferences = client_for(operator).get(reverse("notification-preferences")).content.decode()
    assert 'name="preventive_due"' in preferences
    assert 'name="preventive_overdue"' in preferences


def test_an_administrator_template_is_used(administrator: User, coordinator: User, operator: User) -> None:
    notifications.save_template(
        actor=administrator,
        event="preventive_due",
        language="nl",
        subject="Te doen: {{ activity_name }}",
        body="{{ checklist }}\n{{ link_url }}",
        body_html="",
    )
    series = series_at(CREATED, coordinator, assignee=operator)
    run(PLANNED)
    [message] = mails("preventive_due", first_open(series))
    assert message.subject == "Te doen: Back-upcontrole"


# --------------------------------------------------------------------------------------------------
# the setting on the screens and in the API


def test_remind_hours_in_the_api(coordinator: User) -> None:
    import json

    client = client_for(coordinator)
    body = {
        "name": "Hersteltest",
        "kind": "restore_test",
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "start_date": "2026-01-05",
        "start_time": "09:00",
        "remind_hours": 6,
    }
    with clock.frozen(CREATED):
        r = client.post("/api/v1/operations/series", json.dumps(body), content_type="application/json")
        assert r.status_code == 201, r.content
        assert r.json()["remind_hours"] == 6
        occurrences = client.get(f"/api/v1/operations/occurrences?series={r.json()['id']}&scope=all")
        first = occurrences.json()["items"][0]
        assert first["remind_at"] == "2026-03-02T02:00:00Z"
        bad = client.post(
            "/api/v1/operations/series",
            json.dumps({**body, "remind_hours": -1}),
            content_type="application/json",
        )
        assert bad.status_code == 400
        assert "remind_hours" in bad.json()["fields"]


def test_remind_hours_on_the_series_form(coordinator: User) -> None:
    client = client_for(coordinator)
    form = {
        "name": "UPS-test",
        "kind": "ups_test",
        "rule_0": "WEEKLY",
        "rule_1": "1",
        "rule_2": ["MO"],
        "rule_8": "never",
        "start_date": "2026-01-05",
        "start_time": "10:00",
        "time_zone": "Europe/Amsterdam",
        "lead_days": "30",
        "grace_hours": "24",
        "remind_hours": "2",
    }
    with clock.frozen(CREATED):
        assert 'name="remind_hours"' in client.get(reverse("operations-series-create")).content.decode()
        assert client.post(reverse("operations-series-create"), form).status_code == 302
        series = ActivitySeries.objects.get(name="UPS-test")
        assert series.remind_hours == 2
        detail = client.get(reverse("operations-series-detail", args=[series.pk])).content.decode()
        assert "remind_hours" not in detail
        assert ">2<" in detail
        assert (
            client.post(reverse("operations-series-create"), {**form, "remind_hours": ""}).status_code == 302
        )
        assert ActivitySeries.objects.filter(name="UPS-test").order_by("-pk")[0].remind_hours == 0
