"""Annotated types for API input (django-ninja / Pydantic), shared by every app's schemas and routers.

- `Id`: a database id in a path, a query or a body: 1 .. 2**63-1. A bigger number (which the
  database driver cannot even bind) or zero/negative is a 422 before any query runs.
- `Int64`: any other integer parameter, limited to the signed 64-bit range.
- `TextLine`: single-line text; control characters are removed before the length checks (tabs and line
  breaks become a space, see core/text.py), so invisible characters never reach the database.
- `Text`: multi-line text; line ends become LF, tabs stay, other control characters are removed.
- `WallTime`: a local time of day (HH:MM[:SS]), documented without the offset of JSON Schema's "time".

Use them in place of `int` and `str` for every input field: `brief_description: TextLine = Field(...)`,
`def get_melding(request, melding_id: Id)`. `Field(min_length=..., max_length=...)` still applies,
after cleaning.

`Schema`: the base of every API shape (in place of `ninja.Schema`; ruff refuses the other).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from django.db.models import Manager, QuerySet
from django.db.models.fields.files import FieldFile
from ninja import Schema as NinjaSchema  # noqa: TID251 (the one subclass)
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema, model_validator

from .text import clean_line, clean_text

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _line(value: Any) -> Any:
    return clean_line(value) if isinstance(value, str) else value


def _text(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
TextLine = Annotated[str, BeforeValidator(_line)]
Text = Annotated[str, BeforeValidator(_text)]
# A wall-clock time (opening hours, a series' start) in a time zone named elsewhere; the JSON Schema
# format "time" would promise an offset, which these are written without.
WallTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "HH:MM or HH:MM:SS, a local time without an offset",
        }
    ),
]


def bounded(default: int, *, ge: int = INT64_MIN, le: int = INT64_MAX, **kwargs: Any) -> Any:
    """`Field` for an integer parameter with a default, within the 64-bit range unless narrower."""
    return Field(default, ge=max(ge, INT64_MIN), le=min(le, INT64_MAX), **kwargs)


def _plain(values: Any) -> bool:
    """Whether `values` is a dict that django-ninja's getter would hand to Pydantic unchanged: no
    manager, queryset, file or callable among its values (the getter would list, call or resolve it)."""
    if type(values) is not dict:
        return False
    for value in values.values():
        if callable(value) or isinstance(value, (Manager, QuerySet, FieldFile)):
            return False
    return True


class Schema(NinjaSchema):
    """django-ninja's Schema, minus the cost of its getter for dicts.

    django-ninja wraps every input of every (nested) schema in a `DjangoGetter`, which reads each
    field through Python code; for a page of 25 meldingen that is some 1,300 calls and 3-5 ms of a
    request. The API builds its answers as dicts of plain values, for which the getter changes
    nothing, so those go to Pydantic's own validation directly; model instances, and dicts holding
    anything the getter would convert, still go through the getter. Schemas with `resolve_*`
    methods always do."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: Any, info: ValidationInfo) -> Any:
        if not cls._ninja_resolvers and _plain(values):
            return handler(values)
        # django-ninja's own validator (ninja.schema.Schema._run_root_validator), unchanged
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))


class HistoryActorOut(Schema):
    id: int
    name: str


class HistoryRecordOut(Schema):
    """One row of an audit trail (`core.history.history_item`): labels and values in the reader's
    language, the codes in `action` and `field`."""

    id: int
    at: datetime
    actor: HistoryActorOut | None
    action: str
    action_label: str
    field: str
    field_label: str
    old_value: str
    new_value: str
    detail: str


class HistoryRecordPage(Schema):
    """A page of an audit trail, newest first; pass `next_cursor` as `cursor` for the next one."""

    items: list[HistoryRecordOut]
    next_cursor: str | None


class ErrorOut(Schema):
    """The API's error answer (beheer/api.py): a code, a message and, for bad input, the message of
    each field. Every route declares it for the error codes it answers."""

    error: str = Field(description="invalid, validation, not_found, forbidden, conflict, read_only, ...")
    detail: str
    fields: dict[str, str] | None = Field(None, description="per field, for bad input; absent otherwise")


def errors(*codes: int) -> dict[int, Any]:
    """The error answers a route declares next to its own: `response={200: X, **errors(400, 404)}`.
    401 (no valid sign-in), 413 (a body over the limit) and 422 (parameters or body of the wrong
    shape) are declared by the API root for every operation they apply to."""
    return dict.fromkeys(codes, ErrorOut)


def file_answer(media_type: str, description: str, status: int = 200, *more_types: str) -> dict[str, Any]:
    """`openapi_extra` for a route that answers a file (in `media_type` or one of `more_types`): a
    JSON schema cannot describe the bytes."""
    content = {t: {"schema": {"type": "string", "format": "binary"}} for t in (media_type, *more_types)}
    return {"responses": {status: {"description": description, "content": content}}}
