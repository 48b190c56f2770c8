"""Every write of changes and projects; import from here."""

from .activities import add_activity, complete_activity, note_deviation
from .approvals import approvers_of, decide_approval, request_approval
from .changes import (
    ChangeData,
    add_change_ci,
    cancel_change,
    create_change,
    create_change_from_melding,
    create_change_from_template,
    remove_change_ci,
    risk_level_for,
    submit_change_request,
    update_change,
)
from .configuration import (
    ActivityLine,
    create_template,
    set_risk_cell,
    update_approval_rule,
    update_phase,
    update_template,
)
from .phases import NextPhase, move_change, next_phases
from .projects import ProjectData, create_project, update_project
from .stakeholders import add_stakeholder, remove_stakeholder

__all__ = [
    "ActivityLine",
    "ChangeData",
    "NextPhase",
    "ProjectData",
    "add_activity",
    "add_change_ci",
    "add_stakeholder",
    "approvers_of",
    "cancel_change",
    "complete_activity",
    "create_change",
    "create_change_from_melding",
    "create_change_from_template",
    "create_project",
    "create_template",
    "decide_approval",
    "move_change",
    "next_phases",
    "note_deviation",
    "remove_change_ci",
    "remove_stakeholder",
    "request_approval",
    "risk_level_for",
    "set_risk_cell",
    "submit_change_request",
    "update_approval_rule",
    "update_change",
    "update_phase",
    "update_project",
    "update_template",
]
