"""The suggested CIA classification of a CI, inherited downward through the CMDB relations.

A CI that a classified service or application rests on (directly or through other CIs) is suggested
at least that classification, per aspect the highest of the classified CIs above it: the server a
high-confidentiality application runs on is suggested high confidentiality. The walk goes up the
relations from each CI (the CIs that depend on it, `Relation.dependent`), at most `MAX_DEPTH`
relations far, so a cycle or a long chain ends it; one statement for a batch of CIs, one query for
the classifications found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from beheer.cmdb.models import Relation

from ...models import CIA_FIELDS, Classification

MAX_DEPTH = 6  # relations walked up from a CI
CHUNK = 300  # CIs per statement


@dataclass(frozen=True)
class Source:
    """Where one aspect's suggestion comes from: the classified CI above and how far it is."""

    ci_id: int
    name: str
    depth: int


@dataclass
class Suggestion:
    """The suggested value of each aspect (availability, integrity, confidentiality) and its source;
    an aspect without a classified CI above has none."""

    values: dict[str, int] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    def value(self, aspect: str) -> int | None:
        return self.values.get(aspect)

    @property
    def empty(self) -> bool:
        return not self.values

    def source_names(self) -> list[str]:
        return sorted({s.name for s in self.sources.values()})


def _walk_sql(starts: int) -> str:
    table = Relation._meta.db_table
    seeds = " UNION ".join(["SELECT CAST(%s AS BIGINT), CAST(%s AS BIGINT), 0"] * starts)
    return (
        f"WITH RECURSIVE reached(origin, id, depth) AS ({seeds} "  # noqa: S608 - built from constants
        f"UNION SELECT reached.origin, r.dependent_id, reached.depth + 1 FROM {table} r "
        "JOIN reached ON r.dependency_id = reached.id WHERE reached.depth < %s) "
        "SELECT origin, id, MIN(depth) FROM reached WHERE id <> origin GROUP BY origin, id"
    )


def above(ci_ids: Iterable[int], *, max_depth: int = MAX_DEPTH) -> dict[int, dict[int, int]]:
    """For each CI, the CIs that rest on it (at most `max_depth` relations up), with their nearest
    distance; the CI itself not included."""
    starts = sorted(set(ci_ids))
    found: dict[int, dict[int, int]] = {ci: {} for ci in starts}
    with connection.cursor() as cursor:
        for i in range(0, len(starts), CHUNK):
            part = starts[i : i + CHUNK]
            cursor.execute(_walk_sql(len(part)), [*[v for ci in part for v in (ci, ci)], max_depth])
            for origin, ci, depth in cursor.fetchall():
                found[origin][ci] = depth
    return found


def suggestions(ci_ids: Iterable[int], *, max_depth: int = MAX_DEPTH) -> dict[int, Suggestion]:
    """The suggestion of each CI in `ci_ids` (empty when nothing above it is classified). Two
    queries whatever the number of CIs (per CHUNK)."""
    reached = above(ci_ids, max_depth=max_depth)
    wanted = {ci for ups in reached.values() for ci in ups}
    classified = (
        {
            c.ci_id: c
            for c in Classification.objects.filter(ci_id__in=sorted(wanted))
            .select_related("ci")
            .only("ci_id", "ci__name", *CIA_FIELDS)
        }
        if wanted
        else {}
    )
    out: dict[int, Suggestion] = {}
    for origin, ups in reached.items():
        suggestion = Suggestion()
        for ci_id, depth in ups.items():
            c = classified.get(ci_id)
            if c is None:
                continue
            for aspect in CIA_FIELDS:
                value = int(getattr(c, aspect))
                current = suggestion.sources.get(aspect)
                better = (
                    current is None
                    or value > suggestion.values[aspect]
                    or (
                        value == suggestion.values[aspect]
                        and (depth, c.ci.name) < (current.depth, current.name)
                    )
                )
                if better:
                    suggestion.values[aspect] = value
                    suggestion.sources[aspect] = Source(ci_id, c.ci.name, depth)
        out[origin] = suggestion
    return out


def suggestion_for(ci_id: int) -> Suggestion:
    return suggestions([ci_id])[ci_id]
