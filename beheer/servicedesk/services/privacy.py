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
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User

from ..models import Attachment, HistoryEntry, Melding, Note, TimeEntry
from ._base import _reindex

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


def _phone_patterns(phone: str) -> list[str]:
    """The number with any spaces, dashes, dots or brackets between its digits; a Dutch number
    starting with 0 also as +31 / 0031 without the 0."""
    digits = _digits(phone)
    if len(digits) < 6:
        return []
    variants = {digits}
    if digits.startswith("0") and not digits.startswith("00"):
        variants.add("31" + digits[1:])
    if digits.startswith("31"):
        variants.add("0" + digits[2:])
    sep = r"[\s\-.()/]*"
    patterns = []
    for variant in sorted(variants):
        body = sep.join(re.escape(d) for d in variant)
        if variant.startswith("31"):
            body = r"(?:\+|00)?" + sep + body
        patterns.append(r"(?<!\d)" + body + r"(?!\d)")
    return patterns


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

    def pattern(self) -> re.Pattern[str] | None:
        parts: list[str] = []
        # longest first: "Jan de Vries" before "Jan Vries"
        for text in sorted(self.names | self.emails, key=len, reverse=True):
            words = [re.escape(w) for w in text.split()]
            parts.append(r"(?<![^\W_])" + r"[\s\-_.]+".join(words) + r"(?![^\W_])")
        for phone in sorted(self.phones):
            parts.extend(_phone_patterns(phone))
        if not parts:
            return None
        return re.compile("|".join(parts), re.IGNORECASE)


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


def redactor(traces: Traces, replacement: str | None = None) -> Callable[[str], str]:
    """A function that replaces every trace in a text (the text unchanged when there is none)."""
    pattern = traces.pattern()
    if pattern is None:
        return lambda text: text
    mark = replacement if replacement is not None else placeholder()
    return lambda text: pattern.sub(mark, text) if text else text


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

    # the melding's own fields
    plain: list[int] = []
    changed: list[Melding] = []
    for r in rows:
        texts = {name: redact[r["id"]](r[name] or "") for name in MELDING_TEXTS}
        differs = [name for name in MELDING_TEXTS if texts[name] != (r[name] or "")]
        if not differs:
            plain.append(r["id"])
            continue
        if INDEXED_TEXTS.intersection(differs):
            reindex.add(r["id"])
        m = Melding(pk=r["id"], **texts)
        changed.append(m)
    clear = {"caller": None, "caller_name": "", "caller_email": "", "caller_phone": ""}
    Melding.objects.filter(pk__in=all_ids).update(**clear)
    if changed:
        Melding.objects.bulk_update(changed, list(MELDING_TEXTS), batch_size=200)

    # notes
    notes: list[Note] = []
    for note_id, melding_id, text in Note.objects.filter(melding_id__in=all_ids).values_list(
        "id", "melding_id", "text"
    ):
        result.note_ids.append(note_id)
        new = redact[melding_id](text)
        if new != text:
            notes.append(Note(pk=note_id, text=new))
            reindex.add(melding_id)
    if notes:
        Note.objects.bulk_update(notes, ["text"], batch_size=500)
    result.notes = len(notes)

    # history: the caller fields lose their values, every other text its traces
    history: list[HistoryEntry] = []
    for values in HistoryEntry.objects.filter(melding_id__in=all_ids).values_list(
        "id", "melding_id", "field", "action", *HISTORY_TEXTS
    ):
        entry_id, melding_id, name, action, *texts = values
        if name in CALLER_FIELDS or action in FILE_ACTIONS:
            new_texts = [mark if t else t for t in texts[:4]] + [redact[melding_id](texts[4])]
        else:
            new_texts = [redact[melding_id](t) for t in texts]
        if new_texts != list(texts):
            history.append(HistoryEntry(pk=entry_id, **dict(zip(HISTORY_TEXTS, new_texts, strict=True))))
    if history:
        HistoryEntry.objects.bulk_update(history, list(HISTORY_TEXTS), batch_size=500)
    result.history = len(history)

    # time entries' notes
    entries = []
    for entry_id, melding_id, note in (
        TimeEntry.objects.filter(melding_id__in=all_ids)
        .exclude(note="")
        .values_list("id", "melding_id", "note")
    ):
        new = redact[melding_id](note)
        if new != note:
            entries.append(TimeEntry(pk=entry_id, note=new))
    if entries:
        TimeEntry.objects.bulk_update(entries, ["note"], batch_size=500)

    # attachments: the row stays (counted, dated), name and content go
    files: list[str] = []
    attachments = []
    for attachment_id, name in (
        Attachment.objects.filter(melding_id__in=all_ids).exclude(file="").values_list("id", "file")
    ):
        files.append(name)
        attachments.append(attachment_id)
    if attachments:
        Attachment.objects.filter(pk__in=attachments).update(file="", original_name=mark)
    Attachment.objects.filter(melding_id__in=all_ids).exclude(original_name=mark).update(original_name=mark)
    result.attachments = len(attachments)
    if files:
        transaction.on_commit(lambda: _remove_files(files))

    # the search documents, from the cleaned texts
    for melding in Melding.objects.filter(pk__in=sorted(reindex)).only(
        "id", "parent_id", "brief_description", "request", "object_name"
    ):
        _reindex(melding)

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
