"""The public services other apps (the e-mail intake) use for replies and follow-ups: a reply from a
caller known only by address, and the link from a new melding to the closed one it follows up. The
rule "the caller replied, so a waiting melding is back with the desk" is the same as for add_note."""

from __future__ import annotations

import pytest

from beheer.accounts.models import User
from beheer.core.errors import DomainError, PermissionDenied, ReadOnly
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    EntryType,
    HistoryEntry,
    Melding,
    MeldingLink,
    Note,
    StatusKind,
    Visibility,
)


@pytest.fixture
def unregistered(operator: User) -> Melding:
    return services.open_melding(
        actor=operator,
        brief_description="Beamer kapot",
        entry_type=EntryType.EMAIL,
        caller_name="Piet",
        caller_email="piet@elders.example",
    )


def _wait(melding: Melding) -> None:
    Melding.objects.filter(pk=melding.pk).update(status=services.default_status(StatusKind.WAITING))


def _close(melding: Melding) -> None:
    Melding.objects.filter(pk=melding.pk).update(closed_at=melding.created_at, is_open=False)


def test_a_reply_by_address_brings_a_waiting_melding_back_like_a_callers_note(
    unregistered: Melding, melding: Melding, caller: User
) -> None:
    _wait(unregistered)
    _wait(melding)
    by_address = services.add_unregistered_caller_reply(
        unregistered, text="  Het is model X200.  ", address="PIET@elders.example"
    )
    services.add_note(melding, text="Het is model X200.", visibility=Visibility.CALLER, actor=caller)
    assert (by_address.author_id, by_address.visibility, by_address.text) == (
        None,
        Visibility.CALLER,
        "Het is model X200.",
    )
    for m, actor in ((unregistered, None), (melding, caller)):
        m.refresh_from_db()
        assert m.status.kind == StatusKind.OPEN
        status = HistoryEntry.objects.get(melding=m, action="status")
        assert (status.actor_id, status.public) == (actor.pk if actor else None, True)
    reply = HistoryEntry.objects.get(melding=unregistered, action="reply")
    assert (reply.actor_id, reply.public) == (None, True)


def test_a_reply_by_address_leaves_an_open_melding_open(unregistered: Melding) -> None:
    version = unregistered.version
    services.add_unregistered_caller_reply(unregistered, text="Nog iets", address="piet@elders.example")
    unregistered.refresh_from_db()
    assert unregistered.status.kind == StatusKind.NEW
    assert unregistered.version == version  # activity, not an edit: no editor gets a conflict
    assert not HistoryEntry.objects.filter(melding=unregistered, action="status").exists()


@pytest.mark.parametrize("address", ["jan@elders.example", "", "piet@elders.example.evil"])
def test_a_reply_by_another_address_is_refused(unregistered: Melding, address: str) -> None:
    with pytest.raises(PermissionDenied):
        services.add_unregistered_caller_reply(unregistered, text="Ik ook", address=address)
    assert not Note.objects.filter(melding=unregistered).exists()


def test_a_reply_by_address_is_refused_on_a_registered_callers_melding(
    melding: Melding, caller: User
) -> None:
    """Registered callers reply as themselves (add_note), never anonymously by their address."""
    with pytest.raises(PermissionDenied):
        services.add_unregistered_caller_reply(melding, text="Hallo", address=caller.email)
    assert not Note.objects.filter(melding=melding).exists()


def test_a_reply_by_address_is_refused_on_a_closed_melding_and_without_text(unregistered: Melding) -> None:
    with pytest.raises(DomainError) as exc:
        services.add_unregistered_caller_reply(unregistered, text=" \x00 ", address="piet@elders.example")
    assert "text" in exc.value.field_errors
    _close(unregistered)
    with pytest.raises(ReadOnly):
        services.add_unregistered_caller_reply(unregistered, text="Hallo?", address="piet@elders.example")
    assert not Note.objects.filter(melding=unregistered).exists()


def test_a_new_melding_is_linked_to_the_closed_one_it_follows_up(
    melding: Melding, unregistered: Melding, operator: User
) -> None:
    _close(melding)
    closed_history = HistoryEntry.objects.filter(melding=melding).count()
    link = services.link_to_closed_melding(unregistered, closed=melding, actor=operator)
    low, high = sorted([melding.pk, unregistered.pk])
    assert (link.from_melding_id, link.to_melding_id) == (low, high)
    entry = HistoryEntry.objects.get(melding=unregistered, action="linked")
    assert entry.actor == operator
    assert HistoryEntry.objects.filter(melding=melding).count() == closed_history  # the closed one stays
    # twice is once
    assert services.link_to_closed_melding(unregistered, closed=melding, actor=operator) == link
    assert MeldingLink.objects.count() == 1
    assert HistoryEntry.objects.filter(melding=unregistered, action="linked").count() == 1


def test_linking_to_a_closed_melding_is_refused_for_callers_and_for_itself(
    melding: Melding, unregistered: Melding, caller: User, operator: User
) -> None:
    _close(melding)
    with pytest.raises(PermissionDenied):
        services.link_to_closed_melding(unregistered, closed=melding, actor=caller)
    with pytest.raises(DomainError):
        services.link_to_closed_melding(unregistered, closed=unregistered, actor=operator)
    with pytest.raises(ReadOnly):  # the melding that gets the link must itself be open
        services.link_to_closed_melding(melding, closed=unregistered, actor=operator)
    assert not MeldingLink.objects.exists()
