"""`beheer demo`: the demo school loads once, looks like a normal week at a school today, and is
consistent the way real work through the services would leave it."""

from __future__ import annotations

import random
from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.simulation import Timeline
from beheer.knowledge.models import Article, Audience
from beheer.monitoring import demo as demo_monitoring
from beheer.monitoring.models import Check, MaintenanceWindow
from beheer.problems import demo as problems
from beheer.servicedesk.demo import meldingen, organisation
from beheer.servicedesk.demo.world import Lookups, World, office_hours
from beheer.servicedesk.models import (
    Melding,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.django_db
def test_the_demo_loads_once_with_meldingen_articles_and_checks():
    call_command("load_demo", meldingen=30)
    # the thirty asked for, and the call a change's evaluation follow-up became
    # 30 and the Wi-Fi change's origin, and the closed breach of the security register
    assert Melding.objects.filter(parent=None).exclude(entry_type="preventive").count() == 32
    caller = User.objects.get(username="demo.melder")
    operator = User.objects.get(username="demo.behandelaar")
    portal = Article.objects.visible_to(caller)
    assert portal.count() == 6  # the user instructions, in the portal
    assert set(portal.values_list("audience", flat=True)) == {Audience.CALLERS}
    assert Article.objects.visible_to(operator).count() == 14  # with the Wi-Fi change's functional design
    assert Article.objects.filter(status="published").count() == 13
    backup = Check.objects.get(kind="push")
    assert backup.push_token
    assert Check.objects.get(kind="http").target.endswith("/api/v1/health")
    assert Check.objects.get(kind="tcp").host == "beheer"
    assert set(Check.objects.values_list("created_by__username", flat=True)) == {"demo.beheerder"}
    window = MaintenanceWindow.objects.get()
    assert (window.host_list, window.rule) == (["fs01"], "FREQ=WEEKLY;BYDAY=WE")
    call_command("load_demo", meldingen=30)  # a second run changes nothing
    assert Article.objects.count() == 14
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


@pytest.mark.django_db
def test_an_interrupted_load_leaves_nothing_behind_and_the_next_run_loads_it(monkeypatch):
    def interrupted(school: Any) -> None:
        raise KeyboardInterrupt  # Ctrl-C during the first start

    monkeypatch.setattr(demo_monitoring, "create", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("load_demo", meldingen=5, stdout=StringIO())
    assert not User.objects.filter(username__startswith="demo.").exists()
    assert not Melding.objects.exists()
    assert not Article.objects.exists()
    monkeypatch.undo()
    out = StringIO()
    call_command("load_demo", meldingen=5, stdout=out)
    assert "Demo data loaded" in out.getvalue()
    assert Check.objects.count() == 3


# --------------------------------------------------------------------------------------------------
# any day of the year: the plan keeps the open work recent and about one in ten of it late


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 7, 8, 10, tzinfo=AMSTERDAM),  # Monday morning, before the desk is busy
        datetime(2026, 12, 13, 15, 0, tzinfo=AMSTERDAM),  # a Sunday
        datetime(2026, 12, 28, 11, 0, tzinfo=AMSTERDAM),  # between Christmas and New Year
        datetime(2027, 5, 6, 16, 45, tzinfo=AMSTERDAM),  # a Thursday afternoon in spring
    ],
)
def test_the_plan_keeps_about_one_in_ten_open_meldingen_late_at_any_moment(moment: datetime) -> None:
    rng = random.Random(2026)
    with clock.frozen(moment):
        school = organisation.create(rng)
        w = World(
            now=moment,
            rng=rng,
            hours=office_hours(moment),
            school=school,
            lookups=Lookups.load(school.categories),
            timeline=Timeline(now=moment),
        )
        plans = problems.plans(w, rng, 200) + meldingen.fresh(w, rng, 2)
        plans += [meldingen.plan(w, rng) for _ in range(200 - len(plans))]
        for p in plans:
            meldingen.schedule(w, p)
        meldingen.balance(w, plans)
    open_plans = [p for p in plans if p.open_at(moment)]
    late = [p for p in open_plans if p.breached_at(moment)]
    assert len(open_plans) >= 8
    assert 1 <= len(late) <= max(2, round(0.2 * len(open_plans)))
    assert all(p.registered <= moment for p in plans)
    for p in plans:  # every step follows the one before
        assert all(a.at <= b.at for a, b in zip(p.steps, p.steps[1:], strict=False)), p.brief


def test_the_demo_app_only_runs_the_parts_each_app_tells() -> None:
    """The demo data lives with its app (`<app>/demo.py` or `<app>/demo/`); the demo app holds only
    the loader and its command, and every app's part is run by the loader or used by another part."""
    import ast
    from pathlib import Path

    import beheer
    from beheer.demo import loader

    root = Path(beheer.__file__).parent
    assert {p.stem for p in (root / "demo").glob("*.py")} == {"__init__", "apps", "loader"}
    parts = {
        app.name
        for app in root.iterdir()
        if app.name != "demo" and ((app / "demo.py").exists() or (app / "demo" / "__init__.py").exists())
    }
    assert {"servicedesk", "knowledge", "problems", "monitoring", "operations"} <= parts
    sources = [Path(loader.__file__)] + [
        p
        for app in parts
        for p in (root / app).glob("demo*/**/*.py" if (root / app / "demo").is_dir() else "demo.py")
    ]
    imported: dict[str, set[Path]] = {}
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for name in [node.module] + [f"{node.module}.{a.name}" for a in node.names]:
                    imported.setdefault(name, set()).add(source)

    def used(app: str) -> bool:
        own = root / app
        return any(
            name.startswith(f"beheer.{app}.demo") and any(not s.is_relative_to(own) for s in users)
            for name, users in imported.items()
        )

    unused = {app for app in parts if not used(app)}
    assert unused == set(), "an app's demo part the loader does not run"


@pytest.mark.django_db
def test_the_demo_school_has_its_network_and_services_in_the_cmdb() -> None:
    """The CMDB part: the names the preventive activities and checks point at are CIs, the access
    points of the Dependance Noord carry the firmware of the Wi-Fi problem, and the core switch's
    failure reaches the Wi-Fi service and the laptops' users (the impact analysis over the demo)."""
    from beheer.cmdb import impact
    from beheer.cmdb.models import CiAttributeValue, ConfigurationItem
    from beheer.servicedesk.demo.organisation import ADMIN_USERNAME

    call_command("load_demo", meldingen=10, stdout=StringIO())
    names = set(ConfigurationItem.objects.values_list("name", flat=True))
    assert {"fs01", "dc01", "app01", "nas-backup01", "ups-serverruimte", "sw-core01"} <= names
    north_firmware = set(
        CiAttributeValue.objects.filter(
            ci__name__startswith="ap-noord", definition__code="firmware"
        ).values_list("text", flat=True)
    )
    assert north_firmware == {"6.6.55"}
    admin = User.objects.get(username=ADMIN_USERNAME)
    core = impact.impact(ConfigurationItem.objects.get(name="sw-core01"), impact.UP, user=admin)
    assert "Wifi (eduroam en gasten)" in {c.name for c in core.services}
    assert core.people_count >= 12
