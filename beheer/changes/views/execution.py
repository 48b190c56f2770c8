"""The execution page of a change, for staff: the activities with their state (done, late,
deviating), marking one done (which applies its proposed CMDB updates), a deviation with its
decision, the installation log, the documents and the proposed CMDB updates.

Thin adapters: read through `visible_to` (a caller gets 403 from the gate, a missing row 404), call
one service, redirect back to the page with the outcome as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import download_response, max_upload_mb
from beheer.core.forms import parse_id
from beheer.core.pagination import SortKey, page_for_request

from .. import services
from ..forms_execution import (
    AttributeChangeForm,
    ConfirmForm,
    DeviationDecisionForm,
    DocumentForm,
    LogEntryForm,
    NewCiForm,
    RelationForm,
)
from ..models import (
    Change,
    ChangeActivity,
    ChangeDocument,
    CmdbUpdate,
    CmdbUpdateKind,
    CmdbUpdateStatus,
    InstallationLogEntry,
    activity_state,
)
from ..services.execution import MAX_CMDB_UPDATES, MAX_DOCUMENTS
from ..tabs import head_context
from .changes import change_for

ACCESS = access.STAFF
LOG_ORDER = (SortKey("at", descending=True), SortKey("id", descending=True))
LOG_PAGE = 50
MAX_ACTIVITIES = 500


def _activities(request: HttpRequest, change: Change) -> Any:
    return ChangeActivity.objects.visible_to(request.user).filter(change=change).order_by("order", "id")


def _new_cis(request: HttpRequest, change: Change) -> Any:
    return (
        CmdbUpdate.objects.visible_to(request.user)
        .filter(change=change, kind=CmdbUpdateKind.NEW_CI)
        .order_by("id")
    )


def _forms(request: HttpRequest, change: Change) -> dict[str, Any]:
    activities = _activities(request, change).filter(done_at__isnull=True)
    return {
        "log_form": LogEntryForm(activities=_activities(request, change)),
        "document_form": DocumentForm(),
        "new_ci_form": NewCiForm(activities=activities),
        "attribute_form": AttributeChangeForm(activities=activities),
        "relation_form": RelationForm(activities=activities, new_cis=_new_cis(request, change)),
    }


@require_GET
def execution_page(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    user = request.user
    now = clock.now()
    updates = list(
        CmdbUpdate.objects.visible_to(user).filter(change=change).for_list().order_by("id")[:MAX_CMDB_UPDATES]
    )
    by_activity: dict[int, list[CmdbUpdate]] = {}
    for update in updates:
        by_activity.setdefault(update.activity_id, []).append(update)
    activities = list(
        _activities(request, change).select_related(
            "assignee", "operator_group", "done_by", "deviation_decided_by"
        )[:MAX_ACTIVITIES]
    )
    for activity in activities:
        activity.state = activity_state(activity, now=now, deadline=change.planned_end)
        activity.updates = by_activity.get(activity.pk, [])
        activity.open_updates = sum(1 for u in activity.updates if u.status == CmdbUpdateStatus.PROPOSED)
    log_rows = (
        InstallationLogEntry.objects.visible_to(user)
        .filter(change=change)
        .select_related("author", "activity")
    )
    page = page_for_request(request, log_rows, LOG_ORDER, size=LOG_PAGE)
    documents = list(
        ChangeDocument.objects.visible_to(user)
        .filter(change=change)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")[:MAX_DOCUMENTS]
    )
    return render(
        request,
        "changes/execution/page.html",
        {
            **head_context(change, "change-execution", request.user),
            "activities": activities,
            "updates": updates,
            "failed": [u for u in updates if u.status == CmdbUpdateStatus.FAILED],
            "log": page,
            "next_log": f"?cursor={page.next_cursor}#log" if page.next_cursor else "",
            "documents": documents,
            "max_mb": max_upload_mb(),
            "decision_form": DeviationDecisionForm(),
            **_forms(request, change),
        },
    )


def _back(change: Change, anchor: str = "") -> HttpResponse:
    url = reverse("change-execution", args=[change.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _act(
    request: HttpRequest, change: Change, call: Callable[[], Any], done: str, anchor: str = ""
) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, done)
    return _back(change, anchor)


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, " ".join(dict.fromkeys([exc.message, *exc.field_errors.values()])))


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        messages.error(request, " ".join(str(e) for e in errors))


def _activity(request: HttpRequest, change: Change, activity_pk: int) -> ChangeActivity:
    found = _activities(request, change).filter(pk=activity_pk).first()
    if found is None:
        raise Http404
    return found


def _ci(request: HttpRequest, text: str) -> ConfigurationItem | None:
    """The CI named (or numbered) by `text`, among those the person sees."""
    text = (text or "").strip()
    if not text:
        return None
    rows = ConfigurationItem.objects.visible_to(request.user)
    number = parse_id(text)
    return (rows.filter(pk=number).first() if number else None) or rows.filter(name=text).first()


@require_POST
def activity_done(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    activity = _activity(request, change, activity_pk)

    def call() -> None:
        services.complete_activity(activity, actor=current_user(request))
        failed = CmdbUpdate.objects.filter(activity=activity, status=CmdbUpdateStatus.FAILED).count()
        if failed:
            messages.warning(
                request, _("Some CMDB updates failed; see the proposed CMDB updates for the reason.")
            )

    return _act(request, change, call, _("The activity is done."), "activities")


@require_POST
def activity_deviation(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    activity = _activity(request, change, activity_pk)
    form = DeviationDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(change, f"activity-{activity.pk}")
    d = form.cleaned_data
    return _act(
        request,
        change,
        lambda: services.decide_deviation(
            activity,
            actor=current_user(request),
            decision=d["decision"],
            explanation=d["explanation"],
            deviation=d["deviation"],
        ),
        _("The deviation and its decision have been recorded."),
        f"activity-{activity.pk}",
    )


@require_POST
def log_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = LogEntryForm(request.POST, activities=_activities(request, change))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(change, "log")
    d = form.cleaned_data
    return _act(
        request,
        change,
        lambda: services.add_log_entry(
            change, actor=current_user(request), text=d["text"], activity=d["activity"]
        ),
        _("The entry has been added to the log."),
        "log",
    )


@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(change, "documents")
    return _act(
        request,
        change,
        lambda: services.upload_document(
            change,
            actor=current_user(request),
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        ),
        _("The document has been stored."),
        "documents",
    )


def _document(request: HttpRequest, change: Change, document_pk: int) -> ChangeDocument:
    found = ChangeDocument.objects.visible_to(request.user).filter(change=change, pk=document_pk).first()
    if found is None:
        raise Http404
    return found


@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    document = _document(request, change_for(request, pk), document_pk)
    return download_response(document.file, filename=document.original_name)


@require_http_methods(["GET", "POST"])
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    document = _document(request, change, document_pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.delete_document(document, actor=current_user(request))
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, _("The document has been deleted."))
            return _back(change, "documents")
        messages.error(request, _("Tick the box to confirm."))
    return render(
        request,
        "changes/execution/document_delete.html",
        {**head_context(change, "change-execution"), "document": document, "form": form},
    )


@require_POST
def propose_new_ci(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = NewCiForm(request.POST, activities=_activities(request, change))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(change, "cmdb")
    d = form.cleaned_data
    return _act(
        request,
        change,
        lambda: services.propose_new_ci(
            d["activity"],
            actor=current_user(request),
            name=d["name"],
            ci_type=d["ci_type"],
            attributes=d["attributes"],
        ),
        _("The new configuration item has been proposed."),
        "cmdb",
    )


@require_POST
def propose_attribute(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = AttributeChangeForm(request.POST, activities=_activities(request, change))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(change, "cmdb")
    d = form.cleaned_data
    ci = _ci(request, d["ci"])
    if ci is None:
        messages.error(request, _("No configuration item has this name."))
        return _back(change, "cmdb")
    return _act(
        request,
        change,
        lambda: services.propose_attribute_change(
            d["activity"], actor=current_user(request), ci=ci, field=d["field"], value=d["value"]
        ),
        _("The change of the configuration item has been proposed."),
        "cmdb",
    )


@require_POST
def propose_relation(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = RelationForm(
        request.POST, activities=_activities(request, change), new_cis=_new_cis(request, change)
    )
    if not form.is_valid():
        _form_errors(request, form)
        return _back(change, "cmdb")
    d = form.cleaned_data
    source = _ci(request, d["source"])
    target = _ci(request, d["target"])
    if (d["source"] and source is None) or (d["target"] and target is None):
        messages.error(request, _("No configuration item has this name."))
        return _back(change, "cmdb")
    return _act(
        request,
        change,
        lambda: services.propose_relation(
            d["activity"],
            actor=current_user(request),
            kind=d["kind"],
            source=source,
            target=target,
            source_new=d["source_new"],
            target_new=d["target_new"],
        ),
        _("The new relation has been proposed."),
        "cmdb",
    )


@require_POST
def withdraw_update(request: HttpRequest, pk: int, update_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    update = CmdbUpdate.objects.visible_to(request.user).filter(change=change, pk=update_pk).first()
    if update is None:
        raise Http404
    return _act(
        request,
        change,
        lambda: services.withdraw_cmdb_update(update, actor=current_user(request)),
        _("The proposed update has been withdrawn."),
        "cmdb",
    )
