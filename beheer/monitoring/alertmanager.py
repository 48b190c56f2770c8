"""Prometheus Alertmanager's webhook format (version 4), both ways. Pure: no ORM.

Outbound: Beheer's check alerts are posted to webhooks in the shape Alertmanager itself sends, so
any receiver written for Alertmanager (chat bridges, paging tools) understands them. Inbound:
Alertmanager (or anything speaking its format) posts to Beheer, and each alert becomes a melding,
deduplicated by its fingerprint. Unknown fields are ignored, as the format grows over time.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from beheer.core.schemas import TextLine

MAX_ALERTS = 1000
ZERO_TIME = "0001-01-01T00:00:00Z"  # Alertmanager's endsAt while an alert is firing


def fingerprint(labels: dict[str, str]) -> str:
    """A stable identity for an alert: its sorted label set (as Alertmanager derives its own)."""
    text = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _time(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ZERO_TIME


def outbound(
    *,
    firing: bool,
    labels: dict[str, str],
    annotations: dict[str, str],
    starts_at: datetime,
    ends_at: datetime | None,
    generator_url: str,
    external_url: str,
    receiver: str = "beheer",
) -> dict[str, Any]:
    """One alert as an Alertmanager v4 webhook body."""
    status = "firing" if firing else "resolved"
    return {
        "version": "4",
        "groupKey": "{}:" + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": receiver,
        "groupLabels": {"alertname": labels.get("alertname", "")},
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": external_url,
        "alerts": [
            {
                "status": status,
                "labels": labels,
                "annotations": annotations,
                "startsAt": _time(starts_at),
                "endsAt": _time(None if firing else ends_at),
                "generatorURL": generator_url,
                "fingerprint": fingerprint(labels),
            }
        ],
    }


# --------------------------------------------------------------------------------------------------
# inbound


class InboundAlert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime | None = None
    endsAt: datetime | None = None
    generatorURL: TextLine = ""
    fingerprint: TextLine = ""

    @field_validator("labels", "annotations")
    @classmethod
    def _bounded(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 100:
            raise ValueError("at most 100 labels or annotations")
        return {str(k)[:200]: str(v)[:2000] for k, v in value.items()}

    def identity(self) -> str:
        return (self.fingerprint or fingerprint(self.labels))[:64]

    def title(self) -> str:
        return (
            self.annotations.get("summary")
            or self.labels.get("alertname")
            or self.annotations.get("description")
            or "alert"
        )


class InboundMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: TextLine = "4"
    status: TextLine = ""
    receiver: TextLine = ""
    alerts: list[InboundAlert] = Field(max_length=MAX_ALERTS)
