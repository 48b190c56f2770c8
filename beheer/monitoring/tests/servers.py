"""Local targets for the probe tests, all on 127.0.0.1: HTTP, TLS, DNS (UDP) and Debian's snmpd."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
from aiohttp import web

CANARY_BODY = "canary-body-text-7f3a"  # must never show up in a detail
SNMPD = "/usr/sbin/snmpd"


class Background:
    """An event loop in its own thread, for servers the tests talk to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


class HttpTarget(Background):
    """/ok, /json, /text, /slow, /down, /redirect/<n>, /moved, /headers, /big, /to-metadata."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        super().__init__()
        self.seen_headers: dict[str, str] = {}
        self.scheme = "https" if tls else "http"
        context = None
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)

        async def ok(request: web.Request) -> web.Response:
            return web.Response(text=f"all systems fine {CANARY_BODY}")

        async def json_doc(request: web.Request) -> web.Response:
            doc = {"status": {"db": "ok", "load": 0.5}, "items": [{"ok": True}], "canary": CANARY_BODY}
            return web.json_response(doc)

        async def slow(request: web.Request) -> web.Response:
            await asyncio.sleep(float(request.query.get("ms", "300")) / 1000)
            return web.Response(text="late")

        async def down(request: web.Request) -> web.Response:
            return web.Response(status=503, text=CANARY_BODY)

        async def redirect(request: web.Request) -> web.Response:
            n = int(request.match_info["n"])
            raise web.HTTPFound("/ok" if n <= 0 else f"/redirect/{n - 1}")

        async def headers(request: web.Request) -> web.Response:
            self.seen_headers = dict(request.headers)
            ok = request.headers.get("X-Token") == "canary-token"
            return web.Response(status=200 if ok else 403, text="checked")

        async def big(request: web.Request) -> web.Response:
            return web.Response(text="x" * (1024 * 1024 + 10) + "needle")

        async def to_metadata(request: web.Request) -> web.Response:
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

        async def start() -> int:
            app = web.Application()
            app.add_routes(
                [
                    web.get("/ok", ok),
                    web.get("/json", json_doc),
                    web.get("/slow", slow),
                    web.get("/down", down),
                    web.get("/redirect/{n}", redirect),
                    web.get("/headers", headers),
                    web.get("/big", big),
                    web.get("/to-metadata", to_metadata),
                ]
            )
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=context)
            await site.start()
            return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

        self.port: int = self.run(start())

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.run(self.runner.cleanup())
        super().stop()


class TlsTarget(Background):
    """A TLS server on 127.0.0.1 presenting `cert`; it closes each connection after the handshake."""

    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        async def start() -> asyncio.Server:
            return await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)

        self.server: asyncio.Server = self.run(start())
        self.port = int(self.server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        # asyncio servers are not thread-safe: close it on its own loop, not from the test's thread
        async def close() -> None:
            self.server.close()

        self.run(close())
        super().stop()


class DnsTarget(Background):
    """A tiny authoritative DNS server over UDP answering from `records` {(name, type): [rdata]}."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        super().__init__()
        self.queries = 0
        owner = self

        class Protocol(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                owner.queries += 1
                query = dns.message.from_wire(data)
                response = dns.message.make_response(query)
                response.flags |= dns.flags.AA
                question = query.question[0]
                name = question.name.to_text().lower()
                kind = dns.rdatatype.to_text(question.rdtype)
                if not any(n == name for n, _t in records):
                    response.set_rcode(dns.rcode.NXDOMAIN)
                elif (name, kind) in records:
                    response.answer.append(dns.rrset.from_text(name, 60, "IN", kind, *records[(name, kind)]))
                self.transport.sendto(response.to_wire(), addr)  # type: ignore[attr-defined]

        async def start() -> Any:
            transport, _protocol = await asyncio.get_running_loop().create_datagram_endpoint(
                Protocol, local_addr=("127.0.0.1", 0)
            )
            return transport

        self.transport = self.run(start())
        self.port = int(self.transport.get_extra_info("sockname")[1])

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.transport.close)
        super().stop()


# --------------------------------------------------------------------------------------------------
# snmpd

SNMP_COMMUNITY = "canary-community"
SNMP_USER = "beheeruser"
SNMP_AUTH_KEY = "auth-pass-123"
SNMP_PRIV_KEY = "priv-pass-123"


def snmpd_binary() -> str | None:
    if os.access(SNMPD, os.X_OK):
        return SNMPD
    return shutil.which("snmpd")


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SnmpAgent:
    """Debian's snmpd on 127.0.0.1:<free port> with a v2c community and a v3 user (SHA/AES)."""

    def __init__(self, binary: str, root: Path) -> None:
        self.port = _free_udp_port()
        root.mkdir(parents=True, exist_ok=True)
        config = root / "snmpd.conf"
        config.write_text(
            f"agentAddress udp:127.0.0.1:{self.port}\n"
            f"rocommunity {SNMP_COMMUNITY} 127.0.0.1\n"
            f'createUser {SNMP_USER} SHA "{SNMP_AUTH_KEY}" AES "{SNMP_PRIV_KEY}"\n'
            f"rouser {SNMP_USER} priv\n"
            "sysLocation Beheer test rack\n"
        )
        env = {**os.environ, "SNMP_PERSISTENT_DIR": str(root / "persist"), "MIBS": ""}
        self.log = root / "snmpd.log"
        self.process = subprocess.Popen(
            [binary, "-f", "-Lf", str(self.log), "-C", "-c", str(config), "-p", str(root / "snmpd.pid")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Ready when it answers a v2c get of sysLocation (tried with a raw SNMP packet)."""
        import asyncio as aio

        from beheer.core.outbound import NetworkPolicy
        from beheer.monitoring.options import SnmpOptions, parse
        from beheer.monitoring.probes import probe_snmp

        options = parse("snmp", {"community": SNMP_COMMUNITY, "oid": "1.3.6.1.2.1.1.6.0"})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"snmpd exited: {self.log.read_text(errors='replace')[-500:]}")
            assert isinstance(options, SnmpOptions)
            result = aio.run(probe_snmp(f"127.0.0.1:{self.port}", 2, NetworkPolicy(), options))
            if result.ok:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("snmpd did not answer within 15 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def run(coro_factory: Callable[[], Awaitable[Any]]) -> Any:
    """Run one probe coroutine in a fresh event loop (as the monitor's loop would)."""

    async def main() -> Any:
        return await coro_factory()

    return asyncio.run(main())


def dumps(value: Any) -> str:
    return json.dumps(value)
