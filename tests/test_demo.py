"""`beheer demo`: the demo school loads once, with meldingen, articles and checks to look at."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from beheer.accounts.models import User
from beheer.knowledge.models import Article
from beheer.monitoring.models import Check, MaintenanceWindow
from beheer.servicedesk.models import Melding


@pytest.mark.django_db
def test_the_demo_loads_once_with_meldingen_articles_and_checks():
    call_command("load_demo", meldingen=30)
    assert Melding.objects.count() >= 30
    caller = User.objects.get(username="demo.melder")
    operator = User.objects.get(username="demo.behandelaar")
    assert Article.objects.visible_to(caller).count() == 1  # the user instruction, in the portal
    assert Article.objects.visible_to(operator).count() == 3
    assert Article.objects.filter(status="published").count() == 3
    backup = Check.objects.get(kind="push")
    assert backup.push_token
    assert Check.objects.get(kind="http").target.endswith("/api/v1/health")
    assert Check.objects.get(kind="tcp").host == "beheer"
    window = MaintenanceWindow.objects.get()
    assert (window.host_list, window.rule) == (["fs01"], "FREQ=WEEKLY;BYDAY=WE")
    call_command("load_demo", meldingen=30)  # a second run changes nothing
    assert Article.objects.count() == 3
    assert Check.objects.count() == 3
    assert MaintenanceWindow.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_checks_follow_the_address_beheer_serves(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    call_command("load_demo", meldingen=10)
    assert Check.objects.get(name="Beheer webpoort").target == "127.0.0.1:8000"
    # the next start serves on another port (BEHEER_BIND): its self-checks go along
    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("load_demo", meldingen=10)
    assert Check.objects.get(name="Beheer zelf").target == "http://127.0.0.1:8123/api/v1/health"
    assert Check.objects.get(name="Beheer webpoort").target == "127.0.0.1:8123"
