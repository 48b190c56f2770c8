"""Projects for staff: the list, a project's page with its changes, the form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.pagination import SortKey, page_for_request

from .. import services
from ..forms import ProjectForm
from ..models import Change, Project, ProjectHistoryEntry
from ..project_totals import SHOWN, project_totals
from .changes import place_errors

ACCESS = access.STAFF

ORDER = (SortKey("name"), SortKey("id"))
FIELDS = ("name", "goal", "plan", "budget", "owner", "client", "start_date", "end_date", "status")


def _project(request: HttpRequest, pk: int) -> Project:
    found = Project.objects.visible_to(request.user).select_related("owner", "client").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    rows = Project.objects.visible_to(request.user).select_related("owner")
    page = page_for_request(request, rows, ORDER, size=50)
    return render(
        request,
        "changes/project_list.html",
        {"page": page, "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else ""},
    )


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    changes = (
        Change.objects.visible_to(request.user)
        .filter(project=project)
        .for_list()
        .order_by("-updated_at", "-id")
    )
    shown = list(changes[:SHOWN])
    totals = project_totals(project, request.user)
    return render(
        request,
        "changes/project_detail.html",
        {
            "project": project,
            "changes": shown,
            "totals": totals,
            "more": totals.total > len(shown),
            "list_url": reverse("change-list") + "?" + urlencode({"project": project.pk, "state": "all"}),
            **history.subject_screen_page(request, ProjectHistoryEntry, project),
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    project = _project(request, pk) if pk is not None else None
    if request.method == "POST":
        form = ProjectForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            data = services.ProjectData(**{name: d[name] for name in FIELDS})
            try:
                if project is None:
                    project = services.create_project(actor=current_user(request), data=data)
                else:
                    project = services.update_project(
                        project, actor=current_user(request), data=data, expected_version=d["version"]
                    )
            except DomainError as exc:
                place_errors(form, exc)
            else:
                messages.success(request, _("The project has been saved."))
                return redirect("change-project", pk=project.pk)
    elif project is not None:
        form = ProjectForm(initial={**{n: getattr(project, n) for n in FIELDS}, "version": project.version})
    else:
        form = ProjectForm()
    return render(request, "changes/project_form.html", {"form": form, "project": project})
