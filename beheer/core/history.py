"""The history kernel: one shape for audit trails and one way to write them.

A trail is a concrete model deriving from `HistoryRecord` with a foreign key to its subject (named
by `subject_field`), optionally a column that keeps the subject's name (`subject_name_field`, so
the trail of a deleted subject still says whose it was), and a `visible_to` (`HistoryRecordQuerySet`
reads it from the subject's own). Services write it with `record()`, inside the transaction of the change:

    before = history.snapshot(check, FIELDS)
    ...change and save check...
    history.record(CheckHistoryEntry, check, actor=actor, action="changed",
                   changes=history.changes_since(before, check))

One row per changed field (old -> new), all in one INSERT; nothing when nothing changed. Values are
stored as text (`render`): codes for choices, "true"/"false", references by their name, moments in
ISO 8601 (UTC). A secret (`Secret`) is compared in memory and never stored: its row says only that it
changed (`SECRET_CHANGED`). The display helpers show a row in the reader's language: the subject
model's field names and choice labels, yes/no, moments in local time.

A trail of a subject people can delete derives from `SubjectHistoryRecord` (its key declared with
`subject_key`, its index with `subject_index`). The API reads one subject's trail with
`subject_history_page`, a screen with `subject_screen_page`.

core imports no domain app: everything about a subject is read from the concrete model's class.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import wraps
from typing import Any, ClassVar, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils import formats, timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import access, clock
from .errors import DomainError, NotFound
from .pagination import Page, SortKey, keyset_page, page_for_request

SECRET_CHANGED = "\u2022changed"  # what a secret's row stores instead of the secret
HISTORY_ORDER = [SortKey("at", descending=True), SortKey("id", descending=True)]  # newest first

H = TypeVar("H", bound="HistoryRecord")
P = ParamSpec("P")
R = TypeVar("R")


# --------------------------------------------------------------------------------------------------
# values


class Secret:
    """A secret value in a snapshot: compared with another, never rendered or stored."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = "" if value is None else value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]  # compared, never used as a key

    def __repr__(self) -> str:
        return "Secret(…)"


Value = str | Secret


