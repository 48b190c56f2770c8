"""Bulk seed of a migrated Beheer database for the benchmark.

Writes straight through the DB-API driver (sqlite3 executemany / psycopg COPY), not through the ORM or
the service layer: the point is to build a realistic 1,000,000-melding database in minutes. Every row
respects the invariants the service layer keeps (priority_level = the priority's level, is_open
matches the status kind, partial incidents have line 'partial' and a parent, version 1), and the
search index is filled set-based in SQL exactly as `beheer.core.search.index_document` would.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

KEYWORD = "vlinderklep"
# Rare words, each planted in exactly RARE_COUNT meldingen spread over the years (a surname, an asset
# tag, an odd word), and a word planted nowhere: searches whose cost must not grow with the data.
RARE_WORDS = ("zwanenburg", "ast90817", "kwartelkoning")
RARE_COUNT = 3
ABSENT_WORD = "grutto"
DETAIL_COUNT = 200
DETAIL_HISTORY = 20
CHUNK = 20_000

WORDS = (  # noqa: SIM905 - a readable word list
    "printer storing netwerk wachtwoord account laptop scherm toetsenbord muis email outlook teams "
    "vpn verbinding traag langzaam fout foutmelding melding opstarten afsluiten update installatie "
    "licentie software hardware server schijf opslag backup herstel bestand map rechten toegang "
    "inloggen uitloggen telefoon mobiel headset camera vergadering agenda koppeling scanner papier "
    "toner draadloos wifi kabel switch router firewall certificaat browser pagina website portal "
    "applicatie database rapport export import synchronisatie kantoor thuiswerken werkplek bureau "
    "nieuwe medewerker vertrek aanvraag bestelling levering defect kapot vervangen reparatie "
    "monitor dockingstation oplader batterij geluid microfoon beeld resolutie driver stuurprogramma "
    "printer paper jam network password reset locked account slow error message startup shutdown "
    "install license disk storage restore file folder permission access login logout phone "
    "meeting calendar scanner wireless cable certificate browser page website application report "
    "sync office remote desk employee order delivery broken replace repair charger battery sound "
    "image driver crash freeze timeout blue screen memory cpu usage quota mailbox shared drive"
).split()
FIRST_NAMES = (  # noqa: SIM905
    "Jan Piet Kees Anna Sanne Lotte Daan Bram Sophie Emma Lucas Noah Julia Tess Sem Milan Fleur Eva "
    "Thijs Lieke Ruben Iris Joris Femke Maarten Marloes Wouter Anouk Jeroen Ilse"
).split()
LAST_NAMES = (  # noqa: SIM905
    "de Vries|Jansen|de Jong|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|Peters|"
    "Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|van der Meer|Kok|Jacobs|"
    "van Dijk|Vermeulen|van den Berg|Schouten|Willems|Hoekstra"
).split("|")
DEPARTMENTS = ["Finance", "HR", "Sales", "Marketing", "Operations", "Legal", "IT", "Facilities"]
BRANCHES = [
    ("Utrecht", "Utrecht"),
    ("Amsterdam", "Amsterdam"),
    ("Rotterdam", "Rotterdam"),
    ("Zwolle", "Zwolle"),
]
CATEGORIES = [
    "Werkplek",
    "Printen",
    "E-mail",
    "Netwerk",
    "Telefonie",
    "Accounts",
    "Applicaties",
    "Hardware",
    "Software",
    "Beveiliging",
    "Opslag",
    "Internet",
    "Vergaderruimtes",
    "Thuiswerken",
    "Licenties",
    "Servers",
    "Databases",
    "Rapportages",
    "Facilitair",
    "Overig",
]
SUBCATEGORIES = ["Storing", "Vraag", "Aanvraag"]
ENTRY_TYPES = (["phone"] * 40) + (["portal"] * 25) + (["email"] * 25) + (["desk"] * 5) + (["monitoring"] * 5)
CALL_TYPE_WEIGHTS = {"incident": 60, "question": 20, "service_request": 18, "complaint": 2}
PRIORITY_WEIGHTS = {1: 3, 2: 12, 3: 55, 4: 30}
OPEN_STATUS_WEIGHTS = {"new": 30, "in_progress": 50, "waiting_caller": 12, "waiting_supplier": 8}
CLOSURE_WEIGHTS = {"solved": 80, "workaround": 8, "no_action": 7, "duplicate": 3, "withdrawn": 2}

MELDING_COLUMNS = (
    "id",
    "brief_description",
    "request",
    "entry_type",
    "line",
    "caller_name",
    "caller_email",
    "caller_phone",
    "object_name",
    "priority_level",
    "target_date",
    "estimated_means",
    "is_open",
    "solution",
    "is_workaround",
    "reopen_count",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "version",
    "call_type_id",
    "caller_id",
    "caller_branch_id",
    "caller_department_id",
    "category_id",
    "closure_code_id",
    "created_by_id",
    "impact_id",
    "operator_id",
    "operator_group_id",
    "subcategory_id",
    "priority_id",
    "status_id",
    "urgency_id",
    "parent_id",
)
HISTORY_COLUMNS = (
    "melding_id",
    "actor_id",
    "at",
    "action",
    "field",
    "old_value",
    "new_value",
    "detail",
    "public",
)
NOTE_COLUMNS = ("melding_id", "author_id", "text", "visibility", "created_at")
BULK_TABLES = ("servicedesk_melding", "servicedesk_historyentry", "servicedesk_note")

PG_TITLE = (
    "'M' || CASE WHEN id < 1000000 THEN lpad(id::text, 7, '0') ELSE id::text END || ' ' || brief_description"
)
PG_SEARCH_INSERT = (
    "INSERT INTO core_search (kind, object_id, document) "
    "SELECT 1, id, setweight(to_tsvector('dutch', t), 'A') || setweight(to_tsvector('english', t), 'A') || "
    "to_tsvector('dutch', b) || to_tsvector('english', b) FROM ("
    f"SELECT id, {PG_TITLE} AS t, request || E'\\n' || object_name AS b "
    "FROM servicedesk_melding WHERE id BETWEEN %s AND %s) AS s"
)
SQLITE_SEARCH_INSERT = (
    "INSERT INTO core_search_fts (rowid, title, body) "
    "SELECT id * 16 + 1, printf('M%07d', id) || ' ' || brief_description, request || char(10) || object_name "
    "FROM servicedesk_melding WHERE id BETWEEN ? AND ?"
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def weighted(rng: random.Random, weights: dict[Any, int]) -> Callable[[], Any]:
    keys = list(weights)
    cum: list[int] = []
    total = 0
    for k in keys:
        total += weights[k]
        cum.append(total)

    import bisect

    def pick() -> Any:
        return keys[bisect.bisect_right(cum, rng.random() * total)]

    return pick


# --------------------------------------------------------------------------------------------------
# database adapters


class Database:
    """The few operations the loader needs, for sqlite3 and psycopg."""

    vendor = ""
    placeholder = "?"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def insert(self, table: str, row: dict[str, Any]) -> int:
        raise NotImplementedError

    def bulk(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    def indexes(self, table: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def required_columns(self, table: str) -> list[tuple[str, str]]:
        """(name, type) of the NOT NULL columns without a default, the primary key excepted."""
        raise NotImplementedError

    def padding(self, table: str, columns: Sequence[str]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        """Columns this loader does not know (added by a newer migration) and a neutral value for each."""
        names: list[str] = []
        values: list[Any] = []
        for name, kind in self.required_columns(table):
            if name in columns or name == "id":
                continue
            kind = kind.lower()
            names.append(name)
            values.append(False if "bool" in kind else 0 if ("int" in kind or "numeric" in kind) else "")
        return tuple(names), tuple(values)

    def create_indexes(self, statements: list[str]) -> None:
        raise NotImplementedError

    def fill_search(self, max_id: int) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.execute(sql, params).fetchall())

    def ts(self, seconds: int) -> str:
        raise NotImplementedError


_EPOCH = datetime(1970, 1, 1)


class SqliteDatabase(Database):
    vendor = "sqlite"
    placeholder = "?"

    def __init__(self, path: str, *, analyze: bool = False) -> None:
        # Beheer never runs ANALYZE on SQLite, so by default neither does the benchmark: planner
        # statistics change the plans (see docs/benchmarks.md).
        self.analyze = analyze
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-1048576")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.conn.execute("BEGIN")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def insert(self, table: str, row: dict[str, Any]) -> int:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))
        return int(cur.lastrowid or 0)

    def bulk(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" for _ in columns)})'
        count = 0
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                self.conn.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            self.conn.executemany(sql, batch)
            count += len(batch)
        return count

    def indexes(self, table: str) -> list[tuple[str, str]]:
        rows = self.all(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            [table],
        )
        return [(r[0], r[1]) for r in rows]

    def required_columns(self, table: str) -> list[tuple[str, str]]:
        rows = self.all(f'PRAGMA table_info("{table}")')
        return [(r[1], r[2]) for r in rows if r[3] and r[4] is None and not r[5]]

    def create_indexes(self, statements: list[str]) -> None:
        for sql in statements:
            self.conn.execute(sql)

    def fill_search(self, max_id: int) -> None:
        step = 100_000
        for lo in range(1, max_id + 1, step):
            self.conn.execute(SQLITE_SEARCH_INSERT, [lo, lo + step - 1])

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        if self.analyze:
            self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    def ts(self, seconds: int) -> str:
        return str(_EPOCH + timedelta(seconds=seconds))


class PostgresDatabase(Database):
    vendor = "postgres"
    placeholder = "%s"

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.dsn = dsn
        self.conn = psycopg.connect(dsn)
        self._session(self.conn)

    @staticmethod
    def _session(conn: Any) -> None:
        # The bench database is private: skip the foreign-key triggers during the load (the rows are
        # consistent by construction) and give index builds plenty of memory.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def commit(self) -> None:
        self.conn.commit()

    def insert(self, table: str, row: dict[str, Any]) -> int:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("%s" for _ in row)
        cur = self.conn.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) RETURNING id', list(row.values())
        )
        returned = cur.fetchone()
        assert returned is not None  # RETURNING always gives the row
        return int(returned[0])

    def bulk(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def indexes(self, table: str) -> list[tuple[str, str]]:
        rows = self.all(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        return [(r[0], r[1]) for r in rows]

    def required_columns(self, table: str) -> list[tuple[str, str]]:
        rows = self.all(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        return [(r[0], r[1]) for r in rows]

    def _parallel(self, jobs: list[tuple[str, Sequence[Any]]], workers: int = 2) -> None:
        import psycopg

        self.conn.commit()
        lock = threading.Lock()
        pending = list(jobs)
        errors: list[BaseException] = []

        def work() -> None:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                self._session(conn)
                while True:
                    with lock:
                        if not pending or errors:
                            return
                        sql, params = pending.pop(0)
                    try:
                        conn.execute(sql, params)
                    except BaseException as exc:
                        errors.append(exc)
                        return

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def create_indexes(self, statements: list[str]) -> None:
        # Two sessions build indexes side by side (CREATE INDEX takes a SHARE lock, which two
        # builders may hold at once): the machine has two cores.
        self._parallel([(sql, ()) for sql in statements])

    def fill_search(self, max_id: int) -> None:
        gin = self.indexes("core_search")
        for name, _sql in gin:
            self.execute(f'DROP INDEX "{name}"')
        self.conn.commit()
        step = max(1, (max_id + 7) // 8)
        self._parallel([(PG_SEARCH_INSERT, (lo, lo + step - 1)) for lo in range(1, max_id + 1, step)])
        self.create_indexes([sql for _name, sql in gin])

    def finish(self) -> None:
        self.conn.commit()
        for table in (
            "servicedesk_melding",
            "accounts_user",
            "servicedesk_category",
            "accounts_operatorgroup",
        ):
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        self.conn.commit()
        self.conn.autocommit = True
        self.conn.execute("VACUUM (ANALYZE)")
        self.conn.close()

    def ts(self, seconds: int) -> str:
        return str(_EPOCH + timedelta(seconds=seconds)) + "+00"


# --------------------------------------------------------------------------------------------------
# data


@dataclass
class World:
    """Ids of the reference data the meldingen point at."""

    statuses: dict[str, int] = field(default_factory=dict)
    priorities: dict[int, tuple[int, int]] = field(default_factory=dict)  # level -> (id, minutes)
    cells: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # level -> [(impact, urgency)]
    call_types: dict[str, int] = field(default_factory=dict)
    closure_codes: dict[str, int] = field(default_factory=dict)
    callers: list[tuple[int, int, int]] = field(default_factory=list)  # (id, department, branch)
    operators: list[int] = field(default_factory=list)
    usernames: dict[int, str] = field(default_factory=dict)
    first_groups: list[tuple[int, list[int]]] = field(default_factory=list)
    second_groups: list[tuple[int, list[int]]] = field(default_factory=list)
    categories: list[tuple[int, list[int]]] = field(default_factory=list)
    bench_user: int = 0
    impacts: list[int] = field(default_factory=list)
    urgencies: list[int] = field(default_factory=list)


def _load_configuration(db: Database, world: World) -> None:
    world.statuses = {code: pk for pk, code in db.all("SELECT id, code FROM servicedesk_status")}
    world.priorities = {
        lv: (pk, mins)
        for pk, lv, mins in db.all("SELECT id, level, resolution_minutes FROM servicedesk_priority")
    }
    for imp, urg, prio in db.all(
        "SELECT c.impact_id, c.urgency_id, p.level FROM servicedesk_prioritymatrixcell c "
        "JOIN servicedesk_priority p ON p.id = c.priority_id"
    ):
        world.cells.setdefault(prio, []).append((imp, urg))
    world.call_types = {code: pk for pk, code in db.all("SELECT id, code FROM servicedesk_calltype")}
    world.closure_codes = {code: pk for pk, code in db.all("SELECT id, code FROM servicedesk_closurecode")}
    world.impacts = [r[0] for r in db.all("SELECT id FROM servicedesk_impact ORDER BY level")]
    world.urgencies = [r[0] for r in db.all("SELECT id FROM servicedesk_urgency ORDER BY level")]


def _person(
    db: Database,
    world: World,
    *,
    username: str,
    first: str,
    last: str,
    role: str,
    now: str,
    department: int | None,
    branch: int | None,
    phone: str = "",
) -> int:
    pk = db.insert(
        "accounts_user",
        {
            "password": "!unusable-bench",
            "last_login": None,
            "is_superuser": False,
            "username": username,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            "is_staff": False,
            "is_active": True,
            "date_joined": now,
            "role": role,
            "language": "",
            "phone": phone,
            "mobile": "",
            "employee_number": "",
            "job_title": "",
            "branch_id": branch,
            "department_id": department,
            "location_id": None,
        },
    )
    world.usernames[pk] = f"{first} {last}"
    return pk


def _seed_people(db: Database, world: World, rng: random.Random, now: str) -> None:
    departments = [
        db.insert("accounts_department", {"name": n, "cost_centre": f"KP{i:03d}"})
        for i, n in enumerate(DEPARTMENTS)
    ]
    branches = [
        db.insert("accounts_branch", {"name": n, "address": "Stationsplein 1", "city": c, "phone": ""})
        for n, c in BRANCHES
    ]
    for i in range(300):
        dep, br = rng.choice(departments), rng.choice(branches)
        pk = _person(
            db,
            world,
            username=f"caller{i:03d}",
            first=rng.choice(FIRST_NAMES),
            last=rng.choice(LAST_NAMES),
            role="caller",
            now=now,
            department=dep,
            branch=br,
            phone=f"06-2{i:07d}",
        )
        world.callers.append((pk, dep, br))
    it = departments[DEPARTMENTS.index("IT")]
    for i in range(15):
        pk = _person(
            db,
            world,
            username=f"operator{i:02d}",
            first=rng.choice(FIRST_NAMES),
            last=rng.choice(LAST_NAMES),
            role="operator",
            now=now,
            department=it,
            branch=branches[0],
        )
        world.operators.append(pk)
    world.bench_user = _person(
        db,
        world,
        username="bench",
        first="Bench",
        last="Operator",
        role="operator",
        now=now,
        department=it,
        branch=branches[0],
    )
    ops = world.operators
    layout = [
        ("Servicedesk", True, False, [*ops[0:4], world.bench_user]),
        ("Servicedesk Zwolle", True, False, ops[4:8]),
        ("Werkplekbeheer", False, True, ops[8:11]),
        ("Netwerk en infrastructuur", False, True, ops[11:13] + ops[8:9]),
        ("Applicatiebeheer", False, True, ops[13:15]),
    ]
    for name, first, second, members in layout:
        gid = db.insert(
            "accounts_operatorgroup",
            {
                "name": name,
                "email": "",
                "is_first_line": first,
                "is_second_line": second,
                "active": True,
                "coordinator_id": None,
            },
        )
        for uid in members:
            db.insert("accounts_operatorgroup_members", {"operatorgroup_id": gid, "user_id": uid})
        working = [u for u in members if u != world.bench_user]
        (world.first_groups if first else world.second_groups).append((gid, working))
    db.execute(
        f"UPDATE servicedesk_servicedesksettings SET default_first_line_group_id = {db.placeholder}",
        [world.first_groups[0][0]],
    )
    for i, name in enumerate(CATEGORIES):
        cid = db.insert(
            "servicedesk_category",
            {"name": name, "name_en": "", "parent_id": None, "active": True, "order": i * 10},
        )
        subs = [
            db.insert(
                "servicedesk_category",
                {"name": s, "name_en": "", "parent_id": cid, "active": True, "order": j * 10},
            )
            for j, s in enumerate(SUBCATEGORIES)
        ]
        world.categories.append((cid, subs))


@dataclass
class Counters:
    meldingen: int = 0
    open: int = 0
    keyword: int = 0
    open_details: list[int] = field(default_factory=list)
    history: int = 0
    notes: int = 0
    history_rows: list[Sequence[Any]] = field(default_factory=list)
    note_rows: list[Sequence[Any]] = field(default_factory=list)


def detail_ids(n: int) -> list[int]:
    """The meldingen that get exactly DETAIL_HISTORY history rows and a few notes."""
    count = min(DETAIL_COUNT, n)
    step = n // count
    return [1 + i * step + step // 2 for i in range(count)]


def rare_ids(n: int) -> dict[str, list[int]]:
    """The meldingen each rare word is planted in: one early, one in the middle, one recent."""
    return {
        word: [n // 7 + 11 * i + 1, n // 2 + 13 * i + 2, n - 17 * i - 40] for i, word in enumerate(RARE_WORDS)
    }


def number_ids(n: int) -> list[int]:
    """Meldingen looked up by number in the benchmark (old, middle, recent)."""
    return [n // 9 + 3, n // 3 + 5, n - 7]


def _meldingen(
    db: Database, world: World, rng: random.Random, n: int, now: int, out: Counters
) -> Iterator[tuple]:
    span = 730 * 86400
    start = now - span
    ts = db.ts
    pick_priority = weighted(rng, PRIORITY_WEIGHTS)
    pick_call_type = weighted(rng, {world.call_types[k]: w for k, w in CALL_TYPE_WEIGHTS.items()})
    pick_open_status = weighted(rng, {world.statuses[k]: w for k, w in OPEN_STATUS_WEIGHTS.items()})
    pick_closure = weighted(rng, {world.closure_codes[k]: w for k, w in CLOSURE_WEIGHTS.items()})
    workaround_code = world.closure_codes["workaround"]
    st_new, st_resolved, st_closed = (
        world.statuses["new"],
        world.statuses["resolved"],
        world.statuses["closed"],
    )
    details = set(detail_ids(n))
    rare_at = {mid: word for word, mids in rare_ids(n).items() for mid in mids}
    last_main = 0
    rand, randint, choice, choices = rng.random, rng.randint, rng.choice, rng.choices
    hist, notes = out.history_rows, out.note_rows
    for mid in range(1, n + 1):
        created = start + (mid * span) // n
        age = now - created
        is_open = rand() < (0.45 if age < 60 * 86400 else 0.014)
        level = pick_priority()
        prio_id, minutes = world.priorities[level]
        impact, urgency = choice(world.cells[level])
        r = rand()
        if r < 0.05 and last_main and mid not in details:
            line, parent = "partial", last_main
        else:
            line, parent = ("first" if r < 0.75 else "second"), None
            last_main = mid
        group, members = choice(world.first_groups if line == "first" else world.second_groups)
        operator = choice(members) if rand() < (0.6 if is_open else 0.85) else None
        caller, department, branch = choice(world.callers)
        picked, subs = choice(world.categories)
        category: int | None = picked
        subcategory = choice(subs) if rand() < 0.7 else None
        if rand() < 0.1:
            category = subcategory = None
        brief = " ".join(choices(WORDS, k=randint(3, 7)))[:80]
        words = choices(WORDS, k=randint(12, 30))
        if rand() < 0.01:
            words[randint(0, len(words) - 1)] = KEYWORD
            out.keyword += 1
        rare = rare_at.get(mid)
        if rare is not None:
            words[-1] = rare  # no random draw: the rest of the data stays the same
        request = " ".join(words)
        object_name = f"PC{randint(10000, 99999)}" if rand() < 0.5 else ""
        created_by = choice(world.operators)
        resolved = closed = first_response = None
        solution = ""
        closure = None
        if is_open:
            status = pick_open_status()
            out.open += 1
        else:
            status = st_resolved if age < 14 * 86400 else st_closed
            resolved = min(now, created + randint(600, 5 * 86400))
            if status == st_closed:
                closed = min(now, resolved + 14 * 86400)
            solution = " ".join(choices(WORDS, k=randint(4, 12)))
            closure = pick_closure()
        if is_open and mid in details:
            out.open_details.append(mid)
        if status != st_new:
            first_response = min(now, created + randint(300, 4 * 3600))
        updated = closed or resolved or first_response or created
        row = (
            mid,
            brief,
            request,
            choice(ENTRY_TYPES),
            line,
            "",
            "",
            "",
            object_name,
            level,
            ts(created + minutes * 60),
            "",
            is_open,
            solution,
            closure == workaround_code,
            0,
            ts(created),
            ts(updated),
            ts(first_response) if first_response else None,
            ts(resolved) if resolved else None,
            ts(closed) if closed else None,
            1,
            pick_call_type(),
            caller,
            branch,
            department,
            category,
            closure,
            created_by,
            impact,
            operator,
            group,
            subcategory,
            prio_id,
            status,
            urgency,
            parent,
        )
        # history: who did what; 1-3 rows per melding, exactly DETAIL_HISTORY for the detail set
        hist.append((mid, created_by, ts(created), "created", "", "", "", brief, True))
        if mid in details:
            for k in range(DETAIL_HISTORY - 1):
                at = ts(created + 60 * (k + 1))
                if k % 3 == 0:
                    hist.append((mid, created_by, at, "changed", "priority", "P3", "P2", "", False))
                elif k % 3 == 1:
                    hist.append(
                        (mid, operator or created_by, at, "note", "", "", "", "Called the caller back", True)
                    )
                else:
                    hist.append(
                        (
                            mid,
                            operator or created_by,
                            at,
                            "assigned",
                            "operator",
                            "",
                            world.usernames.get(operator or created_by, ""),
                            "",
                            False,
                        )
                    )
            for k in range(5):
                notes.append(
                    (
                        mid,
                        operator or created_by,
                        " ".join(choices(WORDS, k=20)),
                        "internal" if k % 2 else "caller",
                        ts(created + 90 * (k + 1)),
                    )
                )
        else:
            if operator and rand() < 0.5:
                hist.append(
                    (
                        mid,
                        created_by,
                        ts(created + 120),
                        "assigned",
                        "operator",
                        "",
                        world.usernames.get(operator, ""),
                        "",
                        False,
                    )
                )
            if closed:
                hist.append(
                    (mid, operator, ts(closed), "closed", "status", "Afgemeld", "Afgesloten", "", True)
                )
            elif resolved:
                hist.append(
                    (mid, operator, ts(resolved), "resolved", "status", "", "Afgemeld", solution, True)
                )
        # count and record everything before handing the row over: the consumer may stop after it
        out.meldingen += 1
        yield row


def seed(db: Database, n: int, *, rng_seed: int = 42) -> dict[str, Any]:
    """Fill a freshly migrated database; returns figures and the ids the benchmark needs."""
    rng = random.Random(rng_seed)
    now = int(datetime.now(UTC).timestamp())
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    world = World()
    _load_configuration(db, world)
    _seed_people(db, world, rng, db.ts(now))
    db.commit()
    timings["reference_data_s"] = time.perf_counter() - t0

    # Drop the secondary indexes of the bulk tables; rebuilt once after the load (much faster).
    t = time.perf_counter()
    saved: list[str] = []
    for table in BULK_TABLES:
        for name, sql in db.indexes(table):
            saved.append(sql)
            db.execute(f'DROP INDEX "{name}"')
    db.commit()

    columns = {
        table: (cols, *db.padding(table, cols))
        for table, cols in zip(BULK_TABLES, (MELDING_COLUMNS, HISTORY_COLUMNS, NOTE_COLUMNS), strict=True)
    }

    def load(table: str, rows: Iterable[Sequence[Any]]) -> int:
        cols, extra, values = columns[table]
        if extra:
            return db.bulk(table, cols + extra, (tuple(row) + values for row in rows))
        return db.bulk(table, cols, rows)

    out = Counters()
    loaded = 0
    rows = _meldingen(db, world, rng, n, now, out)
    while loaded < n:
        chunk = [row for _, row in zip(range(100_000), rows, strict=False)]
        if not chunk:
            break
        loaded += load("servicedesk_melding", chunk)
        out.history += load("servicedesk_historyentry", out.history_rows)
        out.notes += load("servicedesk_note", out.note_rows)
        out.history_rows.clear()
        out.note_rows.clear()
        db.commit()
        if loaded % 200_000 == 0 or loaded == n:
            log(f"  {loaded:,} meldingen loaded ({time.perf_counter() - t:.0f} s)")
    timings["meldingen_and_history_s"] = time.perf_counter() - t

    t = time.perf_counter()
    db.create_indexes(saved)
    db.commit()
    timings["indexes_s"] = time.perf_counter() - t
    log(f"  {len(saved)} indexes rebuilt in {timings['indexes_s']:.0f} s")

    t = time.perf_counter()
    db.fill_search(n)
    db.commit()
    timings["search_index_s"] = time.perf_counter() - t
    log(f"  search index filled in {timings['search_index_s']:.0f} s")

    t = time.perf_counter()
    db.finish()
    timings["analyze_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    details = detail_ids(n)
    return {
        "meldingen": out.meldingen,
        "open": out.open,
        "keyword_meldingen": out.keyword,
        "history_rows": out.history,
        "notes": out.notes,
        "detail_id": details[0],
        "open_detail_ids": out.open_details,
        "rare_words": rare_ids(n),
        "absent_word": ABSENT_WORD,
        "number_ids": number_ids(n),
        "bench_username": "bench",
        "first_line_group": world.first_groups[0][0],
        "second_line_group": world.second_groups[0][0],
        "callers": [c[0] for c in world.callers[:50]],
        "categories": [(c, subs[0]) for c, subs in world.categories],
        "impacts": world.impacts,
        "urgencies": world.urgencies,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }
