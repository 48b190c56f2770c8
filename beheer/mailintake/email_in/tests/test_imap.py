"""The IMAP client against a real dovecot (started by the `mailserver` fixture)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from beheer.mailintake.email_in.imap import (
    ImapAuthError,
    ImapClient,
    ImapError,
    ImapTlsError,
    encode_mailbox,
)
from tests.mailserver import DovecotServer, make_certificate

from .conftest import Mailbox

CORPUS = Path(__file__).resolve().parents[4] / "tests" / "mail_corpus"


def crlf(raw: bytes) -> bytes:
    """IMAP sends CRLF line ends: store messages that way so a fetch returns the same bytes."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def message(n: int, subject: str = "Test") -> bytes:
    return crlf(
        f"From: Anna <anna@school.example>\nTo: intake@beheer.example\nSubject: {subject} {n}\n"
        f"Message-ID: <msg-{n}@school.example>\n\nBody {n}\n".encode()
    )


def connect(box: Mailbox, **kwargs: object) -> ImapClient:
    client = ImapClient(box.server.host, box.server.imaps_port, ca_file=box.server.ca_file, **kwargs)  # type: ignore[arg-type]
    client.login(box.user, box.password)
    return client


def test_login_over_implicit_tls_and_starttls(mailbox: Mailbox) -> None:
    server = mailbox.server
    with ImapClient(server.host, server.imaps_port, ca_file=server.ca_file) as client:
        client.login(mailbox.user, mailbox.password)
        assert client.select("INBOX") > 0
        assert "IDLE" in client.capabilities
    with ImapClient(server.host, server.imap_port, security="starttls", ca_file=server.ca_file) as client:
        client.login(mailbox.user, mailbox.password)
        assert client.list_uids().uids == ()


def test_wrong_password_is_an_auth_error(mailbox: Mailbox) -> None:
    server = mailbox.server
    with (
        ImapClient(server.host, server.imaps_port, ca_file=server.ca_file) as client,
        pytest.raises(ImapAuthError),
    ):
        client.login(mailbox.user, "wrong-password")


def test_xoauth2_login(mailbox: Mailbox) -> None:
    # The test server checks the access token against the passwd-file, like a password.
    server = mailbox.server
    with ImapClient(server.host, server.imaps_port, ca_file=server.ca_file) as client:
        client.login_oauth2(mailbox.user, mailbox.password)
        assert client.select() > 0
    with (
        ImapClient(server.host, server.imaps_port, ca_file=server.ca_file) as client,
        pytest.raises(ImapAuthError),
    ):
        client.login_oauth2(mailbox.user, "expired-token")


def test_certificate_from_another_ca_is_refused(mailserver: DovecotServer, tmp_path: Path) -> None:
    other_ca, _ = make_certificate(tmp_path, "other-ca")
    with pytest.raises(ImapTlsError):
        ImapClient(mailserver.host, mailserver.imaps_port, ca_file=str(other_ca))
    with pytest.raises(ImapTlsError):
        ImapClient(mailserver.host, mailserver.imap_port, security="starttls", ca_file=str(other_ca))
    # Without a CA file the system store is used, which does not know the test certificate either.
    with pytest.raises(ImapTlsError):
        ImapClient(mailserver.host, mailserver.imaps_port)


def test_nothing_listens_is_an_imap_error(mailserver: DovecotServer) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ImapError):
        ImapClient("127.0.0.1", port, ca_file=mailserver.ca_file, timeout=3)


def test_fetch_fifty_messages_byte_identical_without_marking_them_seen(mailbox: Mailbox) -> None:
    corpus = sorted(CORPUS.glob("*.eml"))
    sent = [crlf(p.read_bytes()) for p in corpus if p.stat().st_size > 20][:40]
    sent += [message(n) for n in range(50 - len(sent))]
    assert len(sent) == 50
    for raw in sent:
        mailbox.deliver(raw)
    with connect(mailbox) as client:
        state = client.list_uids("INBOX")
        assert len(state.uids) == 50
        fetched = [client.fetch(uid) for uid in state.uids]
        assert fetched == sent
        # BODY.PEEK[] does not set \Seen: every message is still unseen.
        assert client.list_uids("INBOX").uids == state.uids
        assert "\\Seen" not in client.flags(state.uids[0])
        assert client.fetch(max(state.uids) + 100) is None


