"""Full-text search behind one small interface.

SQLite: an FTS5 table (unicode61, diacritics folded, prefix indexes); every query token is lightly
stemmed and matched as a prefix, which catches the common Dutch and English inflections. PostgreSQL:
a tsvector per document built with both the Dutch and the English configuration and a GIN index; a
query matches when either language's stemming matches. Both return a subquery of object ids, so
callers keep their own permission filter (visible_to) and ordering. Never a LIKE scan.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from django.db import connection
from django.db.models.expressions import RawSQL

# "melding" holds everything operators may search (internal notes too); "melding_public" only what the
# caller may read, and is the document a caller's search uses.
KINDS = {"melding": 1, "article": 2, "ci": 3, "problem": 4, "melding_public": 5}
_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 12
MAX_TEXT = 200_000


def tokens(query: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(query or "")][:MAX_TOKENS]


# FTS5 has no Dutch or English stemmer; a prefix match on a lightly stemmed word catches the common
# inflections ("printers" -> printer*, "storingen" -> storing*, "sending" -> send*). PostgreSQL stems itself.
_SUFFIXES = ("ies", "ing", "es", "en", "ed", "s")
_MIN_STEM = 4


def prefix_stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index_document(kind: str, object_id: int, *, title: str, body: str) -> None:
    """Insert or replace the search document of one object (inside the caller's transaction)."""
    index_documents([kind], object_id, title=title, body=body)


def index_documents(kinds: list[str], object_id: int, *, title: str, body: str, new: bool = False) -> None:
    """The same document under several kinds at once, in one statement (`new`: none indexed yet)."""
    codes = [KINDS[kind] for kind in kinds]
    title, body = title[:MAX_TEXT], body[:MAX_TEXT]
    with connection.cursor() as cur:
        if _is_postgres():
            values = ", ".join(["(%s)"] * len(codes))
            cur.execute(
                "INSERT INTO core_search (kind, object_id, document) "  # noqa: S608 (placeholders only)
                f"SELECT k.kind, %s, d.document FROM (VALUES {values}) AS k (kind), (SELECT "
                "setweight(to_tsvector('dutch', %s), 'A') || setweight(to_tsvector('english', %s), 'A') || "
                "to_tsvector('dutch', %s) || to_tsvector('english', %s) AS document) AS d "
                "ON CONFLICT (kind, object_id) DO UPDATE SET document = EXCLUDED.document",
                [object_id, *codes, title, title, body, body],
            )
        else:
            rowids = [object_id * 16 + code for code in codes]
            marks = ", ".join(["%s"] * len(rowids))
            if not new:
                cur.execute(f"DELETE FROM core_search_fts WHERE rowid IN ({marks})", rowids)  # noqa: S608
            cur.executemany(
                "INSERT INTO core_search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [(rowid, title, body) for rowid in rowids],
            )


def remove_document(kind: str, object_id: int) -> None:
    k = KINDS[kind]
    with connection.cursor() as cur:
        if _is_postgres():
            cur.execute("DELETE FROM core_search WHERE kind = %s AND object_id = %s", [k, object_id])
        else:
            cur.execute("DELETE FROM core_search_fts WHERE rowid = %s", [object_id * 16 + k])


def matching_ids(kind: str, query: str) -> RawSQL | None:
    """A subquery of the ids of objects of `kind` matching every token of `query`; None if no tokens."""
    statement = _match_sql(kind, query)
    if statement is None:
        return None
    sql, params = statement
    return RawSQL(sql, tuple(params))  # noqa: S611 (constant SQL, placeholders only)


def _match_sql(kind: str, query: str) -> tuple[str, list[Any]] | None:
    """The statement behind matching_ids(): (sql, params); None when the query has no tokens."""
    words = tokens(query)
    if not words:
        return None
    k = KINDS[kind]
    if _is_postgres():
        ts = " & ".join(f"{w}:*" for w in words)
        return (
            "SELECT object_id FROM core_search WHERE kind = %s AND document @@ "
            "(to_tsquery('dutch', %s) || to_tsquery('english', %s))",
            [k, ts, ts],
        )
    match = " AND ".join(f'"{prefix_stem(w)}"*' for w in words)
    return (
        "SELECT rowid >> 4 FROM core_search_fts WHERE core_search_fts MATCH %s AND (rowid & 15) = %s",
        [match, k],
    )


# A made-up word that no document holds: the planner's estimate for it is its floor for any word
# missing from the column's statistics (rare or absent).
_ABSENT = "qxzqjvwkxq"
_ESTIMATE_SECONDS = 60.0
# (database alias, prefix query) -> (estimate, read at): a word's estimate (and the floor) changes
# only with the statistics (ANALYZE), so a search paged through or repeated within a minute asks the
# planner once.
_estimates: dict[tuple[str, str], tuple[float, float]] = {}
_ESTIMATES_KEPT = 512
_estimates_lock = threading.Lock()


def _estimate(ts: str) -> float:
    """PostgreSQL's estimate of the documents (all kinds) matching the prefix query `ts`."""
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM core_search WHERE document @@ "
            "(to_tsquery('dutch', %s) || to_tsquery('english', %s))",
            [ts, ts],
        )
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def surely_common(query: str, bound: int) -> bool:
    """Whether the statistics say `query` matches far more than `bound` documents (PostgreSQL).

    The planner's estimate for a word found in the column's statistics (most common elements)
    follows its real frequency; for any other word it is a floor, the same for a word in three
    documents and for one in none, and the floor can be high (up to about 1% of the rows). So only
    an estimate clearly above that floor, and well above the bound, counts as common."""
    words = tokens(query)
    if not words or not _is_postgres():
        return False
    estimate = _recent_estimate(" & ".join(f"{w}:*" for w in words))
    return estimate > 2 * bound and estimate > 1.5 * _recent_estimate(f"{_ABSENT}:*")


