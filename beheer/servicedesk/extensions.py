"""Extension points for apps above the servicedesk.

The servicedesk may not import the apps that build on it, yet some of them show something on the
melding: problem management shows the melding's problem on its page and in the API's melding detail.
Such an app registers here from its `AppConfig.ready()`; the servicedesk reads only this registry.

- A page section: a panel on the melding page, drawn by the registering app (`render(context, melding)`
  returns HTML), with the relations it reads (`related`), which the page's one query of the melding
  loads (`select_related`), so a section costs the page no query of its own.
- A detail field: a key of the API's melding detail (`read(melding, viewer)`), with the relations it
  reads (`related`), loaded the same way by the detail's and the partial list's query.

Registering the same name twice replaces the earlier entry (tests and reloads stay idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class PageSection:
    name: str
    render: Callable[[Any, Any], str]
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class DetailField:
    name: str
    read: Callable[[Any, Any], Any]
    related: tuple[str, ...] = ()
    empty: Any = None  # the value for a melding registered in this very request: nothing links it yet


_PAGE_SECTIONS: dict[str, PageSection] = {}
_DETAIL_FIELDS: dict[str, DetailField] = {}


def register_page_section(section: PageSection) -> None:
    _PAGE_SECTIONS[section.name] = section


def register_detail_field(detail: DetailField) -> None:
    _DETAIL_FIELDS[detail.name] = detail


def page_related() -> tuple[str, ...]:
    """The relations the registered page sections read, for the melding page's query."""
    return tuple(dict.fromkeys(path for s in _PAGE_SECTIONS.values() for path in s.related))


def render_page_sections(context: Any, melding: Any) -> SafeString:
    """The registered sections of the melding page, in the order they were registered."""
    return mark_safe("".join(str(s.render(context, melding)) for s in _PAGE_SECTIONS.values()))  # noqa: S308


def detail_related() -> tuple[str, ...]:
    """The relations the registered detail fields read, for the API's melding queries."""
    return tuple(dict.fromkeys(path for d in _DETAIL_FIELDS.values() for path in d.related))


def detail_fields(melding: Any, viewer: Any, *, new: bool = False) -> dict[str, Any]:
    """The registered keys of the API's melding detail, as `viewer` may see them; for a melding
    registered in this request (`new`) their empty values, read from nowhere."""
    return {d.name: d.empty if new else d.read(melding, viewer) for d in _DETAIL_FIELDS.values()}
