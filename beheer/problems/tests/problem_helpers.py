"""Helpers for the problem tests: a problem with linked meldingen."""

from __future__ import annotations

from typing import Any

from beheer.accounts.models import User
from beheer.problems import services as problem_services
from beheer.problems.models import Problem, ProblemMelding
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Melding


def make_problem(actor: User, **kwargs: Any) -> Problem:
    kwargs.setdefault("title", "Wifi valt weg in gebouw B")
    kwargs.setdefault("description", "Meerdere lokalen melden uitval.")
    return problem_services.open_problem(actor=actor, **kwargs)


def make_melding(actor: User, caller: User | None, group: Any = None, **kwargs: Any) -> Melding:
    kwargs.setdefault("brief_description", "Geen wifi in lokaal B1.02")
    return services.open_melding(
        actor=actor, entry_type=EntryType.PHONE, caller=caller, operator_group=group, **kwargs
    )


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def linked_problem_id(melding: Melding) -> int | None:
    """The id of the problem the melding is linked to, as stored now (None: not linked)."""
    return ProblemMelding.objects.filter(melding=melding).values_list("problem_id", flat=True).first()
