"""A licence's files for staff: upload (a new file, or a new version under the same name), download
any version, delete one version after a confirmation step.

Thin adapters: read through `visible_to` (staff only: a caller gets 403 from the gate, a missing file
404), call one service, redirect to the licence's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import download_response

from .. import services
from ..forms import ConfirmForm
from ..forms.licences import LicenceFileForm
from ..models import LicenceFileVersion
from .licences import licence_for

ACCESS = access.STAFF


def _version(request: HttpRequest, pk: int) -> LicenceFileVersion:
    found = (
        LicenceFileVersion.objects.visible_to(request.user)
        .select_related("licence_file__licence")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_POST
def file_upload(request: HttpRequest, pk: int) -> HttpResponse:
    licence = licence_for(request, pk)
    form = LicenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("cmdb-licence", pk=pk)
    try:
        version = services.upload_licence_file(
            licence,
            actor=current_user(request),
            upload=form.cleaned_data["file"],
            name=form.cleaned_data["name"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, " ".join(dict.fromkeys([exc.message, *exc.field_errors.values()])))
    else:
        messages.success(
            request,
            _("%(name)s has been stored as version %(number)d.")
            % {"name": version.licence_file.name, "number": version.number},
        )
    return redirect("cmdb-licence", pk=pk)


@require_GET
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    version = _version(request, pk)
    return download_response(version.file, filename=version.original_name)


@require_http_methods(["GET", "POST"])
def file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    licence = version.licence_file.licence
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.delete_licence_file_version(version, actor=current_user(request))
            messages.success(request, _("The file version has been deleted."))
            return redirect("cmdb-licence", pk=licence.pk)
        messages.error(request, _("Tick the box to confirm."))
    return render(
        request, "cmdb/licence_file_delete.html", {"version": version, "licence": licence, "form": form}
    )
