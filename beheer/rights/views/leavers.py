"""Leavers: inactive people who still hold granted rights, each with their rights, a revoke-all
step (with a confirmation) per person, and a link to revoke each right on its own."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.pagination import SortKey, page_for_request

from .. import services
from ..forms import ConfirmForm
from ..models import AccessRight, RightStatus
from ..queries import leavers

ACCESS = access.STAFF

PAGE_SIZE = 25
ORDER = (SortKey("last_name"), SortKey("first_name"), SortKey("id"))
SHOWN = 50


@require_GET
def leaver_list(request: HttpRequest) -> HttpResponse:
    """A page of leavers, then their granted rights in one query."""
    page = page_for_request(request, leavers(), ORDER, size=PAGE_SIZE)
    held: dict[int, list[AccessRight]] = {p.pk: [] for p in page.items}
    if held:
        rows = (
            AccessRight.objects.visible_to(request.user)
            .filter(person__in=list(held), status=RightStatus.GRANTED)
            .select_related("ci")
            .order_by("person_id", "ci__name", "id")
        )
        for right in rows:
            if len(held[right.person_id]) < SHOWN:
                held[right.person_id].append(right)
    people = [(p, held[p.pk]) for p in page.items]
    return render(
        request,
        "rights/leavers.html",
        {
            "page": page,
            "people": people,
            "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


@require_http_methods(["GET", "POST"])
def leaver_revoke_all(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = User.objects.filter(pk=person_pk).first()
    if person is None:
        raise Http404
    rights = list(
        AccessRight.objects.visible_to(request.user)
        .filter(person=person, status=RightStatus.GRANTED)
        .select_related("ci")
        .order_by("ci__name", "id")[:500]
    )
    form = ConfirmForm(
        request.POST or None, initial={"reason": _("%(person)s has left.") % {"person": person}}
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = services.revoke_all_of(
                person, actor=current_user(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d right has been revoked.", "%(count)d rights have been revoked.", done)
                % {"count": done},
            )
            return redirect("rights-leavers")
    return render(request, "rights/leaver_revoke.html", {"person": person, "rights": rights, "form": form})
