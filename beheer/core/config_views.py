"""What the configuration screens share (business calendars, SLA policies, OLA targets): the edit
page that creates or saves a row through its services, and the confirmed archive-or-restore.

The views stay the apps' own (their templates, context and messages); these helpers hold only the
steps that are the same: on a valid POST call the service as the signed-in user, say so and go to
the row's edit page; a refusal (`DomainError`) goes onto the form, or into a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import current_user
from .errors import DomainError


def edit_page(
    request: HttpRequest,
    form: Any,
    row: Any,
    *,
    create: Callable[..., Any],
    update: Callable[..., Any],
    created: str,
    saved: str,
    edit_url: str,
    template: str,
    context: Callable[[Any], dict[str, Any]],
) -> HttpResponse:
    """A valid POST creates the row (`row` None) or saves it, then redirects to `edit_url`;
    otherwise the form page, with 400 after a POST. `context(row)` gives the page's context."""
    if request.method == "POST" and form.is_valid():
        try:
            if row is None:
                row = create(data=form.to_data(), actor=current_user(request))
                messages.success(request, created)
            else:
                update(row, data=form.to_data(), actor=current_user(request))
                messages.success(request, saved)
            return redirect(edit_url, pk=row.pk)
        except DomainError as exc:
            form.place(exc.field_errors, exc.message)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context(row)}, status=status)


def toggle_active(
    request: HttpRequest,
    row: Any,
    *,
    archive: Callable[..., Any],
    restore: Callable[..., Any],
    archived: str,
    restored: str,
    edit_url: str,
) -> HttpResponse:
    """The confirmed POST: archive an active row, restore an archived one; back to its edit page."""
    try:
        if row.active:
            archive(row, actor=current_user(request))
            messages.success(request, archived)
        else:
            restore(row, actor=current_user(request))
            messages.success(request, restored)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(edit_url, pk=row.pk)
