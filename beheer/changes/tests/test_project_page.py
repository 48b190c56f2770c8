"""The project page: its totals in one aggregate query and, past the changes it lists, how many
there are with a link to all of them in the change list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.models import Project
from beheer.changes.project_totals import project_totals
from tests.helpers import client_for

from .helpers import make_change, move

pytestmark = pytest.mark.django_db


def _project(operator: User) -> Project:
    return services.create_project(
        actor=operator, data=services.ProjectData(name="Wi-Fi vernieuwing", budget=Decimal("25000.00"))
    )


def test_totals_count_per_phase_and_status_in_one_query(
    operator: User, django_assert_num_queries: Any
) -> None:
    project = _project(operator)
    now = timezone.now()
    first = make_change(
        operator, project=project, planned_start=now + timedelta(days=3), planned_end=now + timedelta(days=4)
    )
    make_change(
        operator, project=project, planned_start=now + timedelta(days=1), planned_end=now + timedelta(days=2)
    )
    cancelled = make_change(operator, project=project)
    services.cancel_change(cancelled, actor=operator, expected_version=cancelled.version, reason="dubbel")
    move(operator, first, "assessment")
    make_change(operator)  # another project's: not counted
    # the one aggregate query, and the phases (configuration, cached per process outside the tests)
    with django_assert_num_queries(2):
        totals = project_totals(project, operator)
    assert (totals.total, totals.open, totals.closed, totals.cancelled) == (3, 2, 0, 1)
    assert [(row.phase.code, row.count) for row in totals.per_phase] == [("request", 1), ("assessment", 1)]
    assert totals.planned_start == now + timedelta(days=1)
    assert totals.planned_end == now + timedelta(days=4)


def test_the_page_says_how_many_it_lists_and_links_to_the_filtered_list(
    operator: User, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    project = _project(operator)
    for n in range(3):
        make_change(operator, project=project, title=f"Access point {n}")
    monkeypatch.setattr("beheer.changes.views.projects.SHOWN", 2)
    client = client_for(operator)
    client.get(f"/changes/projects/{project.pk}/")  # warm the per-process caches
    with django_assert_max_num_queries(14):
        page = client.get(f"/changes/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The 2 most recently changed of 3 changes." in page
    assert f'href="/changes/?project={project.pk}&amp;state=all"' in page
    assert "Access point 2" in page
    assert "Access point 0" not in page
    listed = client.get(f"/changes/?project={project.pk}&state=all").content.decode()
    assert all(f"Access point {n}" in listed for n in range(3))
    api = client.get(f"/api/v1/changes?project_id={project.pk}&state=all").json()
    assert len(api["items"]) == 3


def test_the_page_lists_everything_without_the_count_when_all_fit(operator: User) -> None:
    project = _project(operator)
    make_change(operator, project=project)
    page = client_for(operator).get(f"/changes/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "most recently changed of" not in text
    assert "All changes of this project in the change list" in text


def test_callers_and_missing_projects_get_nothing(operator: User, caller: User) -> None:
    project = _project(operator)
    make_change(operator, project=project)
    assert client_for(caller).get(f"/changes/projects/{project.pk}/").status_code in (403, 404)
    assert project_totals(project, caller).total == 0
    assert client_for(operator).get("/changes/projects/999999/").status_code == 404
