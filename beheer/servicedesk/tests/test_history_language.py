"""History reads in the reader's language, whoever wrote it: choices and the SLA sweep's reasons are
kept as codes and shown as labels when read (UI and API)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from beheer.accounts.models import Role, User
from beheer.servicedesk import services
from beheer.servicedesk.models import HistoryEntry, Melding, SlaEscalationKind, SlaMetric
from beheer.servicedesk.services.service_level import _escalation_actions
from tests.helpers import client_for, make_person


def _reader(language: str) -> Any:
    reader = make_person(Role.OPERATOR, first_name="Rita", last_name="Reader")
    User.objects.filter(pk=reader.pk).update(language=language)
    reader.refresh_from_db()
    return client_for(reader)


def _escalate(melding: Melding, specialist_group: Any, writer: User, language: str) -> None:
    User.objects.filter(pk=writer.pk).update(language=language)
    with translation.override(language):  # as the writer's request runs
        services.escalate_melding(
            melding, to_group=specialist_group, reason="Zie logboek", actor=writer, expected_version=None
        )


def _line_change(client: Any, melding: Melding) -> dict[str, Any]:
    rows = client.get(f"/api/v1/meldingen/{melding.pk}/history").json()
    return next(r for r in rows if r["field"] == "line")


@pytest.mark.parametrize(
    ("writer_language", "reader_language", "old", "new", "wrong"),
    [
        ("nl", "en", "First line", "Second line", "Eerste lijn"),
        ("en", "nl", "Eerste lijn", "Tweede lijn", "First line"),
    ],
)
def test_an_escalation_reads_in_the_readers_language(
    melding, operator, second_line, writer_language, reader_language, old, new, wrong
):
    _escalate(melding, second_line, operator, writer_language)
    reader = _reader(reader_language)
    change = _line_change(reader, melding)
    assert (change["old_value"], change["new_value"]) == (old, new)
    page = reader.get(f"/meldingen/{melding.pk}/").content.decode()
    assert f"<del>{old}</del> → <ins>{new}</ins>" in page
    assert wrong not in page
    assert HistoryEntry.objects.get(melding=melding, field="line").new_ref == "second"


def test_the_sla_sweeps_reason_reads_in_the_readers_language(melding):
    with translation.override("nl"):  # the worker runs in the installation's language
        _escalation_actions(
            melding, metric=SlaMetric.RESOLUTION, kind=SlaEscalationKind.AT_RISK, now=melding.created_at
        )
    rows = _reader("en").get(f"/api/v1/meldingen/{melding.pk}/history").json()
    assert [r["detail"] for r in rows if r["action"] == "sla_at_risk"] == ["The resolution time is at risk."]
    rows = _reader("nl").get(f"/api/v1/meldingen/{melding.pk}/history").json()
    assert [r["detail"] for r in rows if r["action"] == "sla_at_risk"] == ["De oplostijd dreigt te verlopen."]


def test_rows_written_before_get_their_codes(melding):
    migration = import_module("beheer.servicedesk.migrations.0019_history_codes")
    # as a Dutch operator's escalation used to be stored: the old line in Dutch in both copies
    HistoryEntry.objects.create(
        melding=melding,
        at=melding.created_at,
        action="escalated",
        field="line",
        old_value="Eerste lijn",
        old_value_en="Eerste lijn",
        new_value="Tweede lijn",
        new_value_en="Second line",
    )
    HistoryEntry.objects.create(
        melding=melding, at=melding.created_at, action="sla_breached", field="resolution",
        detail="De oplostijd is overschreden.",
    )  # fmt: skip
    migration.to_codes(apps, None)
    rows = _reader("en").get(f"/api/v1/meldingen/{melding.pk}/history").json()
    line = next(r for r in rows if r["field"] == "line")
    assert (line["old_value"], line["new_value"]) == ("First line", "Second line")
    assert "The resolution time has been exceeded." in [r["detail"] for r in rows]
