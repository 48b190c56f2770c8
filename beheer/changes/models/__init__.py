"""Changes and projects (wijzigingen en projecten).

A change is staff work; a caller sees, in the portal, the changes they requested or are the client
of, with the phase and status only. Approvers who are not staff see the approvals asked of them.
"""

from .approvals import ApprovalRule, ChangeApproval, DecisionRule, Vote
from .base import Likelihood, Phase, RiskImpact, RiskLevel, RiskMatrixCell
from .changes import (
    ApprovalStatus,
    Change,
    ChangeAction,
    ChangeCi,
    ChangeHistoryEntry,
    ChangeKind,
    ChangeStatus,
    Project,
    ProjectAction,
    ProjectHistoryEntry,
    ProjectStatus,
    format_change_number,
    parse_change_number,
)
from .stakeholders import Stakeholder, StakeholderRole
from .templates import ChangeActivity, ChangeTemplate, TemplateActivity

__all__ = [
    "ApprovalRule",
    "ApprovalStatus",
    "Change",
    "ChangeAction",
    "ChangeActivity",
    "ChangeApproval",
    "ChangeCi",
    "ChangeHistoryEntry",
    "ChangeKind",
    "ChangeStatus",
    "ChangeTemplate",
    "DecisionRule",
    "Likelihood",
    "Phase",
    "Project",
    "ProjectAction",
    "ProjectHistoryEntry",
    "ProjectStatus",
    "RiskImpact",
    "RiskLevel",
    "RiskMatrixCell",
    "Stakeholder",
    "StakeholderRole",
    "TemplateActivity",
    "Vote",
    "format_change_number",
    "parse_change_number",
]
