"""The CMDB benchmark (bench/cmdb.py): its seed builds the graph it claims to build, on the test
database at a small size, and its figures merge into latest.json without losing the other database's
run."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from beheer.accounts.models import Role, User
from beheer.cmdb import impact, queries
from beheer.cmdb.models import CiAttributeValue, ConfigurationItem, Relation, dependency_ends

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_cmdb", BENCH / "cmdb.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_cmdb", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_the_seed_builds_an_organisation_with_cycles_and_attributes() -> None:
    bench = load()
    info = bench.seed(1000, random.Random(1), analyze=False)
    groups = info["groups"]
    assert info["items"] == ConfigurationItem.objects.count() == 1000
    assert info["relations"] == Relation.objects.count() == 3000
    assert User.objects.filter(role=Role.CALLER).count() == info["people"]
    for source, target, kind, dependent, dependency in Relation.objects.values_list(
        "source_id", "target_id", "kind", "dependent_id", "dependency_id"
    ):
        assert (dependent, dependency) == dependency_ends(source, target, kind)

    endpoints = set(groups["workstation"] + groups["laptop"] + groups["access_point"])
    assert endpoints <= impact.reach(groups["core"][:1], impact.UP)  # everything rests on the core
    switch = groups["access_switch"][-1]  # not one of the server room's
    assert len(impact.reach([switch], impact.UP)) < len(endpoints) // 2  # an access switch: a part
    server = groups["server"][0]
    assert groups["server"][1] in impact.reach([server], impact.UP)  # servers backing each other up
    assert server in impact.reach([groups["server"][1]], impact.UP)
    laptop = groups["laptop"][0]
    below = impact.reach([laptop], impact.DOWN)
    assert set(groups["core"]) & below
    assert set(groups["service"]) & below  # a laptop rests on its workplace services

    staff = User.objects.create(username="bench-staff", role=Role.OPERATOR)
    assert CiAttributeValue.objects.count() == info["attribute_values"] > 1000
    _code, attr, value = bench.FILTERS[0]
    flt = queries.ItemFilter(attributes={attr: value})
    page = list(queries.filter_items(ConfigurationItem.objects.visible_to(staff), flt)[: bench.PAGE])
    assert len(page) == bench.PAGE
    assert {ci.ci_type.code for ci in page} <= {"laptop", "workstation"}


def test_figures_merge_per_database_and_the_worse_is_the_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load()
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    (tmp_path / "latest.json").write_text(json.dumps({"tickets": 5, "cmdb": {"runs": []}}))

    def run(db: str, impact_ms: float, list_ms: float) -> dict[str, Any]:
        return {"db": db, "impact_p95_ms": impact_ms, "ci_list_attr_p95_ms": list_ms}

    bench.write([run("postgres", 40.0, 60.0)])
    bench.write([run("sqlite", 120.0, 20.0)])
    data = json.loads((tmp_path / "latest.json").read_text())
    assert data["tickets"] == 5  # the rest of the file is kept
    assert [r["db"] for r in data["cmdb"]["runs"]] == ["sqlite", "postgres"]
    assert data["impact_p95_ms"] == data["cmdb"]["impact_p95_ms"] == 120.0
    assert data["ci_list_attr_p95_ms"] == 60.0
    assert data["cmdb"]["targets_met"] == {
        "impact_p95_ms": False,
        "ci_list_attr_p95_ms": False,
        "import_50k_s": False,  # not measured: no figure, not met
    }
    bench.write([run("sqlite", 90.0, 20.0)])  # a new SQLite run replaces the old one
    data = json.loads((tmp_path / "latest.json").read_text())
    assert len(data["cmdb"]["runs"]) == 2
    assert data["impact_p95_ms"] == 90.0
