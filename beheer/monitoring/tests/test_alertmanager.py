"""Alertmanager both ways: check alerts out as v4 webhooks and e-mail, Alertmanager webhooks in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from beheer.core.errors import PermissionDenied
from beheer.monitoring import alertmanager
from beheer.monitoring.models import AlertSource, Check, ReceivedAlert
from beheer.monitoring.services import create_alert_source, record_result
from beheer.notifications import services as notifications
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk.models import EntryType, Melding, Note, StatusKind

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

FIRING = {
    "receiver": "beheer",
    "status": "firing",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "DiskFull", "instance": "files01:9100", "severity": "critical"},
            "annotations": {"summary": "Disk almost full on files01", "description": "/data is 97% full"},
            "startsAt": "2026-11-30T08:58:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.local/graph?g0.expr=disk",
            "fingerprint": "a1b2c3d4e5f60718",
            "someFutureField": {"nested": True},
        }
    ],
    "groupLabels": {"alertname": "DiskFull"},
    "commonLabels": {"alertname": "DiskFull"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.local",
    "version": "4",
    "groupKey": '{}:{alertname="DiskFull"}',
    "truncatedAlerts": 0,
}


def resolved_message() -> dict[str, Any]:
    message = json.loads(json.dumps(FIRING))
    message["status"] = message["alerts"][0]["status"] = "resolved"
    message["alerts"][0]["endsAt"] = "2026-11-30T09:30:00Z"
    return message


@pytest.fixture
def source(db: Any, administrator: Any, first_line: Any) -> tuple[AlertSource, str]:
    return create_alert_source(actor=administrator, name="Prometheus", operator_group=first_line)


def post(token: str, message: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/monitoring/alertmanager/{token}", data=json.dumps(message), content_type="application/json"
    )


def test_a_firing_alert_opens_one_melding_and_its_resolution_resolves_it(source):
    src, token = source
    answer = post(token, FIRING)
    assert answer.status_code == 200, answer.content
    assert answer.json()["opened"] == 1
    m = Melding.objects.get()
    assert m.entry_type == EntryType.MONITORING
    assert "Disk almost full on files01" in m.brief_description
    assert "severity=critical" in m.request
    assert m.operator_group == src.operator_group
    assert m.object_name == "files01:9100"
    # Alertmanager repeats a firing alert every repeat_interval: nothing new
    assert post(token, FIRING).json()["repeated"] == 1
    assert Melding.objects.count() == 1
    assert post(token, resolved_message()).json()["resolved"] == 1
    m.refresh_from_db()
    assert m.status.kind == StatusKind.RESOLVED
    # firing again re-opens the same melding instead of registering a second one
    assert post(token, FIRING).json()["opened"] == 1
    assert Melding.objects.count() == 1
    m.refresh_from_db()
    assert m.status.kind != StatusKind.RESOLVED
    assert ReceivedAlert.objects.get().fingerprint == "a1b2c3d4e5f60718"


def test_a_source_can_keep_the_melding_open_and_only_note_the_resolution(source):
    src, token = source
    AlertSource.objects.filter(pk=src.pk).update(resolve_on_resolved=False)
    post(token, FIRING)
    post(token, resolved_message())
    m = Melding.objects.get()
    assert m.status.kind != StatusKind.RESOLVED
    assert Note.objects.filter(melding=m, text__contains="Disk almost full").exists()


def test_the_fingerprint_is_derived_from_the_labels_when_absent_and_the_bearer_header_works(source):
    _src, token = source
    message = json.loads(json.dumps(FIRING))
    del message["alerts"][0]["fingerprint"]
    second = json.loads(json.dumps(message["alerts"][0]))
    second["labels"]["instance"] = "files02:9100"
    message["alerts"].append(second)
    answer = Client().post(
        "/api/v1/monitoring/alertmanager",
        data=json.dumps(message),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["opened"] == 2
    assert set(ReceivedAlert.objects.values_list("fingerprint", flat=True)) == {
        alertmanager.fingerprint(message["alerts"][0]["labels"]),
        alertmanager.fingerprint(second["labels"]),
    }


def test_unknown_tokens_and_bad_payloads_are_refused_without_side_effects(source):
    _src, token = source
    assert post("not-the-token", FIRING).status_code == 404
    assert (
        Client()
        .post(
            "/api/v1/monitoring/alertmanager",
            data=json.dumps(FIRING),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer wrong",
        )
        .status_code
        == 404
    )
    bad = json.loads(json.dumps(FIRING))
    bad["alerts"][0]["status"] = "exploding"
    answer = post(token, bad)
    assert 400 <= answer.status_code < 500
    assert "status" in answer.content.decode()
    garbage = Client().post(
        f"/api/v1/monitoring/alertmanager/{token}", data="{not json", content_type="application/json"
    )
    assert 400 <= garbage.status_code < 500
    assert not Melding.objects.exists()
    assert not ReceivedAlert.objects.exists()


def test_only_administrators_create_alert_sources(operator):
    with pytest.raises(PermissionDenied):
        create_alert_source(actor=operator, name="Prometheus")


def test_fingerprints_ignore_label_order_and_the_outbound_body_is_alertmanager_v4():
    assert alertmanager.fingerprint({"a": "1", "b": "2"}) == alertmanager.fingerprint({"b": "2", "a": "1"})
    assert alertmanager.fingerprint({"a": "1"}) != alertmanager.fingerprint({"a": "2"})
    body = alertmanager.outbound(
        firing=True,
        labels={"alertname": "BeheerCheckDown", "check": "Web"},
        annotations={"summary": "Down: Web"},
        starts_at=T0,
        ends_at=None,
        generator_url="https://beheer.example/meldingen/1/",
        external_url="https://beheer.example",
    )
    assert body["version"] == "4"
    assert body["status"] == "firing"
    alert = body["alerts"][0]
    assert alert["endsAt"] == alertmanager.ZERO_TIME
    assert alert["startsAt"] == "2026-11-30T09:00:00Z"
    # what Beheer sends, Beheer (and Alertmanager receivers) can read back
    parsed = alertmanager.InboundMessage.model_validate(body)
    assert parsed.alerts[0].identity() == alert["fingerprint"]


@pytest.mark.django_db
def test_a_check_going_down_and_up_alerts_its_group_and_webhooks_in_alertmanager_format(
    administrator: Any, first_line: Any
) -> None:
    notifications.configure_group(
        first_line,
        actor=administrator,
        email="eerstelijn@school.example",
        mail_group_address=True,
        mail_members=False,
    )
    notifications.create_webhook(
        actor=administrator,
        name="Chat",
        url="https://chat.school.example/hook",
        events=["check_down", "check_up"],
        secret="0123456789abcdef0123",
        active=True,
    )
    check = Check.objects.create(
        name="Leerlingportaal",
        kind="http",
        target="https://portaal.school.example/",
        max_attempts=2,
        operator_group=first_line,
        created_at=T0,
    )
    for i in range(2):
        record_result(check, ok=False, at=T0 + timedelta(minutes=i), detail="HTTP 503")
    down = OutgoingMessage.objects.filter(event="check_down")
    assert {m.channel for m in down} == {"email", "webhook"}
    assert down.get(channel="email").recipient == "eerstelijn@school.example"
    body = json.loads(down.get(channel="webhook").body_text)
    assert body["version"] == "4"
    assert body["status"] == "firing"
    assert body["alerts"][0]["labels"]["check"] == "Leerlingportaal"
    assert body["alerts"][0]["annotations"]["description"] == "HTTP 503"
    record_result(check, ok=True, at=T0 + timedelta(minutes=5), detail="HTTP 200")
    up = json.loads(OutgoingMessage.objects.get(event="check_up", channel="webhook").body_text)
    assert up["status"] == "resolved"
    assert up["alerts"][0]["fingerprint"] == body["alerts"][0]["fingerprint"]
    assert up["alerts"][0]["endsAt"] != alertmanager.ZERO_TIME
    # one alert per state change, not per result
    record_result(check, ok=True, at=T0 + timedelta(minutes=6), detail="HTTP 200")
    assert (
        OutgoingMessage.objects.filter(event__in=["check_down", "check_up"], channel="webhook").count() == 2
    )
