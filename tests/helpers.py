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


MOVED_TO_CALENDARS = {("servicedesk", name) for name in ("BusinessCalendar", "OpeningHours", "ClosingDay")}


def restore_default_configuration() -> None:
    """A transactional test before this one may have emptied the tables: load the shipped defaults
    (statuses, call types, impacts, urgencies, priorities, the default calendars and SLA)."""
    from importlib import import_module

    from django.apps import apps

    from beheer.servicedesk.models import Status

    class Registry:
        """The live models by the labels the migrations name them with: the business calendars were
        the servicedesk's then and are the calendars app's now."""

        def get_model(self, app_label: str, model_name: str) -> Any:
            if (app_label, model_name) in MOVED_TO_CALENDARS:
                app_label = "calendars"
            return apps.get_model(app_label, model_name)

    if not Status.objects.exists():
        for name in ("0002_defaults", "0006_default_service_levels"):
            import_module(f"beheer.servicedesk.migrations.{name}").load(Registry(), None)
        Status.objects.filter(code="waiting_caller").update(notify_caller=True)
        Status.objects.filter(code="waiting_supplier").update(asks_supplier=True)


def run_job(name: str) -> Any:
    """Run one registered periodic job now, as `beheer worker` does (its failures and those of its
    items recorded); returns its ScheduledRun row."""
    from django.utils import timezone

    from beheer.core import scheduler
    from beheer.core.models import ScheduledRun

    scheduler.autodiscover()
    job = scheduler.JOBS[name]
    ScheduledRun.objects.update_or_create(name=name, defaults={"next_run_at": timezone.now()})
    assert scheduler.claim(job, now=timezone.now())
    scheduler.run_job(job)
    return ScheduledRun.objects.get(name=name)
