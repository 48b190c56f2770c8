"""Shared list filters and sort orders for the UI list, the API list and exports."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import User
from beheer.core import access, clock, config_cache, search
from beheer.core.pagination import Page, SortKey, keyset_page
from beheer.notifications.models import OutgoingMessage

from . import extensions
from .models import (
    QUEUES,
    Attachment,
    HistoryEntry,
    Melding,
    MeldingLink,
    MeldingQuerySet,
    Note,
    Status,
    TimeEntry,
    parse_number,
)

SORTS: dict[str, tuple[Any, list[SortKey]]] = {
    "priority": (
        _("Priority, then target date"),
        [SortKey("priority_level"), SortKey("target_date"), SortKey("id")],
    ),
    "target": (_("Target date"), [SortKey("target_date"), SortKey("id")]),
    "newest": (_("Newest first"), [SortKey("created_at", True), SortKey("id", True)]),
    "oldest": (_("Oldest first"), [SortKey("created_at"), SortKey("id")]),
    "updated": (_("Last changed"), [SortKey("updated_at", True), SortKey("id", True)]),
}
DEFAULT_SORT = "priority"
# One page size for the operator list and the API's default, so both ask the database the same.
PAGE_SIZE = 25


@dataclass
class MeldingFilter:
    queue: str = "all"
    q: str = ""
    status: int | None = None
    operator_group: int | None = None
    operator: int | None = None
    category: int | None = None
    priority: int | None = None
    call_type: int | None = None
    line: str = ""
    caller: int | None = None
    entry_type: str = ""
    # the dashboard's figures link to the list with these
    sla: str = ""  # on_track, at_risk, breached, paused, met (Melding.sla_state)
    age: str = ""  # days since registration: 0-2, 3-7, 8-30, 31+
    created: str = ""  # today, yesterday (local date)
    resolved: str = ""  # today, yesterday (local date)
    unassigned: bool = False
    status_code: str = ""
    status_kind: str = ""
    groups: str = ""  # mine (the user's operator groups), none (no operator group)


# --------------------------------------------------------------------------------------------------
# conditions shared by the list filters and the dashboard's counts (one definition, equal numbers)

SLA_STATES = ("on_track", "at_risk", "breached", "paused", "met")
AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-2": (0, 2),
    "3-7": (3, 7),
    "8-30": (8, 30),
    "31+": (31, None),
}
DAYS = ("today", "yesterday")
GROUP_SCOPES = ("mine", "none")


def sla_condition(state: str, now: datetime) -> Q:
    """The meldingen whose Melding.sla_state(now) is `state`, as a database condition."""
    running = Q(resolution_met__isnull=True, sla_policy__isnull=False)
    if state == "breached":
        return Q(resolution_met=False) | (running & Q(resolution_due__lt=now))
    if state == "met":
        return Q(resolution_met=True)
    if state == "paused":
        return running & Q(is_open=True, resolution_due__isnull=True)
    if state == "at_risk":
        return running & Q(resolution_due__gte=now, resolution_risk_at__lte=now)
    if state == "on_track":
        return (
            running
            & Q(resolution_due__gte=now)
            & (Q(resolution_risk_at__isnull=True) | Q(resolution_risk_at__gt=now))
        )
    return Q(pk__in=[])


def age_condition(bucket: str, now: datetime) -> Q:
    """Registered 0-2, 3-7, 8-30 or 31+ whole days (of 24 hours) before `now`."""
    if bucket not in AGE_BUCKETS:
        return Q(pk__in=[])
    low, high = AGE_BUCKETS[bucket]
    q = Q(created_at__lte=now - timedelta(days=low))
    if high is not None:
        q &= Q(created_at__gt=now - timedelta(days=high + 1))
    return q


def day_bounds(day: str, now: datetime) -> tuple[datetime, datetime]:
    """Start and end of today or yesterday in the configured time zone (Europe/Amsterdam)."""
    tz = timezone.get_default_timezone()
    today = now.astimezone(tz).date()
    date = today - timedelta(days=1) if day == "yesterday" else today
    start = datetime(date.year, date.month, date.day, tzinfo=tz)
    end_date = date + timedelta(days=1)
    return start, datetime(end_date.year, end_date.month, end_date.day, tzinfo=tz)


def created_condition(day: str, now: datetime) -> Q:
    start, end = day_bounds(day, now)
    return Q(created_at__gte=start, created_at__lt=end)


def resolved_condition(day: str, now: datetime) -> Q:
    # resolved_at is only set while the melding is resolved or closed; is_open=False uses its index
    start, end = day_bounds(day, now)
    return Q(is_open=False, resolved_at__gte=start, resolved_at__lt=end)


# --------------------------------------------------------------------------------------------------
# search: a melding number, words of the text, a caller's name, e-mail or phone number

# A search that matches at most this many meldingen is read from the indexes first (the ids), then
# looked up and sorted: its cost follows what it finds, not the size of the table. One that matches
# more walks the list's sort index and checks each row against the search; with that many matches
# the first page is found after a short walk.
SEARCH_BOUND = 2000
# A text that matches more people than this names nobody in particular; use the caller filter.
PEOPLE_BOUND = 20
MIN_PHONE_DIGITS = 6
_NOT_DIGITS = str.maketrans("", "", "0123456789")


def number_in(text: str) -> int | None:
    """The melding number in a search text (M0001234, m1234, 1234), or None."""
    text = (text or "").strip()
    return parse_number(text) if text[:1] in "Mm0123456789" else None


def phone_digits(text: str) -> str:
    """The digits of a text written as a phone number (06-12345678, +31 6 1234 5678, (020) 123 4567),
    as dialled within the Netherlands; "" for any other text."""
    text = (text or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < MIN_PHONE_DIGITS or text.translate(_NOT_DIGITS).strip(" +-()./"):
        return ""
    return "0" + digits[2:] if text.startswith("+31") else digits


def _phone_digits(field: str) -> Any:
    """The phone field with the usual separators removed, as a database expression."""
    expression: Any = Replace(F(field), Value("+31"), Value("0"))
    for separator in (" ", "-", ".", "(", ")", "/"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def matching_people(text: str, user: Any) -> QuerySet[User]:
    """People the user may see whose name, e-mail or phone number matches `text`: every word a prefix
    of the first name, last name or e-mail address, or the text's digits the start of a phone or
    mobile number. Unordered and unbounded: slice it."""
    text = (text or "").replace("\x00", "").strip()[:200]  # PostgreSQL refuses NUL in a string
    people = User.objects.visible_to(user)
    local = phone_digits(text)
    if local:
        return people.alias(
            phone_digits=_phone_digits("phone"), mobile_digits=_phone_digits("mobile")
        ).filter(Q(phone_digits__startswith=local) | Q(mobile_digits__startswith=local))
    words = [w for w in text.split() if len(w) >= 2][:4]
    if not words:
        return people.none()
    for word in words:
        people = people.filter(
            Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(email__istartswith=word)
        )
    return people


@dataclass
class SearchPlan:
    """What a search text matches. `ids`: every matching melding id, when the matches are few (read
    from the indexes); `conditions`: one condition per kind of match that matched too many rows to
    read them all (checked while walking the list's sort index)."""

    ids: list[int]
    conditions: list[Q]

    @property
    def condition(self) -> Q:
        """Everything the search matches, as one condition."""
        q = Q(pk__in=self.ids) if self.ids else Q(pk__in=[])
        for condition in self.conditions:
            q |= condition
        return q


def search_plan(text: str, user: Any, *, bound: int = SEARCH_BOUND) -> SearchPlan:
    """Resolve a search text into the meldingen it matches: a melding number (a direct primary-key
    lookup; a phone number written as digits also finds its caller's meldingen), the words of the
    full-text index (callers search their own document, without internal notes), and the meldingen
    of the people named (name, e-mail, phone). Each part is read from an index and bounded; the
    permission filter (visible_to) is applied by the list that uses the plan."""
    ids: set[int] = set()
    conditions: list[Q] = []
    number = number_in(text)
    if number is not None:
        ids.add(number)
    else:
        kind = "melding" if access.is_staff(user) else "melding_public"
        found = search.bounded_matching_ids(kind, text, bound)
        if found is not None:
            ids.update(found)
        else:
            words = search.matching_ids(kind, text)
            if words is not None:
                conditions.append(Q(pk__in=words))
    if number is None or phone_digits(text):
        people = list(matching_people(text, user).values_list("pk", flat=True)[: PEOPLE_BOUND + 1])
        if 0 < len(people) <= PEOPLE_BOUND:
            theirs = list(
                Melding.objects.filter(caller_id__in=people)
                .order_by()
                .values_list("pk", flat=True)[: bound + 1]
            )
            if len(theirs) <= bound:
                ids.update(theirs)
            else:
                conditions.append(Q(caller_id__in=people))
    return SearchPlan(ids=sorted(ids), conditions=conditions)


def _filtered(qs: MeldingQuerySet, f: MeldingFilter, user: Any) -> MeldingQuerySet:
    """Every filter of `f` but the search text."""
    qs = qs.visible_to(user)
    if f.queue and f.queue in QUEUES and access.is_staff(user):
        qs = qs.queue(f.queue, user)
    exact = {
        "status_id": f.status,
        "operator_group_id": f.operator_group,
        "operator_id": f.operator,
        "category_id": f.category,
        "priority_id": f.priority,
        "call_type_id": f.call_type,
        "caller_id": f.caller,
    }
    for field, value in exact.items():
        if value is not None:
            qs = qs.filter(**{field: value})
    if f.line:
        qs = qs.filter(line=f.line)
    if f.entry_type:
        qs = qs.filter(entry_type=f.entry_type)
    return _dashboard_filters(qs, f, user)


def filter_meldingen(qs: MeldingQuerySet, f: MeldingFilter, user: Any) -> MeldingQuerySet:
    """The meldingen of a list (UI, API, exports): visible to the user, narrowed by `f`."""
    qs = _filtered(qs, f, user)
    if f.q.strip():
        qs = qs.filter(search_plan(f.q, user).condition)
    return qs


def melding_page(
    user: Any,
    f: MeldingFilter,
    *,
    sort: str = DEFAULT_SORT,
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    related: tuple[str, ...] = (),
) -> Page[Melding]:
    """One page of a melding list, for the operator list and the API alike (the same queries).

    Without a search text: the keyset page of the filtered list. With one: the search's few matches
    are looked up by primary key and sorted (a bounded part), and a part with many matches walks
    the list's sort index; the page is the merge of the parts' pages."""
    qs = _filtered(Melding.objects.all(), f, user)
    order = order_for(sort)
    rows = qs.select_related(*related) if related else qs
    if not f.q.strip():
        return keyset_page(rows, order, cursor=cursor, size=size)
    plan = search_plan(f.q, user)
    if not plan.ids and len(plan.conditions) == 1:  # only many matches: the plain keyset page
        return keyset_page(rows.filter(plan.conditions[0]), order, cursor=cursor, size=size)
    parts: list[tuple[MeldingQuerySet, bool]] = []
    if plan.ids:
        parts.append((qs.filter(pk__in=plan.ids), True))
    parts += [(qs.filter(condition), False) for condition in plan.conditions]
    return keyset_page(rows, order, cursor=cursor, size=size, parts=parts)


def _dashboard_filters(qs: MeldingQuerySet, f: MeldingFilter, user: Any) -> MeldingQuerySet:
    now = clock.now()
    if f.sla in SLA_STATES:
        qs = qs.filter(sla_condition(f.sla, now))
    if f.age in AGE_BUCKETS:
        qs = qs.filter(age_condition(f.age, now))
    if f.created in DAYS:
        qs = qs.filter(created_condition(f.created, now))
    if f.resolved in DAYS:
        qs = qs.filter(resolved_condition(f.resolved, now))
    if f.unassigned:
        qs = qs.filter(operator__isnull=True)
    if f.status_code:
        qs = qs.filter(status__code=f.status_code)
    if f.status_kind:
        qs = qs.filter(status__kind=f.status_kind)
    if f.groups == "mine":
        groups = (
            list(user.operator_groups.values_list("pk", flat=True))
            if getattr(user, "is_authenticated", False)
            else []
        )
        qs = qs.filter(operator_group__in=groups)
    elif f.groups == "none":
        qs = qs.filter(operator_group__isnull=True)
    return qs


def order_for(sort: str) -> list[SortKey]:
    return SORTS.get(sort, SORTS[DEFAULT_SORT])[1]


# --------------------------------------------------------------------------------------------------
# read helpers for the detail and portal screens


def allowed_statuses(melding: Melding) -> QuerySet[Status]:
    """The working statuses an operator may pick next (kind rules, narrowed by configured next statuses)."""
    from .workflow import RULES, Action, Kind

    current = melding.status
    kinds = [str(k) for k in RULES[Action.CHANGE].get(Kind(current.kind), frozenset())]
    qs = Status.objects.filter(active=True, kind__in=kinds).exclude(pk=current.pk)
    configured = list(current.allowed_next.values_list("pk", flat=True))
    if configured:
        qs = qs.filter(pk__in=configured)
    return qs.order_by("order", "id")


# A person shown only by name (`str(user)`): the other columns are left out of a join, which
# makes the query cheaper to build and to read (the melding page joins people five times).
PERSON_NAME_FIELDS = ("first_name", "last_name", "username")


def name_only(relation: str, *keep: str) -> list[str]:
    """The fields to `defer()` of the person joined through `relation` (with `select_related`) when
    only their name is shown, and the fields in `keep`; any other field still loads when read."""
    shown = {"id", *PERSON_NAME_FIELDS, *keep}
    return [f"{relation}__{f.name}" for f in User._meta.concrete_fields if f.name not in shown]


def use_cached_lookups(meldingen: list[Melding], names: tuple[str, ...]) -> list[Melding]:
    """Set the configuration rows (status, operator group, ...) named in `names` on each melding from
    the configuration cache instead of joining them in; a row the cache does not know is read when
    used, as without the cache."""
    if not config_cache.enabled():
        return meldingen
    for name in names:
        field: Any = Melding._meta.get_field(name)
        for melding in meldingen:
            key = getattr(melding, field.attname)
            row = config_cache.row(field.related_model, key) if key is not None else None
            if key is None or row is not None:
                field.set_cached_value(melding, row)
    return meldingen


# The melding page's side sections that most meldingen leave empty. The page's own query asks
# whether each has anything (an index probe per section, one bit each in one column), so an empty
# section costs no query of its own. The answer is about existence only, before visibility: a
# section that has something is still read through `visible_to`, and may turn out empty for this
# reader. Written as SQL of its own: built from querysets, the six probes cost more Python time
# than the queries they save.
PAGE_SECTIONS: dict[str, list[tuple[Any, str, dict[str, str]]]] = {
    # section: [(model, its melding column, other column = value)]; any probe finding a row sets the bit
    "partials": [(Melding, "parent_id", {})],
    "links": [(MeldingLink, "from_melding_id", {}), (MeldingLink, "to_melding_id", {})],
    "time": [(TimeEntry, "melding_id", {})],
    "attachments": [(Attachment, "melding_id", {})],
    "mails": [(OutgoingMessage, "object_id", {"object_type": "servicedesk.melding"})],
}


def _reverse_one_to_one(path: str) -> Any:
    """The reverse one-to-one relation `path` starts with (a row of another app pointing at the
    melding, such as its problem link), or None."""
    field: Any = Melding._meta.get_field(path.split("__")[0])
    return field if field.one_to_one and not field.concrete else None


def _page_probes() -> dict[str, list[tuple[Any, str, dict[str, str]]]]:
    """The page's own sections, then one per reverse one-to-one relation that a section registered
    by another app reads: probed like the others, so that relation is read only when it has a row.
    Joining it in instead makes PostgreSQL plan a many-table join on every page view. Worked out
    once per set of registered relations (the registry is filled at start-up)."""
    return _probes_for(extensions.page_related())


@functools.cache
def _probes_for(related: tuple[str, ...]) -> dict[str, list[tuple[Any, str, dict[str, str]]]]:
    probes = dict(PAGE_SECTIONS)
    for path in related:
        rel = _reverse_one_to_one(path)
        if rel is not None:
            probes[f"related:{rel.name}"] = [(rel.related_model, rel.field.column, {})]
    return probes


def _sections_sql() -> tuple[str, list[str]]:
    """The SQL of the probes (names from the models only, values as parameters) and its parameters."""
    q = connection.ops.quote_name
    melding_id = f"{q(Melding._meta.db_table)}.{q('id')}"
    terms, params = [], []
    for bit, probes in enumerate(_page_probes().values()):
        found = []
        for model, column, equal in probes:
            where = [f"{q('probe')}.{q(column)} = {melding_id}"]
            for name, value in equal.items():
                where.append(f"{q('probe')}.{q(name)} = %s")
                params.append(value)
            table = q(model._meta.db_table)
            found.append(f"EXISTS (SELECT 1 FROM {table} {q('probe')} WHERE {' AND '.join(where)})")  # noqa: S608
        terms.append(f"CASE WHEN {' OR '.join(found)} THEN {1 << bit} ELSE 0 END")
    return " + ".join(terms), params


def with_page_sections(qs: MeldingQuerySet) -> MeldingQuerySet:
    """`qs` with `page_sections`: a bit per side section of the page that has any row, and the
    relations the registered sections read, except those that are probed (`load_page_relations`)."""
    sql, params = _sections_sql()
    joined = [path for path in extensions.page_related() if _reverse_one_to_one(path) is None]
    qs = qs.annotate(page_sections=RawSQL(sql, params, output_field=IntegerField()))  # noqa: S611
    return qs.select_related(*joined) if joined else qs  # select_related() without names: all


def load_page_relations(melding: Melding) -> Melding:
    """Read the probed relations of the registered page sections (see `_page_probes`): the rare
    ones that have a row with a query of their own, the others set to "none" without one."""
    for path in extensions.page_related():
        rel = _reverse_one_to_one(path)
        if rel is None:
            continue
        if section_filled(melding, f"related:{rel.name}"):
            prefetch_related_objects([melding], path)
        else:
            rel.set_cached_value(melding, None)
    return melding


def section_filled(melding: Melding, *names: str) -> bool:
    """Whether any of the page sections `names` may hold something; True when the melding was read
    without `with_page_sections`."""
    bits = getattr(melding, "page_sections", None)
    if bits is None:
        return True
    order = list(_page_probes())
    return any(bits & (1 << order.index(name)) for name in names)


def partial_incidents(melding: Melding, user: Any, *, limit: int = 200) -> list[Melding]:
    """The partial incidents of a melding that `user` may see, oldest first, with their status,
    operator group and supplier from the configuration cache."""
    cached = ("status", "operator_group", "supplier")
    qs = (
        Melding.objects.visible_to(user)
        .filter(parent=melding)
        .select_related("operator")
        .defer(*name_only("operator"))
    )
    if not config_cache.enabled():
        qs = qs.select_related(*cached)
    return use_cached_lookups(list(qs.order_by("id")[:limit]), cached)


def linked_meldingen(melding: Melding, user: Any, *, limit: int = 200) -> list[Melding]:
    """Meldingen linked to this one that `user` may see (a caller: only their own), in one query,
    with their status from the configuration cache."""
    pks = _linked_pks(melding, user)
    if not pks:
        return []
    qs = Melding.objects.visible_to(user).filter(pk__in=pks).order_by("id")
    if not config_cache.enabled():
        qs = qs.select_related("status")
    return use_cached_lookups(list(qs[:limit]), ("status",))


def _linked_pks(melding: Melding, user: Any) -> list[int]:
    """Ids of the meldingen linked to this one ('related to'), in either direction, from the link
    table's two indexes. Asked first on their own: a `pk IN (links) OR pk IN (links)` condition on
    the melding table makes PostgreSQL scan it whole."""
    links = MeldingLink.objects.visible_to(user)
    rows = links.filter(Q(from_melding=melding) | Q(to_melding=melding)).values_list(
        "from_melding_id", "to_melding_id"
    )
    return sorted({low if high == melding.pk else high for low, high in rows})


def relation_counts(meldingen: list[Melding], user: Any) -> dict[int, tuple[int, int, list[int]]]:
    """Per melding: (resolved, total) partial incidents and the ids of linked meldingen that `user`
    may see; in three queries, for one melding or a whole list."""
    pks = [m.pk for m in meldingen]
    if not pks:
        return {}
    progress = {
        row["parent"]: (row["done"], row["total"])
        for row in Melding.objects.visible_to(user)
        .filter(parent__in=pks)
        .values("parent")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(is_open=False)))
        .order_by()
    }
    wanted = set(pks)
    links: dict[int, set[int]] = {pk: set() for pk in pks}
    rows = (
        MeldingLink.objects.visible_to(user)
        .filter(Q(from_melding__in=pks) | Q(to_melding__in=pks))
        .values_list("from_melding_id", "to_melding_id")
    )
    for low, high in rows:
        if low in wanted:
            links[low].add(high)
        if high in wanted:
            links[high].add(low)
    others = set().union(*links.values())
    visible = (
        set(Melding.objects.visible_to(user).filter(pk__in=others).values_list("pk", flat=True))
        if others
        else set()
    )
    return {pk: (*progress.get(pk, (0, 0)), sorted(links[pk] & visible)) for pk in pks}


