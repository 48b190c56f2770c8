"""The needs and design page of a change (staff): stakeholders, interview and meeting notes,
requirements with the client's approval of the needs version, open questions, the linked designs
and the traceability of each requirement to the design sections that name it. Each action is a POST
followed by a redirect to the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.knowledge.rendering import render_markdown

from .. import services
from ..forms_needs import (
    AnswerForm,
    LinkDesignForm,
    NeedsNoteForm,
    NewDesignForm,
    QuestionForm,
    RequirementForm,
    StakeholderForm,
)
from ..models import (
    Change,
    ChangeDesign,
    NeedsApproval,
    NeedsNote,
    OpenQuestion,
    Requirement,
    Stakeholder,
)
from ..tabs import head_context
from ..traceability import coverage_rows, design_rows, needs_status
from .changes import change_for

ACCESS = access.STAFF
MAX_ROWS = 500


def _page(request: HttpRequest, change: Change, forms: dict[str, Any] | None = None) -> HttpResponse:
    user = request.user
    requirements = list(
        Requirement.objects.visible_to(user).filter(change=change).select_related("source")[:MAX_ROWS]
    )
    designs = design_rows(change, user)
    notes = list(NeedsNote.objects.visible_to(user).filter(change=change).select_related("author")[:MAX_ROWS])
    for note in notes:
        note.html = render_markdown(note.notes)  # type: ignore[attr-defined]
    stakeholders = list(Stakeholder.objects.visible_to(user).filter(change=change).select_related("person"))
    forms = forms or {}
    context = {
        **head_context(change, "change-needs", request.user),
        "status": needs_status(change, user),
        "approvals": list(
            NeedsApproval.objects.visible_to(user).filter(change=change).select_related("approver")[:20]
        ),
        "requirements": [
            (
                r,
                RequirementForm(
                    change=change, editing=True, prefix=f"r{r.pk}", initial=_requirement_initial(r)
                ),
            )
            for r in requirements
        ],
        "coverage": coverage_rows(change, user, designs=designs, requirements=requirements),
        "designs": designs,
        "notes": [(n, NeedsNoteForm(prefix=f"n{n.pk}", initial=_note_initial(n))) for n in notes],
        "questions": [
            (q, AnswerForm(prefix=f"q{q.pk}", initial={"answer": q.answer, "version": q.version}))
            for q in OpenQuestion.objects.visible_to(user)
            .filter(change=change)
            .select_related("asked_of")[:MAX_ROWS]
        ],
        "stakeholders": stakeholders,
        "stakeholder_form": forms.get("stakeholder") or StakeholderForm(),
        "requirement_form": forms.get("requirement") or RequirementForm(change=change),
        "note_form": forms.get("note") or NeedsNoteForm(),
        "question_form": forms.get("question") or QuestionForm(change=change),
        "new_design_form": forms.get("new_design") or NewDesignForm(),
        "link_design_form": forms.get("link_design") or LinkDesignForm(user=user),
        "editable": change.status == "open",
    }
    return render(request, "changes/needs/page.html", context, status=400 if forms else 200)


def _requirement_initial(r: Requirement) -> dict[str, Any]:
    return {
        "text": r.text,
        "priority": r.priority,
        "acceptance_criteria": r.acceptance_criteria,
        "source": r.source_id,
        "status": r.status,
        "version": r.version,
    }


def _note_initial(n: NeedsNote) -> dict[str, Any]:
    return {
        "held_on": n.held_on,
        "kind": n.kind,
        "participants": n.participants,
        "notes": n.notes,
        "version": n.version,
    }


@require_GET
def needs_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, change_for(request, pk))


def _back(change: Change, anchor: str) -> HttpResponse:
    return redirect(reverse("change-needs", args=[change.pk]) + f"#{anchor}")


def _submit(
    request: HttpRequest,
    change: Change,
    form: Any,
    call: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    anchor: str,
    key: str | None = None,
) -> HttpResponse:
    """Run `call` with the form's data; a bad form or a refusal shows the page again with the
    messages (on the form when `key` names it on the page, else as a message)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainError as exc:
            if key is None:
                messages.error(request, exc.message)
                return _back(change, anchor)
            place_domain_errors(form, exc)
        else:
            messages.success(request, done)
            return _back(change, anchor)
    if key is None:
        messages.error(request, _("Check the highlighted fields.") + " " + _form_errors(form))
        return _back(change, anchor)
    return _page(request, change, {key: form})


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _child(rows: Any, change: Change, pk: int) -> Any:
    found = rows.filter(change=change, pk=pk).first()
    if found is None:
        raise Http404
    found.change = change
    return found


