"""Helpers shared by tests: people and logged-in clients."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from beheer.accounts import services as account_services
from beheer.accounts.models import Role, User

_seq = itertools.count(1)


def make_person(role: str = Role.CALLER, **kwargs: Any) -> User:
    n = next(_seq)
    return account_services.register_person(
        actor=None,
        first_name=kwargs.pop("first_name", f"Test{n}"),
        last_name=kwargs.pop("last_name", f"Person{n}"),
        username=kwargs.pop("username", f"user{n}"),
        email=kwargs.pop("email", f"user{n}@school.example"),
        role=role,
        password=kwargs.pop("password", "correct-horse-battery"),
        **kwargs,
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
