"""The one duration style: units, rounding, business time, both languages, the template filter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from beheer.core.durations import format_duration


@pytest.mark.parametrize(
    ("value", "english", "dutch"),
    [
        (timedelta(0), "0 min", "0 min"),
        (timedelta(seconds=20), "< 1 min", "< 1 min"),
        (timedelta(seconds=30), "1 min", "1 min"),
        (timedelta(minutes=35), "35 min", "35 min"),
        (timedelta(minutes=59, seconds=29), "59 min", "59 min"),
        (timedelta(minutes=59, seconds=30), "1 h 00 min", "1 u 00 min"),
        (timedelta(minutes=125), "2 h 05 min", "2 u 05 min"),
        (timedelta(hours=23, minutes=59, seconds=40), "1 d 0 h", "1 d 0 u"),
        (timedelta(days=3, hours=4, minutes=29), "3 d 4 h", "3 d 4 u"),
        (timedelta(days=3, hours=4, minutes=30), "3 d 5 h", "3 d 5 u"),
        (-timedelta(minutes=125), "-2 h 05 min", "-2 u 05 min"),
    ],
)
def test_style_and_rounding_in_both_languages(value: timedelta, english: str, dutch: str) -> None:
    with translation.override("en"):
        assert format_duration(value) == english
    with translation.override("nl"):
        assert format_duration(value) == dutch


def test_numbers_in_a_unit_and_business_time() -> None:
    with translation.override("en"):
        assert format_duration(125) == "2 h 05 min"  # minutes by default
        assert format_duration(12.5) == "13 min"  # halves round up
        assert format_duration(2.0833, unit="hours") == "2 h 05 min"
        assert format_duration(7500, unit="seconds") == "2 h 05 min"
        assert format_duration(45 * 60, days=False) == "45 h 00 min"  # opening hours: never days
        assert format_duration(45 * 60) == "1 d 21 h"
        assert format_duration(None) == "–"
        assert format_duration("x") == "–"
        assert format_duration("125") == "2 h 05 min"  # a number kept as text
        assert format_duration("125 min") == "2 h 05 min"  # as older records wrote it
        assert format_duration(None, empty="") == ""


@pytest.mark.parametrize(
    ("template", "context", "text"),
    [
        ("{{ v|duration }}", {"v": 125}, "2 u 05 min"),
        ("{{ v|duration }}", {"v": timedelta(days=2, hours=3)}, "2 d 3 u"),
        ('{{ v|duration:"hours" }}', {"v": 1.5}, "1 u 30 min"),
        ('{{ v|duration:"hours,no_days" }}', {"v": 30}, "30 u 00 min"),
        ('{{ v|duration:"no_days" }}', {"v": timedelta(hours=26)}, "26 u 00 min"),
        ("{{ v|duration }}", {"v": None}, "–"),
        # the older filters write the same style
        ("{{ v|minutes }}", {"v": timedelta(minutes=65)}, "1 u 05 min"),
        ("{{ v|hours_minutes }}", {"v": 95}, "1 u 35 min"),
    ],
)
def test_template_filter(template: str, context: dict[str, Any], text: str) -> None:
    with translation.override("nl"):
        rendered = Template("{% load beheer_tags %}" + template).render(Context(context))
    assert rendered == text