def time_totals(melding: Melding, user: Any) -> list[dict[str, Any]]:
    """Minutes registered on a melding per line: [{"line": "first", "minutes": 35}, ...]."""
    rows = (
        TimeEntry.objects.visible_to(user)
        .filter(melding=melding)
        .values("line")
        .annotate(minutes=Sum("minutes"))
        .order_by("line")
    )
    return [dict(row) for row in rows]


def recent_time_entries(melding: Melding, user: Any, limit: int = 50) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.visible_to(user)
        .filter(melding=melding)
        .select_related("operator", "operator_group")
        .defer(*name_only("operator"))
        .order_by("-date", "-id")[:limit]
    )


def time_shown(melding: Melding, user: Any, limit: int = 50) -> tuple[list[dict[str, Any]], list[TimeEntry]]:
    """The melding page's time: the totals per line (`time_totals`) and the newest registrations.
    When the registrations are fewer than `limit` they are all of them, and the totals are added
    up from them instead of asked for."""
    entries = list(recent_time_entries(melding, user, limit + 1))
    if len(entries) > limit:
        return time_totals(melding, user), entries[:limit]
    totals: dict[str, int] = {}
    for entry in entries:
        totals[entry.line] = totals.get(entry.line, 0) + entry.minutes
    return [{"line": line, "minutes": totals[line]} for line in sorted(totals)], entries


def timeline(melding: Melding, user: Any, *, limit: int | None = 200) -> tuple[list[Any], bool]:
    """Notes and history entries the user may see, newest first, merged; and whether more exist."""
    notes = (
        Note.objects.visible_to(user)
        .filter(melding=melding)
        .select_related("author")
        .defer(*name_only("author"))
        .order_by("-created_at", "-id")
    )
    history = (
        HistoryEntry.objects.visible_to(user)
        .filter(melding=melding)
        .select_related("actor")
        .defer(*name_only("actor"))
        .order_by("-at", "-id")
    )
    if limit is not None:
        note_rows = list(notes[: limit + 1])
        history_rows = list(history[: limit + 1])
    else:
        note_rows, history_rows = list(notes), list(history)
    entries: list[Any] = [*note_rows[:limit], *history_rows[:limit]]
    more = limit is not None and (len(note_rows) > limit or len(history_rows) > limit or len(entries) > limit)
    entries.sort(
        key=lambda e: (getattr(e, "created_at", None) or e.at, isinstance(e, Note), e.pk), reverse=True
    )
    if limit is not None:
        entries = entries[:limit]
    return entries, more
