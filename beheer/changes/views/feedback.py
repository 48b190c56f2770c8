"""The feedback form of a change's evaluation: in the portal for a stakeholder who has an account
(the list of their requests and the form), and through the secret link of the e-mail for anyone,
without signing in. A link that is unknown, used or expired gives a page that says so."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.accounts.backends import client_address
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError, NotFound, TooManyAttempts
from beheer.core.forms import place_domain_errors

from .. import services
from ..forms_evaluation import FeedbackAnswerForm
from ..models import FeedbackRequest

ACCESS = access.SIGNED_IN

MAX_ROWS = 100


def _answer(form: FeedbackAnswerForm) -> dict[str, object]:
    d = form.cleaned_data
    return {
        "satisfaction": d["satisfaction"],
        "went_well": d["went_well"],
        "could_be_better": d["could_be_better"],
        "may_contact": d["may_contact"],
    }


@require_GET
def my_feedback(request: HttpRequest) -> HttpResponse:
    rows = (
        FeedbackRequest.objects.visible_to(request.user)
        .filter(person_id=request.user.pk)
        .select_related("change")
        .order_by("-requested_at", "-id")[:MAX_ROWS]
    )
    return render(
        request, "changes/evaluation/portal_list.html", {"requests": list(rows), "now": clock.now()}
    )


@require_http_methods(["GET", "POST"])
def portal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        FeedbackRequest.objects.visible_to(request.user)
        .filter(person_id=request.user.pk, pk=pk)
        .select_related("change")
        .first()
    )
    if found is None:
        raise Http404
    form = FeedbackAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_feedback(found, actor=current_user(request), **_answer(form))  # type: ignore[arg-type]
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("portal-change-feedback")
    return render(
        request,
        "changes/evaluation/answer.html",
        {"feedback": found, "form": form, "expired": services.evaluation.is_expired(found)},
    )


def _state_page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@access.gate(access.PUBLIC)
@require_http_methods(["GET", "POST"])
def token_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The form behind the link of the e-mail. Never a 500: an unknown link is 404, and so is every
    link from an address that tried too many wrong ones (the page says why; the same status keeps
    a guesser from telling the two apart), an answered one says thanks, an expired one says so
    (410)."""
    address = client_address(request)
    page = "changes/evaluation/token.html"
    try:
        found = services.feedback_for_token(token, address=address)
    except TooManyAttempts as exc:
        return _state_page(request, page, 404, state="throttled", message=exc.message)
    except NotFound as exc:
        return _state_page(request, page, 404, state="unknown", message=exc.message)
    if found.answered_at is not None:
        return _state_page(request, page, 200, state="answered", feedback=found)
    if services.evaluation.is_expired(found):
        return _state_page(request, page, 410, state="expired", feedback=found)
    form = FeedbackAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_feedback(found, actor=None, **_answer(form))  # type: ignore[arg-type]
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            return _state_page(request, page, 200, state="thanks", feedback=found)
    return _state_page(request, page, 200, state="open", feedback=found, form=form)