def _remove(
    request: HttpRequest,
    pk: int,
    item: int,
    model: Any,
    remove: Callable[..., object],
    *,
    done: str,
    anchor: str,
) -> HttpResponse:
    """Remove one row of the change's needs through its service; the outcome as a message."""
    change = change_for(request, pk)
    row = _child(model.objects.visible_to(request.user), change, item)
    try:
        remove(row, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(change, anchor)


# -- stakeholders ------------------------------------------------------------------------------------


@require_POST
def stakeholder_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    return _submit(
        request,
        change,
        StakeholderForm(request.POST),
        lambda d: services.add_stakeholder(
            change,
            actor=current_user(request),
            person=d["person"],
            name=d["name"],
            email=d["email"],
            role=d["role"],
            interest=d["interest"],
        ),
        done=_("The stakeholder has been added."),
        anchor="stakeholders",
        key="stakeholder",
    )


@require_POST
def stakeholder_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _remove(
        request,
        pk,
        item,
        Stakeholder,
        services.remove_stakeholder,
        done=_("The stakeholder has been removed."),
        anchor="stakeholders",
    )


# -- requirements ------------------------------------------------------------------------------------


@require_POST
def requirement_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    return _submit(
        request,
        change,
        RequirementForm(request.POST, change=change),
        lambda d: services.add_requirement(
            change,
            actor=current_user(request),
            text=d["text"],
            priority=d["priority"],
            acceptance_criteria=d["acceptance_criteria"],
            source=d["source"],
        ),
        done=_("The requirement has been added."),
        anchor="requirements",
        key="requirement",
    )


@require_POST
def requirement_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    change = change_for(request, pk)
    row = _child(Requirement.objects.visible_to(request.user), change, item)
    form = RequirementForm(request.POST, change=change, editing=True, prefix=f"r{row.pk}")
    return _submit(
        request,
        change,
        form,
        lambda d: services.update_requirement(
            row,
            actor=current_user(request),
            expected_version=d["version"],
            text=d["text"],
            priority=d["priority"],
            acceptance_criteria=d["acceptance_criteria"],
            source=d["source"],
            status=d["status"] or row.status,
        ),
        done=_("The requirement has been saved."),
        anchor="requirements",
    )


@require_POST
def requirement_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _remove(
        request,
        pk,
        item,
        Requirement,
        lambda row, actor: services.delete_requirement(row, actor=actor, expected_version=None),
        done=_("The requirement has been removed."),
        anchor="requirements",
    )


# -- notes -------------------------------------------------------------------------------------------


@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    return _submit(
        request,
        change,
        NeedsNoteForm(request.POST),
        lambda d: services.add_needs_note(
            change,
            actor=current_user(request),
            held_on=d["held_on"],
            kind=d["kind"],
            participants=d["participants"],
            notes=d["notes"],
        ),
        done=_("The notes have been added."),
        anchor="notes",
        key="note",
    )


@require_POST
def note_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    change = change_for(request, pk)
    row = _child(NeedsNote.objects.visible_to(request.user), change, item)
    return _submit(
        request,
        change,
        NeedsNoteForm(request.POST, prefix=f"n{row.pk}"),
        lambda d: services.update_needs_note(
            row,
            actor=current_user(request),
            expected_version=d["version"],
            held_on=d["held_on"],
            kind=d["kind"],
            participants=d["participants"],
            notes=d["notes"],
        ),
        done=_("The notes have been saved."),
        anchor="notes",
    )


@require_POST
def note_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _remove(
        request,
        pk,
        item,
        NeedsNote,
        services.delete_needs_note,
        done=_("The notes have been removed."),
        anchor="notes",
    )


# -- questions ---------------------------------------------------------------------------------------


@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    return _submit(
        request,
        change,
        QuestionForm(request.POST, change=change),
        lambda d: services.ask_question(
            change, actor=current_user(request), question=d["question"], asked_of=d["asked_of"]
        ),
        done=_("The question has been added."),
        anchor="questions",
        key="question",
    )


@require_POST
def question_answer(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    change = change_for(request, pk)
    row = _child(OpenQuestion.objects.visible_to(request.user), change, item)
    return _submit(
        request,
        change,
        AnswerForm(request.POST, prefix=f"q{row.pk}"),
        lambda d: services.answer_question(
            row, actor=current_user(request), expected_version=d["version"], answer=d["answer"]
        ),
        done=_("The answer has been saved."),
        anchor="questions",
    )


@require_POST
def question_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _remove(
        request,
        pk,
        item,
        OpenQuestion,
        services.delete_question,
        done=_("The question has been removed."),
        anchor="questions",
    )


# -- designs -----------------------------------------------------------------------------------------


@require_POST
def design_new(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = NewDesignForm(request.POST)
    if form.is_valid():
        try:
            link = services.create_design(
                change,
                actor=current_user(request),
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The design has been created from its template and linked."))
            return redirect("knowledge-edit", pk=link.article_id)
    return _page(request, change, {"new_design": form})


@require_POST
def design_link(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    return _submit(
        request,
        change,
        LinkDesignForm(request.POST, user=request.user),
        lambda d: services.link_design(change, actor=current_user(request), article=d["article"]),
        done=_("The design has been linked."),
        anchor="designs",
        key="link_design",
    )


@require_POST
def design_unlink(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _remove(
        request,
        pk,
        item,
        ChangeDesign,
        services.unlink_design,
        done=_("The design has been unlinked."),
        anchor="designs",
    )
