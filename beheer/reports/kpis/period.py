"""The report period and filter: local dates in the site's time zone, and the dimensions a report
can be narrowed to (operator group, category, department, priority)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from beheer.accounts.models import Department, OperatorGroup
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.servicedesk.models import Category, Priority

MAX_PERIOD_DAYS = 3 * 366  # about three years
FILTER_FIELDS = ("operator_group", "category", "department", "priority")


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --------------------------------------------------------------------------------------------------
# the filter


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date
    operator_group: int | None = None
    category: int | None = None
    department: int | None = None
    priority: int | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(0), tzinfo=zone())

    @property
    def end(self) -> datetime:
        """The first instant after the period (midnight at the end of date_to)."""
        return datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=zone())

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def params(self) -> dict[str, str]:
        """Query-string parameters that rebuild this filter (for links and exports)."""
        out = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        return out

    def dimensions(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FILTER_FIELDS}


def _parse_date(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value or "").strip()
    if not text:
        errors[field] = _("Enter a date.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _parse_id(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[field] = _("Enter a number.")
        return None
    if not 1 <= number <= 2**63 - 1:
        errors[field] = _("Enter a valid id.")
        return None
    return number


def parse_filter(data: Mapping[str, Any]) -> ReportFilter:
    """A ReportFilter from query parameters; DomainError with field errors on bad input."""
    errors: dict[str, str] = {}
    date_from = _parse_date(data.get("date_from"), "date_from", errors)
    date_to = _parse_date(data.get("date_to"), "date_to", errors)
    ids = {name: _parse_id(data.get(name), name, errors) for name in FILTER_FIELDS}
    if date_from and date_to:
        if date_to < date_from:
            errors["date_to"] = _("The end date lies before the start date.")
        elif (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
            errors["date_to"] = _("A report covers at most three years.")
    if errors:
        raise DomainError(_("The report period or filter is not valid."), field_errors=errors)
    assert date_from is not None
    assert date_to is not None
    return ReportFilter(date_from=date_from, date_to=date_to, **ids)


def today() -> date:
    """Today's local date: a report never draws days that have not happened yet."""
    return clock.now().astimezone(zone()).date()


def filter_labels(f: ReportFilter) -> dict[str, str]:
    """Display names of the chosen filter values (for headings and exports)."""
    out: dict[str, str] = {}
    models: dict[str, Any] = {
        "operator_group": OperatorGroup,
        "category": Category,
        "department": Department,
        "priority": Priority,
    }
    for name, model in models.items():
        value = getattr(f, name)
        if value is not None:
            obj = model.objects.filter(pk=value).first()
            out[name] = str(getattr(obj, "display_name", None) or obj) if obj else f"#{value}"
    return out
