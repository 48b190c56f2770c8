"""Helpers for the problem tests: a problem with linked meldingen."""

from __future__ import annotations

from typing import Any

from beheer.accounts.models import User
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Melding, Problem


def make_problem(actor: User, **kwargs: Any) -> Problem:
    kwargs.setdefault("title", "Wifi valt weg in gebouw B")
    kwargs.setdefault("description", "Meerdere lokalen melden uitval.")
    return services.open_problem(actor=actor, **kwargs)


def make_melding(actor: User, caller: User | None, group: Any = None, **kwargs: Any) -> Melding:
    kwargs.setdefault("brief_description", "Geen wifi in lokaal B1.02")
    return services.open_melding(
        actor=actor, entry_type=EntryType.PHONE, caller=caller, operator_group=group, **kwargs
    )


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)
