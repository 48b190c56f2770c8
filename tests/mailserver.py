"""A real IMAP server for tests: Debian's dovecot, started in a temporary folder on free local ports.

    with DovecotServer.start(users={"intake": "secret"}) as server:
        server.deliver("intake", raw_bytes)
        ImapClient(server.host, server.imaps_port, ca_file=server.ca_file) ...

- Ports on 127.0.0.1: IMAPS (implicit TLS) and IMAP with STARTTLS; plain-text login only after TLS.
- A self-signed certificate for "localhost" and 127.0.0.1 (the test's CA file is that certificate).
- Users in a passwd-file; mail in Maildir folders under the temporary folder. XOAUTH2 is offered: with
  a passwd-file the access token is checked as the user's password, which is enough to test a client.
- Without root, dovecot runs entirely as the current user. As root (CI containers), the login
  processes run as Debian's unprivileged `dovenull`, internal processes as `dovecot`, and mail as
  `nobody`: dovecot refuses to run login processes or mail access as root.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
REQUIRE_ENV = "BEHEER_REQUIRE_MAILSERVER"


def dovecot_binary() -> str | None:
    """The dovecot binary, or None when it is not installed."""
    if os.access(DOVECOT, os.X_OK):
        return DOVECOT
    return shutil.which("dovecot")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(
    directory: Path,
    common_name: str = "localhost",
    *,
    days: float = 2,
    alt_names: tuple[str, ...] = ("localhost", "127.0.0.1"),
) -> tuple[Path, Path]:
    """A self-signed certificate and key (PEM), valid for `alt_names` (names or IP addresses) until
    `days` from now (negative: expired)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    not_after = now + dt.timedelta(days=days)
    sans: list[x509.GeneralName] = []
    for alt in alt_names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(alt)))
        except ValueError:
            sans.append(x509.DNSName(alt))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(now, not_after) - dt.timedelta(hours=1))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{common_name}-cert.pem"
    key_path = directory / f"{common_name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class _Identity:
    internal_user: str
    internal_group: str
    login_user: str
    mail_uid: int
    mail_gid: int


def _identity() -> _Identity:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(os.getegid()).gr_name
        return _Identity(me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid)
    try:
        dovecot = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
        nobody = pwd.getpwnam("nobody")
    except KeyError as exc:
        raise RuntimeError(f"running as root needs the users dovecot, dovenull and nobody: {exc}") from exc
    return _Identity(
        "dovecot", grp.getgrgid(dovecot.pw_gid).gr_name, "dovenull", nobody.pw_uid, nobody.pw_gid
    )


@dataclass
class DovecotServer:
    root: Path
    users: dict[str, str]
    host: str = "127.0.0.1"
    imaps_port: int = 0
    imap_port: int = 0
    ca_file: str = ""
    process: subprocess.Popen[bytes] | None = None
    identity: _Identity = field(default_factory=_identity)
    _counter: int = 0

    # -- lifecycle --

    @classmethod
    @contextlib.contextmanager
    def start(cls, users: dict[str, str] | None = None) -> Iterator[DovecotServer]:
        binary = dovecot_binary()
        if binary is None:
            raise FileNotFoundError("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
        root = Path(tempfile.mkdtemp(prefix="beheer-dovecot-"))
        server = cls(root=root, users=dict(users or {"intake": "intake-password"}))
        try:
            server._launch(binary)
            yield server
        finally:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)

    def _launch(self, binary: str) -> None:
        self.root.chmod(0o755)  # unprivileged login processes must reach base_dir
        cert, key = make_certificate(self.root)
        self.ca_file = str(cert)
        for user in self.users:
            self._maildir(user)
        self._write_passwd()
        last_error = ""
        for _attempt in range(3):  # a free port can be taken by someone else before dovecot binds it
            self.imaps_port, self.imap_port = _free_port(), _free_port()
            config = self.root / "dovecot.conf"
            config.write_text(self._config(cert, key), encoding="utf-8")
            log = self.root / "dovecot.log"
            self.process = subprocess.Popen(
                [binary, "-F", "-c", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=(self.root / "dovecot.stderr").open("wb"),
            )
            if self._wait_until_ready(timeout=15):
                return
            last_error = self._read(log) + self._read(self.root / "dovecot.stderr")
            self.stop()
        raise RuntimeError(f"dovecot did not start:\n{last_error[-3000:]}")

    @staticmethod
    def _read(path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def _wait_until_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        context = ssl.create_default_context(cafile=self.ca_file)
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with (
                    socket.create_connection((self.host, self.imaps_port), timeout=2) as raw,
                    context.wrap_socket(raw, server_hostname="localhost") as tls,
                ):
                    greeting = tls.recv(200)
                with socket.create_connection((self.host, self.imap_port), timeout=2) as plain:
                    greeting2 = plain.recv(200)
                if greeting.startswith(b"* OK") and greeting2.startswith(b"* OK"):
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log(self) -> str:
        return self._read(self.root / "dovecot.log")

    # -- configuration --

    def _home(self, user: str) -> Path:
        return self.root / "home" / user

    def _write_passwd(self) -> None:
        ident = self.identity
        lines = [
            f"{user}:{{PLAIN}}{password}:{ident.mail_uid}:{ident.mail_gid}::{self._home(user)}::"
            for user, password in self.users.items()
        ]
        path = self.root / "passwd"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        path.chmod(0o644)

    def _config(self, cert: Path, key: Path) -> str:
        ident = self.identity
        root = self.root
        return f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = beheer-test-{root.name}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {ident.internal_user}
default_internal_group = {ident.internal_group}
default_login_user = {ident.login_user}
first_valid_uid = {ident.mail_uid}
last_valid_uid = {ident.mail_uid}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""

    def add_user(self, user: str, password: str) -> None:
        """Add an account while running (dovecot re-reads the passwd-file when it changes)."""
        self.users[user] = password
        self._maildir(user)
        self._write_passwd()

    # -- mail --

    def _maildir(self, user: str, folder: str | None = None) -> Path:
        base = self._home(user) / "Maildir"
        path = base / f".{folder}" if folder else base
        for part in (self._home(user).parent, self._home(user), base, path):
            part.mkdir(exist_ok=True)
            self._own(part)
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(exist_ok=True)
            self._own(path / sub)
        return path

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, self.identity.mail_uid, self.identity.mail_gid)

    def deliver(self, user: str, raw: bytes, *, folder: str | None = None) -> Path:
        """Put a message into the user's INBOX (or a folder) the Maildir way: tmp/, then new/."""
        maildir = self._maildir(user, folder)
        self._counter += 1
        name = f"{int(time.time())}.M{self._counter}P{os.getpid()}Q{uuid.uuid4().hex[:12]}.beheer-test"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(raw)
        self._own(tmp)
        target = maildir / "new" / name
        os.rename(tmp, target)
        return target

    def folder_files(self, user: str, folder: str | None = None) -> list[Path]:
        maildir = self._home(user) / "Maildir"
        path = maildir / f".{folder}" if folder else maildir
        return [p for sub in ("cur", "new") for p in (path / sub).glob("*") if p.is_file()]