def _recent_estimate(ts: str) -> float:
    """_estimate(ts), read again when older than a minute; at most _ESTIMATES_KEPT queries kept
    (the oldest go first)."""
    now = time.monotonic()
    key = (connection.alias, ts)
    cached = _estimates.get(key)
    if cached is None or now - cached[1] > _ESTIMATE_SECONDS:
        cached = (_estimate(ts), now)
        with _estimates_lock:  # threads of one worker share the dict
            _estimates.pop(key, None)
            while len(_estimates) >= _ESTIMATES_KEPT:
                _estimates.pop(next(iter(_estimates)))
            _estimates[key] = cached
    return cached[0]


def bounded_matching_ids(kind: str, query: str, bound: int) -> list[int] | None:
    """Every id of `kind` matching `query` when there are at most `bound`, read from the full-text
    index alone; None when there are more (or the query has no tokens: see matching_ids()).

    The planner cannot tell a word in three documents from one in ten thousand (PostgreSQL's
    estimate for a word outside its statistics has a floor), so a search that joins the index to a
    sorted list may walk the whole sort index for a rare word. Reading the few matches first makes
    a rare word cost what it finds. PostgreSQL: a word the statistics know to be common is not read
    at all (None at once: building the GIN bitmap of a common word costs more than walking the list
    to its first page); otherwise the matches come through the GIN index, bounded by a LIMIT. FTS5
    returns matches in rowid order and stops at the LIMIT by itself."""
    statement = _match_sql(kind, query)
    if statement is None:
        return None
    if surely_common(query, bound):
        return None
    sql, params = statement
    with connection.cursor() as cur:
        if _is_postgres():
            # "kind + 0": the primary key (kind, object_id) is no way in here (it would read every
            # document of the kind); the GIN index on the document is. The CTE is planned for all its
            # rows (the LIMIT outside cannot talk the planner into a scan that hopes to stop early).
            sql = sql.replace("WHERE kind = %s", "WHERE kind + 0 = %s")
            cur.execute(
                f"WITH hits AS MATERIALIZED ({sql}) SELECT object_id FROM hits LIMIT %s",  # noqa: S608
                [*params, bound + 1],
            )
        else:
            cur.execute(f"{sql} LIMIT %s", [*params, bound + 1])
        ids = [int(row[0]) for row in cur.fetchall()]
    return ids if len(ids) <= bound else None


