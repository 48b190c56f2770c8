"""Change requests by e-mail: a new request from a message, and a reply on a change as a history note.

The mail intake calls these from its exactly-once transaction (through `changes.mail_intake`, the
kind this app registers in `mailintake.extensions`), so nothing here commits or sends by itself: the
acknowledgement goes through the outbox in the same transaction.

- A new request: the sender, when an active person has that address, is the requester and client;
  an unknown sender's name and address open the description (a change's requester is a person), and
  the built-in intake operator is who registered it. The sender hears the change's number by mail
  ("change_request_received").
- A reply (a message whose subject carries the change's number, or that answers its mail) is kept
  in the change's history as "E-mail received", with the sender and the text; it never registers a
  change and never changes the change's fields or version (an operator's open form stays valid).
  A closed change keeps it too: the history is its record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.errors import DomainError, NotFound
from beheer.notifications import services as notifications
from beheer.notifications.services import Recipient, RecipientSpec

from ..models import Change, ChangeAction
from ._base import TITLE_MAX, record
from .changes import ChangeData, _new

TEXT_MAX = 20_000
NOTE_MAX = 10_000


def _who(address: str, name: str) -> str:
    return f"{name} <{address}>" if name and name != address else address


@transaction.atomic
def submit_change_request_from_mail(
    *,
    actor: User,
    sender: str,
    sender_name: str = "",
    requester: User | None,
    subject: str,
    text: str,
    message_id: str | None = None,
) -> Change:
    """A change request from an e-mail, registered by `actor` (the intake's built-in operator):
    the subject is its title, the text its description; `requester` is the known sender or None."""
    access.ensure_staff(actor)
    address = (sender or "").strip().lower()
    if not address and requester is None:
        raise DomainError(_("A change request by e-mail needs a sender address."))
    if requester is not None and not requester.is_active:
        requester = None
    title_text = " ".join((subject or "").split())[:TITLE_MAX]
    if not title_text:
        first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
        title_text = (first or _("Change request by e-mail"))[:TITLE_MAX]
    body = (text or "").replace("\x00", "").strip()
    if requester is None:
        body = _("Requested by e-mail by %(sender)s (not a known person).") % {
            "sender": _who(address, sender_name)
        } + ("\n\n" + body if body else "")
    data = ChangeData(title=title_text, description=body[:TEXT_MAX], requester=requester, client=requester)
    change = _new(data, actor=actor)
    recipient: RecipientSpec | None = requester
    if requester is None and address:
        recipient = Recipient(address=address, name=(sender_name or address)[:150])
    if recipient is not None:
        link = ""
        if requester is not None:  # an unknown sender cannot sign in to the portal
            link = str(settings.SITE_URL).rstrip("/") + reverse("portal-change", args=[change.pk])
        notifications.enqueue(
            "change_request_received",
            key=f"change:{change.pk}:received",
            recipients=[recipient],
            context={
                "change_number": change.number,
                "change_title": change.title,
                "link_url": link,
            },
            object_ref=("changes.change", change.pk),
            thread_headers={"In-Reply-To": f"<{message_id}>", "References": f"<{message_id}>"}
            if message_id
            else None,
        )
    return change


@transaction.atomic
def record_mail_on_change(
    change: Change,
    *,
    actor: User,
    person: User | None = None,
    sender: str,
    sender_name: str = "",
    subject: str = "",
    text: str,
) -> Change:
    """A reply by e-mail on `change`, kept as a history note (who sent it, the subject, the text),
    written by `actor` (the intake's built-in operator) in the name of `person` (the sender) when
    that is a known person who may see the change."""
    access.ensure_staff(actor)
    current = Change.objects.filter(pk=change.pk).first()
    if current is None:
        raise NotFound(_("Change not found."))
    author = actor
    if (
        person is not None
        and person.is_active
        and Change.objects.visible_to(person).filter(pk=current.pk).exists()
    ):
        author = person
    body = (text or "").replace("\x00", "").strip() or _("(The e-mail has no text.)")
    detail = _("E-mail from %(sender)s:") % {"sender": _who((sender or "").lower(), sender_name)}
    detail += "\n\n" + body
    record(
        current,
        author,
        ChangeAction.MAIL_RECEIVED,
        at=clock.now(),
        field="mail",
        new=" ".join((subject or "").split())[:200],
        detail=detail[:NOTE_MAX],
    )
    return current
