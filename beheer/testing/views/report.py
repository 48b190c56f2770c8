"""The test report of a change for staff: a print-friendly page with the tester's advice form and a
PDF. A change without a test plan shows an empty state (reading never creates a plan)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.changes.models import Change, ChangeStatus
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.pdf import pdf_response

from .. import report
from ..forms_report import TestAdviceForm
from ..models import TestPlan
from ..services.advice import give_advice
from . import nav

ACCESS = access.STAFF


def _plan(request: HttpRequest, change: Change) -> TestPlan | None:
    return TestPlan.objects.visible_to(request.user).filter(change=change).select_related("change").first()


def _page(request: HttpRequest, change: Change, form: TestAdviceForm | None = None) -> HttpResponse:
    plan = _plan(request, change)
    context: dict[str, Any] = {**nav.page_context(request, change, "testing-report"), "plan": plan}
    if plan is not None:
        content = report.test_report(plan, user=current_user(request), generated=clock.now())
        context |= {
            "report": content,
            "cover": report.cover(content),
            "sections": report.report_sections(content),
            "can_advise": change.status == ChangeStatus.OPEN,
            "advice_form": form
            or TestAdviceForm(
                initial={
                    "advice": plan.advice or None,
                    "text": plan.advice_text,
                    "version": plan.version,
                }
            ),
        }
    return render(request, "testing/report/page.html", context)


@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, nav.change_for(request, pk))


@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    plan = _plan(request, change)
    if plan is None:
        raise Http404(_("This change has no test plan."))
    content = report.test_report(plan, user=current_user(request), generated=clock.now())
    return pdf_response(report.test_report_pdf(content), f"{change.number}-test-report.pdf")


@require_POST
def advice_save(request: HttpRequest, pk: int) -> HttpResponse:
    change = nav.change_for(request, pk)
    plan = _plan(request, change)
    if plan is None:
        raise Http404(_("This change has no test plan."))
    form = TestAdviceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            give_advice(
                plan,
                actor=current_user(request),
                expected_version=d["version"],
                advice=d["advice"],
                text=d["text"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The advice has been saved."))
            return redirect("testing-report", pk=change.pk)
    return _page(request, change, form)


urlpatterns = [
    path("changes/<int:pk>/tests/report/", report_page, name="testing-report"),
    path("changes/<int:pk>/tests/report.pdf", report_pdf, name="testing-report-pdf"),
    path("changes/<int:pk>/tests/advice/", advice_save, name="testing-advice"),
]
