"""Calendar months as report periods (local dates, inclusive), shared by the management report, its
PDF and the availability report."""

from __future__ import annotations

from datetime import date, timedelta


def parse_month(text: str) -> tuple[date, date] | None:
    """The first and last day of a month given as YYYY-MM; None when it is not one (2000-2100)."""
    try:
        year, month = (int(part) for part in text.strip().split("-", 1))
        first = date(year, month, 1)
    except ValueError:
        return None
    if not 2000 <= year <= 2100:
        return None
    return first, month_end(first)


def month_end(first: date) -> date:
    """The last day of the month of `first`."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
