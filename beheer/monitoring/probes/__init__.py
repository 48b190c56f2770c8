"""One probe per kind of check: each returns Probe(ok, latency_ms, detail) and never raises.

Every probe connects only through the outbound address policy (beheer/core/outbound.py):
`guarded_addresses` resolves the target and checks
each address against the administrator's network policy, and the probe then connects to the
checked address itself (never to the name again), so DNS rebinding cannot slip past the check. The
HTTP client resolves through `GuardedResolver`, so redirects are held to the same policy.

Details are short and never contain a response body: a keyword mismatch says "keyword not found",
a JSON condition says which condition failed, not what the document held. They are written in the
active language (`beheer monitor` activates the installation's LANGUAGE_CODE): one gettext call
per probe at most; data in them (status codes, addresses, OS and library error texts) stays as is.

One module per family: `base` (the result, details, guarded resolving, the deadline), `http`,
`tls` (certificates and the verifying contexts), `network` (TCP connect, DNS), `ping` (and whether
this process may send ICMP), `snmp`, and `dispatch` (a check prepared once, the probe of its kind).
Import the names from here.
"""

from .base import DETAIL_MAX, Deadline, Probe, guarded_addresses, refused_detail
from .dispatch import Prepared, prepare, run_probe
from .http import DEFAULT_HTTP, MAX_REDIRECTS, GuardedResolver, probe_http
from .network import probe_dns, probe_tcp
from .ping import ICMP_UNAVAILABLE, detect_icmp, probe_ping, warn_if_no_icmp
from .snmp import SNMP_ENGINES_MAX, probe_snmp
from .tls import default_tls_context, probe_tls

__all__ = [
    "DEFAULT_HTTP",
    "DETAIL_MAX",
    "ICMP_UNAVAILABLE",
    "MAX_REDIRECTS",
    "SNMP_ENGINES_MAX",
    "Deadline",
    "GuardedResolver",
    "Prepared",
    "Probe",
    "default_tls_context",
    "detect_icmp",
    "guarded_addresses",
    "prepare",
    "probe_dns",
    "probe_http",
    "probe_ping",
    "probe_snmp",
    "probe_tcp",
    "probe_tls",
    "refused_detail",
    "run_probe",
    "warn_if_no_icmp",
]
