"""Small helpers the views of every app share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from .errors import DomainError
from .schemas import INT64_MAX
from .text import clean_line, clean_text


def place_domain_errors(form: Any, exc: DomainError) -> None:
    """A service's field errors on the form fields that exist; the message as a form error when
    none of them has a field on this form."""
    placed = False
    for name, message in exc.field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def clean_text_data(form: forms.BaseForm) -> Any:
    """The form's bound data with control characters removed from every text field: a Textarea keeps
    line breaks (LF) and tabs, any other text input becomes one line (see core/text.py)."""
    data = form.data.copy() if hasattr(form.data, "copy") else dict(form.data)
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        key = form.add_prefix(name)
        clean = clean_text if isinstance(field.widget, forms.Textarea) else clean_line
        if isinstance(data, QueryDict):
            if key in data:
                data.setlist(key, [clean(v) if isinstance(v, str) else v for v in data.getlist(key)])
        elif isinstance(data.get(key), str):
            data[key] = clean(data[key])
    return data


class CleanTextMixin:
    """For every UI form: text fields lose invisible control characters before validation, so none is
    ever stored (the API's schemas do the same with core.schemas.TextLine and Text)."""

    def full_clean(self) -> None:
        if getattr(self, "is_bound", False):
            self.data = clean_text_data(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]


class CleanForm(CleanTextMixin, forms.Form):
    """The base of the UI forms: django.forms.Form with CleanTextMixin."""


def parse_id(value: Any) -> int | None:
    """An id from a query string or form value: digits within 1 .. 2**63-1, else None (a number the
    database cannot even bind is no id)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= INT64_MAX else None
