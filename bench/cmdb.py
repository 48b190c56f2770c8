"""CMDB benchmark: the impact analysis and the attribute-filtered CI list on a generated CMDB.

    .venv/bin/python bench/cmdb.py                       # SQLite, and PostgreSQL when reachable
    .venv/bin/python bench/cmdb.py --db sqlite --write   # one database; merge into latest.json
    BENCH_CMDB_ITEMS=5000 .venv/bin/python bench/cmdb.py # a smoke run (a few seconds of seeding)
    .venv/bin/python bench/cmdb.py --merge sqlite,postgres  # merge earlier runs' figures

Every run keeps its figures in bench/work/cmdb-<db>.json.

`make bench` runs it after the API scenarios on its own database (`bench/work/cmdb.sqlite3`, or
`beheer_bench_cmdb` next to BENCH_DATABASE_URL's database, dropped afterwards unless BENCH_KEEP_DB=1);
`BENCH_ONLY=impact,ci_list_attr make bench` runs only this benchmark, without seeding meldingen.

The CMDB (BENCH_CMDB_ITEMS CIs, default 100,000, and three times as many relations), shaped like an
organisation's: a few thousand services (infrastructure services, business services, workplace
services) resting on applications (those of the infrastructure services on VMs of a small
infrastructure cluster of servers), applications on VMs and databases, VMs on physical servers
(pairs of servers back each other up: depends_on cycles), servers on access switches in the server
room, access switches on pairs of core switches (connected to each other both ways, another cycle)
and those on routers and firewalls; workstations, laptops and printers on access switches, laptops
also on access points, each workstation and laptop using one or two workplace services (a service
`used_by` a device: the device rests on the service); applications integrate with others in their
domain (up to 40 applications, cycles allowed). Laptops and workstations have custom attributes
(os, ram_gb, encrypted, cpu) with values on about 90% of them, and an owner among BENCH_CMDB_ITEMS/10
people. Seeded with `bulk_create` (dependent/dependency from `cmdb.models.dependency_ends`), not
through the services; PostgreSQL gets VACUUM ANALYZE afterwards, SQLite no ANALYZE (as Beheer runs).

Measured in-process, as the staff user, after 10 unmeasured calls:
  impact            `cmdb.impact.impact(ci, UP)` and `(ci, DOWN)` for BENCH_CMDB_REQUESTS random CIs
                    (default 200: half of them any CI, a quarter network devices, a quarter servers,
                    VMs and services); `impact_p95_ms` is the p95 over both directions; the figures
                    per direction and per group are kept, and every core switch and router upward
                    (`impact_core_up`, not in the p95: the whole organisation rests on them)
  ci_list_attr      the first page (50, by name, id) of `cmdb.queries.filter_items` on
                    `ConfigurationItem.objects.visible_to(staff)` with one custom attribute filter,
                    five filters in turn from common to rare (BENCH_CMDB_REQUESTS calls)
  import_50k        `cmdb.services.run_import` of a generated CSV file of BENCH_CMDB_IMPORT new laptops
                    (default 50,000; name, type, asset tag, serial number, host name, owner by e-mail,
                    supplier, purchase date, cost and the attributes os and ram_gb) as the
                    administrator, every row through `services.create_item`; `import_50k_s` is the
                    wall time. Run alone (`BENCH_ONLY=import_50k`) it imports into an empty CMDB
                    (no seeding).
Each scenario stops after BENCH_SECONDS (default 60). `impact_p95_ms` and `ci_list_attr_p95_ms` at the
top of latest.json are the worse of the two databases measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch import Scratch

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "work"
SCENARIOS = ("impact", "ci_list_attr", "import_50k")
TARGETS = {"impact_p95_ms": 100, "ci_list_attr_p95_ms": 50, "import_50k_s": 30}
PAGE = 50
SEED_KEYS = ("items", "relations", "seed_s")  # not replaced by a run that did not seed
OS_CHOICES = ["Windows 11", "Windows 10", "macOS 14", "Ubuntu 24.04"]
CPUS = ["i5-1245U", "i5-1345U", "i7-1265U", "i7-1365U", "Ryzen 5 7530U", "M2", "M3"]
# The filters of the list scenario, from common to rare: (type code or "", attribute, value).
FILTERS = [
    ("", "os", "Windows 11"),
    ("", "ram_gb", "16"),
    ("laptop", "os", "macOS 14"),
    ("", "cpu", "i7-1365U"),
    ("", "ram_gb", "64"),
]


def log(text: str) -> None:
    print(f"[bench cmdb] {text}", file=sys.stderr, flush=True)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def wanted() -> set[str]:
    """The scenarios of this benchmark BENCH_ONLY names (all when it names none of them)."""
    chosen = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    return (chosen & set(SCENARIOS)) or set(SCENARIOS)


# --------------------------------------------------------------------------------------------------
# the database (outside Django)


SCRATCH = Scratch("cmdb")
postgres_url = SCRATCH.postgres_url
postgres_reachable = SCRATCH.postgres_reachable
env_for = SCRATCH.env_for
fresh_database = SCRATCH.fresh_database


def drop_database(db: str, url: str) -> None:
    if db != "postgres" or os.environ.get("BENCH_KEEP_DB") == "1":
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(db: str) -> dict[str, Any]:
    """Seed a fresh database and measure it in a child process (Django set up for that database)."""
    t = time.perf_counter()
    url = fresh_database(db)
    log(f"{db}: migrated in {time.perf_counter() - t:.1f} s")
    try:
        out = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--inner", db],
            cwd=ROOT,
            env=env_for(url),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        drop_database(db, url)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    (WORK / f"cmdb-{db}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def write(runs: list[dict[str, Any]]) -> None:
    """Merge into bench/results/latest.json under "cmdb", keeping the other database's earlier run;
    the top-level figures are the worse of the databases measured."""
    path = RESULTS / "latest.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    section = data.get("cmdb") or {}
    by_db = {r["db"]: r for r in section.get("runs", [])}
    for run in runs:  # a run of some scenarios (BENCH_ONLY) keeps the other scenarios' figures
        before = by_db.get(run["db"], {})
        fresh = dict(run) if run.get("items") else {k: v for k, v in run.items() if k not in SEED_KEYS}
        by_db[run["db"]] = {
            **before,
            **fresh,
            "scenarios": {**before.get("scenarios", {}), **run.get("scenarios", {})},
            "targets_met": {**before.get("targets_met", {}), **run.get("targets_met", {})},
        }
    merged = [by_db[db] for db in ("sqlite", "postgres") if db in by_db]
    section = {"runs": merged, "targets": TARGETS}
    for key, limit in TARGETS.items():
        values = [r[key] for r in merged if r.get(key) is not None]
        worst = max(values) if values else None
        section[key] = data[key] = worst
        section.setdefault("targets_met", {})[key] = worst is not None and worst <= limit
    data["cmdb"] = section
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# inside Django: seed and measure


def seed(items: int, rng: random.Random, *, analyze: bool = True) -> dict[str, Any]:
    """The generated CMDB (see the module docstring); returns the ids of each group of CIs.
    `analyze`: VACUUM ANALYZE on PostgreSQL afterwards (not inside a test's transaction)."""
    from decimal import Decimal

    from django.db import connection, transaction

    from beheer.accounts.models import Role, User
    from beheer.cmdb import attributes
    from beheer.cmdb.models import (
        AttributeDefinition,
        AttributeKind,
        CiAttributeValue,
        CiType,
        ConfigurationItem,
        Relation,
        RelationKind,
        dependency_ends,
    )
    from beheer.core import clock

    now = clock.now()
    types = {t.code: t for t in CiType.objects.all()}
    n = max(items, 1000)
    sizes = {
        "core": max(2, n // 5000) // 2 * 2,  # in pairs
        "router": max(2, n // 2500),
        "access_switch": n // 50,
        "access_point": n * 3 // 100,
        "server": n // 50,
        "vm": n // 10,
        "database": n // 50,
        "application": n * 8 // 100,
        "service": n * 3 // 100,
        "printer": n // 50,
        "workstation": n * 30 // 100,
    }
    sizes["laptop"] = n - sum(sizes.values())
    type_of = {
        "core": "switch",
        "router": "router",
        "access_switch": "switch",
        "access_point": "access_point",
        "server": "server",
        "vm": "virtual_machine",
        "database": "database",
        "application": "application",
        "service": "service",
        "printer": "printer",
        "workstation": "workstation",
        "laptop": "laptop",
    }
    prefix = {
        "core": "CORE-SW",
        "router": "RTR",
        "access_switch": "SW",
        "access_point": "AP",
        "server": "SRV",
        "vm": "VM",
        "database": "DB",
        "application": "APP",
        "service": "Dienst",
        "printer": "PRN",
        "workstation": "WS",
        "laptop": "LT",
    }
    people_count = max(10, n // 10)
    t = time.perf_counter()
    with transaction.atomic():
        User.objects.bulk_create(
            (
                User(
                    username=f"cmdb-person-{i}",
                    first_name=f"Persoon{i % 997}",
                    last_name=f"Achternaam{i}",
                    email=f"cmdb-person-{i}@example.invalid",
                    role=Role.CALLER,
                    password="!",
                )
                for i in range(people_count)
            ),
            batch_size=2000,
        )
    people = list(User.objects.filter(username__startswith="cmdb-person-").values_list("pk", flat=True))
    groups: dict[str, list[int]] = {}
    with transaction.atomic():
        for group, size in sizes.items():
            ci_type = types[type_of[group]]
            order = list(range(size))
            rng.shuffle(order)  # names not in id order
            endpoint = group in ("workstation", "laptop")
            created = ConfigurationItem.objects.bulk_create(
                (
                    ConfigurationItem(
                        name=f"{prefix[group]}-{k:06d}",
                        ci_type=ci_type,
                        host_name=f"{prefix[group].lower()}-{k:06d}.example.invalid",
                        owner_id=rng.choice(people) if endpoint else None,
                        created_at=now,
                        updated_at=now,
                    )
                    for k in order
                ),
                batch_size=5000,
            )
            groups[group] = [ci.pk for ci in created]
    log(f"{n:,} CIs and {people_count:,} people in {time.perf_counter() - t:.1f} s")

    g = groups
    edges: set[tuple[int, int, str]] = set()
    con, dep, runs, part, used = (
        RelationKind.CONNECTED_TO,
        RelationKind.DEPENDS_ON,
        RelationKind.RUNS_ON,
        RelationKind.PART_OF,
        RelationKind.USED_BY,
    )

    def add(source: int, target: int, kind: str) -> None:
        if source != target:
            edges.add((source, target, kind))

    cores = g["core"]
    for i in range(0, len(cores), 2):  # redundant pairs: a cycle
        add(cores[i], cores[i + 1], con)
        add(cores[i + 1], cores[i], con)
    for core in cores:
        for router in rng.sample(g["router"], 2):
            add(core, router, con)
    pairs = [(cores[i], cores[i + 1]) for i in range(0, len(cores), 2)]
    for switch in g["access_switch"]:
        for core in rng.choice(pairs):
            add(switch, core, con)
    room = g["access_switch"][: max(2, len(g["access_switch"]) // 20)]  # the server room's switches
    for ap in g["access_point"]:
        add(ap, rng.choice(g["access_switch"]), con)
    for printer in g["printer"]:
        add(printer, rng.choice(g["access_switch"]), con)
    services = g["service"]
    infra = services[: max(2, len(services) // 6)]
    workplace = services[len(infra) : len(infra) + max(2, len(services) // 60)]
    business = services[len(infra) + len(workplace) :]
    for device in g["workstation"] + g["laptop"]:
        add(device, rng.choice(g["access_switch"]), con)
        add(rng.choice(workplace), device, used)  # the device rests on its workplace service
    for laptop in g["laptop"]:
        add(laptop, rng.choice(g["access_point"]), con)
        add(rng.choice(workplace), laptop, used)  # a second one: working from home, VPN
    for server in g["server"]:
        for switch in rng.sample(room, 2):
            add(server, switch, con)
    servers = g["server"]
    for i in range(0, len(servers) // 5 * 2, 2):  # servers backing each other up: cycles
        add(servers[i], servers[i + 1], dep)
        add(servers[i + 1], servers[i], dep)
    vms = g["vm"]
    infra_hosts = servers[: max(2, len(servers) // 20)]  # the infrastructure cluster
    for i, vm in enumerate(vms):
        add(vm, infra_hosts[i % len(infra_hosts)] if i < len(vms) // 20 else rng.choice(servers), runs)
    infra_vms = vms[: len(vms) // 20]
    for vm in rng.sample(vms, len(vms) * 3 // 10):
        add(vm, rng.choice(vms), dep)
    for database in g["database"]:
        add(database, rng.choice(vms), runs)
    # infrastructure services (directory, DNS, storage) rest on their own applications on the
    # infrastructure cluster; business applications integrate with each other
    infra_apps = g["application"][: len(infra)]
    apps = g["application"][len(infra) :]
    for app in infra_apps:
        add(app, rng.choice(infra_vms), runs)
    for app in apps:
        for vm in rng.sample(vms, rng.choice((1, 2))):
            add(app, vm, runs)
        add(app, rng.choice(g["database"]), dep)
    for i, service in enumerate(infra):
        if i:
            for other in rng.sample(infra[:i], min(i, rng.choice((1, 2)))):
                add(service, other, dep)
    for service in workplace:
        for other in rng.sample(infra, min(len(infra), 3)):
            add(service, other, dep)
    for service in business:
        for app in rng.sample(apps, 3):
            add(app, service, part)  # the service rests on its applications
        for other in rng.sample(infra, rng.choice((1, 2))):
            add(service, other, dep)
    for app, service in zip(infra_apps, infra, strict=True):
        add(app, service, part)
    domain = 40  # applications integrate within their domain: cycles, but bounded
    target_relations = 3 * n
    for _ in range(4 * target_relations):
        if len(edges) >= target_relations:
            break
        start = rng.randrange(0, len(apps), domain)
        members = apps[start : start + domain]
        add(rng.choice(members), rng.choice(members), dep)

    t = time.perf_counter()
    with transaction.atomic():
        Relation.objects.bulk_create(
            (
                Relation(
                    source_id=s,
                    target_id=tg,
                    kind=kind,
                    dependent_id=dependency_ends(s, tg, kind)[0],
                    dependency_id=dependency_ends(s, tg, kind)[1],
                    created_at=now,
                )
                for s, tg, kind in edges
            ),
            batch_size=5000,
        )
    log(f"{len(edges):,} relations in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    definitions: dict[tuple[str, str], AttributeDefinition] = {}
    for code in ("laptop", "workstation"):
        for position, (attr, kind, choices) in enumerate(
            (
                ("os", AttributeKind.CHOICE, OS_CHOICES),
                ("ram_gb", AttributeKind.NUMBER, []),
                ("encrypted", AttributeKind.BOOLEAN, []),
                ("cpu", AttributeKind.TEXT, []),
            )
        ):
            definitions[(code, attr)] = AttributeDefinition.objects.create(
                ci_type=types[code],
                code=attr,
                label_nl=attr,
                label_en=attr,
                kind=kind,
                choices=choices,
                order=position,
            )
    weights = {
        "os": (OS_CHOICES, [60, 25, 10, 5]),
        "ram_gb": (["8", "16", "32", "64"], [30, 50, 17, 3]),
        "cpu": (CPUS, [25, 20, 15, 15, 10, 8, 7]),
    }
    values = 0
    with transaction.atomic():
        for code in ("laptop", "workstation"):
            rows = []
            for ci in g[code]:
                for attr in ("os", "ram_gb", "encrypted", "cpu"):
                    if rng.random() >= 0.9:
                        continue
                    definition = definitions[(code, attr)]
                    if attr == "encrypted":
                        cleaned = attributes.clean(definition.kind, "ja" if rng.random() < 0.9 else "nee")
                    else:
                        options, w = weights[attr]
                        cleaned = attributes.clean(
                            definition.kind, rng.choices(options, w)[0], choices=definition.choices
                        )
                    rows.append(
                        CiAttributeValue(
                            ci_id=ci,
                            definition=definition,
                            text=cleaned.text,
                            number=Decimal(cleaned.number) if cleaned.number is not None else None,
                            flag=cleaned.flag,
                        )
                    )
            CiAttributeValue.objects.bulk_create(rows, batch_size=5000)
            values += len(rows)
    log(f"{values:,} attribute values in {time.perf_counter() - t:.1f} s")
    if analyze and connection.vendor == "postgresql":
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log(f"VACUUM ANALYZE in {time.perf_counter() - t:.1f} s")
    elif os.environ.get("BENCH_SQLITE_ANALYZE") == "1":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "items": sum(len(ids) for ids in groups.values()),
        "relations": len(edges),
        "attribute_values": values,
        "people": people_count,
        "sizes": {k: len(v) for k, v in groups.items()},
        "groups": groups,
    }


def timed(call: Callable[[], Any], samples: list[float]) -> Any:
    t = time.perf_counter()
    result = call()
    samples.append((time.perf_counter() - t) * 1000)
    return result


def inner(db: str) -> dict[str, Any]:
    import django

    django.setup()

    import loadgen

    from beheer.accounts.services import register_person
    from beheer.cmdb import impact, queries
    from beheer.cmdb.models import CiType, ConfigurationItem

    rng = random.Random(17)
    items = env_int("BENCH_CMDB_ITEMS", 100_000)
    count = env_int("BENCH_CMDB_REQUESTS", 200)
    seconds = float(env_int("BENCH_SECONDS", 60))
    chosen = wanted()
    t = time.perf_counter()
    info = {"items": 0, "relations": 0, "groups": {}} if chosen == {"import_50k"} else seed(items, rng)
    seed_s = round(time.perf_counter() - t, 1)
    log(f"{db}: seeded {info['items']:,} CIs, {info['relations']:,} relations in {seed_s} s")
    staff = register_person(
        actor=None, first_name="Bench", last_name="Beheerder", username="bench-cmdb", role="operator"
    )
    groups = info.pop("groups")
    figures: dict[str, Any] = {"db": db, **info, "seed_s": seed_s, "scenarios": {}}

    if "impact" in chosen:
        network = groups["core"] + groups["router"] + groups["access_switch"] + groups["access_point"]
        backend = groups["server"] + groups["vm"] + groups["service"]
        everything = [pk for ids in groups.values() for pk in ids]
        picks = []
        for i in range(count):
            group = "any" if i % 4 < 2 else ("network" if i % 4 == 2 else "backend")
            pool = {"any": everything, "network": network, "backend": backend}[group]
            picks.append((group, rng.choice(pool)))
        cis = ConfigurationItem.objects.in_bulk([pk for _g, pk in picks] + groups["core"] + groups["router"])
        for _group, pk in picks[:10]:  # warm-up
            impact.impact(cis[pk], impact.UP, user=staff)
        samples: dict[str, list[float]] = {"up": [], "down": [], "any": [], "network": [], "backend": []}
        reached: dict[str, list[int]] = {"up": [], "down": []}
        deadline = time.monotonic() + seconds
        capped = False
        for group, pk in picks:
            if time.monotonic() >= deadline:
                capped = True
                break
            for direction in (impact.UP, impact.DOWN):
                before = len(samples[direction])
                result = timed(partial(impact.impact, cis[pk], direction, user=staff), samples[direction])
                samples[group].append(samples[direction][before])
                reached[direction].append(result.count)
        core_samples: list[float] = []
        core_reached = []
        for pk in groups["core"] + groups["router"]:
            if time.monotonic() >= deadline + seconds:
                break
            core_reached.append(
                timed(partial(impact.impact, cis[pk], impact.UP, user=staff), core_samples).count
            )
        everything_samples = samples["up"] + samples["down"]
        scenario = {
            **loadgen.summary(everything_samples, capped=capped),
            "by_direction": {d: loadgen.summary(samples[d]) for d in ("up", "down")},
            "by_group": {g: loadgen.summary(samples[g]) for g in ("any", "network", "backend")},
            "reached_p50": {d: sorted(v)[len(v) // 2] for d, v in reached.items() if v},
            "reached_max": {d: max(v) for d, v in reached.items() if v},
            "impact_core_up": {**loadgen.summary(core_samples), "reached_max": max(core_reached, default=0)},
        }
        figures["scenarios"]["impact"] = scenario
        figures["impact_p95_ms"] = scenario["p95_ms"]
        log(
            f"{db}: impact p50 {scenario['p50_ms']} ms, p95 {scenario['p95_ms']} ms "
            f"(up p95 {scenario['by_direction']['up']['p95_ms']}, down p95 "
            f"{scenario['by_direction']['down']['p95_ms']}; core switches and routers up: p95 "
            f"{scenario['impact_core_up']['p95_ms']} ms, {scenario['impact_core_up']['reached_max']:,} CIs)"
        )

    if "ci_list_attr" in chosen:
        type_ids = {t.code: t.pk for t in CiType.objects.all()}
        base = ConfigurationItem.objects.visible_to(staff).select_related("ci_type")
        flts = [
            queries.ItemFilter(ci_type=type_ids[code] if code else None, attributes={attr: value})
            for code, attr, value in FILTERS
        ]

        def page(flt: queries.ItemFilter) -> list[Any]:
            return list(queries.filter_items(base, flt).order_by("name", "id")[:PAGE])

        first = [page(flt) for flt in flts]  # also the warm-up
        if any(len(rows) != PAGE for rows in first):
            raise RuntimeError(f"a filter found fewer than {PAGE} CIs: {[len(r) for r in first]}")
        per_filter: list[list[float]] = [[] for _ in flts]
        deadline = time.monotonic() + seconds
        capped = False
        for i in range(count):
            if time.monotonic() >= deadline:
                capped = True
                break
            timed(partial(page, flts[i % len(flts)]), per_filter[i % len(flts)])
        every = [ms for s in per_filter for ms in s]
        scenario = {
            **loadgen.summary(every, capped=capped),
            "by_filter": {
                f"{code or 'any type'}: {attr}={value}": loadgen.summary(s)
                for (code, attr, value), s in zip(FILTERS, per_filter, strict=True)
            },
        }
        figures["scenarios"]["ci_list_attr"] = scenario
        figures["ci_list_attr_p95_ms"] = scenario["p95_ms"]
        log(f"{db}: ci_list_attr p50 {scenario['p50_ms']} ms, p95 {scenario['p95_ms']} ms")
        for name, s in scenario["by_filter"].items():
            log(f"  {name}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms")
    if "import_50k" in chosen:
        scenario = import_scenario(env_int("BENCH_CMDB_IMPORT", 50_000))
        figures["scenarios"]["import_50k"] = scenario
        figures["import_50k_s"] = scenario["seconds"]
        log(f"{db}: import of {scenario['rows']:,} CIs in {scenario['seconds']} s ({scenario['counts']})")
    figures["targets_met"] = {
        key: figures[key] <= limit for key, limit in TARGETS.items() if figures.get(key) is not None
    }
    return figures


def import_file(rows: int, rng: random.Random) -> bytes:
    """A CSV file of `rows` new laptops, the way an inventory spreadsheet has them."""
    lines = [
        "name;type;asset_tag;serial_number;host_name;owner;supplier;purchase_date;cost;attr.os;attr.ram_gb"
    ]
    for i in range(rows):
        lines.append(
            f"LT-{i:06d};laptop;IMP-{i:06d};SN{rng.randrange(10**9):09d};lt-{i:06d};"
            f"import{i % 500}@example.org;{('Dell', 'HP', 'Lenovo')[i % 3]};"
            f"{1 + i % 28}-{1 + i % 12}-{2020 + i % 5};{rng.randrange(500, 2500)},{rng.randrange(100):02d};"
            f"{rng.choice(OS_CHOICES)};{rng.choice(['8', '16', '32', '64'])}"
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def import_scenario(rows: int) -> dict[str, Any]:
    from beheer.accounts.services import register_person
    from beheer.cmdb import services
    from beheer.cmdb.models import AttributeDefinition, AttributeKind, CiType, Supplier

    admin = register_person(
        actor=None, first_name="Bench", last_name="Importer", username="bench-import", role="admin"
    )
    for i in range(500):
        register_person(
            actor=None,
            first_name="Import",
            last_name=str(i),
            username=f"import{i}",
            email=f"import{i}@example.org",
            role="caller",
        )
    for name in ("Dell", "HP", "Lenovo"):
        Supplier.objects.get_or_create(name=name)
    laptop = CiType.objects.get(code="laptop")
    for code, kind, choices in (
        ("os", AttributeKind.CHOICE, OS_CHOICES),
        ("ram_gb", AttributeKind.NUMBER, []),
    ):
        if not AttributeDefinition.objects.filter(ci_type=laptop, code=code).exists():
            services.save_attribute(
                None,
                actor=admin,
                ci_type=laptop,
                data=services.AttributeData(
                    code=code, label_nl=code, label_en=code, kind=kind, choices=choices
                ),
            )
    data = import_file(rows, random.Random(23))
    t = time.perf_counter()
    report = services.run_import(actor=admin, data=data, filename="bench.csv")
    seconds = round(time.perf_counter() - t, 1)
    return {"rows": rows, "seconds": seconds, "counts": report.counts, "bytes": len(data)}


def run(backends: list[str], *, write_results: bool) -> list[dict[str, Any]]:
    runs = [measure(db) for db in backends]
    if write_results:
        write(runs)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default=None)
    parser.add_argument("--write", action="store_true", help="merge into bench/results/latest.json")
    parser.add_argument("--inner", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--merge", help="merge bench/work/cmdb-<db>.json of these databases, no run")
    args = parser.parse_args()
    if args.merge:
        write([json.loads((WORK / f"cmdb-{db}.json").read_text()) for db in args.merge.split(",")])
        return 0
    if args.inner:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        print(json.dumps(inner(args.inner)))
        return 0
    choice = args.db or ("both" if postgres_reachable() else "sqlite")
    backends = ["sqlite", "postgres"] if choice == "both" else [choice]
    for r in run(backends, write_results=args.write):
        print(json.dumps({k: v for k, v in r.items() if k != "scenarios"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
