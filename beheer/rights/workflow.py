"""The steps of an access right, as a pure table: which status each action needs and gives.

requested -> approved (approve) or rejected (reject); approved -> granted (grant);
granted -> revoked (revoke) or expired (expire, the periodic job). Rejected, revoked and expired are
final: a new need is a new request.
"""

from __future__ import annotations

APPROVE = "approve"
REJECT = "reject"
GRANT = "grant"
REVOKE = "revoke"
EXPIRE = "expire"

STEPS: dict[str, tuple[str, str]] = {
    APPROVE: ("requested", "approved"),
    REJECT: ("requested", "rejected"),
    GRANT: ("approved", "granted"),
    REVOKE: ("granted", "revoked"),
    EXPIRE: ("granted", "expired"),
}


def next_status(action: str, status: str) -> str | None:
    """The status after `action` on a right in `status`, or None when the action does not apply."""
    step = STEPS.get(action)
    if step is None or step[0] != status:
        return None
    return step[1]


def actions_for(status: str) -> list[str]:
    """The actions that apply to a right in `status` (who may take them is the services' rule)."""
    return [action for action, (before, _after) in STEPS.items() if before == status and action != EXPIRE]
