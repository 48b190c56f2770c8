"""Discovery over SNMP: read a device's system group and interface table (IF-MIB ifTable and
ifXTable) and hand them to the CMDB as plain data (`cmdb.services.FoundDevice`); the CMDB's
`plan_discovery`/`apply_discovery` compare and write.

The reading uses the SNMP checks' client (`probes/snmp.py`: the same credentials, v2c and v3) and
the outbound address policy: the target is resolved and checked (`guarded_addresses`) and the
request goes to the checked address only. It is bounded: at most `MAX_ROWS` interfaces, GETBULK
requests of `REPETITIONS` rows, and one deadline for the whole walk. What goes wrong (a refused
address, no answer, refused credentials, an SNMP error) is a `DomainError` with a message for
people; the community and keys never appear in it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from beheer.cmdb.models import ConfigurationItem, InterfaceKind, IpAddress
from beheer.cmdb.services import FoundDevice, FoundInterface
from beheer.core.errors import DomainError
from beheer.core.outbound import AddressRefused, NetworkPolicy, configured_policy

from . import sealed
from .models import Check, CheckKind
from .options import MASK, OptionsError, SnmpOptions, parse, split_host_port
from .probes.base import guarded_addresses
from .probes.snmp import snmp_credentials

MAX_ROWS = 1000  # interfaces read from one device
REPETITIONS = 10  # rows per GETBULK request
TIMEOUT = 10.0  # seconds for the whole reading, by default
MAX_TIMEOUT = 30.0
SECRETS = ("community", "auth_key", "priv_key")
CREDENTIAL_FIELDS = (
    "version",
    "community",
    "username",
    "auth_protocol",
    "auth_key",
    "priv_protocol",
    "priv_key",
)

SYSTEM = {
    "description": "1.3.6.1.2.1.1.1.0",  # sysDescr
    "object_id": "1.3.6.1.2.1.1.2.0",  # sysObjectID
    "contact": "1.3.6.1.2.1.1.4.0",  # sysContact
    "name": "1.3.6.1.2.1.1.5.0",  # sysName
    "location": "1.3.6.1.2.1.1.6.0",  # sysLocation
}
COLUMNS = {
    "descr": "1.3.6.1.2.1.2.2.1.2",  # ifDescr
    "type": "1.3.6.1.2.1.2.2.1.3",  # ifType
    "speed": "1.3.6.1.2.1.2.2.1.5",  # ifSpeed (bit/s)
    "phys": "1.3.6.1.2.1.2.2.1.6",  # ifPhysAddress
    "admin": "1.3.6.1.2.1.2.2.1.7",  # ifAdminStatus
    "oper": "1.3.6.1.2.1.2.2.1.8",  # ifOperStatus
    "name": "1.3.6.1.2.1.31.1.1.1.1",  # ifName
    "high_speed": "1.3.6.1.2.1.31.1.1.1.15",  # ifHighSpeed (Mbit/s)
    "alias": "1.3.6.1.2.1.31.1.1.1.18",  # ifAlias
}
# IANAifType -> the CMDB's kind of interface
KINDS = {
    6: InterfaceKind.ETHERNET,  # ethernetCsmacd
    62: InterfaceKind.ETHERNET,  # fastEther
    69: InterfaceKind.ETHERNET,  # fastEtherFX
    117: InterfaceKind.ETHERNET,  # gigabitEthernet
    71: InterfaceKind.WIRELESS,  # ieee80211
    161: InterfaceKind.LAG,  # ieee8023adLag
    24: InterfaceKind.VIRTUAL,  # softwareLoopback
    53: InterfaceKind.VIRTUAL,  # propVirtual
    131: InterfaceKind.VIRTUAL,  # tunnel
    135: InterfaceKind.VIRTUAL,  # l2vlan
    136: InterfaceKind.VIRTUAL,  # l3ipvlan
    209: InterfaceKind.VIRTUAL,  # bridge
}
_END = ("NoSuchObject", "NoSuchInstance", "EndOfMibView")


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    options: SnmpOptions


# --------------------------------------------------------------------------------------------------
# what to read and with which credentials


def snmp_check(ci: ConfigurationItem) -> Check | None:
    """The CI's SNMP check whose target and credentials prefill the form, if it has one."""
    return Check.objects.filter(ci=ci, kind=CheckKind.SNMP).order_by("-active", "name", "id").first()


def default_address(ci: ConfigurationItem, check: Check | None) -> str:
    """The check's target, else the CI's host name, else its first IP address (from its addresses
    field, else from its interfaces)."""
    if check is not None and check.target:
        return check.target
    if ci.host_name.strip():
        return ci.host_name.strip()
    for line in ci.addresses.splitlines():
        text = line.strip().split("/")[0]
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            continue
    found = (
        IpAddress.objects.filter(interface__ci=ci).order_by("family", "key").values_list("address", flat=True)
    )
    return found.first() or ""


