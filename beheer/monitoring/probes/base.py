"""What every probe shares: the result, short details, the guarded resolving and the deadline."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from beheer.core.outbound import AddressRefused, NetworkPolicy, checked_addresses_async

DETAIL_MAX = 300


@dataclass(frozen=True)
class Probe:
    ok: bool
    latency_ms: int | None
    detail: str
    memo: dict[str, Any] | None = field(default=None, compare=False)  # kept for the next probe


def _short(text: str) -> str:
    return " ".join(text.split())[:DETAIL_MAX]


def refused_detail(exc: AddressRefused) -> str:
    """The detail of a probe the network policy stopped."""
    return _short(_("refused by the network policy: %(reason)s") % {"reason": exc})


def _seconds(timeout: float) -> dict[str, str]:
    return {"seconds": f"{timeout:g}"}


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def guarded_addresses(
    host: str, port: int, policy: NetworkPolicy, *, kind: int = socket.SOCK_STREAM
) -> list[str]:
    """The target's addresses the policy allows; AddressRefused when none is allowed."""
    return await checked_addresses_async(host, port, policy, kind=kind)


class Deadline:
    """`asyncio.timeout(delay)` for the probes, given the running loop: on Python 3.11 every
    `asyncio.get_running_loop()` is a getpid() system call, and asyncio.timeout asks three times
    per use (a tenth of the monitor's CPU for TCP checks). Same semantics: the task is cancelled at
    the deadline and the cancellation leaves the block as TimeoutError."""

    __slots__ = ("_cancelling", "_delay", "_expired", "_handle", "_loop", "_task")

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        self._loop, self._delay, self._expired = loop, delay, False

    async def __aenter__(self) -> Deadline:
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("Deadline is used inside a task")
        self._task, self._cancelling = task, task.cancelling()
        self._handle = self._loop.call_later(self._delay, self._expire)
        return self

    def _expire(self) -> None:
        self._expired = True
        self._task.cancel()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        self._handle.cancel()
        if self._expired and self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc
