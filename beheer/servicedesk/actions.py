"""The actions on the operator's melding page: for each, its form, the service call that carries it
out, and how the page offers it (title, button, confirmation).

The note and the status are on the page itself; every other form is loaded when the operator opens
the action (HTMX), or is a page of its own without JavaScript. `views.py` renders and routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts.models import User

from . import forms as f
from . import services
from .models import Line, Melding, StatusKind


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.ActionForm]
    handler: Callable[[Melding, dict[str, Any], User], str]
    title: str | Promise
    button: str | Promise = ""
    confirm: str | Promise = ""
    button_class: str = ""

    @property
    def button_text(self) -> str | Promise:
        return self.button or self.title


def _assign(m: Melding, d: dict[str, Any], u: User) -> str:
    services.assign_melding(
        m, operator_group=d["operator_group"], operator=d["operator"], actor=u, expected_version=d["version"]
    )
    return _("The assignment has been saved.")


def _status(m: Melding, d: dict[str, Any], u: User) -> str:
    services.change_status(
        m, status=d["status"], supplier=d.get("supplier"), actor=u, expected_version=d["version"]
    )
    return _("The status has been changed.")


def _move_line(service: Any, m: Melding, d: dict[str, Any], u: User) -> None:
    service(
        m,
        to_group=d["to_group"],
        operator=d["operator"],
        reason=d["reason"],
        actor=u,
        expected_version=d["version"],
    )


def _escalate(m: Melding, d: dict[str, Any], u: User) -> str:
    _move_line(services.escalate_melding, m, d, u)
    return _("The call has been escalated to the second line.")


def _deescalate(m: Melding, d: dict[str, Any], u: User) -> str:
    _move_line(services.deescalate_melding, m, d, u)
    return _("The call has been returned to the first line.")


def _classify(m: Melding, d: dict[str, Any], u: User) -> str:
    services.reclassify_melding(
        m,
        actor=u,
        expected_version=d["version"],
        brief_description=d["brief_description"],
        request=d["request"],
        call_type=d["call_type"],
        category=d["category"],
        subcategory=d["subcategory"],
        object_name=d["object_name"],
        ci=d["ci"],
        impact=d["impact"],
        urgency=d["urgency"],
    )
    return _("The classification has been saved.")


def _target(m: Melding, d: dict[str, Any], u: User) -> str:
    services.set_target_date(m, target_date=d["target_date"], actor=u, expected_version=d["version"])
    return _("The target date has been saved.")


def _estimates(m: Melding, d: dict[str, Any], u: User) -> str:
    services.set_estimates(
        m, minutes=d["minutes"], people=d["people"], means=d["means"], actor=u, expected_version=d["version"]
    )
    return _("The estimates have been saved.")


def _note(m: Melding, d: dict[str, Any], u: User) -> str:
    services.add_note(m, text=d["text"], visibility=d["visibility"], actor=u)
    return _("The note has been added.")


def _time(m: Melding, d: dict[str, Any], u: User) -> str:
    services.register_time(m, minutes=d["minutes"], on=d["date"], note=d["note"], actor=u)
    return _("The time has been registered.")


def _link(m: Melding, d: dict[str, Any], u: User) -> str:
    services.link_meldingen(m, other=d["number"], actor=u)
    return _("The calls have been linked.")


def _unlink(m: Melding, d: dict[str, Any], u: User) -> str:
    services.unlink_meldingen(m, other=d["other"], actor=u)
    return _("The link has been removed.")


def _merge(m: Melding, d: dict[str, Any], u: User) -> str:
    services.merge_melding(m, into=d["number"], actor=u)
    return _("This call has been merged into %(number)s and closed.") % {"number": d["number"].number}


def _partial(m: Melding, d: dict[str, Any], u: User) -> str:
    partial = services.create_partial(
        m,
        brief_description=d["brief_description"],
        request=d["request"],
        operator_group=d["operator_group"],
        operator=d["operator"],
        supplier=d["supplier"],
        actor=u,
    )
    return _("Partial incident %(number)s has been created.") % {"number": partial.number}


def _attachment(m: Melding, d: dict[str, Any], u: User) -> str:
    services.add_attachment(m, upload=d["file"], actor=u, visible_to_caller=d["visible_to_caller"])
    return _("The attachment has been added.")


def _resolve(m: Melding, d: dict[str, Any], u: User) -> str:
    services.resolve_melding(
        m,
        solution=d["solution"],
        is_workaround=d["is_workaround"],
        closure_code=d["closure_code"],
        actor=u,
        expected_version=d["version"],
        article=services.visible_article(d["article"], u) if d.get("article") else None,
    )
    return _("The call has been resolved; the caller is asked to confirm the solution.")


def _close(m: Melding, d: dict[str, Any], u: User) -> str:
    services.close_melding(m, actor=u, expected_version=d["version"])
    return _("The call has been closed.")


def _reopen(m: Melding, d: dict[str, Any], u: User) -> str:
    services.reopen_melding(m, reason=d["reason"], actor=u)
    return _("The call has been reopened.")


ACTIONS: dict[str, ActionSpec] = {
    "classify": ActionSpec(
        f.ClassificationForm,
        _classify,
        gettext_lazy("Edit classification"),
        button=gettext_lazy("Save classification"),
    ),
    "target": ActionSpec(f.TargetDateForm, _target, gettext_lazy("Change target date")),
    "assign": ActionSpec(f.AssignForm, _assign, gettext_lazy("Assign")),
    "status": ActionSpec(f.StatusForm, _status, gettext_lazy("Change status")),
    "escalate": ActionSpec(
        f.EscalateForm, _escalate, gettext_lazy("Escalate to second line"), button=gettext_lazy("Escalate")
    ),
    "deescalate": ActionSpec(f.DeescalateForm, _deescalate, gettext_lazy("Return to first line")),
    "estimates": ActionSpec(f.EstimatesForm, _estimates, gettext_lazy("Change estimates")),
    "note": ActionSpec(
        f.NoteForm,
        _note,
        gettext_lazy("Add a note"),
        button=gettext_lazy("Add note"),
        button_class="button-primary",
    ),
    "time": ActionSpec(f.TimeForm, _time, gettext_lazy("Register time")),
    "link": ActionSpec(f.LinkForm, _link, gettext_lazy("Link a call"), button=gettext_lazy("Link")),
    "unlink": ActionSpec(f.UnlinkForm, _unlink, gettext_lazy("Unlink")),
    "merge": ActionSpec(
        f.MergeForm,
        _merge,
        gettext_lazy("Merge into another call (duplicate)"),
        button=gettext_lazy("Merge"),
        confirm=gettext_lazy("Merge this call into the other one and close it? This cannot be undone."),
        button_class="button-danger",
    ),
    "partial": ActionSpec(
        f.PartialForm,
        _partial,
        gettext_lazy("New partial incident"),
        button=gettext_lazy("Create partial incident"),
    ),
    "attachment": ActionSpec(
        f.AttachmentForm, _attachment, gettext_lazy("Add attachment"), button=gettext_lazy("Upload")
    ),
    "resolve": ActionSpec(f.ResolveForm, _resolve, gettext_lazy("Resolve"), button_class="button-primary"),
    "close": ActionSpec(
        f.CloseForm,
        _close,
        gettext_lazy("Close"),
        confirm=gettext_lazy("Close this call? It becomes read-only."),
        button_class="button-primary",
    ),
    "reopen": ActionSpec(f.ReopenForm, _reopen, gettext_lazy("Reopen")),
}
INLINE_ACTIONS = ("note", "status")  # the common actions: their forms are on the page itself
HANDLING_ACTIONS = ("status", "escalate", "deescalate", "resolve", "close", "reopen")


def available_actions(melding: Melding) -> list[str]:
    """The actions the melding's state allows (the services check the rules again)."""
    is_closed = melding.closed_at is not None
    available: list[str] = []
    if melding.is_open and not is_closed:
        available += ["classify", "target", "assign", "status", "estimates", "resolve"]
        if melding.line == Line.FIRST:
            available.append("escalate")
        if melding.line == Line.SECOND:
            available.append("deescalate")
        if melding.parent_id is None:
            available += ["partial", "merge"]
    if melding.status.kind == StatusKind.RESOLVED and not is_closed:
        available += ["close", "reopen"]
    if not is_closed:
        available += ["note", "time", "link", "unlink", "attachment"]
    return available


def make_form(name: str, melding: Melding, user: User, *args: Any) -> f.ActionForm:
    return ACTIONS[name].form(*args, melding=melding, user=user)
