"""Removing personal data from meldingen (AVG): the retention job and a person's erasure request of
the security app call these; nothing here decides *when* (that is the caller's rule).

`anonymise_meldingen(ids, ...)` works on one batch inside the caller's transaction: the caller's
name, e-mail address and phone number go from the melding (and its partials, which copy them); every
mention of them in the melding's texts, notes, time entries and history is replaced by a placeholder;
the history rows of the caller fields lose their values; attachments keep their row (type, size,
time: the counts stay) but lose their name and content (the files are removed after the commit);
the search documents are written again from the cleaned texts. Counts, dates, durations, statuses,
categories and the SLA outcome stay, so reports add up as before.

`Traces` and `redactor` are the detection: plain case-insensitive matches of the names and
addresses, and phone numbers written with or without spaces, dashes or dots and as +31.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import search

from ..models import Attachment, HistoryEntry, Melding, Note, TimeEntry, Visibility, format_number

# history fields whose values are the caller: emptied whatever they hold
CALLER_FIELDS = frozenset({"caller", "caller_name", "caller_email", "caller_phone"})
# history actions whose values are a file's name: emptied too
FILE_ACTIONS = frozenset({"attachment"})
MELDING_TEXTS = (
    "brief_description",
    "request",
    "solution",
    "satisfaction_comment",
    "object_name",
    "estimated_means",
)
INDEXED_TEXTS = frozenset({"brief_description", "request", "object_name"})
HISTORY_TEXTS = ("old_value", "new_value", "old_value_en", "new_value_en", "detail")
MIN_TRACE = 3  # shorter names or numbers are not looked for in free text


def placeholder() -> str:
    """What replaces a removed name, address or number, in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("[removed]")


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


# a run of digits as people write phone numbers: +31 6 1234 5678, 06-12345678, (020) 123 45 67
_PHONE_LIKE = re.compile(r"\+?(?<!\d)\d[\d \t\-.()/]{4,}\d(?!\d)")


def _phone_variants(phone: str) -> set[str]:
    """The digits of a number as written with and without the Dutch country code."""
    digits = _digits(phone)
    if len(digits) < 6:
        return set()
    variants = {digits}
    if digits.startswith("0") and not digits.startswith("00"):
        variants.add("31" + digits[1:])
    if digits.startswith("31"):
        variants.add("0" + digits[2:])
    if digits.startswith("0031"):
        variants.add("0" + digits[4:])
    return variants


@dataclass(frozen=True)
class Traces:
    """What identifies one person in free text: names, e-mail addresses, phone numbers."""

    names: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    def __or__(self, other: Traces) -> Traces:
        return Traces(self.names | other.names, self.emails | other.emails, self.phones | other.phones)

    def __bool__(self) -> bool:
        return bool(self.names or self.emails or self.phones)

    @classmethod
    def of(
        cls, *, names: Iterable[str] = (), emails: Iterable[str] = (), phones: Iterable[str] = ()
    ) -> Traces:
        return cls(
            frozenset(n.strip() for n in names if n and len(n.strip()) >= MIN_TRACE),
            frozenset(e.strip().lower() for e in emails if e and len(e.strip()) >= MIN_TRACE),
            frozenset(p.strip() for p in phones if p and len(_digits(p)) >= 6),
        )

    def name_pattern(self) -> re.Pattern[str] | None:
        """Names and addresses, case-insensitive, words separated by any spaces, dashes, dots or
        underscores ("Jan de Vries", "jan-de-vries", "Jan_de_Vries"), never inside a longer word."""
        parts: list[str] = []
        for text in sorted(self.names | self.emails, key=len, reverse=True):  # longest first
            words = [re.escape(w) for w in text.split()]
            parts.append(r"(?<![^\W_])" + r"[\s\-_.]+".join(words) + r"(?![^\W_])")
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def traces_of_person(person: User) -> Traces:
    """A registered person's traces: full name (with and without the middle words), username,
    e-mail address, phone and mobile."""
    full = person.get_full_name().strip()
    names = [full, f"{person.first_name} {person.last_name}".strip()]
    last_words = person.last_name.split()
    if person.first_name and len(last_words) > 1:  # "Jan de Vries" also as "Jan Vries"
        names.append(f"{person.first_name} {last_words[-1]}")
    names.append(person.username)
    return Traces.of(names=names, emails=[person.email], phones=[person.phone, person.mobile])