# Words that say nothing about the subject of a call, dropped from ranked (OR) queries. Dutch and
# English, lower case; short words (one letter) are dropped anyway.
_STOP_TEXT = """
aan al alle als alsof bij dan dat de deze die dit doch doen door dus een eens en er ge geen geweest
haar had heb hebben heeft hem het hier hij hoe hun ik in is ja je kan kon kunnen maar me meer men
met mij mijn moet na naar niet niets nog nu of om omdat ook op over reeds te tegen toch toen tot u
uit uw van veel voor want waren was wat we wel werd wezen wie wij wil worden wordt zal ze zei zelf
zich zij zijn zo zonder zou graag hallo hoi beste groet groeten bedankt alvast weer steeds even
a about after again all also am an and any are as at be been before being but by can could did do
does doing for from had has have having he her here him his how i if in into is it its just me my
no not now of on or our out over please she so some than that the their them then there these they
this those to too up us very was we were what when where which while who why will with would you
your hi hello thanks thank regards dear get got still doe doet deed kun kunt ben bent zit
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
RANKED_TOKENS = 16


def significant_tokens(text: str, *, limit: int = RANKED_TOKENS) -> list[str]:
    """The distinct words of `text` that carry meaning (no stop words, no single letters), in order."""
    seen: dict[str, None] = {}  # ordered set
    for word in _TOKEN.findall((text or "")[:MAX_TEXT]):
        word = word.lower()
        if len(word) < 2 or word in STOP_WORDS or word in seen or "_" in word:
            continue
        seen[word] = None
        if len(seen) >= limit:
            break
    return list(seen)


RANK_WINDOW = 2000


def ranked_ids(kind: str, text: str, limit: int, *, window: int = RANK_WINDOW) -> list[tuple[int, float]]:
    """Up to `limit` (object id, score) pairs of `kind` matching ANY significant word of `text`, best
    first (higher score = better). Candidate retrieval for ranking: the caller filters visibility and
    re-ranks the bounded list.

    Only the `window` newest matching documents of the kind are scored, so the cost stays bounded
    however many documents share a common word (a million meldingen mention "printer"): walking the
    matches in id order is cheap, computing a rank for each is not. SQLite: FTS5 bm25 with the title
    weighted 4x, computed only for rows of the kind; PostgreSQL: ts_rank_cd over the Dutch and
    English stems (title weight A)."""
    words = significant_tokens(text)
    if not words or limit <= 0:
        return []
    k = KINDS[kind]
    with connection.cursor() as cur:
        if _is_postgres():
            ts = " | ".join(f"{w}:*" for w in words)
            cur.execute(
                "SELECT w.object_id, ts_rank_cd(w.document, w.query) AS score FROM ("
                "SELECT s.object_id, s.document, q.query FROM core_search s, "
                "(SELECT to_tsquery('dutch', %s) || to_tsquery('english', %s) AS query) q "
                "WHERE s.kind = %s AND s.document @@ q.query ORDER BY s.object_id DESC LIMIT %s) w "
                "ORDER BY score DESC, w.object_id DESC LIMIT %s",
                [ts, ts, k, window, limit],
            )
            return [(int(pk), float(score)) for pk, score in cur.fetchall()]
        match = " OR ".join(f'"{prefix_stem(w)}"*' for w in words)
        cur.execute(
            "SELECT id, score FROM (SELECT rowid >> 4 AS id, bm25(core_search_fts, 4.0, 1.0) AS score "
            "FROM core_search_fts WHERE core_search_fts MATCH %s AND (rowid & 15) = %s "
            "ORDER BY rowid DESC LIMIT %s) ORDER BY score, id DESC LIMIT %s",
            [match, k, window, limit],
        )
        # bm25() is negative, more negative = better
        return [(int(pk), -float(score)) for pk, score in cur.fetchall()]


CREATE_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS core_search_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
)
CREATE_POSTGRES = [
    "CREATE TABLE IF NOT EXISTS core_search (kind smallint NOT NULL, object_id bigint NOT NULL, "
    "document tsvector NOT NULL, PRIMARY KEY (kind, object_id))",
    "CREATE INDEX IF NOT EXISTS core_search_document_gin ON core_search USING gin (document)",
]
