"""The Django admin is no second write path past the monitoring services' rules.

Checks and maintenance windows are read-only in the admin, with links to their own screens (which
write through the services). Alert sources have no screen of their own: their admin pages write
through the alert source services, with the same rules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from beheer.accounts.models import Role
from beheer.monitoring import services
from beheer.monitoring.models import AlertSource, Check, CheckState, MaintenanceWindow
from tests.helpers import client_for, make_person

SECRET = "canary-secret-4f2a"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["administrator", "coordinator"])
def admin_user(request: Any, administrator: Any, coordinator: Any) -> Any:
    """Everybody who opens the admin: administrators (Django superusers) and coordinators."""
    return administrator if request.param == "administrator" else coordinator


@pytest.fixture
def http_check(operator: Any) -> Check:
    check = services.create_check(
        actor=operator,
        data=services.CheckData(
            name="Intranet",
            kind="http",
            target="https://intranet.school.test/",
            host="web01",
            options={"keyword": "welkom", "headers": {"Authorization": SECRET}},
        ),
    )
    # what the monitor keeps between probes of this kind, and when the next probe is due
    CheckState.objects.create(check_obj=check, memo={"kept": "for http"}, next_due_at=T0)
    return check


@pytest.fixture
def window(operator: Any) -> MaintenanceWindow:
    return services.create_window(
        actor=operator,
        data=services.WindowData(
            name="Patch night", start=datetime(2026, 12, 6, 2, 0), duration_minutes=120, hosts="web01"
        ),
    )


def check_post(**changes: Any) -> dict[str, Any]:
    """A complete admin form for a check (what the admin's own form accepted before)."""
    data = {
        "name": "Intranet",
        "kind": "http",
        "target": "https://intranet.school.test/",
        "host": "web01",
        "interval_seconds": 60,
        "timeout_seconds": 10,
        "max_attempts": 3,
        "retry_interval_seconds": 10,
        "grace_seconds": 300,
        "availability_target": "99.9",
        "tags": "",
        "resolve_on_recovery": "on",
        "active": "on",
    }
    data.update(changes)
    return data


def window_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Patch night",
        "start_0": "2026-12-06",
        "start_1": "02:00:00",
        "duration_minutes": "120",
        "time_zone": "Europe/Amsterdam",
        "rule": "",
        "tags": "",
        "hosts": "web01",
        "active": "on",
    }
    data.update(changes)
    return data


def snapshot(check: Check) -> tuple[Any, ...]:
    fresh = Check.objects.get(pk=check.pk)
    state = CheckState.objects.get(pk=check.pk)
    return (
        fresh.name,
        fresh.kind,
        fresh.target,
        fresh.version,
        services.plain_options(fresh),
        state.memo,
        state.next_due_at,
    )


# --------------------------------------------------------------------------------------------------
# checks


@pytest.mark.django_db
def test_changing_a_checks_kind_in_the_admin_is_refused_and_leaves_it_and_its_state_alone(
    admin_user, http_check
):
    """The admin used to save this itself: a tcp check with the http check's probe memo and due
    time, and a version bump without the kind change's fresh state (update_check resets it)."""
    before = snapshot(http_check)
    url = reverse("admin:monitoring_check_change", args=[http_check.pk])
    response = client_for(admin_user).post(url, check_post(kind="tcp", target="10.0.0.1:22"))
    assert response.status_code == 403
    assert snapshot(http_check) == before
    assert services.plain_options(Check.objects.get(pk=http_check.pk))["headers"] == {"Authorization": SECRET}


@pytest.mark.django_db
def test_moving_a_check_elsewhere_in_the_admin_is_refused(admin_user, http_check):
    before = snapshot(http_check)
    url = reverse("admin:monitoring_check_change", args=[http_check.pk])
    response = client_for(admin_user).post(url, check_post(target="https://attacker.example.test/"))
    assert response.status_code == 403
    assert snapshot(http_check) == before


