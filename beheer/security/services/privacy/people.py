"""Requests of the people concerned (AVG art. 15 and 17): everything Beheer holds about a person
(as data for JSON, and as a PDF), and the erasure of a person on request. Both are for privacy
officers and administrators, both leave a `PersonRequest` record (who, when, the request's
reference; never what was removed)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from beheer.accounts import services as accounts
from beheer.accounts.models import PersonHistoryEntry, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import checks, clock
from beheer.core.errors import DomainError, NotFound
from beheer.core.pdf import BOLD, FONT, FOOTER, INK, MARGIN, MUTED, canvas_maker, escape_markup
from beheer.notifications.services import privacy as outbox_privacy
from beheer.rights.models import AccessRight
from beheer.servicedesk.models import Melding, Note
from beheer.servicedesk.services import privacy as desk_privacy

from ... import access
from ...models import PersonRequest, RequestKind
from .retention import BATCH, _anonymise

REFERENCE_MAX = 100
PERSON_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "employee_number",
    "job_title",
    "role",
    "language",
    "is_active",
    "date_joined",
    "last_login",
)


def find_people(actor: User, text: str, *, limit: int = 20) -> list[User]:
    """People whose name, username or e-mail address starts with `text` (privacy managers only)."""
    access.ensure_privacy_manager(actor)
    words = text.strip()
    if len(words) < 2:
        return []
    rows = User.objects.visible_to(actor)
    for word in words.split()[:3]:
        rows = rows.filter(
            Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(username__istartswith=word)
            | Q(email__istartswith=word)
        )
    return list(rows.order_by("last_name", "first_name", "id")[:limit])


def _reference(reference: str) -> str:
    return checks.checked_text(
        reference,
        field="reference",
        label=_("Reference of the request"),
        required=True,
        max_length=REFERENCE_MAX,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _rows(values: Iterable[Any]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in values]


def person_data(person: User) -> dict[str, Any]:
    """Everything Beheer holds about `person`, as plain data (no permission check: see
    `export_person`)."""
    data: dict[str, Any] = {
        "person": {name: _plain(getattr(person, name)) for name in PERSON_FIELDS},
    }
    data["person"]["branch"] = _plain(person.branch)
    data["person"]["department"] = _plain(person.department)
    data["person"]["location"] = _plain(person.location)
    meldingen = Melding.objects.filter(pk__in=desk_privacy.meldingen_of_person(person)).order_by("pk")
    data["meldingen"] = [
        {
            "number": m.number,
            "registered": _plain(m.created_at),
            "brief_description": m.brief_description,
            "request": m.request,
            "caller_name": m.caller_name,
            "caller_email": m.caller_email,
            "caller_phone": m.caller_phone,
            "status": str(m.status),
            "solution": m.solution,
            "closed": _plain(m.closed_at),
            "satisfaction_rating": m.satisfaction_rating,
            "satisfaction_comment": m.satisfaction_comment,
            "notes": _rows(
                Note.objects.filter(melding=m)
                .order_by("created_at", "pk")
                .values("created_at", "visibility", "text")
            ),
        }
        for m in meldingen.select_related("status")
    ]
    data["notes_written"] = [
        {"melding": f"M{row['melding_id']:07d}", "created": _plain(row["created_at"]), "text": row["text"]}
        for row in Note.objects.filter(author=person)
        .order_by("created_at", "pk")
        .values("melding_id", "created_at", "text")
    ]
    data["access_rights"] = [
        {
            "application": r.ci.name,
            "right": r.right,
            "status": r.status,
            "requested": _plain(r.requested_at),
            "granted": _plain(r.granted_at),
            "valid_until": _plain(r.valid_until),
            "ended": _plain(r.ended_at),
            "reason": r.reason,
        }
        for r in AccessRight.objects.filter(person=person).select_related("ci").order_by("requested_at", "pk")
    ]
    data["configuration_items_owned"] = list(
        ConfigurationItem.objects.filter(owner=person).order_by("name", "pk").values_list("name", flat=True)
    )
    data["configuration_items_used"] = list(
        ConfigurationItem.objects.filter(users=person).order_by("name", "pk").values_list("name", flat=True)
    )
    data["acceptance_sessions"] = _acceptance(person)
    data["history"] = _rows(
        PersonHistoryEntry.objects.filter(person=person)
        .order_by("at", "pk")
        .values("at", "action", "field", "old_value", "new_value")
    )
    data["requests"] = _rows(
        PersonRequest.objects.filter(person=person)
        .order_by("done_at", "pk")
        .values("kind", "reference", "done_at")
    )
    return data


def _acceptance(person: User) -> list[dict[str, Any]]:
    """The acceptance sessions the person was invited to (the testing app sits beside this one:
    read by the model's name, so neither app imports the other)."""
    try:
        participant = apps.get_model("testing", "SessionParticipant")
    except LookupError:
        return []
    rows = participant.objects.filter(person=person).select_related("session").order_by("added_at", "pk")
    return [
        {
            "session": p.session.title,
            "starts": _plain(p.session.starts_at),
            "invited": _plain(p.invited_at),
            "could_work": p.could_work,
            "remark": p.could_work_remark,
            "answered": _plain(p.answered_at),
        }
        for p in rows
    ]


def meldingen_count(person: User) -> int:
    """How many meldingen an erasure of `person` would anonymise (the confirmation page says it)."""
    return len(desk_privacy.meldingen_of_person(person))


@transaction.atomic
def export_person(person: User, *, actor: User, reference: str) -> dict[str, Any]:
    """The data of a request for access, recorded as done (who, when, reference)."""
    access.ensure_privacy_manager(actor)
    reference = _reference(reference)
    if not User.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotFound(_("Person not found."))
    PersonRequest.objects.create(
        kind=RequestKind.ACCESS, person=person, reference=reference, done_at=clock.now(), done_by=actor
    )
    return person_data(person)


def erase_person(person: User, *, actor: User, reference: str, confirm: str) -> PersonRequest:
    """Erasure on request: the person's meldingen as caller anonymised (in batches, each with its
    markers), the outbox messages to them cleaned, the person's own row anonymised and deactivated,
    and the request recorded. `confirm` must repeat the person's username (the confirmation page
    asks for it): an erasure cannot be undone. Safe to repeat after an interruption."""
    access.ensure_privacy_manager(actor)
    reference = _reference(reference)
    if confirm.strip() != person.username:
        message = _("Type the username of the person to confirm.")
        raise DomainError(message, field_errors={"confirm": message})
    if person.pk == actor.pk:
        raise DomainError(_("You cannot anonymise yourself."))
    traces = desk_privacy.traces_of_person(person)
    mark = desk_privacy.placeholder()
    ids = desk_privacy.meldingen_of_person(person)
    done = 0
    for start in range(0, len(ids), BATCH):
        done += _anonymise(ids[start : start + BATCH], run=None, extra=traces)
    with transaction.atomic():
        clean = desk_privacy.redactor(traces, mark)
        outbox_privacy.redact_messages(
            object_type="",
            object_ids=(),
            recipients=traces.emails,
            recipient_user_ids=[person.pk],
            redact=lambda _object_id: clean,
        )
        accounts.anonymise_person(person, actor=actor, redact=clean)
        return PersonRequest.objects.create(
            kind=RequestKind.ERASURE,
            person=person,
            reference=reference,
            done_at=clock.now(),
            done_by=actor,
            meldingen=done,
        )


# -- PDF -----------------------------------------------------------------------------------------

_STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, textColor=INK, spaceAfter=8),
    "h": ParagraphStyle(
        "h", fontName=BOLD, fontSize=11.5, leading=15, textColor=INK, spaceBefore=10, spaceAfter=4
    ),
    "p": ParagraphStyle("p", fontName=FONT, fontSize=9, leading=12, textColor=INK),
    "muted": ParagraphStyle("muted", fontName=FONT, fontSize=8, leading=10, textColor=MUTED),
}


def _para(text: Any, style: str = "p") -> Paragraph:
    return Paragraph(escape_markup(text).replace("\n", "<br/>"), _STYLES[style])


def _describe(item: Any) -> str:
    if isinstance(item, dict):
        return "\n".join(f"{k}: {_describe(v)}" for k, v in item.items() if k != "notes") + "".join(
            f"\n— {n['created_at']} ({n['visibility']}): {n['text']}" for n in item.get("notes", [])
        )
    return "" if item is None else str(item)


def person_pdf(data: dict[str, Any]) -> bytes:
    """The export as a PDF in the house style."""
    titles = {
        "meldingen": _("Calls"),
        "notes_written": _("Notes written"),
        "access_rights": _("Access rights"),
        "configuration_items_owned": _("Configuration items owned"),
        "configuration_items_used": _("Configuration items used"),
        "acceptance_sessions": _("Acceptance sessions"),
        "history": _("History of the person"),
        "requests": _("Requests"),
    }
    story: list[Flowable] = [
        _para(_("Personal data held in Beheer"), "title"),
        _para(_describe(data["person"])),
    ]
    for key, title in titles.items():
        story.append(_para(title, "h"))
        items = data.get(key) or []
        if not items:
            story.append(_para(_("None."), "muted"))
        for item in items:
            story.append(_para(_describe(item)))
            story.append(Spacer(1, 4))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=_("Personal data held in Beheer"),
        author="Beheer",
        creator="Beheer",
        lang=(get_language() or "nl")[:2],
    )
    doc.build(story, canvasmaker=canvas_maker(_("Personal data held in Beheer")))
    return buffer.getvalue()
