"""Reads of the measures register that the pages, the API and the exports share: the control
list, the statement of applicability, a control with its implementations and their evidence. Every
read goes through `visible_to`; lists are keyset-paginated and read a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from beheer.core.pagination import SortKey
from beheer.knowledge.models import Article
from beheer.operations.models import ActivitySeries

from ...models import (
    Applicability,
    Catalogue,
    CatalogueKind,
    Control,
    EvidenceFile,
    Implementation,
)
from .evidence import SeriesEvidence, series_evidence
from .soa import soa_controls

CONTROL_ORDER = (SortKey("sort_key"), SortKey("id"))
IMPLEMENTATION_ORDER = (SortKey("id"),)
CATALOGUE_ORDER = (SortKey("id"),)


def controls(
    user: Any, *, catalogue: Catalogue | None = None, theme: str = "", q: str = "", active_only: bool = True
) -> QuerySet[Control]:
    """The controls of `catalogue` (default: the current standard one) as `user` may read them,
    with their line of the statement of applicability (`count_implementations` adds the number of
    implementations to a page)."""
    rows = Control.objects.visible_to(user)
    if catalogue is None:
        rows = rows.filter(catalogue__kind=CatalogueKind.STANDARD, catalogue__current=True)
    else:
        rows = rows.filter(catalogue=catalogue)
    if active_only:
        rows = rows.active()
    if theme:
        rows = rows.filter(theme=theme)
    if q:
        rows = rows.filter(Q(number__startswith=q) | Q(title_nl__icontains=q) | Q(title_en__icontains=q))
    return rows.select_related("statement", "parent")


def count_implementations(items: list[Control]) -> list[Control]:
    """Set `implementation_count` on a page of controls, in one query."""
    counts = dict(
        Implementation.objects.filter(control_id__in=[c.pk for c in items])
        .values("control_id")
        .annotate(n=Count("pk"))
        .values_list("control_id", "n")
    )
    for c in items:
        c.implementation_count = counts.get(c.pk, 0)  # type: ignore[attr-defined]
    return items


def soa(user: Any, *, theme: str = "", decision: str = "") -> QuerySet[Control]:
    """The lines of the statement of applicability: every control it covers, decided or not."""
    rows = soa_controls(user)
    if theme:
        rows = rows.filter(theme=theme)
    if decision == "open":
        rows = rows.filter(statement__isnull=True)
    elif decision in Applicability.values:
        rows = rows.filter(statement__applicability=decision)
    return rows.select_related("statement", "statement__updated_by", "catalogue")


def implementations(user: Any, *, control: Control | None = None, scope_ci_id: int | None = None) -> Any:
    rows = Implementation.objects.visible_to(user).for_list()
    if control is not None:
        rows = rows.filter(control=control)
    if scope_ci_id is not None:
        rows = rows.filter(scope_ci_id=scope_ci_id)
    return rows


@dataclass
class ImplementationView:
    """An implementation with its evidence as `user` may read it."""

    implementation: Implementation
    files: list[EvidenceFile] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    series: list[SeriesEvidence] = field(default_factory=list)


def with_evidence(user: Any, rows: list[Implementation], now: datetime) -> list[ImplementationView]:
    """The evidence of each implementation: files, the procedures and preventive activities the
    reader may see, with each activity's evidence state. Four queries, however many rows."""
    if not rows:
        return []
    ids = [r.pk for r in rows]
    files: dict[int, list[EvidenceFile]] = {}
    for f in (
        EvidenceFile.objects.visible_to(user)
        .filter(implementation_id__in=ids)
        .select_related("uploaded_by")
        .order_by("id")
    ):
        files.setdefault(f.implementation_id, []).append(f)
    articles: dict[int, list[Article]] = {}
    links = Implementation.articles.through.objects.filter(
        implementation_id__in=ids, article__in=Article.objects.visible_to(user)
    ).select_related("article")
    for link in links.order_by("article__title", "id"):
        articles.setdefault(link.implementation_id, []).append(link.article)
    series_links = list(
        Implementation.series.through.objects.filter(
            implementation_id__in=ids, activityseries__in=ActivitySeries.objects.visible_to(user)
        ).values_list("implementation_id", "activityseries_id")
    )
    states = {
        e.series.pk: e
        for e in series_evidence(ActivitySeries.objects.filter(pk__in={s for _, s in series_links}), now)
    }
    by_impl: dict[int, list[SeriesEvidence]] = {}
    for impl_id, series_id in series_links:
        if series_id in states:
            by_impl.setdefault(impl_id, []).append(states[series_id])
    return [
        ImplementationView(
            r,
            files.get(r.pk, []),
            articles.get(r.pk, []),
            sorted(by_impl.get(r.pk, []), key=lambda e: (e.series.name, e.series.pk)),
        )
        for r in rows
    ]


def control_implementations(user: Any, control: Control, now: datetime) -> list[ImplementationView]:
    rows = list(implementations(user, control=control).order_by("scope_ci__name", "id"))
    rows.sort(key=lambda r: (r.scope_ci_id is not None, r.scope_name, r.pk))  # the organisation first
    return with_evidence(user, rows, now)


def prefetch_links(rows: list[Implementation]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        rows,
        Prefetch("articles", queryset=Article.objects.order_by("title", "pk")),
        Prefetch("series", queryset=ActivitySeries.objects.order_by("name", "pk")),
    )