@pytest.mark.django_db
def test_the_admin_adds_and_deletes_no_checks(admin_user, http_check):
    client = client_for(admin_user)
    assert client.get(reverse("admin:monitoring_check_add")).status_code == 403
    added = client.post(reverse("admin:monitoring_check_add"), check_post(name="Router", kind="push"))
    assert added.status_code == 403
    deleted = client.post(reverse("admin:monitoring_check_delete", args=[http_check.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    bulk = client.post(
        reverse("admin:monitoring_check_changelist"),
        {"action": "delete_selected", "_selected_action": [http_check.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert list(Check.objects.values_list("name", flat=True)) == ["Intranet"]


@pytest.mark.django_db
def test_the_check_page_shows_the_check_and_links_to_its_own_screens(admin_user, http_check):
    client = client_for(admin_user)
    page = client.get(reverse("admin:monitoring_check_change", args=[http_check.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-product-screen" in html
    assert f'href="{reverse("monitoring:check-edit", args=[http_check.pk])}"' in html
    assert f'href="{reverse("monitoring:check-manage")}"' in html
    assert "Intranet" in html
    assert SECRET not in html
    assert 'name="_save"' not in html  # nothing to save here
    listing = client.get(reverse("admin:monitoring_check_changelist")).content.decode()
    assert f'href="{reverse("monitoring:check-manage")}"' in listing
    assert reverse("admin:monitoring_check_add") not in listing


@pytest.mark.django_db
def test_a_push_checks_page_still_shows_its_ping_url(administrator, operator):
    backup = services.create_check(
        actor=operator, data=services.CheckData(name="Backup", kind="push", grace_seconds=3600)
    )
    page = client_for(administrator).get(reverse("admin:monitoring_check_change", args=[backup.pk]))
    assert f"/api/v1/monitoring/push/{backup.push_token}" in page.content.decode()


@pytest.mark.django_db
def test_operators_and_callers_do_not_reach_the_admin(operator, caller, http_check):
    for person in (operator, caller):
        url = reverse("admin:monitoring_check_change", args=[http_check.pk])
        assert client_for(person).get(url).status_code in (302, 403)
    assert Client().post(reverse("admin:monitoring_check_add"), check_post()).status_code == 302  # login


# --------------------------------------------------------------------------------------------------
# maintenance windows


@pytest.mark.django_db
def test_the_admin_does_not_change_add_or_delete_windows(admin_user, window):
    client = client_for(admin_user)
    url = reverse("admin:monitoring_maintenancewindow_change", args=[window.pk])
    # a rule that never occurs: the services refuse it, the admin used to store it
    changed = client.post(url, window_post(name="Renamed", rule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"))
    assert changed.status_code == 403
    assert client.post(url, window_post(name="Renamed")).status_code == 403
    window.refresh_from_db()
    assert (window.name, window.rule, window.version) == ("Patch night", "", 1)
    added = client.post(reverse("admin:monitoring_maintenancewindow_add"), window_post(name="Other"))
    assert added.status_code == 403
    deleted = client.post(
        reverse("admin:monitoring_maintenancewindow_delete", args=[window.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert list(MaintenanceWindow.objects.values_list("name", flat=True)) == ["Patch night"]


@pytest.mark.django_db
def test_the_window_page_links_to_its_own_screens(admin_user, window):
    client = client_for(admin_user)
    page = client.get(reverse("admin:monitoring_maintenancewindow_change", args=[window.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{reverse("monitoring:window-edit", args=[window.pk])}"' in html
    assert f'href="{reverse("monitoring:window-list")}"' in html
    listing = client.get(reverse("admin:monitoring_maintenancewindow_changelist")).content.decode()
    assert f'href="{reverse("monitoring:window-list")}"' in listing


# --------------------------------------------------------------------------------------------------
# alert sources: no screen of their own, so the admin writes through the services


def source_post(**changes: Any) -> dict[str, Any]:
    data = {"name": "Prometheus", "operator_group": "", "impact": "", "urgency": "", "active": "on"}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_an_administrator_adds_an_alert_source_through_the_service(administrator, first_line):
    client = client_for(administrator)
    response = client.post(
        reverse("admin:monitoring_alertsource_add"),
        source_post(name="  Prometheus  ", operator_group=first_line.pk, resolve_on_resolved="on"),
        follow=True,
    )
    assert response.status_code == 200
    source = AlertSource.objects.get()
    assert (source.name, source.operator_group) == ("Prometheus", first_line)
    assert source.created_by == administrator
    shown = " ".join(str(m) for m in response.context["messages"])
    token = shown.rsplit("/alertmanager/", 1)[1].split()[0]
    # the URL shown once is the source's: Alertmanager can post to it
    posted = Client().post(
        f"/api/v1/monitoring/alertmanager/{token}",
        {"receiver": "beheer", "status": "firing", "alerts": [], "version": "4"},
        content_type="application/json",
    )
    assert posted.status_code == 200, posted.content


@pytest.mark.django_db
def test_the_admin_refuses_what_the_alert_source_service_refuses(administrator, first_line, second_line):
    client = client_for(administrator)
    add = client.post(reverse("admin:monitoring_alertsource_add"), source_post(operator_group=second_line.pk))
    assert add.status_code == 200  # the form again, with the error
    assert "operator_group" in add.context["adminform"].form.errors
    assert not AlertSource.objects.exists()
    source, _token = services.create_alert_source(actor=administrator, name="Prometheus")
    url = reverse("admin:monitoring_alertsource_change", args=[source.pk])
    refused = client.post(url, source_post(name="Renamed", operator_group=second_line.pk))
    assert refused.status_code == 200
    assert "operator_group" in refused.context["adminform"].form.errors
    assert AlertSource.objects.get().name == "Prometheus"
    saved = client.post(url, source_post(name="Renamed", operator_group=first_line.pk))
    assert saved.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.operator_group, source.resolve_on_resolved) == ("Renamed", first_line, False)


@pytest.mark.django_db
def test_coordinators_see_alert_sources_but_only_administrators_configure_them(
    administrator, coordinator, first_line
):
    source, _token = services.create_alert_source(actor=administrator, name="Prometheus")
    client = client_for(coordinator)
    url = reverse("admin:monitoring_alertsource_change", args=[source.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, source_post(name="Renamed")).status_code == 403
    assert client.post(reverse("admin:monitoring_alertsource_add"), source_post()).status_code == 403
    delete = reverse("admin:monitoring_alertsource_delete", args=[source.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert list(AlertSource.objects.values_list("name", flat=True)) == ["Prometheus"]
    assert client_for(administrator).post(delete, {"post": "yes"}).status_code == 302
    assert not AlertSource.objects.exists()


@pytest.mark.django_db
def test_the_alert_source_services_check_who_and_what(administrator, operator, first_line, second_line):
    from beheer.core.errors import DomainError, PermissionDenied

    source, _token = services.create_alert_source(actor=administrator, name="Prometheus")
    values = {
        "name": "Renamed",
        "operator_group": first_line,
        "impact": None,
        "urgency": None,
        "resolve_on_resolved": False,
        "active": False,
    }
    with pytest.raises(PermissionDenied):
        services.update_alert_source(source, actor=operator, **values)
    with pytest.raises(PermissionDenied):
        services.delete_alert_source(source, actor=operator)
    bad = {**values, "name": " ", "operator_group": second_line}
    with pytest.raises(DomainError) as info:
        services.update_alert_source(source, actor=administrator, **bad)
    assert set(info.value.field_errors) == {"name", "operator_group"}
    with pytest.raises(DomainError):
        services.create_alert_source(actor=administrator, name="Other", operator_group=second_line)
    changed = services.update_alert_source(source, actor=administrator, **values)
    assert (changed.name, changed.active, changed.token_hash) == ("Renamed", False, source.token_hash)
    services.delete_alert_source(source, actor=administrator)
    assert not AlertSource.objects.exists()
    other = make_person(Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.create_alert_source(actor=other, name="Prometheus")


@pytest.mark.django_db
def test_alert_sources_are_deleted_through_the_service_and_a_refusal_costs_only_its_own(
    administrator, monkeypatch
):
    from beheer.core.errors import Conflict

    kept, _token = services.create_alert_source(actor=administrator, name="Kept")
    gone, _token = services.create_alert_source(actor=administrator, name="Gone")
    real = services.delete_alert_source
    called: list[int] = []

    def delete(source: AlertSource, *, actor: Any) -> None:
        called.append(source.pk)
        if source.pk == kept.pk:
            raise Conflict("Refused by the service")
        real(source, actor=actor)

    monkeypatch.setattr(services, "delete_alert_source", delete)
    client = client_for(administrator)
    response = client.post(
        reverse("admin:monitoring_alertsource_changelist"),
        {"action": "delete_selected", "_selected_action": [kept.pk, gone.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert sorted(called) == sorted([kept.pk, gone.pk])
    assert list(AlertSource.objects.values_list("pk", flat=True)) == [kept.pk]
    assert "Kept: Refused by the service" in response.content.decode()

    page = reverse("admin:monitoring_alertsource_delete", args=[kept.pk])
    response = client.post(page, {"post": "yes"})
    assert response.status_code == 302  # back to the delete page with the message, never a 500
    assert response["Location"] == page
    assert "Refused by the service" in client.get(page).content.decode()
    assert AlertSource.objects.filter(pk=kept.pk).exists()
