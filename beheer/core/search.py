"""Full-text search behind one small interface.

SQLite: an FTS5 table (unicode61, diacritics folded, prefix indexes); every query token is lightly
stemmed and matched as a prefix, which catches the common Dutch and English inflections. PostgreSQL:
a tsvector per document built with both the Dutch and the English configuration and a GIN index; a
query matches when either language's stemming matches. Both return a subquery of object ids, so
callers keep their own permission filter (visible_to) and ordering. Never a LIKE scan.
"""

from __future__ import annotations

import re

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
    words = tokens(query)
    if not words:
        return None
    k = KINDS[kind]
    if _is_postgres():
        ts = " & ".join(f"{w}:*" for w in words)
        return RawSQL(
            "SELECT object_id FROM core_search WHERE kind = %s AND document @@ "
            "(to_tsquery('dutch', %s) || to_tsquery('english', %s))",
            (k, ts, ts),
        )
    match = " AND ".join(f'"{prefix_stem(w)}"*' for w in words)
    return RawSQL(
        "SELECT rowid >> 4 FROM core_search_fts WHERE core_search_fts MATCH %s AND (rowid & 15) = %s",
        (match, k),
    )


CREATE_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS core_search_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
)
CREATE_POSTGRES = [
    "CREATE TABLE IF NOT EXISTS core_search (kind smallint NOT NULL, object_id bigint NOT NULL, "
    "document tsvector NOT NULL, PRIMARY KEY (kind, object_id))",
    "CREATE INDEX IF NOT EXISTS core_search_document_gin ON core_search USING gin (document)",
]
