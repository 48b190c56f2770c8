"""Extension points for apps above the CMDB.

The CMDB may not import the apps that build on it, yet a CI's page shows their part (its meldingen,
its checks and availability, its preventive activities), and the common-cause finding needs to know
which CIs are in trouble (open meldingen, failing checks). Such an app registers here from its
`AppConfig.ready()`; the CMDB reads only this registry.

- A page section: a panel on the CI page, drawn by the registering app (`render(request, ci)` returns
  HTML) with a bounded number of queries of its own, whatever the CI holds.
- A trouble source: `read()` returns the ids of the CIs that are in trouble now, by that app's
  measure; `impact.likely_causes` combines every source.

Registering the same name twice replaces the earlier entry (tests and reloads stay idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class PageSection:
    name: str
    render: Callable[[Any, Any], str]
    order: int = 100


@dataclass(frozen=True)
class TroubleSource:
    name: str
    read: Callable[[], Iterable[int]]


_PAGE_SECTIONS: dict[str, PageSection] = {}
_TROUBLE: dict[str, TroubleSource] = {}


def register_page_section(section: PageSection) -> None:
    _PAGE_SECTIONS[section.name] = section


def register_trouble_source(source: TroubleSource) -> None:
    _TROUBLE[source.name] = source


def render_page_sections(request: Any, ci: Any) -> SafeString:
    """The registered sections of the CI page, by their order."""
    sections = sorted(_PAGE_SECTIONS.values(), key=lambda s: (s.order, s.name))
    return mark_safe("".join(str(s.render(request, ci)) for s in sections))  # noqa: S308


def trouble_sources() -> tuple[str, ...]:
    """The names of the registered trouble sources."""
    return tuple(_TROUBLE)


def troubled() -> set[int]:
    """The CIs in trouble by every registered source."""
    found: set[int] = set()
    for source in _TROUBLE.values():
        found.update(source.read())
    return found
