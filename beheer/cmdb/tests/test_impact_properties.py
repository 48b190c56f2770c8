"""Properties of the impact analysis on random graphs: the recursive SQL walk (`impact.reach`) and
the common-cause choice (`impact.common_causes`, `impact.pick_causes`) agree with brute force in
Python over the same edges.

Each example writes its graph with `bulk_create` (not the services, for speed: the services'
relation checks have their own tests in test_impact.py): up to 40 CIs and up to 120 relations of
random kinds, no CI related to itself, no (source, target, kind) twice, cycles allowed. Each
relation's `dependent`/`dependency` come from `cmdb.models.dependency_ends`, as in the service. The
example runs in a savepoint that is rolled back, so examples do not see each other's CIs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beheer.cmdb import impact
from beheer.cmdb.models import (
    CiType,
    ConfigurationItem,
    Relation,
    RelationKind,
    dependency_ends,
)
from beheer.core import clock

MAX_NODES = 40
KINDS = list(RelationKind.values)

Edge = tuple[int, int, str]  # (source index, target index, kind)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[Edge], list[int]]:
    """(number of CIs, relations between their indexes, the indexes of the CIs in trouble)."""
    n = draw(st.integers(min_value=1, max_value=MAX_NODES))
    index = st.integers(min_value=0, max_value=n - 1)
    edges = draw(
        st.lists(
            st.tuples(index, index, st.sampled_from(KINDS)).filter(lambda e: e[0] != e[1]),
            max_size=3 * n,
            unique=True,
        )
    )
    troubled = draw(st.lists(index, max_size=min(n, 8), unique=True))
    return n, edges, troubled


def walk(starts: Iterable[int], step: dict[int, set[int]]) -> set[int]:
    """Breadth-first over `step` (a CI -> the CIs one relation further), the starts included."""
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in step.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def steps(pairs: Iterable[tuple[int, int]]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """From (dependent, dependency) pairs: upward (a CI -> what depends on it) and downward."""
    up: dict[int, set[int]] = {}
    down: dict[int, set[int]] = {}
    for dependent, dependency in pairs:
        up.setdefault(dependency, set()).add(dependent)
        down.setdefault(dependent, set()).add(dependency)
    return up, down


def brute_causes(troubled: list[int], down: dict[int, set[int]]) -> dict[int, int]:
    """The likely common cause by its definition, written out: for each troubled CI, among the CIs
    it rests on (itself included) that at least one other troubled CI also rests on, the one the most
    troubled CIs rest on; among equals the one resting on the most of those equals (the nearest to
    the trouble), then the lowest id."""
    rests = {t: walk([t], down) for t in troubled}
    causes: dict[int, int] = {}
    for t in troubled:
        sharers = {c: sum(1 for u in troubled if c in rests[u]) for c in rests[t]}
        candidates = [c for c, k in sharers.items() if k >= 2]
        if not candidates:
            continue
        best = max(sharers[c] for c in candidates)
        equals = [c for c in candidates if sharers[c] == best]
        causes[t] = sorted(equals, key=lambda c: (-len(walk([c], down) & set(equals)), c))[0]
    return causes


def store(n: int, edges: list[Edge]) -> tuple[list[int], list[tuple[int, int]]]:
    """The CIs and relations in the database: their ids and the (dependent, dependency) id pairs."""
    now = clock.now()
    server = CiType.objects.get(code="server")
    items = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"ci-{i}", ci_type=server, created_at=now, updated_at=now) for i in range(n)
    )
    ids = [ci.pk for ci in items]
    relations = []
    for s, t, kind in edges:
        dependent, dependency = dependency_ends(ids[s], ids[t], kind)
        relations.append(
            Relation(
                source_id=ids[s],
                target_id=ids[t],
                kind=kind,
                dependent_id=dependent,
                dependency_id=dependency,
                created_at=now,
            )
        )
    Relation.objects.bulk_create(relations)
    pairs = list(Relation.objects.filter(source_id__in=ids).values_list("dependent_id", "dependency_id"))
    assert len(pairs) == len(edges)
    return ids, pairs


def test_the_brute_force_follows_the_kinds_direction() -> None:
    """The brute force itself on a hand-made chain: app runs_on vm runs_on host; host part_of cluster
    (the cluster rests on the host); the two hosts back each other up (a cycle)."""
    app, vm, host, cluster, other = 1, 2, 3, 4, 5
    rels = [
        (app, vm, RelationKind.RUNS_ON),
        (vm, host, RelationKind.RUNS_ON),
        (host, cluster, RelationKind.PART_OF),
        (host, other, RelationKind.DEPENDS_ON),
        (other, host, RelationKind.DEPENDS_ON),
    ]
    up, down = steps(dependency_ends(s, t, k) for s, t, k in rels)
    assert walk([host], up) == {host, vm, app, cluster, other}
    assert walk([app], down) == {app, vm, host, other}
    assert brute_causes([app, cluster], down) == {app: host, cluster: host}
    assert brute_causes([app], down) == {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
@pytest.mark.django_db
def test_reach_and_common_causes_agree_with_brute_force(graph: tuple[int, list[Edge], list[int]]) -> None:
    n, edges, troubled_at = graph
    with transaction.atomic():
        ids, pairs = store(n, edges)
        up, down = steps(pairs)
        for ci in ids:
            assert impact.reach([ci], impact.UP) == walk([ci], up), f"up from {ci}"
            assert impact.reach([ci], impact.DOWN) == walk([ci], down), f"down from {ci}"
        several = ids[: max(1, n // 3)]
        assert impact.reach(several, impact.UP) == walk(several, up)
        assert impact.reach(several, impact.DOWN) == walk(several, down)
        troubled = [ids[i] for i in troubled_at]
        assert impact.common_causes(troubled) == brute_causes(troubled, down)
        transaction.set_rollback(True)


@settings(max_examples=200, deadline=None)
@given(graph=graphs())
def test_pick_causes_agrees_with_brute_force(graph: tuple[int, list[Edge], list[int]]) -> None:
    """The pure part, without a database, on the same kind of graphs."""
    _n, edges, troubled = graph
    _up, down = steps(dependency_ends(s, t, k) for s, t, k in edges)
    below = {t: walk([t], down) for t in troubled}
    expected = brute_causes(troubled, down)
    assert impact.pick_causes(below, lambda ci: walk([ci], down)) == expected
    assert set(expected) <= set(troubled)
    if len(troubled) >= 2 and any(below[a] & below[b] for a in troubled for b in troubled if a != b):
        assert expected  # two CIs resting on a common CI: both get a cause
