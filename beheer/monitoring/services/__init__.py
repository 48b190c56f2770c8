"""Every write of the monitoring app, one module per subject; import them from here."""

from .alerts import create_alert_source, issue_alert_source_token, receive_alerts
from .checks import (
    CheckData,
    create_check,
    delete_check,
    keep_probe_memo,
    plain_options,
    shown_options,
    update_check,
)
from .outages import MONITOR_USERNAME, monitor_actor
from .push import PUSH_MIN_SECONDS_BETWEEN, issue_push_token, receive_push, sweep_overdue_pushes
from .recording import (
    CLAIMED_COLUMNS,
    DETAIL_MAX,
    ActiveWindow,
    CheckPlan,
    Claimed,
    Outcome,
    _active_windows,
    claimed_rows,
    in_maintenance,
    next_due,
    record_result,
    record_results,
    state_from_row,
    windows_covering,
)

__all__ = [
    "CLAIMED_COLUMNS",
    "DETAIL_MAX",
    "MONITOR_USERNAME",
    "PUSH_MIN_SECONDS_BETWEEN",
    "ActiveWindow",
    "CheckData",
    "CheckPlan",
    "Claimed",
    "Outcome",
    "_active_windows",
    "claimed_rows",
    "create_alert_source",
    "create_check",
    "delete_check",
    "in_maintenance",
    "issue_alert_source_token",
    "issue_push_token",
    "keep_probe_memo",
    "monitor_actor",
    "next_due",
    "plain_options",
    "receive_alerts",
    "receive_push",
    "record_result",
    "record_results",
    "shown_options",
    "state_from_row",
    "sweep_overdue_pushes",
    "update_check",
    "windows_covering",
]
