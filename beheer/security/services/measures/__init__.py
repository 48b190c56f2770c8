"""Every write of the measures register (catalogues, own controls, the statement of applicability,
implementations and their evidence) and its reads that need more than a QuerySet method."""

from .catalogue import (
    create_own_control,
    current_catalogue,
    edit_own_control,
    load_catalogue,
    load_shipped,
    make_current,
    own_catalogue,
    set_control_active,
)
from .implementations import (
    add_evidence_file,
    create_implementation,
    mark_reviewed,
    remove_evidence_file,
    update_implementation,
)
from .reminders import remind_review_due
from .soa import set_applicability, soa_controls

__all__ = [
    "add_evidence_file",
    "create_implementation",
    "create_own_control",
    "current_catalogue",
    "edit_own_control",
    "load_catalogue",
    "load_shipped",
    "make_current",
    "mark_reviewed",
    "own_catalogue",
    "remind_review_due",
    "remove_evidence_file",
    "set_applicability",
    "set_control_active",
    "soa_controls",
    "update_implementation",
]
