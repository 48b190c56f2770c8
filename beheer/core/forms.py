"""Small helpers the views of every app share, and the generic pieces of their forms.

- `CleanForm` (and `CleanTextMixin`): every UI form; text inputs lose control characters.
- `BeheerForm`: a `CleanForm` with labels without a trailing colon and setters for the rows its
  selects offer (`set_queryset`, `set_rows`).
- `LookupField`: a select over rows already loaded (the configuration cache): rendering and checking
  a value need no query. `NamedChoiceField`: a lookup shown by its localised name.
- `DateInput`, `DateTimeLocalInput`: the browser's own date and date-time pickers.
- `active(model)`: the active rows of a lookup table in their configured order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.choices import BaseChoiceIterator

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


# --------------------------------------------------------------------------------------------------
# generic fields and widgets


def _row_name(row: Any) -> str:
    return str(getattr(row, "name", row))


class LookupChoices(BaseChoiceIterator):
    """The choices of a select over rows that are already loaded (the configuration cache)."""

    def __init__(
        self,
        rows: Callable[[], Sequence[Any]],
        *,
        empty_label: Any,
        label: Callable[[Any], str],
        fresh: Any = None,
    ) -> None:
        self.rows = rows
        self.empty_label = empty_label
        self.label = label
        self.fresh = fresh

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.empty_label is not None:
            yield ("", self.empty_label)
        for row in self.rows():
            yield (row.pk, self.label(row))

    def find(self, value: Any) -> Any:
        """The row with this primary key: from the rows shown, else (added a moment ago in another
        process, or deliberately not offered) from `fresh`, so the service can judge it."""
        raw = str(value)
        for row in self.rows():
            if str(row.pk) == raw:
                return row
        if self.fresh is not None and raw.isdigit():
            return self.fresh.filter(pk=int(raw)).first()
        return None


class LookupField(forms.ChoiceField):
    """A choice of a row of a small configuration table, offered from the configuration cache.

    The form gives it its rows (`set_rows`); the cleaned value is the row itself, like a
    ModelChoiceField, but rendering and checking a value need no query.
    """

    def __init__(
        self,
        *,
        empty_label: Any = "---------",
        label_from: Callable[[Any], str] = _row_name,
        **kwargs: Any,
    ) -> None:
        self.empty_label = empty_label
        self.label_from = label_from
        super().__init__(choices=(), **kwargs)

    def set_rows(self, rows: Callable[[], Sequence[Any]], *, fresh: Any = None) -> None:
        self.choices = LookupChoices(rows, empty_label=self.empty_label, label=self.label_from, fresh=fresh)

    def _find(self, value: Any) -> Any:
        choices = self.choices
        return choices.find(value) if isinstance(choices, LookupChoices) else None

    def prepare_value(self, value: Any) -> Any:
        return getattr(value, "pk", value)

    def to_python(self, value: Any) -> str:
        return "" if value in self.empty_values else str(value)

    def valid_value(self, value: Any) -> bool:
        return self._find(value) is not None

    def clean(self, value: Any) -> Any:
        raw = super().clean(value)
        return self._find(raw) if raw else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        before = "" if initial is None else str(self.prepare_value(initial))
        return before != ("" if data is None else str(data))


class BeheerForm(CleanForm):
    """Labels without a trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def set_queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def set_rows(self, name: str, rows: Any, *, fresh: Any = None) -> None:
        """The rows a LookupField offers (a callable, read when the field renders or checks)."""
        field = self.fields[name]
        assert isinstance(field, LookupField)
        field.set_rows(rows, fresh=fresh)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NamedChoiceField(forms.ModelChoiceField):
    """A lookup shown by its localised name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", obj))


def active(model: Any) -> Any:
    """The active rows of a lookup table (with `active` and `order` columns), in their order."""
    return model.objects.filter(active=True).order_by("order", "id")
