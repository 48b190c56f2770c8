"""Shared fixtures: a small servicedesk with groups, operators and callers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Melding
from tests.helpers import client_for, make_person


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Every test starts in the default language; a request in another language does not leak."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def first_line(db: Any) -> OperatorGroup:
    return OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)


@pytest.fixture
def second_line(db: Any) -> OperatorGroup:
    return OperatorGroup.objects.create(name="Systeembeheer", is_second_line=True)


@pytest.fixture
def operator(first_line: OperatorGroup) -> User:
    user = make_person(Role.OPERATOR, first_name="Olga", last_name="Operator")
    first_line.members.add(user)
    return user


@pytest.fixture
def specialist(second_line: OperatorGroup) -> User:
    user = make_person(Role.OPERATOR, first_name="Sem", last_name="Specialist")
    second_line.members.add(user)
    return user


@pytest.fixture
def coordinator(db: Any) -> User:
    return make_person(Role.COORDINATOR, first_name="Cora", last_name="Coordinator")


@pytest.fixture
def administrator(db: Any) -> User:
    return make_person(Role.ADMIN, first_name="Ada", last_name="Admin")


@pytest.fixture
def caller(db: Any) -> User:
    return make_person(Role.CALLER, first_name="Anna", last_name="Aanmelder")


@pytest.fixture
def other_caller(db: Any) -> User:
    return make_person(Role.CALLER, first_name="Bram", last_name="Beller")


@pytest.fixture
def melding(operator: User, caller: User, first_line: OperatorGroup) -> Melding:
    return services.open_melding(
        actor=operator,
        brief_description="Printer lokaal 2.14 drukt niet af",
        request="De printer geeft een papierstoring.",
        entry_type=EntryType.PHONE,
        caller=caller,
        operator_group=first_line,
    )


@pytest.fixture
def operator_client(operator: User) -> Client:
    return client_for(operator)


@pytest.fixture
def caller_client(caller: User) -> Client:
    return client_for(caller)


@pytest.fixture
def no_sla(db: Any) -> None:
    """No SLA policy applies: target dates are registration time plus the priority's duration."""
    from beheer.servicedesk.models import SlaPolicy

    SlaPolicy.objects.update(active=False)
