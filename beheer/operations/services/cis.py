"""The configuration items a series concerns: finding them from what a person typed or an API
client sent, and checking them before a series is saved.

An actor may link only CIs visible to them (`ConfigurationItem.objects.visible_to`) that are not
retired. A CI the actor cannot see answers exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.cmdb.models import CiStatus, ConfigurationItem
from beheer.core.errors import DomainError
from beheer.core.forms import parse_id

from ._base import MAX_OBJECTS


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(message, field_errors={field: message})


def _too_many(field: str) -> DomainError:
    return _refuse(field, _("At most %(max)d configuration items per activity.") % {"max": MAX_OBJECTS})


def _usable(actor: Any) -> Any:
    return ConfigurationItem.objects.visible_to(actor)


def cis_by_ids(ids: Sequence[int], *, actor: User, field: str = "ci_ids") -> list[ConfigurationItem]:
    """The CIs with these numbers, in the order given (duplicates once); a missing, invisible or
    retired one is refused on `field`, naming it."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > MAX_OBJECTS:
        raise _too_many(field)
    found = {ci.pk: ci for ci in _usable(actor).filter(pk__in=wanted)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise _refuse(
            field,
            _("Configuration item not found: %(ids)s.") % {"ids": ", ".join(missing)},
        )
    _refuse_retired([found[pk] for pk in wanted], field)
    return [found[pk] for pk in wanted]


def _refuse_retired(cis: Iterable[ConfigurationItem], field: str) -> None:
    retired = [ci.name for ci in cis if ci.status == CiStatus.RETIRED]
    if retired:
        raise _refuse(
            field,
            _("This configuration item is retired: %(names)s.") % {"names": ", ".join(retired)},
        )


def _one_each(
    texts: Sequence[str], rows: Sequence[ConfigurationItem], *, host_names: bool
) -> tuple[dict[str, ConfigurationItem], list[str]]:
    """Each text's one matching CI (by name, or also by host name), and the texts without exactly one."""
    chosen: dict[str, ConfigurationItem] = {}
    unknown: list[str] = []
    for text in texts:
        key = text.casefold()
        matches = [
            ci
            for ci in rows
            if ci.name.casefold() == key or (host_names and ci.host_name and ci.host_name.casefold() == key)
        ]
        if len(matches) == 1:
            chosen[text] = matches[0]
        else:
            unknown.append(text)
    return chosen, unknown


def _named(actor: Any, texts: Sequence[str], *, host_names: bool) -> list[ConfigurationItem]:
    """The visible CIs whose name (or host name) is one of the texts, case-insensitive: one query."""
    if not texts:
        return []
    condition = Q()
    for text in texts:
        condition |= Q(name__iexact=text)
        if host_names:
            condition |= Q(host_name__iexact=text)
    return list(_usable(actor).filter(condition).order_by("pk")[: 10 * len(texts) + 10])


def _clean_texts(texts: Iterable[str], field: str) -> list[str]:
    cleaned = list(dict.fromkeys(t for t in ((v or "").replace("\x00", "").strip() for v in texts) if t))
    if len(cleaned) > MAX_OBJECTS:
        raise _too_many(field)
    return cleaned


def cis_by_names(
    names: Iterable[str], *, actor: User, field: str = "linked_objects"
) -> list[ConfigurationItem]:
    """The CIs for names as the old `linked_objects` held them: each name must match exactly one CI
    by name or host name (case-insensitive), else it is refused on `field`, naming the unknown ones."""
    texts = _clean_texts(names, field)
    chosen, unknown = _one_each(texts, _named(actor, texts, host_names=True), host_names=True)
    if unknown:
        raise _refuse(
            field,
            _("No single configuration item has this name or host name: %(names)s.")
            % {"names": ", ".join(unknown)},
        )
    result = list(dict.fromkeys(chosen[t] for t in texts))
    _refuse_retired(result, field)
    return result


def cis_by_references(text: str, *, actor: User, field: str = "cis") -> list[ConfigurationItem]:
    """The CIs a person typed, comma-separated: each by its number or by its exact name (when one CI
    has it, case-insensitive), like the target of a relation on the CI page."""
    parts = _clean_texts((text or "").split(","), field)
    number_of = {p: parse_id(p.removeprefix("#")) for p in parts}
    numbers = [n for n in number_of.values() if n is not None]
    by_pk = {ci.pk: ci for ci in _usable(actor).filter(pk__in=numbers)} if numbers else {}
    names = [p for p in parts if number_of[p] is None]
    by_name, unknown = _one_each(names, _named(actor, names, host_names=False), host_names=False)
    unknown = [p for p in parts if (number_of[p] is not None and number_of[p] not in by_pk) or p in unknown]
    if unknown:
        raise _refuse(
            field,
            _("Unknown configuration item: %(names)s. Give each by its number or exact name.")
            % {"names": ", ".join(unknown)},
        )
    picked = []
    for p in parts:
        number = number_of[p]
        picked.append(by_name[p] if number is None else by_pk[number])
    result = list(dict.fromkeys(picked))
    _refuse_retired(result, field)
    return result


def check_cis(
    cis: Iterable[ConfigurationItem], *, actor: User, field: str = "cis"
) -> list[ConfigurationItem]:
    """What a series service does with the CIs it is given: each visible to the actor and not
    retired, read again from the database (one query), in the order given, duplicates once."""
    wanted = list(dict.fromkeys(ci.pk for ci in cis))
    return cis_by_ids(wanted, actor=actor, field=field)
