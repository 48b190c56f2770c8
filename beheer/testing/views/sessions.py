"""The acceptance sessions of a change for operators: the list, a new session and its changes, the
users invited with their cases and progress, the results per case and per user, the could-work
answers, the findings, the advice, the client's sign-off, the invitation and the screenshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.changes.models import Change
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import protected_file_response
from beheer.core.forms import place_domain_errors

from ..forms_sessions import (
    ParticipantCasesForm,
    ParticipantForm,
    SessionAdviceForm,
    SessionForm,
    active_cases,
)
from ..models import AcceptanceSession, ParticipantScreenshot, SessionParticipant, SessionStatus, TestPlan
from ..services import _base
from ..services import sessions as services
from . import nav

ACCESS = access.STAFF

MAX_ROWS = 200


def _plan(request: HttpRequest, change: Change) -> TestPlan:
    return _base.plan_of(change, actor=current_user(request))


def _session(request: HttpRequest, change: Change, session_pk: int) -> AcceptanceSession:
    found = (
        AcceptanceSession.objects.visible_to(request.user)
        .filter(plan__change=change, pk=session_pk)
        .select_related("plan__change", "created_by", "advised_by", "signed_off_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _back(change: Change, session: AcceptanceSession) -> HttpResponse:
    return redirect("testing-session", pk=change.pk, session_pk=session.pk)


def _act(
    request: HttpRequest, change: Change, session: AcceptanceSession, work: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        work()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(change, session)


def _form_error(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_GET
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    sessions = list(
        AcceptanceSession.objects.visible_to(request.user)
        .filter(plan__change=change)
        .order_by("-starts_at", "-id")[:MAX_ROWS]
    )
    return render(
        request,
        "testing/sessions/list.html",
        {**nav.page_context(request, change, "testing-sessions"), "sessions": sessions},
    )


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = services.create_session(
                _plan(request, change),
                actor=current_user(request),
                title=d["title"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                online_link=d["online_link"],
                introduction=d["introduction"],
                instructions=list(d["instructions"]),
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The acceptance session has been planned. Add the users next."))
            return _back(change, session)
    return render(
        request,
        "testing/sessions/form.html",
        {**nav.page_context(request, change, "testing-sessions"), "form": form, "session": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    initial = {
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "online_link": session.online_link,
        "introduction": session.introduction,
        "instructions": list(session.instructions.values_list("pk", flat=True)),
        "version": session.version,
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_session(
                session,
                actor=current_user(request),
                expected_version=d["version"],
                title=d["title"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                place=d["place"],
                online_link=d["online_link"],
                introduction=d["introduction"],
                instructions=list(d["instructions"]),
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The acceptance session has been saved."))
            return _back(change, session)
    return render(
        request,
        "testing/sessions/form.html",
        {**nav.page_context(request, change, "testing-sessions"), "form": form, "session": session},
        status=400 if form.errors else 200,
    )


@require_GET
def session_detail(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    plan = session.plan
    results = services.session_results(session)
    own_cases: dict[int, list[Any]] = {p.pk: [] for p in results.participants}
    for row in results.rows:
        for participant, cell in zip(results.participants, row.cells, strict=True):
            if cell is not None:
                own_cases[participant.pk].append(cell)
    shots = list(
        ParticipantScreenshot.objects.visible_to(request.user)
        .filter(participant_case__participant__session=session)
        .select_related("participant_case__case", "participant_case__participant__person")
        .order_by("uploaded_at", "id")[:MAX_ROWS]
    )
    editable = session.status in services.OPEN_STATES and change.status == "open"
    return render(
        request,
        "testing/sessions/detail.html",
        {
            **nav.page_context(request, change, "testing-sessions"),
            "session": session,
            "instructions": list(session.instructions.order_by("title", "id")),
            "results": results,
            "participants": [(p, own_cases[p.pk], results.progress[p.pk]) for p in results.participants],
            "screenshots": shots,
            "editable": editable,
            "waiting": sum(1 for p in results.participants if p.invited_at is None),
            "participant_form": ParticipantForm(plan=plan),
            # the plan's cases once, for every user's "change the cases" form
            "case_choices": [(c.pk, str(c)) for c in active_cases(plan)],
            "advice_form": SessionAdviceForm(
                initial={"advice": session.advice, "text": session.advice_text, "version": session.version}
            ),
            "can_advise": session.status == SessionStatus.INVITED,
        },
    )


@require_POST
def participant_add(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    form = ParticipantForm(request.POST, plan=session.plan)
    if not form.is_valid():
        _form_error(request, form)
        return _back(change, session)
    d = form.cleaned_data
    return _act(
        request,
        change,
        session,
        lambda: services.add_participant(
            session, actor=current_user(request), person=d["person"], cases=list(d["cases"])
        ),
        _("The user has been added."),
    )


def _participant(request: HttpRequest, session: AcceptanceSession, participant_pk: int) -> SessionParticipant:
    found = (
        SessionParticipant.objects.visible_to(request.user).filter(session=session, pk=participant_pk).first()
    )
    if found is None:
        raise Http404
    return found


@require_POST
def participant_cases(request: HttpRequest, pk: int, session_pk: int, participant_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    participant = _participant(request, session, participant_pk)
    form = ParticipantCasesForm(request.POST, plan=session.plan)
    if not form.is_valid():
        _form_error(request, form)
        return _back(change, session)
    return _act(
        request,
        change,
        session,
        lambda: services.set_participant_cases(
            participant, actor=current_user(request), cases=list(form.cleaned_data["cases"])
        ),
        _("The user's test cases have been saved."),
    )


@require_POST
def participant_remove(request: HttpRequest, pk: int, session_pk: int, participant_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    participant = _participant(request, session, participant_pk)
    return _act(
        request,
        change,
        session,
        lambda: services.remove_participant(participant, actor=current_user(request)),
        _("The user has been taken out of the session."),
    )


@require_POST
def session_invite(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    try:
        count = services.invite(session, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("%(count)d user has been invited.", "%(count)d users have been invited.", count)
            % {"count": count},
        )
    return _back(change, session)


@require_POST
def session_advice(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    form = SessionAdviceForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(change, session)
    d = form.cleaned_data
    return _act(
        request,
        change,
        session,
        lambda: services.give_session_advice(
            session,
            actor=current_user(request),
            expected_version=d["version"],
            advice=d["advice"],
            text=d["text"],
        ),
        _("The advice has been given; the client is asked to sign off."),
    )


@require_POST
def session_cancel(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    session = _session(request, change, session_pk)
    return _act(
        request,
        change,
        session,
        lambda: services.cancel_session(session, actor=current_user(request)),
        _("The acceptance session has been cancelled."),
    )


@require_GET
def screenshot_file(request: HttpRequest, pk: int, screenshot_pk: int) -> FileResponse:
    change = nav.change_for(request, pk)
    shot = (
        ParticipantScreenshot.objects.visible_to(request.user)
        .filter(participant_case__participant__session__plan__change=change, pk=screenshot_pk)
        .first()
    )
    if shot is None:
        raise Http404
    return protected_file_response(
        shot.file, filename=shot.original_name, content_type=shot.content_type, inline=True
    )


_S = "changes/<int:pk>/tests/sessions/<int:session_pk>/"

urlpatterns = [
    path("changes/<int:pk>/tests/sessions/", session_list, name="testing-sessions"),
    path("changes/<int:pk>/tests/sessions/new/", session_create, name="testing-session-create"),
    path(_S, session_detail, name="testing-session"),
    path(_S + "edit/", session_edit, name="testing-session-edit"),
    path(_S + "participants/add/", participant_add, name="testing-session-participant-add"),
    path(
        _S + "participants/<int:participant_pk>/cases/",
        participant_cases,
        name="testing-session-participant-cases",
    ),
    path(
        _S + "participants/<int:participant_pk>/remove/",
        participant_remove,
        name="testing-session-participant-remove",
    ),
    path(_S + "invite/", session_invite, name="testing-session-invite"),
    path(_S + "advice/", session_advice, name="testing-session-advice"),
    path(_S + "cancel/", session_cancel, name="testing-session-cancel"),
    path(
        "changes/<int:pk>/tests/screenshots/<int:screenshot_pk>/", screenshot_file, name="testing-screenshot"
    ),
]
