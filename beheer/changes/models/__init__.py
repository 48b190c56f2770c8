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
from .needs import (
    ChangeDesign,
    MoSCoW,
    NeedsApproval,
    NeedsDecision,
    NeedsInventory,
    NeedsNote,
    NoteKind,
    OpenQuestion,
    QuestionStatus,
    Requirement,
    RequirementStatus,
    format_requirement_code,
    needs_approved,
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
    "ChangeDesign",
    "ChangeHistoryEntry",
    "ChangeKind",
    "ChangeStatus",
    "ChangeTemplate",
    "DecisionRule",
    "Likelihood",
    "MoSCoW",
    "NeedsApproval",
    "NeedsDecision",
    "NeedsInventory",
    "NeedsNote",
    "NoteKind",
    "OpenQuestion",
    "Phase",
    "Project",
    "ProjectAction",
    "ProjectHistoryEntry",
    "ProjectStatus",
    "QuestionStatus",
    "Requirement",
    "RequirementStatus",
    "RiskImpact",
    "RiskLevel",
    "RiskMatrixCell",
    "Stakeholder",
    "StakeholderRole",
    "TemplateActivity",
    "Vote",
    "format_change_number",
    "format_requirement_code",
    "needs_approved",
    "parse_change_number",
]
