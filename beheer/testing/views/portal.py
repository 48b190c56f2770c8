"""The portal's acceptance tests: an invited user sees their sessions, reads the instructions and
carries out their own cases step by step (on a phone as well), with remarks and screenshots, and
says whether they could work with the new part; the change's client also sees every user's
results, the findings' titles and the advice, and signs the session off. Nothing internal: no runs,
no trail, no operator names beyond the organiser; another user's case is "not found"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import protected_file_response
from beheer.core.forms import place_domain_errors

from ..forms_sessions import CompleteForm, CouldWorkForm, ScreenshotForm, SignOffForm, StepForm
from ..models import (
    AcceptanceSession,
    Outcome,
    ParticipantCase,
    ParticipantScreenshot,
    SessionParticipant,
    SessionStatus,
)
from ..services import sessions as services

ACCESS = access.SIGNED_IN

MAX_ROWS = 100


def my_sessions(user: Any) -> Any:
    """The sessions `user` was invited to or is the change's client of (staff too: the portal is
    theirs); a session still being planned shows to its client only."""
    return (
        AcceptanceSession.objects.visible_to(user)
        .filter(
            (Q(participants__person_id=user.pk) & ~Q(status=SessionStatus.PLANNED))
            | Q(plan__change__client_id=user.pk)
        )
        .distinct()
    )


def portal_session(user: Any, session_pk: int) -> AcceptanceSession | None:
    return (
        AcceptanceSession.objects.filter(pk__in=my_sessions(user).filter(pk=session_pk).values("pk"))
        .select_related("plan__change", "created_by")
        .first()
    )


def own_case(user: Any, session_pk: int, case_pk: int) -> ParticipantCase | None:
    return (
        ParticipantCase.objects.own(user)
        .filter(participant__session_id=session_pk, pk=case_pk)
        .select_related("case", "participant__session__plan__change")
        .first()
    )


def steps_of(pc: ParticipantCase) -> list[dict[str, Any]]:
    """Each step of the case with the user's marks (index, action, expected, done, ok, remark)."""
    marks = list(pc.steps or [])
    out = []
    for index, step in enumerate(pc.case.steps or []):
        mark = marks[index] if index < len(marks) and isinstance(marks[index], dict) else {}
        out.append(
            {
                "index": index,
                "number": index + 1,
                "action": step.get("action", ""),
                "expected": step.get("expected", ""),
                "done": bool(mark.get("done")),
                "ok": mark.get("ok"),
                "remark": mark.get("remark", ""),
            }
        )
    return out


def _say_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _session_or_404(request: HttpRequest, session_pk: int) -> AcceptanceSession:
    found = portal_session(request.user, session_pk)
    if found is None:
        raise Http404
    return found


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = list(
        AcceptanceSession.objects.filter(pk__in=my_sessions(request.user).values("pk"))
        .select_related("plan__change")
        .order_by("-starts_at", "-id")[:MAX_ROWS]
    )
    return render(request, "testing/portal/list.html", {"sessions": sessions})


