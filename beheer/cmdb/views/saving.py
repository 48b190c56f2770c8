"""The save step that the licence and contract edit pages share: on a valid POST create the row
(none yet) or update it with the version the form carried; a refusal goes onto the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from beheer.core.access import current_user
from beheer.core.errors import DomainError


def save_row(
    request: HttpRequest,
    form: Any,
    row: Any,
    *,
    create: Callable[..., Any],
    update: Callable[..., Any],
    data: Callable[[Any], Any],
    place: Callable[[Any, DomainError], None],
    saved: str,
    detail_url: str,
) -> HttpResponse | None:
    """The redirect to the saved row's page, or None when the form is to be shown again."""
    if not form.is_valid():
        return None
    try:
        if row is None:
            row = create(actor=current_user(request), data=data(form))
        else:
            row = update(
                row,
                actor=current_user(request),
                data=data(form),
                expected_version=form.cleaned_data["version"],
            )
    except DomainError as exc:
        place(form, exc)
        return None
    messages.success(request, saved)
    return redirect(detail_url, pk=row.pk)
