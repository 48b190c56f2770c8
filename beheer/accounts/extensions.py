"""Extension points for apps above accounts.

A person's page (the person's page in the configuration screens, for coordinators and
administrators) shows what apps above accounts hold about the person (the access rights they hold,
say), yet accounts may not import them. Such an app registers a section here from its
`AppConfig.ready()`; accounts reads only this registry.

- A person section: `render(person)` returns HTML for coordinators and administrators, with a
  bounded number of queries whatever the person holds.

Registering the same name twice replaces the earlier entry (tests and reloads stay idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class PersonSection:
    name: str
    render: Callable[[Any], str]
    order: int = 100


_PERSON_SECTIONS: dict[str, PersonSection] = {}


def register_person_section(section: PersonSection) -> None:
    _PERSON_SECTIONS[section.name] = section


def person_sections() -> tuple[str, ...]:
    return tuple(_PERSON_SECTIONS)


def render_person_sections(person: Any) -> SafeString:
    """The registered sections of a person's page, by their order."""
    sections = sorted(_PERSON_SECTIONS.values(), key=lambda s: (s.order, s.name))
    return mark_safe("".join(str(s.render(person)) for s in sections))  # noqa: S308
