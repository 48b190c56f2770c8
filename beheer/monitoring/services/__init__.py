"""Every write of the monitoring app, one module per subject; import them from here.

`checks`: defining checks. `windows`: maintenance windows. `alerts`: Alertmanager sources and their
alerts. `push`: push checks. `recording`: probe results and the state machine. `outages`: the
meldingen of outages. `claims`: the monitor's state rows (made for new checks, claimed, set aside).
`rollup`: the minute, hour and day buckets.
"""

from . import privacy  # removing personal data (AVG): privacy.expire_results
from .alerts import (
    check_alert_source,
    create_alert_source,
    delete_alert_source,
    issue_alert_source_token,
    receive_alerts,
    update_alert_source,
)
from .checks import (
    CheckData,
    create_check,
    delete_check,
    keep_probe_memo,
    pause_check,
    plain_options,
    resume_check,
    secrets_cleared_by,
    shown_options,
    update_check,
)
from .claims import (
    LEASE,
    PROBED_KINDS,
    SET_ASIDE,
    claim_due_states,
    ensure_check_states,
    phase_offset,
    set_aside,
)
from .managed import drop_managed_window, keep_managed_window
from .outages import MONITOR_USERNAME, monitor_actor, outage_classification, outage_priority
from .push import issue_push_token, receive_push, sweep_overdue_pushes
from .recording import (
    CLAIMED_COLUMNS,
    DETAIL_MAX,
    ActiveWindow,
    BatchReport,
    CheckPlan,
    Claimed,
    Outcome,
    _active_windows,
    claimed_rows,
    in_maintenance,
    next_due,
    record_batch,
    record_result,
    record_results,
    state_from_row,
    windows_covering,
)
from .rollup import roll_up
from .windows import (
    Ending,
    EndPlan,
    WindowData,
    create_window,
    delete_window,
    end_window_now,
    plan_end,
    update_window,
)

__all__ = [
    "CLAIMED_COLUMNS",
    "DETAIL_MAX",
    "LEASE",
    "MONITOR_USERNAME",
    "PROBED_KINDS",
    "SET_ASIDE",
    "ActiveWindow",
    "BatchReport",
    "CheckData",
    "CheckPlan",
    "Claimed",
    "EndPlan",
    "Ending",
    "Outcome",
    "WindowData",
    "_active_windows",
    "check_alert_source",
    "claim_due_states",
    "claimed_rows",
    "create_alert_source",
    "create_check",
    "create_window",
    "delete_alert_source",
    "delete_check",
    "delete_window",
    "drop_managed_window",
    "end_window_now",
    "ensure_check_states",
    "in_maintenance",
    "issue_alert_source_token",
    "issue_push_token",
    "keep_managed_window",
    "keep_probe_memo",
    "monitor_actor",
    "next_due",
    "outage_classification",
    "outage_priority",
    "pause_check",
    "phase_offset",
    "plain_options",
    "plan_end",
    "privacy",
    "receive_alerts",
    "receive_push",
    "record_batch",
    "record_result",
    "record_results",
    "resume_check",
    "roll_up",
    "secrets_cleared_by",
    "set_aside",
    "shown_options",
    "state_from_row",
    "sweep_overdue_pushes",
    "update_alert_source",
    "update_check",
    "update_window",
    "windows_covering",
]
