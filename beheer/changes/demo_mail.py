"""Demo data for change requests by e-mail: a teacher's request that came in by mail, with her reply
on the acknowledgement kept in the change's history. Written through the services the mail intake
calls, each step at its own moment before now."""

from __future__ import annotations

from datetime import datetime, timedelta

from beheer.accounts.models import User
from beheer.core import clock
from beheer.mailintake.services import intake_actor

from . import services
from .models import Change


def create(*, requester: User, now: datetime) -> Change:
    """A change request by e-mail from `requester`, and her reply a little later."""
    actor = intake_actor()
    address = requester.email or "a.devries@school.example"
    with clock.frozen(now - timedelta(days=1, hours=3)):
        change = services.submit_change_request_from_mail(
            actor=actor,
            sender=address,
            sender_name=str(requester),
            requester=requester,
            subject="Tweede beamer in de aula",
            text=(
                "Hallo,\n\nBij ouderavonden en diploma-uitreikingen zien de mensen achterin de aula het "
                "scherm slecht. Kan er een tweede beamer bij, aan de zijkant?\n\nGroet,\n" + str(requester)
            ),
            message_id="demo-beamer-aula@school.example",
        )
    with clock.frozen(now - timedelta(hours=20)):
        services.record_mail_on_change(
            change,
            actor=actor,
            person=requester,
            sender=address,
            sender_name=str(requester),
            subject=f"Re: Je wijzigingsaanvraag is geregistreerd [{change.number}]: Tweede beamer in de aula",
            text="De eerstvolgende ouderavond is over drie weken; lukt het voor die tijd?",
        )
    return change