def initial_values(ci: ConfigurationItem, check: Check | None) -> dict[str, Any]:
    """The form's first values: the address and the check's credentials without its secrets."""
    values: dict[str, Any] = {"address": default_address(ci, check), "version": "2c"}
    if check is not None:
        stored = check.options or {}
        for name in ("version", "username", "auth_protocol", "priv_protocol"):
            if stored.get(name):
                values[name] = stored[name]
    return values


def target_for(ci: ConfigurationItem, given: Mapping[str, Any]) -> Target:
    """The address and credentials to read `ci` with: `given` as the form or the API sent them; a
    secret left empty (or sent back masked) is taken from the CI's SNMP check, when it has one.
    DomainError naming the fields that do not do."""
    values = {name: str(given.get(name) or "").strip() for name in CREDENTIAL_FIELDS}
    values["version"] = values["version"] or "2c"
    check = snmp_check(ci)
    if check is not None and any(values[name] in ("", MASK) for name in SECRETS):
        try:
            stored = sealed.reveal("snmp", check.options or {})
        except Exception:  # a key that changed: the stored secrets cannot be used
            stored = {}
        for name in SECRETS:
            if values[name] in ("", MASK):
                values[name] = str(stored.get(name) or "")
    values = {name: "" if value == MASK else value for name, value in values.items()}
    errors: dict[str, str] = {}
    try:
        options = parse("snmp", {**values, "oid": SYSTEM["name"]})
    except OptionsError as exc:
        errors.update(exc.fields)
        options = SnmpOptions()
    if values["version"] == "3" and values["auth_key"] == "" and values["auth_protocol"]:
        errors.setdefault("auth_key", _("Enter the key."))
    if values["version"] == "3" and values["priv_key"] == "" and values["priv_protocol"]:
        errors.setdefault("priv_key", _("Enter the key."))
    address = str(given.get("address") or "").strip() or default_address(ci, check)
    host, port = "", 161
    try:
        host, port = split_host_port(address, 161)
    except ValueError:
        errors["address"] = _("Enter a host name or IP address, optionally with :port.")
    if not address:
        errors["address"] = _("Enter the address of the device.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    assert isinstance(options, SnmpOptions)
    return Target(host=host, port=port, options=options)


# --------------------------------------------------------------------------------------------------
# reading


def read(target: Target, *, policy: NetworkPolicy | None = None, timeout: float = TIMEOUT) -> FoundDevice:
    """Read the device (blocking: its own event loop); DomainError with a message for people."""
    seconds = min(max(float(timeout), 1.0), MAX_TIMEOUT)
    return asyncio.run(read_device(target, policy or configured_policy(), timeout=seconds))


async def read_device(
    target: Target, policy: NetworkPolicy, *, timeout: float = TIMEOUT, max_rows: int = MAX_ROWS
) -> FoundDevice:
    from pysnmp.hlapi.v3arch.asyncio import SnmpEngine, Udp6TransportTarget, UdpTransportTarget

    try:
        address = (await guarded_addresses(target.host, target.port, policy, kind=socket.SOCK_DGRAM))[0]
    except AddressRefused as exc:
        message = _("Beheer may not connect to this address: %(reason)s") % {"reason": exc}
        raise DomainError(message, field_errors={"address": message}) from None
    engine = SnmpEngine()
    try:
        transport_class = Udp6TransportTarget if ":" in address else UdpTransportTarget
        per_request = max(1.0, min(timeout / 3, 5.0))
        transport = await transport_class.create((address, target.port), timeout=per_request, retries=1)
        session = _Session(engine, snmp_credentials(target.options), transport, target)
        async with asyncio.timeout(timeout):
            system = await session.system()
            rows, truncated = await session.table(max_rows)
    except TimeoutError:
        raise DomainError(_not_answered(target, timeout)) from None
    except DomainError:
        raise
    except Exception as exc:  # pysnmp raises its own errors from deep inside; say what it said
        raise DomainError(_("SNMP failed: %(reason)s") % {"reason": str(exc)[:200]}) from None
    finally:
        engine.close_dispatcher()
    return FoundDevice(
        **system, interfaces=tuple(_interface(i, r) for i, r in rows.items()), truncated=truncated
    )


def _not_answered(target: Target, timeout: float) -> str:
    if target.options.version == "2c":
        return _(
            "The device did not answer within %(seconds)s seconds. Check the address, the port and the "
            "community, and that the device allows SNMP from Beheer."
        ) % {"seconds": f"{timeout:g}"}
    return _(
        "The device did not answer within %(seconds)s seconds. Check the address, the port and the "
        "SNMPv3 user, and that the device allows SNMP from Beheer."
    ) % {"seconds": f"{timeout:g}"}


class _Session:
    def __init__(self, engine: Any, credentials: Any, transport: Any, target: Target) -> None:
        self.engine, self.credentials, self.transport, self.target = engine, credentials, transport, target

    def _failed(self, indication: Any) -> DomainError:
        kind = type(indication).__name__
        if kind in (
            "WrongDigest",
            "UnknownUserName",
            "UnknownSecurityName",
            "DecryptionError",
            "AuthenticationError",
        ):
            return DomainError(
                _("The device refused the SNMPv3 credentials (%(reason)s). Check the user and the keys.")
                % {"reason": kind}
            )
        return DomainError(_("SNMP failed: %(reason)s") % {"reason": str(indication)[:200]})

    async def _ask(self, command: Any, *args: Any) -> list[tuple[str, Any]]:
        from pysnmp.hlapi.v3arch.asyncio import ContextData

        indication, status, _index, binds = await command(
            self.engine, self.credentials, self.transport, ContextData(), *args, lookupMib=False
        )
        if indication:
            if type(indication).__name__ == "RequestTimedOut":
                raise TimeoutError  # the caller says what to check
            raise self._failed(indication)
        if status:
            message = _("The device answered with an SNMP error: %(status)s") % {
                "status": status.prettyPrint()
            }
            raise DomainError(message)
        return [(str(name), value) for name, value in binds]

    async def system(self) -> dict[str, str]:
        from pysnmp.hlapi.v3arch.asyncio import ObjectIdentity, ObjectType, get_cmd

        binds = await self._ask(get_cmd, *(ObjectType(ObjectIdentity(oid)) for oid in SYSTEM.values()))
        values = dict(binds)
        return {name: _text(values.get(oid)) for name, oid in SYSTEM.items()}

    async def table(self, max_rows: int) -> tuple[dict[int, dict[str, Any]], bool]:
        """The interface table's columns walked side by side with GETBULK: {ifIndex: {column: value}},
        and whether rows were left unread (more than `max_rows`)."""
        from pysnmp.hlapi.v3arch.asyncio import ObjectIdentity, ObjectType, bulk_cmd

        rows: dict[int, dict[str, Any]] = {}
        position = {c: _oid(oid) for c, oid in COLUMNS.items()}  # column -> the last OID read in it
        open_columns = list(COLUMNS)
        budget = (max_rows // REPETITIONS + 2) * 2  # requests: every column ends or the rows run out
        truncated = False
        while open_columns and budget > 0:
            budget -= 1
            asked = [ObjectType(ObjectIdentity(".".join(map(str, position[c])))) for c in open_columns]
            binds = await self._ask(bulk_cmd, 0, REPETITIONS, *asked)
            if not binds:
                break
            still: list[str] = []
            for n, column in enumerate(open_columns):
                prefix = _oid(COLUMNS[column])
                ended = False
                for text, value in binds[n :: len(open_columns)]:
                    oid = _oid(text)
                    inside = oid[: len(prefix)] == prefix and oid > position[column]
                    if not inside or type(value).__name__ in _END:
                        ended = True
                        break
                    position[column] = oid
                    if len(oid) != len(prefix) + 1:
                        continue
                    index = oid[-1]
                    if index not in rows and len(rows) >= max_rows:
                        truncated, ended = True, True
                        break
                    rows.setdefault(index, {})[column] = value
                if not ended:
                    still.append(column)
            open_columns = still
        return rows, truncated or bool(open_columns)


def _oid(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.strip(".").split("."))
    except ValueError:
        return ()


def _text(value: Any) -> str:
    if value is None or type(value).__name__ in _END:
        return ""
    if hasattr(value, "asOctets"):
        return bytes(value.asOctets()).decode("utf-8", "replace")
    return str(value.prettyPrint() if hasattr(value, "prettyPrint") else value)


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _interface(index: int, row: Mapping[str, Any]) -> FoundInterface:
    """One row of the interface table in the CMDB's terms."""
    kind = KINDS.get(_number(row.get("type")) or 0, InterfaceKind.OTHER)
    high = _number(row.get("high_speed")) or 0
    speed = _number(row.get("speed")) or 0
    mbit = high if high > 0 else (round(speed / 1_000_000) if 0 < speed < 4_294_967_295 else 0)
    phys = row.get("phys")
    raw = bytes(phys.asOctets()) if phys is not None and hasattr(phys, "asOctets") else b""
    mac = ":".join(f"{b:02x}" for b in raw) if len(raw) == 6 and any(raw) else ""
    oper = _number(row.get("oper"))
    return FoundInterface(
        if_index=index,
        name=_text(row.get("name")) or _text(row.get("descr")),
        kind=kind,
        speed_mbit=mbit or None,
        mac_address=mac,
        enabled=_number(row.get("admin")) != 2,  # 1 up, 2 down, 3 testing
        description=_text(row.get("alias")),
        operational=None if oper is None else oper == 1,
    )
