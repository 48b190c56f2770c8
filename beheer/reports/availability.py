"""The monthly availability report: per check and per tag, against each check's norm.

The figures come from `beheer.monitoring.queries` (roll-ups); this module only picks the period,
shapes the tables for the page and the exports, and draws the chart. Periods are local dates
(inclusive): a month is a whole number of day buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.csv_export import CONTENT_TYPE
from beheer.core.errors import DomainError
from beheer.monitoring import queries

from . import charts, exports, kpis
from .periods import parse_month

MAX_DAYS = 366


def parse_period(data: Mapping[str, Any], *, today: date) -> tuple[date, date]:
    """`month` (YYYY-MM), or `date_from` and `date_to` (inclusive), or else last month."""
    month = str(data.get("month") or "").strip()
    raw_from, raw_to = (str(data.get(n) or "").strip() for n in ("date_from", "date_to"))
    if month:
        if raw_from or raw_to:
            message = _("Give either a month or a period, not both.")
            raise DomainError(message, field_errors={"month": message})
        period = parse_month(month)
        if period is None:
            message = _("Give the month as YYYY-MM, for example 2026-10.")
            raise DomainError(message, field_errors={"month": message})
        return period
    if raw_from or raw_to:
        errors = {}
        parsed: dict[str, date] = {}
        for name, raw in (("date_from", raw_from), ("date_to", raw_to)):
            try:
                parsed[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("Give a date as YYYY-MM-DD.")
        if errors:
            raise DomainError(_("The period is not valid."), field_errors=errors)
        if parsed["date_to"] < parsed["date_from"]:
            message = _("The period ends before it starts.")
            raise DomainError(message, field_errors={"date_to": message})
        if (parsed["date_to"] - parsed["date_from"]).days >= MAX_DAYS:
            message = _("The period is at most a year.")
            raise DomainError(message, field_errors={"date_to": message})
        return parsed["date_from"], parsed["date_to"]
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=kpis.zone())


def compute(user: User, date_from: date, date_to: date) -> dict[str, Any]:
    data = queries.availability_report(user, _instant(date_from), _instant(date_to + timedelta(days=1)))
    data["period"].update({"date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    return data


def may_see(user: Any) -> bool:
    """The availability report is for coordinators and administrators, like the management report."""
    return bool(access.is_coordinator(user))


def for_management_report(user: User, date_from: date, date_to: date) -> dict[str, Any] | None:
    """The availability figures for the management report of the same period (its printable page
    and its PDF); None for someone who may not see the availability report."""
    return compute(user, date_from, date_to) if may_see(user) else None


def chart(data: dict[str, Any]) -> SafeString:
    """Availability per check, lowest first (at most 40 bars)."""
    measured = [r for r in data["checks"] if r["availability"] is not None]
    measured.sort(key=lambda r: (r["availability"], r["name"]))
    return charts.bar_chart(
        title=_("Availability per check (%)"),
        items=[(r["name"], r["availability"]) for r in measured[:40]],
        unit="%",
        decimals=3,
    )


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (_("yes") if value else _("no"))


def sections(data: dict[str, Any]) -> list[exports.Section]:
    check_rows = [
        [
            r["name"],
            r["host"],
            ", ".join(r["tags"]),
            r["availability"],
            r["availability_target"],
            _yes_no(r["availability_met"]),
            r["downtime_minutes"],
            r["maintenance_minutes"],
            r["outages"],
            r["latency_avg"],
            r["latency_p95"],
            r["latency_target_ms"],
            _yes_no(r["latency_met"]),
        ]
        for r in data["checks"]
    ]

    def group_rows(key: str) -> list[list[Any]]:
        return [
            [
                r[key[:-1]],
                r["checks"],
                r["checks_met"],
                r["checks_not_met"],
                r["availability"],
                r["downtime_minutes"],
                r["outages"],
                r["latency_avg"],
                r["latency_p95"],
            ]
            for r in data[key]
        ]

    def group_header(first: str) -> list[str]:
        return [
            first,
            _("Checks"),
            _("Checks meeting their norm"),
            _("Checks not meeting their norm"),
            _("Availability (%)"),
            _("Downtime (minutes)"),
            _("Outages"),
            _("Average latency (ms)"),
            _("95th percentile latency (ms)"),
        ]

    return [
        (
            _("Checks"),
            [
                pgettext("monitoring", "Check"),
                _("Host"),
                _("Tags"),
                _("Availability (%)"),
                _("Availability norm (%)"),
                _("Norm met"),
                _("Downtime (minutes)"),
                _("Maintenance (minutes)"),
                _("Outages"),
                _("Average latency (ms)"),
                _("95th percentile latency (ms)"),
                _("Latency norm (ms)"),
                _("Latency norm met"),
            ],
            check_rows,
        ),
        (_("Tags"), group_header(_("Tag")), group_rows("tags")),
        (_("Hosts"), group_header(_("Host")), group_rows("hosts")),
    ]


def _filename(data: dict[str, Any], ext: str) -> str:
    p = data["period"]
    return f"availability-{p['date_from'].replace('-', '')}-{p['date_to'].replace('-', '')}.{ext}"


def availability_csv(data: dict[str, Any]) -> StreamingHttpResponse:
    """The tables as CSV in the reader's locale (semicolons and decimal commas in Dutch)."""
    response = StreamingHttpResponse(exports.csv_sections(sections(data)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(data, "csv")}"'
    return response


def availability_xlsx(data: dict[str, Any]) -> FileResponse:
    import tempfile

    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    exports.write_workbook(tmp, sections(data))
    return exports._file_response(tmp, _filename(data, "xlsx"))