_SEPARATORS = frozenset(" \t\r\n-_.")


def _word_char(c: str) -> bool:
    return c.isalnum()


def _spans(lower: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words occur in `lower` one after the other, separated by spaces, dashes, dots or
    underscores, and not inside a longer word. Plain string search: no pattern to compile."""
    found: list[tuple[int, int]] = []
    first = words[0]
    at = lower.find(first)
    while at != -1:
        end = at + len(first)
        whole = at == 0 or not _word_char(lower[at - 1])
        for word in words[1:]:
            if not whole:
                break
            gap = end
            while gap < len(lower) and lower[gap] in _SEPARATORS:
                gap += 1
            whole = gap > end and lower.startswith(word, gap)
            end = gap + len(word)
        if whole and (end == len(lower) or not _word_char(lower[end])):
            found.append((at, end))
            at = lower.find(first, end)
        else:
            at = lower.find(first, at + 1)
    return found


def redactor(traces: Traces, replacement: str | None = None) -> Callable[[str], str]:
    """A function that replaces every trace in a text (the text unchanged when there is none).

    Cheap: names and addresses are found by plain string search on the lower-case text (words
    separated by any spaces, dashes, dots or underscores, never inside a longer word); phone
    numbers by one shared pattern, compared by their digits."""
    mark = replacement if replacement is not None else placeholder()
    names = [text.lower().split() for text in traces.names | traces.emails]
    names = [words for words in names if words]
    phones: set[str] = set()
    for phone in traces.phones:
        phones |= _phone_variants(phone)

    def phone_mark(match: re.Match[str]) -> str:
        digits = _digits(match.group(0))
        return mark if any(p in digits for p in phones) else match.group(0)

    def clean(text: str) -> str:
        if not text:
            return text
        if names:
            lower = text.lower()
            if len(lower) != len(text):  # a character whose lower case is longer: the slow way
                pattern = traces.name_pattern()
                text = pattern.sub(mark, text) if pattern is not None else text
            else:
                spans = sorted(
                    (span for words in names for span in _spans(lower, words)),
                    key=lambda span: (span[0], -span[1]),
                )
                if spans:
                    parts: list[str] = []
                    position = 0
                    for begin, end in spans:
                        if begin < position:  # inside a longer match already replaced
                            continue
                        parts += [text[position:begin], mark]
                        position = end
                    parts.append(text[position:])
                    text = "".join(parts)
        if phones:
            text = _PHONE_LIKE.sub(phone_mark, text)
        return text

    return clean


@dataclass
class MeldingenAnonymised:
    """What one batch did: the meldingen, their note ids (the mail intake's replies point at them),
    the traces per melding (for the mail intake and the outbox) and the counts."""

    melding_ids: list[int] = field(default_factory=list)
    note_ids: list[int] = field(default_factory=list)
    traces: dict[int, Traces] = field(default_factory=dict)
    notes: int = 0
    history: int = 0
    attachments: int = 0


def _melding_traces(
    rows: Sequence[dict[str, Any]], people: dict[int, User], extra: Traces | None
) -> dict[int, Traces]:
    found: dict[int, Traces] = {}
    for row in rows:
        traces = Traces.of(
            names=[row["caller_name"]], emails=[row["caller_email"]], phones=[row["caller_phone"]]
        )
        caller = people.get(row["caller_id"]) if row["caller_id"] else None
        if caller is not None:
            traces = traces | traces_of_person(caller)
        if extra is not None:
            traces = traces | extra
        found[row["id"]] = traces
    return found


def _update_rows(model: type[Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE each row's `fields` by primary key (`rows`: the values, then the key): on PostgreSQL
    one UPDATE ... FROM (VALUES ...) per 500 rows, on SQLite one prepared statement run for every
    row (in-process, cheap); both far cheaper than bulk_update's CASE for thousands of long texts."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [quote(str(getattr(model._meta.get_field(f), "column", f))) for f in fields]
    key = quote(str(model._meta.pk.column if model._meta.pk else "id"))
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            columns = ", ".join(f"{name} = %s" for name in names)
            cur.executemany(f"UPDATE {table} SET {columns} WHERE {key} = %s", rows)  # noqa: S608
            return
        columns = ", ".join(f"{name} = v.c{i}" for i, name in enumerate(names))
        aliases = ", ".join(f"c{i}" for i in range(len(names)))
        row = "(" + ", ".join(["%s::text"] * len(names) + ["%s::bigint"]) + ")"
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cur.execute(
                f"UPDATE {table} SET {columns} FROM (VALUES {', '.join([row] * len(chunk))}) "  # noqa: S608
                f"AS v ({aliases}, pk) WHERE {table}.{key} = v.pk",
                [value for values in chunk for value in values],
            )


def _index_many(documents: list[tuple[tuple[str, ...], int, str, str]]) -> None:
    """Write search documents (kinds, object id, title, body) as `core.search.index_document` writes
    them, many per statement; a document shared by several kinds is computed once."""
    if not documents:
        return
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for start in range(0, len(documents), 200):
                chunk = documents[start : start + 200]
                values = ", ".join(["(%s::smallint[], %s::bigint, %s::text, %s::text)"] * len(chunk))
                params: list[Any] = []
                for kinds, object_id, title, body in chunk:
                    codes = [search.KINDS[kind] for kind in kinds]
                    params += [codes, object_id, title[: search.MAX_TEXT], body[: search.MAX_TEXT]]
                cur.execute(
                    "WITH d AS MATERIALIZED (SELECT v.kinds, v.object_id, "  # noqa: S608 (placeholders only)
                    "setweight(to_tsvector('dutch', v.title), 'A') || "
                    "setweight(to_tsvector('english', v.title), 'A') || "
                    "to_tsvector('dutch', v.body) || to_tsvector('english', v.body) AS document "
                    f"FROM (VALUES {values}) AS v (kinds, object_id, title, body)) "
                    "INSERT INTO core_search (kind, object_id, document) "
                    "SELECT k.kind, d.object_id, d.document FROM d, unnest(d.kinds) AS k (kind) "
                    "ON CONFLICT (kind, object_id) DO UPDATE SET document = EXCLUDED.document",
                    params,
                )
        else:
            rows = [
                (object_id * 16 + search.KINDS[kind], title[: search.MAX_TEXT], body[: search.MAX_TEXT])
                for kinds, object_id, title, body in documents
                for kind in kinds
            ]
            cur.executemany("DELETE FROM core_search_fts WHERE rowid = %s", [(r[0],) for r in rows])
            cur.executemany("INSERT INTO core_search_fts (rowid, title, body) VALUES (%s, %s, %s)", rows)


def anonymise_meldingen(ids: Sequence[int], *, extra: Traces | None = None) -> MeldingenAnonymised:
    """Remove the personal data of the caller from the meldingen `ids` (and from their partials),
    inside the caller's transaction; `extra` are further traces to remove (the person of an erasure
    request). Idempotent: a second pass finds nothing left to change. Files of attachments are
    removed after the commit."""
    result = MeldingenAnonymised()
    if not ids:
        return result
    mark = placeholder()
    partial_ids = list(
        Melding.objects.filter(parent_id__in=ids).exclude(pk__in=ids).values_list("pk", flat=True)
    )
    all_ids = sorted({*ids, *partial_ids})
    rows = list(
        Melding.objects.filter(pk__in=all_ids).values(
            "id", "parent_id", "caller_id", "caller_name", "caller_email", "caller_phone", *MELDING_TEXTS
        )
    )
    caller_ids = {r["caller_id"] for r in rows if r["caller_id"]}
    people = {p.pk: p for p in User.objects.filter(pk__in=caller_ids)} if caller_ids else {}
    traces = _melding_traces(rows, people, extra)
    # a partial is a copy of its main melding: each loses the other's traces too
    for r in rows:
        parent = r["parent_id"]
        if parent in traces:
            both = traces[r["id"]] | traces[parent]
            traces[r["id"]] = traces[parent] = both
    redact = {mid: redactor(t, mark) for mid, t in traces.items()}
    reindex: set[int] = set()

    # the melding's own fields: the caller's copies emptied, the texts cleaned
    Melding.objects.filter(pk__in=all_ids).update(
        caller=None, caller_name="", caller_email="", caller_phone=""
    )
    texts_of: dict[int, dict[str, str]] = {}
    changed: list[tuple[Any, ...]] = []
    for r in rows:
        texts = {name: redact[r["id"]](r[name] or "") for name in MELDING_TEXTS}
        texts_of[r["id"]] = texts
        differs = [name for name in MELDING_TEXTS if texts[name] != (r[name] or "")]
        if differs:
            changed.append((*(texts[name] for name in MELDING_TEXTS), r["id"]))
            if INDEXED_TEXTS.intersection(differs):
                reindex.add(r["id"])
    _update_rows(Melding, MELDING_TEXTS, changed)

    # notes
    notes_of: dict[int, list[tuple[str, str]]] = {}
    note_rows: list[tuple[Any, ...]] = []
    for note_id, melding_id, text, visibility in (
        Note.objects.filter(melding_id__in=all_ids)
        .order_by("id")
        .values_list("id", "melding_id", "text", "visibility")
    ):
        result.note_ids.append(note_id)
        new = redact[melding_id](text)
        notes_of.setdefault(melding_id, []).append((new, visibility))
        if new != text:
            note_rows.append((new, note_id))
            reindex.add(melding_id)
    _update_rows(Note, ["text"], note_rows)
    result.notes = len(note_rows)

    # history: the caller fields and file names lose their values, every other text its traces
    history_rows: list[tuple[Any, ...]] = []
    for values in HistoryEntry.objects.filter(melding_id__in=all_ids).values_list(
        "id", "melding_id", "field", "action", *HISTORY_TEXTS
    ):
        entry_id, melding_id, name, action, *texts = values
        clean = redact[melding_id]
        if name in CALLER_FIELDS or action in FILE_ACTIONS:
            new_texts = [mark if t else t for t in texts[:4]] + [clean(texts[4])]
        else:
            new_texts = [clean(t) for t in texts]
        if new_texts != list(texts):
            history_rows.append((*new_texts, entry_id))
    _update_rows(HistoryEntry, HISTORY_TEXTS, history_rows)
    result.history = len(history_rows)

    # time entries' notes
    entry_rows: list[tuple[Any, ...]] = []
    for entry_id, melding_id, note in (
        TimeEntry.objects.filter(melding_id__in=all_ids)
        .exclude(note="")
        .values_list("id", "melding_id", "note")
    ):
        new = redact[melding_id](note)
        if new != note:
            entry_rows.append((new, entry_id))
    _update_rows(TimeEntry, ["note"], entry_rows)

    # attachments: the row stays (counted, dated), name and content go
    files: list[str] = []
    attachments = []
    for attachment_id, name in (
        Attachment.objects.filter(melding_id__in=all_ids).exclude(file="").values_list("id", "file")
    ):
        files.append(name)
        attachments.append(attachment_id)
    if attachments:
        Attachment.objects.filter(pk__in=attachments).update(file="")
    Attachment.objects.filter(melding_id__in=all_ids).exclude(original_name=mark).update(original_name=mark)
    result.attachments = len(attachments)
    if files:
        transaction.on_commit(lambda: _remove_files(files))

    # the search documents, from the cleaned texts (as `_base._reindex` writes them)
    documents: list[tuple[tuple[str, ...], int, str, str]] = []
    parents = {r["id"]: r["parent_id"] for r in rows}
    for melding_id in sorted(reindex):
        texts = texts_of[melding_id]
        title = f"{format_number(melding_id)} {texts['brief_description']}"
        base = f"{texts['request']}\n{texts['object_name']}"
        notes = notes_of.get(melding_id, [])
        body = base + "\n" + "\n".join(t for t, _v in notes)
        if parents[melding_id] is not None:  # a partial has no caller's document
            documents.append((("melding",), melding_id, title, body))
            continue
        public = f"{base}\n" + "\n".join(t for t, v in notes if v == Visibility.CALLER)
        if public == body:
            documents.append((("melding", "melding_public"), melding_id, title, body))
        else:
            documents.append((("melding",), melding_id, title, body))
            documents.append((("melding_public",), melding_id, title, public))
    _index_many(documents)

    result.melding_ids = [r["id"] for r in rows]
    result.traces = traces
    return result


def _remove_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the disk refuses: the row no longer names it
            continue


def meldingen_of_person(person: User) -> list[int]:
    """The ids of the meldingen a person called in (as the registered caller or by their e-mail
    address as an unregistered one), with their partials."""
    rows = Melding.objects.filter(caller=person)
    if person.email:
        rows = rows | Melding.objects.filter(caller__isnull=True, caller_email__iexact=person.email)
    ids = set(rows.values_list("pk", flat=True))
    if ids:
        ids |= set(Melding.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
    return sorted(ids)
