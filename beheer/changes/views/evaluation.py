"""A change's evaluation page for staff: feedback asked of stakeholders and its summary, findings and
lessons learned, follow-up actions (converted with one click), the advice, and the final report as a
print-friendly page and a PDF. Every action is a POST followed by a redirect to the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import parse_id, place_domain_errors
from beheer.core.pdf import pdf_response

from .. import services
from ..forms_evaluation import AdviceForm, ConvertForm, FeedbackRequestForm, FindingForm, FollowUpForm
from ..models import Change, FeedbackRequest, Finding, FindingKind, FollowUp, FollowUpTarget
from ..services import evaluation as ev
from ..services import report
from ..tabs import head_context
from .changes import change_for

ACCESS = access.STAFF

MAX_ROWS = 200


def _page(request: HttpRequest, change: Change, **forms: Any) -> HttpResponse:
    user = request.user
    requests = FeedbackRequest.objects.visible_to(user).filter(change=change)
    row = ev.evaluation_of(change)
    summary = requests.summary()
    findings = list(Finding.objects.visible_to(user).filter(change=change).order_by("id")[:MAX_ROWS])
    context = {
        **head_context(change, "change-evaluation", request.user),
        "can_evaluate": ev.can_evaluate(change),
        "summary": summary,
        "summary_text": report.satisfaction_text(summary),
        "requests": list(requests.order_by("-requested_at", "-id")[:MAX_ROWS]),
        "now": clock.now(),
        "findings": [f for f in findings if f.kind == FindingKind.FINDING],
        "lessons": [f for f in findings if f.kind == FindingKind.LESSON],
        "follow_ups": list(
            FollowUp.objects.visible_to(user).filter(change=change).with_targets().order_by("id")[:MAX_ROWS]
        ),
        "follow_up_of": FollowUp.objects.visible_to(user)
        .filter(new_change=change)
        .select_related("change")
        .first(),
        "targets": FollowUpTarget.choices,
        "request_form": forms.get("request_form") or FeedbackRequestForm(change=change),
        "finding_form": forms.get("finding_form") or FindingForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "advice_form": forms.get("advice_form")
        or AdviceForm(initial={"advice": row.advice if row else "", "version": row.version if row else 0}),
    }
    return render(request, "changes/evaluation/page.html", context)


@require_GET
def evaluation_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, change_for(request, pk))


def _back(change: Change) -> HttpResponse:
    return redirect("change-evaluation", pk=change.pk)


@require_POST
def feedback_request(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = FeedbackRequestForm(request.POST, change=change)
    if form.is_valid():
        try:
            made = services.request_feedback(
                change, actor=current_user(request), stakeholders=list(form.cleaned_data["stakeholders"])
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            if made:
                messages.success(
                    request,
                    ngettext(
                        "Feedback has been asked of %(count)d stakeholder.",
                        "Feedback has been asked of %(count)d stakeholders.",
                        len(made),
                    )
                    % {"count": len(made)},
                )
            else:
                messages.info(request, _("These stakeholders have already been asked and not yet answered."))
            return _back(change)
    return _page(request, change, request_form=form)


@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_finding(
                change, actor=current_user(request), kind=d["kind"], category=d["category"], text=d["text"]
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("It has been added."))
            return _back(change)
    return _page(request, change, finding_form=form)


@require_POST
def finding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    finding_pk = parse_id(request.POST.get("finding")) or 0
    finding = Finding.objects.visible_to(request.user).filter(change=change, pk=finding_pk).first()
    if finding is None:
        raise Http404
    finding.change = change
    try:
        services.remove_finding(finding, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("It has been removed."))
    return _back(change)


@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.add_follow_up(
                change,
                actor=current_user(request),
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The follow-up action has been added."))
            return _back(change)
    return _page(request, change, follow_up_form=form)


@require_POST
def follow_up_convert(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    follow_up_pk = parse_id(request.POST.get("follow_up")) or 0
    row = FollowUp.objects.visible_to(request.user).filter(change=change, pk=follow_up_pk).first()
    if row is None:
        raise Http404
    row.change = change
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a call, a change or a knowledge article."))
        return _back(change)
    try:
        done = services.convert_follow_up(row, actor=current_user(request), to=form.cleaned_data["to"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The follow-up action is now %(target)s %(number)s.")
            % {"target": done.get_converted_to_display(), "number": ev.follow_up_target(done)},
        )
    return _back(change)


@require_POST
def advice_save(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = AdviceForm(request.POST)
    if form.is_valid():
        try:
            services.set_advice(
                change,
                actor=current_user(request),
                advice=form.cleaned_data["advice"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The advice has been saved."))
            return _back(change)
    return _page(request, change, advice_form=form)


@require_GET
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    content = report.final_report(change, user=current_user(request), generated=clock.now())
    return render(request, "changes/evaluation/report.html", {"report": content, "change": change})


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    content = report.final_report(change, user=current_user(request), generated=clock.now())
    return pdf_response(report.report_pdf(content), f"{change.number}-final-report.pdf")
