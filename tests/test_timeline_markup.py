# ruff: noqa: E501 (the reference markup is the template's, line for line)
"""The melding page's timeline lines, written in Python (melding_tags.timeline_entry), give the
markup the template loop gave: notes of both kinds, history with and without a field, codes shown
in the reader's language, hostile text escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from beheer.servicedesk import services
from beheer.servicedesk.models import HistoryEntry, Line, Melding, Note, Visibility
from beheer.servicedesk.models.activity import sla_detail

# The loop body of servicedesk/_detail_main.html before the lines were written in Python.
REFERENCE = Template(
    """{% load i18n beheer_tags melding_tags %}{% for e in entries %}
            {% if e|is_note %}
            <li class="entry note note-{{ e.visibility }}">
              <div class="entry-head">
                <span class="badge {% if e.visibility == 'internal' %}badge-internal{% else %}badge-caller{% endif %}">{{ e.get_visibility_display }}</span>
                <strong>{{ e.author|default:_("System") }}</strong>
                <time datetime="{{ e.created_at|iso_datetime }}" class="muted">{{ e.created_at|short_datetime }}</time>
              </div>
              <div class="text-block">{{ e.text|linebreaksbr }}</div>
            </li>
            {% elif e.action != "note" and e.action != "reply" %}
            <li class="entry history">
              <div class="entry-head">
                <span class="history-action">{{ e.action|history_action }}</span>
                <span class="muted">{{ e.actor|default:_("System") }}</span>
                <time datetime="{{ e.at|iso_datetime }}" class="muted">{{ e.at|short_datetime }}</time>
              </div>
              {% if e.old_display or e.new_display %}<div class="change">{% if e.field %}<span class="field-name">{{ e.field|field_label|capfirst }}</span>: {% endif %}<del>{{ e.old_display|default:"—" }}</del> → <ins>{{ e.new_display|default:"—" }}</ins></div>{% endif %}
              {% if e.detail and e.action != "created" %}<div class="text-block small">{{ e.detail_display|linebreaksbr }}</div>{% endif %}
            </li>
            {% endif %}
{% endfor %}"""
)
TAG = Template("{% load melding_tags %}{% for e in entries %}{% timeline_entry e %}{% endfor %}")


def _norm(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _entries(melding: Melding, operator: Any) -> list[Any]:
    services.add_note(
        melding, text="Printer <b>staat</b> uit\nTweede regel", visibility=Visibility.INTERNAL, actor=operator
    )
    services.add_note(melding, text="We komen langs & kijken", visibility=Visibility.CALLER, actor=operator)
    now = timezone.now()
    extra = [
        HistoryEntry(
            melding=melding,
            actor=operator,
            at=now,
            action="line",
            field="line",
            old_ref=Line.FIRST,
            new_ref=Line.SECOND,
        ),
        HistoryEntry(
            melding=melding,
            actor=None,
            at=now,
            action="sla_warning",
            detail=sla_detail("resolution", "at_risk"),
        ),
        HistoryEntry(melding=melding, actor=operator, at=now, action="created", detail="niet getoond"),
        HistoryEntry(melding=melding, actor=operator, at=now, action="note", detail="overgeslagen"),
        HistoryEntry(
            melding=melding,
            actor=operator,
            at=now,
            action="status",
            field="status",
            old_value="Nieuw",
            new_value="",
            old_value_en="New",
        ),
        HistoryEntry(
            melding=melding,
            actor=operator,
            at=now,
            action="custom_thing",
            old_value="<script>x</script>",
            old_value_en="<script>x</script>",
            new_value="b",
        ),
        HistoryEntry(
            melding=melding, actor=operator, at=now, action="edited", detail="Regel 1\n<i>Regel 2</i>"
        ),
    ]
    HistoryEntry.objects.bulk_create(extra)
    notes = list(Note.objects.filter(melding=melding).select_related("author"))
    history = list(HistoryEntry.objects.filter(melding=melding).select_related("actor").order_by("id"))
    return [*notes, *history]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_timeline_lines_match_the_template(melding: Melding, operator: Any, language: str) -> None:
    entries = _entries(melding, operator)
    with translation.override(language):
        reference = _norm(REFERENCE.render(Context({"entries": entries})))
        written = _norm(TAG.render(Context({"entries": entries})))
    assert written == reference
    assert "&lt;script&gt;" in written
    assert "<script>" not in written
    assert "overgeslagen" not in written  # a history line of a note is not shown (the note is)
    assert "Tweede regel" in written
