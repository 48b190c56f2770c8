"""The needs of a change in the portal: the requirements with their MoSCoW priority and acceptance
criteria, the open questions asked of the signed-in person, the designs waiting for their decision,
and the client's approval or rejection of the current needs version. Nothing internal: no notes, no
stakeholder interests, no history. Only the change's client decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors

from .. import services
from ..forms_needs import NeedsDecisionForm
from ..models import Change
from ..traceability import portal_needs

ACCESS = access.SIGNED_IN


def portal_needs_context(
    request: HttpRequest, change: Change, form: NeedsDecisionForm | None = None
) -> dict[str, Any]:
    needs = portal_needs(change, request.user)
    return {
        "needs": needs,
        "needs_form": form or NeedsDecisionForm(initial={"needs_version": needs.status.version}),
    }


@require_POST
def portal_needs_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's decision on the needs version they read (a rejection needs a comment)."""
    from .portal import portal_change_for, render_portal_detail

    change = portal_change_for(request, pk)
    if change is None:
        raise Http404
    form = NeedsDecisionForm(request.POST)
    if form.is_valid():
        if request.POST.get("confirm") != "1":
            form.add_error(None, _("Confirm your decision."))
        else:
            try:
                services.decide_needs(
                    change,
                    actor=current_user(request),
                    needs_version=form.cleaned_data["needs_version"],
                    approve=form.cleaned_data["decision"] == "approve",
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your decision on the needs is recorded."))
                return redirect("portal-change", pk=change.pk)
    return render_portal_detail(request, change, needs_form=form, status=400)