def render(value: Any) -> str:
    """A value as history stores it: language-neutral text (references in the installation's
    language, by their `str`)."""
    if isinstance(value, Secret):
        raise TypeError("a secret is never rendered")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, models.Model):
        with translation.override(settings.LANGUAGE_CODE):
            return str(value)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if timezone.is_aware(value) else value
        return moment.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # 99.900 and 99.9 are the same value
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(render(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return ", ".join(sorted(render(v) for v in value))
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def stored_text(describe: Callable[P, R]) -> Callable[P, R]:
    """A describing function whose text goes into history: it speaks the installation's language,
    whatever language the person who made the change reads (history is written once, for all)."""

    @wraps(describe)
    def in_installation_language(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return describe(*args, **kwargs)

    return in_installation_language


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Choices):
        return str(value.label)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def texts(value: Any) -> tuple[str, str]:
    """The value as shown in Dutch and in English, for trails that store both (the names of
    statuses, lines and priorities differ): a choice by its label, a moment in local time."""
    with translation.override("nl"):
        nl = _shown(value)
    with translation.override("en"):
        en = _shown(value)
    return nl, en


@dataclass(frozen=True)
class Change:
    """One changed field: its name, the old and the new value as text, and values of the concrete
    model's own columns for this row (`columns`, e.g. the English texts of the melding history)."""

    field: str
    old: str = ""
    new: str = ""
    columns: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Snapshot:
    """The values of some fields of an object, taken before an update (see `changes_since`)."""

    fields: tuple[str, ...]
    secret: frozenset[str]
    values: dict[str, Value]


def snapshot(
    obj: Any,
    fields: Iterable[str],
    *,
    secret: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> Snapshot:
    """`fields` of `obj` as text (the names in `secret` kept as `Secret`), plus `extra`: values the
    object does not hold as attributes (a many-to-many list, per-kind options), rendered unless they
    are a `Secret` already."""
    names = tuple(fields)
    hidden = frozenset(secret)
    values: dict[str, Value] = {}
    for name in names:
        raw = getattr(obj, name)
        values[name] = Secret(raw) if name in hidden else render(raw)
    for name, raw in (extra or {}).items():
        values[name] = raw if isinstance(raw, Secret) else render(raw)
    return Snapshot(fields=names, secret=hidden, values=values)


def diff(before: Mapping[str, Value], after: Mapping[str, Value]) -> list[Change]:
    """The fields whose values differ, in the order of `before` then the new ones of `after`. A
    field missing on one side is empty there. A secret's change is `SECRET_CHANGED`, never a value."""
    out: list[Change] = []
    for name in [*before, *(n for n in after if n not in before)]:
        old, new = before.get(name, ""), after.get(name, "")
        if isinstance(old, Secret) or isinstance(new, Secret):
            old_raw = old.value if isinstance(old, Secret) else old
            new_raw = new.value if isinstance(new, Secret) else new
            if old_raw != new_raw:
                out.append(Change(name, "", SECRET_CHANGED))
        elif old != new:
            out.append(Change(name, old, new))
    return out


def changes_since(before: Snapshot, obj: Any, *, extra: Mapping[str, Any] | None = None) -> list[Change]:
    """What changed on `obj` since `before` was taken: the same fields (and secrets) read again,
    `extra` as given to `snapshot` (its keys may differ: an option set or removed)."""
    after = snapshot(obj, before.fields, secret=before.secret, extra=extra)
    return diff(before.values, after.values)


# --------------------------------------------------------------------------------------------------
# the model


class HistoryRecordQuerySet(models.QuerySet[H]):
    """Reads of a trail: `visible_to` follows the subject's own `visible_to`."""

    def visible_to(self, user: Any) -> HistoryRecordQuerySet[H]:
        """Rows of the subjects `user` may see; rows of a deleted subject (its key null) for whoever
        the model's `orphans_visible_to` admits."""
        model: Any = self.model
        name = model.subject_field
        subjects = model.subject_model()._default_manager.visible_to(user)
        condition = Q(**{f"{name}__in": subjects.values("pk")})
        if model._meta.get_field(name).null and model.orphans_visible_to(user):
            condition |= Q(**{f"{name}__isnull": True})
        return self.filter(condition)

    def of(self, subject: models.Model) -> HistoryRecordQuerySet[H]:
        """The rows of one subject, with their actors."""
        return self.filter(**{self.model.subject_field: subject}).select_related("actor")


class HistoryRecord(models.Model):
    """Who changed what on a subject, when, old -> new; written by services through `record()`.

    A concrete trail names the foreign key to its subject in `subject_field` and may keep the
    subject's name (`subject_name_field`, read from `subject_name_attr`). It may add columns of its
    own (`record()` fills them from `columns`) and redeclare a field (a narrower column, choices for
    `action`, a verbose name). The fields carry no verbose names here: the trails that existed before
    this model kept their columns and their migration state as they were. People read a row through
    `field_label`, `action_label` and the `*_display` helpers.
    """

    subject_field: ClassVar[str] = ""
    subject_name_field: ClassVar[str] = ""  # a column that keeps the subject's name, if any
    subject_name_attr: ClassVar[str] = "name"
    field_labels: ClassVar[Mapping[str, Any]] = {}  # labels for fields the subject model lacks
    value_words: ClassVar[Mapping[str, Callable[[str], str]]] = {}  # stored values shown in words

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        abstract = True

    # --- the subject

    @classmethod
    def subject_model(cls) -> type[models.Model]:
        related = cls._meta.get_field(cls.subject_field).related_model
        assert isinstance(related, type)
        return related

    @classmethod
    def subject_values(cls, subject: models.Model) -> dict[str, Any]:
        """The columns that tie a row to `subject` (none for a subject already deleted)."""
        values: dict[str, Any] = {cls.subject_field: subject if subject.pk is not None else None}
        if cls.subject_name_field:
            limit = getattr(cls._meta.get_field(cls.subject_name_field), "max_length", None)
            name = str(getattr(subject, cls.subject_name_attr))
            values[cls.subject_name_field] = name[:limit] if limit else name
        return values

    @classmethod
    def orphans_visible_to(cls, user: Any) -> bool:
        """Who reads the rows of a deleted subject; nobody unless a trail says otherwise."""
        return False

    # --- display, in the reader's language

    @classmethod
    def subject_field_of(cls, name: str) -> models.Field[Any, Any] | None:
        try:
            found = cls.subject_model()._meta.get_field(name.split(".", 1)[0])
        except FieldDoesNotExist:
            return None
        return found if isinstance(found, models.Field) else None

    @classmethod
    def label_of(cls, name: str) -> str:
        """A field's name for people: `field_labels`, else the subject model's verbose name (a
        dotted name, `options.keyword`, as "<options>: keyword")."""
        if not name:
            return ""
        if name in cls.field_labels:
            return str(cls.field_labels[name])
        head, dot, rest = name.partition(".")
        if head in cls.field_labels:
            label = str(cls.field_labels[head])
        else:
            model_field = cls.subject_field_of(head)
            label = str(model_field.verbose_name) if model_field is not None else head
        return f"{label}: {rest}" if dot else label

    @classmethod
    def display_value(cls, name: str, value: str) -> str:
        """A stored value in the reader's language: a secret's change, a value in words
        (`value_words`), a choice's label, yes/no, a moment in local time; anything else as stored."""
        if value == SECRET_CHANGED:
            return _("changed")
        if not value:
            return ""
        if name in cls.value_words:  # a value kept as codes (a rule), shown in words
            return cls.value_words[name](value)
        model_field = cls.subject_field_of(name) if "." not in name else None
        if model_field is None:
            return value
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return _("yes") if value == "true" else _("no") if value == "false" else value
        if isinstance(model_field, models.DateTimeField):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        return value

    @property
    def field_label(self) -> str:
        return self.label_of(self.field)

    @property
    def action_label(self) -> str:
        choices = dict(self._meta.get_field("action").flatchoices)  # type: ignore[union-attr]
        return str(choices.get(self.action, self.action))

    @property
    def old_display(self) -> str:
        return self.display_value(self.field, self.old_value)

    @property
    def new_display(self) -> str:
        return self.display_value(self.field, self.new_value)

    @property
    def detail_display(self) -> str:
        return self.detail


def subject_key(model: type[models.Model], verbose_name: Any) -> models.ForeignKey[Any, Any]:
    """The key of a `SubjectHistoryRecord` to its subject: set to null when the subject is deleted,
    so the rows stay (with the subject's name); the subject's rows are its `history`."""
    return models.ForeignKey(
        model,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="history",
        verbose_name=verbose_name,
    )


def subject_index(field: str, name: str) -> models.Index:
    """The index a trail's pages are read from: (subject, at, id), newest first (`history_page`)."""
    return models.Index(fields=[field, "at", "id"], name=name)


class SubjectHistoryRecord(HistoryRecord):
    """The trail of a subject people can delete (a check, a maintenance window, a mailbox).

    The concrete trail declares its key with `subject_key(...)` and a column with the subject's
    name (`subject_name_field`), which its rows show (`str`); its Meta names the index with
    `subject_index(...)`. The rows of a deleted subject are read by `orphans_audience` (the lowest
    role that may see such subjects at all); the rest follow the subject's own `visible_to`.
    """

    orphans_audience: ClassVar[access.Audience | None] = None

    objects = HistoryRecordQuerySet.as_manager()  # visible_to: whoever may see the subject

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, self.subject_name_field)}: {self.action_label}"

    @classmethod
    def orphans_visible_to(cls, user: Any) -> bool:
        return cls.orphans_audience is not None and access.admits(cls.orphans_audience, user)


# --------------------------------------------------------------------------------------------------
# writing


def record(
    model: type[H],
    subject: models.Model,
    *,
    actor: Any,
    action: str,
    changes: Iterable[Change] | None = None,
    field: str = "",
    old: str = "",
    new: str = "",
    detail: str = "",
    at: datetime | None = None,
    columns: Mapping[str, Any] | None = None,
) -> list[H]:
    """Write the history of one action on `subject`, in one INSERT; returns the rows written.

    Without `changes`: one row for the action (created, paused, deleted), naming a `field` and its
    `old` and `new` text if given. With `changes`: one row per change whose old and new text differ,
    and none when nothing changed. `columns` are values of the model's own further columns for every
    row (a change's `columns` add to them). `at` defaults to now (`core.clock`)."""
    when = at or clock.now()
    width = getattr(model._meta.get_field("field"), "max_length", None) or 40
    base = _base(model, subject, actor=actor, action=action, at=when, detail=detail, columns=columns)
    if changes is None:
        rows = [model(**base, field=field[:width], old_value=old, new_value=new)]
    else:
        if field or old or new:
            raise ValueError("give either changes or one field with its values")
        rows = [
            model(
                **{**base, **(change.columns or {})},
                field=change.field[:width],
                old_value=change.old,
                new_value=change.new,
            )
            for change in changes
            if change.old != change.new
        ]
        if not rows:
            return []
    return model._default_manager.bulk_create(rows)


def record_each(
    model: type[H], subjects: Iterable[models.Model], *, actor: Any, action: str, at: datetime | None = None
) -> list[H]:
    """What `record` without changes writes for one subject (one row for the action: created, ...),
    for each of `subjects` at once, in as few INSERTs as the database allows (a batch of new objects)."""
    when = at or clock.now()
    rows = [
        model(**_base(model, s, actor=actor, action=action, at=when), field="", old_value="", new_value="")
        for s in subjects
    ]
    return model._default_manager.bulk_create(rows)


def _base(
    model: type[H],
    subject: models.Model,
    *,
    actor: Any,
    action: str,
    at: datetime,
    detail: str = "",
    columns: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        **model.subject_values(subject),
        "actor": actor,
        "at": at,
        "action": action,
        "detail": detail,
        **(columns or {}),
    }


def record_bilingual(
    model: type[H],
    subject: models.Model,
    *,
    actor: Any,
    action: str,
    at: datetime,
    field: str = "",
    old: Any = None,
    new: Any = None,
    detail: str = "",
    columns: Mapping[str, Any] | None = None,
) -> H:
    """One row of a trail that stores its values as shown in Dutch and in English (`texts`): Dutch
    in `old_value`/`new_value`, English in the model's `old_value_en`/`new_value_en`."""
    old_nl, old_en = texts(old)
    new_nl, new_en = texts(new)
    (entry,) = record(
        model,
        subject,
        actor=actor,
        action=action,
        at=at,
        field=field,
        old=old_nl,
        new=new_nl,
        detail=detail,
        columns={"old_value_en": old_en, "new_value_en": new_en, **(columns or {})},
    )
    return entry


# --------------------------------------------------------------------------------------------------
# reading: one page of a trail for the API


def history_item(entry: HistoryRecord) -> dict[str, Any]:
    """A row as the API shows it (`core.schemas.HistoryRecordOut`), in the reader's language, with
    the codes in `action` and `field`."""
    actor = entry.actor
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": None if actor is None else {"id": actor.pk, "name": str(actor)},
        "action": entry.action,
        "action_label": entry.action_label,
        "field": entry.field,
        "field_label": entry.field_label,
        "old_value": entry.old_display,
        "new_value": entry.new_display,
        "detail": entry.detail_display,
    }


