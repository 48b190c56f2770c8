"""The fast date filters of the melding page write exactly what Django's `date` filter writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from beheer.core.templatetags import beheer_tags

MOMENTS = [
    datetime(2026, 1, 3, 1, 4, 9, tzinfo=UTC),  # one-digit day, month and hour in Amsterdam
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),  # a new year in Amsterdam
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night the clock goes forward
    datetime(2026, 10, 25, 1, 15, tzinfo=UTC),  # the night the clock goes back
    datetime(987, 6, 5, 4, 3, 2, tzinfo=UTC),  # a year of three digits
]


def render(source: str, value: Any) -> str:
    return Template("{% load beheer_tags %}" + source).render(Context({"v": value}))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_the_fast_filters_equal_the_date_filter(settings: Any, language: str, moment: datetime) -> None:
    settings.TIME_ZONE = "Europe/Amsterdam"
    with translation.override(language):
        expected = render('{{ v|date:"SHORT_DATETIME_FORMAT" }}', moment)
        assert render("{{ v|short_datetime }}", moment) == expected
        assert render("{{ v|iso_datetime }}", moment) == render("{{ v|date:'c' }}", moment)
        assert render("{{ v|iso_datetime }}", moment) != moment.isoformat()  # in Amsterdam, not UTC


@pytest.mark.parametrize("fmt", ["j-n-Y H:i", "d-m-Y H:i", "d/m/y G:i:s"])
def test_numeric_formats_are_compiled(fmt: str) -> None:
    moment = datetime(2026, 2, 3, 4, 5, 6, tzinfo=ZoneInfo("Europe/Amsterdam"))
    parts = beheer_tags._compiled_format(fmt)
    assert parts is not None
    written = "".join(p if isinstance(p, str) else p(moment) for p in parts)
    assert written == beheer_tags.date_filter(moment, fmt)


@pytest.mark.parametrize("fmt", ["m/d/Y P", "N j, Y, P", r"j \d\e F Y", "D d-m-Y"])
def test_other_formats_are_left_to_django(settings: Any, fmt: str) -> None:
    assert beheer_tags._compiled_format(fmt) is None
    moment = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)
    with translation.override("en"):
        settings.SHORT_DATETIME_FORMAT = fmt
        settings.FORMAT_MODULE_PATH = None
        expected = render('{{ v|date:"SHORT_DATETIME_FORMAT" }}', moment)
        assert render("{{ v|short_datetime }}", moment) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_no_datetime_is_written_as_the_date_filter_writes_it(value: Any) -> None:
    assert render("{{ v|short_datetime }}", value) == render('{{ v|date:"SHORT_DATETIME_FORMAT" }}', value)
    assert render("{{ v|iso_datetime }}", value) == render("{{ v|date:'c' }}", value)
