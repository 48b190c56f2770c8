"""The approvals asked of the signed-in person (staff or not): the list and the decision page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError

from .. import services
from ..forms import DecisionForm
from ..models import ChangeApproval

ACCESS = access.SIGNED_IN


@require_GET
def my_approvals(request: HttpRequest) -> HttpResponse:
    rows = (
        ChangeApproval.objects.filter(approver_id=request.user.pk)
        .select_related("change", "change__phase")
        .order_by("decision", "-requested_at", "-id")[:100]
    )
    return render(request, "changes/approvals_mine.html", {"approvals": list(rows)})


@require_http_methods(["GET", "POST"])
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approval = (
        ChangeApproval.objects.filter(approver_id=request.user.pk, pk=pk)
        .select_related("change", "change__phase", "change__risk_level")
        .first()
    )
    if approval is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_approval(
                approval,
                actor=current_user(request),
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            for key, message in exc.field_errors.items():
                if key in form.fields:
                    form.add_error(key, message)
            if not exc.field_errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your decision has been recorded."))
            return redirect("change-approvals-mine")
    return render(request, "changes/approval_decide.html", {"approval": approval, "form": form})