def history_page(rows: models.QuerySet[H], *, cursor: str | None, size: int) -> dict[str, Any]:
    """One page of `rows`, newest first, as `core.schemas.HistoryRecordPage`: two queries whatever
    the trail's length (the keys from the (subject, at, id) index, then the rows with their actors)."""
    page = keyset_page(rows.select_related("actor"), HISTORY_ORDER, cursor=cursor, size=size)
    return {"items": [history_item(e) for e in page.items], "next_cursor": page.next_cursor}


PAGE_LIMIT_MAX = 200


def subject_history_page(
    model: type[H], subject_id: int, *, user: Any, cursor: str | None, limit: int, missing: str
) -> dict[str, Any]:
    """The API's answer to `GET .../{id}/history`: a page of one subject's trail (`history_page`)
    as `user` may read it, `limit` (1-200) rows; `NotFound(missing)` for a subject that does not
    exist or is not the user's to see."""
    if not 1 <= limit <= PAGE_LIMIT_MAX:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    subjects: Any = model.subject_model()._default_manager
    subject = subjects.visible_to(user).filter(pk=subject_id).only("pk").first()
    if subject is None:
        raise NotFound(missing)
    trail: Any = model._default_manager
    return history_page(trail.visible_to(user).of(subject), cursor=cursor, size=limit)


SCREEN_PAGE_SIZE = 20


def screen_page(
    request: HttpRequest, rows: models.QuerySet[H], *, size: int = SCREEN_PAGE_SIZE
) -> dict[str, Any]:
    """The context of the `core/_history.html` section: a page of `rows`, newest first, after the
    request's `cursor` (an invalid one shows the first page with a message), and the link to the
    older rows."""
    page: Page[H] = page_for_request(request, rows.select_related("actor"), HISTORY_ORDER, size=size)
    following = None
    if page.next_cursor:
        following = f"{request.path}?{urlencode({'cursor': page.next_cursor})}#history"
    return {"history": page, "history_next": following}


def subject_screen_page(request: HttpRequest, model: type[H], subject: models.Model) -> dict[str, Any]:
    """`screen_page` of one subject's trail, as the person of the request may read it."""
    trail: Any = model._default_manager
    return screen_page(request, trail.visible_to(request.user).of(subject))
