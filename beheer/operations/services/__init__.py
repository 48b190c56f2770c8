"""Every write of preventive activities, one module per subject; import them from here.

`series`: create, change, stop and restart series. `planning`: their recurrence and the generation of
occurrences. `occurrences`: carrying an occurrence out (checklist, done, skipped, anomaly, time,
evidence). `cis`: finding and checking the configuration items a series concerns. `reminders`:
telling the people of an occurrence that it is due and that it is overdue.
Shared limits and helpers are in `_base`.
"""

from ._base import (
    ITEM_MAX,
    LOOKBACK,
    MAX_GRACE_HOURS,
    MAX_ITEMS,
    MAX_LEAD_DAYS,
    MAX_MINUTES,
    MAX_OBJECTS,
    MAX_PER_RUN,
    MAX_REMIND_HOURS,
    NAME_MAX,
    OBJECT_MAX,
    PREVIEW_COUNT,
    REASON_MAX,
    REMARK_MAX,
    TEXT_MAX,
)
from .cis import check_cis, cis_by_ids, cis_by_names, cis_by_references
from .occurrences import (
    ChecklistAnswer,
    add_evidence,
    complete_occurrence,
    record_time,
    report_anomaly,
    save_checklist,
    skip_occurrence,
)
from .planning import build_window, generate_for_series, generate_occurrences, planned_instants, preview_dates
from .reminders import checklist_summary, message_context, recipients, send_reminders
from .series import SeriesInput, activate_series, create_series, deactivate_series, update_series

__all__ = [
    "ITEM_MAX",
    "LOOKBACK",
    "MAX_GRACE_HOURS",
    "MAX_ITEMS",
    "MAX_LEAD_DAYS",
    "MAX_MINUTES",
    "MAX_OBJECTS",
    "MAX_PER_RUN",
    "MAX_REMIND_HOURS",
    "NAME_MAX",
    "OBJECT_MAX",
    "PREVIEW_COUNT",
    "REASON_MAX",
    "REMARK_MAX",
    "TEXT_MAX",
    "ChecklistAnswer",
    "SeriesInput",
    "activate_series",
    "add_evidence",
    "build_window",
    "check_cis",
    "checklist_summary",
    "cis_by_ids",
    "cis_by_names",
    "cis_by_references",
    "complete_occurrence",
    "create_series",
    "deactivate_series",
    "generate_for_series",
    "generate_occurrences",
    "message_context",
    "planned_instants",
    "preview_dates",
    "recipients",
    "record_time",
    "report_anomaly",
    "save_checklist",
    "send_reminders",
    "skip_occurrence",
    "update_series",
]