def test_unseen_and_after_uid_listing(mailbox: Mailbox) -> None:
    for n in range(5):
        mailbox.deliver(message(n))
    with connect(mailbox) as client:
        everything = client.list_uids(unseen_only=False)
        uids = everything.uids
        assert len(uids) == 5
        client.mark_seen(uids[0])
        client.add_flags(uids[1], "$BeheerProcessed")
        assert "$BeheerProcessed" in client.flags(uids[1])
        assert client.list_uids().uids == uids[1:]
        after = client.list_uids(unseen_only=False, after_uid=uids[2])
        assert after.uids == uids[3:]
        assert after.uidvalidity == everything.uidvalidity
        # "n:*" matches the highest UID even above the end: nothing newer means nothing.
        assert client.list_uids(unseen_only=False, after_uid=uids[-1]).uids == ()
        with pytest.raises(ImapError):
            client.add_flags(uids[0], "bad flag)")


@pytest.mark.parametrize("use_move", [True, False])
def test_move_to_a_new_folder(mailbox: Mailbox, use_move: bool) -> None:
    for n in range(3):
        mailbox.deliver(message(n))
    with connect(mailbox) as client:
        assert "MOVE" in client.capabilities
        client.ensure_folder("Beheer/Verwerkt é")
        client.ensure_folder("Beheer/Verwerkt é")  # a second time is fine
        uids = client.list_uids().uids
        client.move(uids[0], "Beheer/Verwerkt é", use_move=use_move)
        assert client.list_uids(unseen_only=False).uids == uids[1:]
        moved = client.list_uids("Beheer/Verwerkt é", unseen_only=False)
        assert len(moved.uids) == 1
        assert client.fetch(moved.uids[0]) == message(0)
    # Dovecot's Maildir uses "." between levels: "/" in the path was translated.
    assert client.delimiter == "."
    assert len(mailbox.server.folder_files(mailbox.user, "Beheer.Verwerkt &AOk-")) == 1


def test_uidvalidity_changes_when_the_folder_is_recreated(mailbox: Mailbox) -> None:
    with connect(mailbox) as client:
        client.ensure_folder("Tijdelijk")
        first = client.select("Tijdelijk")
        client.select("INBOX")
        client._imap.delete(encode_mailbox("Tijdelijk"))
        time.sleep(1.1)  # dovecot derives a new UIDVALIDITY from the clock
        client.ensure_folder("Tijdelijk")
        second = client.select("Tijdelijk")
        assert first != second


def test_select_a_missing_folder_is_an_error(mailbox: Mailbox) -> None:
    with connect(mailbox) as client:
        with pytest.raises(ImapError):
            client.select("Bestaat niet")
        with pytest.raises(ImapError):
            client.fetch(1)  # nothing selected


def test_idle_wakes_up_on_a_new_delivery(mailbox: Mailbox) -> None:
    with connect(mailbox) as client:
        client.select("INBOX")
        timer = threading.Timer(0.5, mailbox.deliver, args=(message(1),))
        started = time.monotonic()
        timer.start()
        try:
            assert client.idle(20) is True
        finally:
            timer.cancel()
        assert time.monotonic() - started < 15
        # The connection is usable after IDLE.
        assert len(client.list_uids().uids) == 1


def test_idle_times_out_quietly_and_the_connection_stays_usable(mailbox: Mailbox) -> None:
    with connect(mailbox) as client:
        client.select("INBOX")
        started = time.monotonic()
        assert client.idle(1.0) is False
        assert 0.9 <= time.monotonic() - started < 10
        mailbox.deliver(message(2))
        assert len(client.list_uids().uids) == 1
        assert client.idle(0) is False


def test_idle_without_server_support_returns_at_once(mailbox: Mailbox) -> None:
    with connect(mailbox) as client:
        client.select("INBOX")
        client._imap.capabilities = tuple(c for c in client._imap.capabilities if c != "IDLE")
        started = time.monotonic()
        assert client.idle(30) is False
        assert time.monotonic() - started < 1


def test_encode_mailbox_modified_utf7() -> None:
    assert encode_mailbox("INBOX") == '"INBOX"'
    assert encode_mailbox("Verwerkt é") == '"Verwerkt &AOk-"'
    assert encode_mailbox("A&B") == '"A&-B"'
    assert encode_mailbox('Say "hi"') == '"Say \\"hi\\""'
    assert encode_mailbox("日本語") == '"&ZeVnLIqe-"'
