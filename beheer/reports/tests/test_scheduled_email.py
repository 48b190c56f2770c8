"""Scheduled reports by e-mail: the PDF attached, once, only to an owner who may see it, within the
outbox's size limit. Against a real SMTP sink (aiosmtpd on loopback)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.notifications import services as notifications
from beheer.notifications.models import MessageStatus, OutgoingAttachment, OutgoingMessage
from beheer.notifications.tests import conftest as smtp_fixtures
from beheer.notifications.tests.conftest import SmtpServer, configure
from beheer.reports import services
from beheer.reports.models import ReportFormat, ReportRun, ScheduledReport
from tests.helpers import client_for

from .test_kpis import Month, build_month

certificate = smtp_fixtures.certificate  # a real SMTP sink on loopback, as in the outbox tests
smtp_factory = smtp_fixtures.smtp_factory
smtp = smtp_fixtures.smtp

AMS = ZoneInfo("Europe/Amsterdam")
SCHEDULED = datetime(2026, 10, 14, tzinfo=AMS)
RUN_AT = datetime(2026, 11, 1, 6, 10, tzinfo=AMS)


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def schedule(owner: User, *, email_file: bool) -> ScheduledReport:
    with clock.frozen(SCHEDULED):
        return services.schedule_report(
            actor=owner,
            name="Maand",
            frequency="monthly",
            filters={},
            file_format=ReportFormat.PDF,
            email_file=email_file,
        )


def test_the_report_is_mailed_with_the_pdf_attached_once(
    month: Month, coordinator: User, administrator: User, smtp: SmtpServer
) -> None:
    schedule(coordinator, email_file=True)
    assert services.run_due_reports(now=RUN_AT) == 1
    run = ReportRun.objects.get()
    message = OutgoingMessage.objects.get(event="report_ready")
    assert (message.status, message.attachment_count) == (MessageStatus.PENDING, 1)  # queued, not sent
    configure(smtp, administrator)
    assert notifications.send_due()["sent"] == 1  # (the month's call notifications are long expired)

    [mail] = smtp.sink.messages
    assert str(mail["To"]) == coordinator.email
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == run.filename
    with run.file.open("rb") as handle:
        assert attachment.get_content() == handle.read()
    body = mail.get_body(("plain",))
    assert body is not None
    assert "bijlage" in body.get_content() or "attached" in body.get_content()
    # a second sweep neither makes a second run nor a second message or attachment
    assert services.run_due_reports(now=RUN_AT) == 0
    services._announce(run, coordinator)  # the same occurrence queued again
    assert OutgoingMessage.objects.filter(event="report_ready").count() == 1
    assert OutgoingAttachment.objects.count() == 1
    assert "sent" not in notifications.send_due()
    assert len(smtp.sink.messages) == 1


def test_without_the_option_or_over_the_limit_the_mail_only_links(
    month: Month, coordinator: User, settings: Any
) -> None:
    schedule(coordinator, email_file=False)
    services.run_due_reports(now=RUN_AT)
    plain = OutgoingMessage.objects.get(event="report_ready")
    assert plain.attachment_count == 0
    assert "/reports/runs/" in plain.body_text

    ScheduledReport.objects.update(email_file=True, next_run_at=datetime(2026, 12, 1, 6, tzinfo=AMS))
    settings.NOTIFICATIONS_MAX_ATTACHMENT_BYTES = 100  # far smaller than any PDF
    services.run_due_reports(now=datetime(2026, 12, 1, 6, 10, tzinfo=AMS))
    large = OutgoingMessage.objects.filter(event="report_ready").exclude(pk=plain.pk).get()
    assert large.attachment_count == 0
    assert "/reports/runs/" in large.body_text


def test_only_an_owner_who_may_see_the_report_gets_the_file(month: Month, coordinator: User) -> None:
    schedule(coordinator, email_file=True)
    with clock.frozen(RUN_AT):
        services.run_due_reports(now=RUN_AT)
    run = ReportRun.objects.get()
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    coordinator.refresh_from_db()
    assert services._attachment(run, coordinator) == []
    User.objects.filter(pk=coordinator.pk).update(is_active=True)
    coordinator.refresh_from_db()
    assert len(services._attachment(run, coordinator)) == 1


def test_the_schedule_form_has_the_option(month: Month, coordinator: User) -> None:
    client = client_for(coordinator)
    assert 'name="email_file"' in client.get("/reports/schedules/").content.decode()
    response = client.post(
        "/reports/schedules/",
        {"name": "Met bijlage", "frequency": "weekly", "file_format": "pdf", "email_file": "on"},
    )
    assert response.status_code == 302
    assert client.post("/reports/schedules/", {"name": "Zonder", "frequency": "weekly"}).status_code == 302
    assert dict(ScheduledReport.objects.values_list("name", "email_file")) == {
        "Met bijlage": True,
        "Zonder": False,
    }


def test_attachments_are_bounded(caller: User, settings: Any) -> None:
    settings.NOTIFICATIONS_MAX_ATTACHMENT_BYTES = 1_000
    big = notifications.OutgoingFile("big.pdf", "application/pdf", b"%PDF" + b"x" * 2_000)
    with pytest.raises(notifications.DomainError):
        notifications.enqueue(
            "report_ready",
            key="report-run:x",
            recipients=[caller],
            context={"report_name": "x", "period": "x", "file_format": "PDF", "link_url": "x"},
            object_ref=None,
            attachments=[big],
        )
    assert not OutgoingMessage.objects.exists()