@require_GET
def session_detail(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session_or_404(request, session_pk)
    user = request.user
    change = session.plan.change
    participant = (
        SessionParticipant.objects.visible_to(user).filter(session=session, person_id=user.pk).first()
    )
    cases = list(
        ParticipantCase.objects.own(user)
        .filter(participant__session=session)
        .select_related("case")[:MAX_ROWS]
    )
    is_client = change.client_id == user.pk
    context: dict[str, Any] = {
        "session": session,
        "change": change,
        "participant": participant,
        "cases": cases,
        "done": sum(1 for pc in cases if pc.outcome != Outcome.NOT_RUN),
        "instructions": list(session.instructions.order_by("title", "id")),
        "open": session.status == SessionStatus.INVITED,
        "is_client": is_client,
        "could_work_form": CouldWorkForm(
            initial={"answer": participant.could_work, "remark": participant.could_work_remark}
            if participant
            else None
        ),
    }
    if is_client:
        context["results"] = services.session_results(session)
        context["sign_off_form"] = SignOffForm()
    return render(request, "testing/portal/session.html", context)


def _case_page(request: HttpRequest, pc: ParticipantCase, **forms: Any) -> HttpResponse:
    session = pc.participant.session
    shots = list(ParticipantScreenshot.objects.visible_to(request.user).filter(participant_case=pc)[:20])
    status = 400 if any(f is not None and f.errors for f in forms.values()) else 200
    return render(
        request,
        "testing/portal/case.html",
        {
            "session": session,
            "pc": pc,
            "steps": steps_of(pc),
            "open": session.status == SessionStatus.INVITED and session.plan.change.status == "open",
            "screenshots": shots,
            "complete_form": forms.get("complete_form")
            or CompleteForm(
                initial={
                    "outcome": pc.outcome if pc.outcome != Outcome.NOT_RUN else None,
                    "remark": pc.remark,
                    "version": pc.version,
                }
            ),
            "screenshot_form": forms.get("screenshot_form") or ScreenshotForm(),
            "step_errors": forms.get("step_form"),
        },
        status=status,
    )


def _save_step(request: HttpRequest, pc: ParticipantCase) -> HttpResponse:
    form = StepForm(request.POST)
    steps = steps_of(pc)
    if form.is_valid() and form.cleaned_data["index"] < len(steps):
        d = form.cleaned_data
        answers = [services.StepAnswer(done=s["done"], ok=s["ok"], remark=s["remark"]) for s in steps]
        ok = {"yes": True, "no": False}.get(d["ok"])
        answers[d["index"]] = services.StepAnswer(done=d["done"] or ok is not None, ok=ok, remark=d["remark"])
        try:
            services.save_steps(pc, actor=current_user(request), expected_version=d["version"], steps=answers)
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Step %(number)d has been saved.") % {"number": d["index"] + 1})
            return redirect(
                f"{request.path}#step-{d['index'] + 1}",
            )
    elif form.is_valid():
        form.add_error(None, _("Unknown step."))
    return _case_page(request, pc, step_form=form)


def _complete(request: HttpRequest, pc: ParticipantCase) -> HttpResponse:
    form = CompleteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.complete_case(
                pc,
                actor=current_user(request),
                expected_version=d["version"],
                outcome=d["outcome"],
                remark=d["remark"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your result has been saved."))
            return redirect("portal-acceptance-session", session_pk=pc.participant.session_id)
    return _case_page(request, pc, complete_form=form)


@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, session_pk: int, case_pk: int) -> HttpResponse:
    pc = own_case(request.user, session_pk, case_pk)
    if pc is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("form") == "complete":
            return _complete(request, pc)
        return _save_step(request, pc)
    return _case_page(request, pc)


@require_POST
def screenshot_add(request: HttpRequest, session_pk: int, case_pk: int) -> HttpResponse:
    pc = own_case(request.user, session_pk, case_pk)
    if pc is None:
        raise Http404
    form = ScreenshotForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_screenshot(pc, actor=current_user(request), upload=form.cleaned_data["file"])
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The screenshot has been added."))
            return redirect("portal-acceptance-case", session_pk=session_pk, case_pk=pc.pk)
    return _case_page(request, pc, screenshot_form=form)


@require_GET
def screenshot_file(request: HttpRequest, session_pk: int, screenshot_pk: int) -> FileResponse:
    session = _session_or_404(request, session_pk)
    user = request.user
    shots = ParticipantScreenshot.objects.visible_to(user).filter(
        participant_case__participant__session=session, pk=screenshot_pk
    )
    if session.plan.change.client_id != user.pk:
        shots = shots.filter(participant_case__participant__person_id=user.pk)
    shot = shots.first()
    if shot is None:
        raise Http404
    return protected_file_response(
        shot.file, filename=shot.original_name, content_type=shot.content_type, inline=True
    )


@require_POST
def answer(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session_or_404(request, session_pk)
    participant = SessionParticipant.objects.filter(session=session, person_id=request.user.pk).first()
    if participant is None:
        raise Http404
    form = CouldWorkForm(request.POST)
    if not form.is_valid():
        _say_errors(request, form)
    else:
        try:
            services.answer_could_work(
                participant,
                actor=current_user(request),
                answer=form.cleaned_data["answer"],
                remark=form.cleaned_data["remark"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you for your answer."))
    return redirect("portal-acceptance-session", session_pk=session.pk)


@require_POST
def sign_off(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session_or_404(request, session_pk)
    if session.plan.change.client_id != request.user.pk:
        raise Http404
    form = SignOffForm(request.POST)
    if not form.is_valid():
        _say_errors(request, form)
    else:
        try:
            services.sign_off(
                session,
                actor=current_user(request),
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The acceptance has been signed off."))
    return redirect("portal-acceptance-session", session_pk=session.pk)


urlpatterns = [
    path("portal/acceptance/", session_list, name="portal-acceptance"),
    path("portal/acceptance/<int:session_pk>/", session_detail, name="portal-acceptance-session"),
    path(
        "portal/acceptance/<int:session_pk>/cases/<int:case_pk>/", case_detail, name="portal-acceptance-case"
    ),
    path(
        "portal/acceptance/<int:session_pk>/cases/<int:case_pk>/screenshots/",
        screenshot_add,
        name="portal-acceptance-screenshot",
    ),
    path(
        "portal/acceptance/<int:session_pk>/screenshots/<int:screenshot_pk>/",
        screenshot_file,
        name="portal-acceptance-screenshot-file",
    ),
    path("portal/acceptance/<int:session_pk>/answer/", answer, name="portal-acceptance-answer"),
    path("portal/acceptance/<int:session_pk>/sign-off/", sign_off, name="portal-acceptance-signoff"),
]
