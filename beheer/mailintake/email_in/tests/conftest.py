"""Fixtures for the e-mail channel: a real dovecot IMAP server (tests/mailserver.py)."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.mailserver import REQUIRE_ENV, DovecotServer, dovecot_binary

USERS = {"intake": "intake-password", "other": "other-password"}
# Accounts made up front, one per test: dovecot re-reads its passwd-file at most once a second, so
# an account added while it runs may not log in at once.
POOL = [f"box{n}" for n in range(1, 61)]


@pytest.fixture(scope="session")
def mailserver() -> Iterator[DovecotServer]:
    """One dovecot per test process; skipped when dovecot is missing unless it is required."""
    if dovecot_binary() is None:
        message = "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{message}, and {REQUIRE_ENV}=1 requires it")
        pytest.skip(message)
    users = USERS | {name: f"pw-{name}" for name in POOL}
    with DovecotServer.start(users=users) as server:
        yield server


@dataclass(frozen=True)
class Mailbox:
    server: DovecotServer
    user: str
    password: str

    def deliver(self, raw: bytes, *, folder: str | None = None) -> None:
        self.server.deliver(self.user, raw, folder=folder)


_seq = itertools.count(0)


@pytest.fixture
def mailbox(mailserver: DovecotServer) -> Mailbox:
    """A fresh, empty account on the shared server for one test."""
    n = next(_seq)
    if n < len(POOL):
        return Mailbox(mailserver, POOL[n], f"pw-{POOL[n]}")
    user = f"extra{n}"
    mailserver.add_user(user, f"pw-{user}")
    time.sleep(1.1)  # see POOL
    return Mailbox(mailserver, user, f"pw-{user}")
