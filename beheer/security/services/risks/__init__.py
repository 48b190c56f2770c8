"""Writes of risks and classification: the CIA classification of CIs and its suggestion inherited
through the CMDB, the risk matrix settings and the risk register."""

from .classification import adopt_suggestion, classify, remove_classification
from .inherit import MAX_DEPTH, Suggestion, suggestion_for, suggestions
from .matrix import cells, change_matrix, current_settings, level_names, score
from .register import RiskData, change_risk, data_of, register_risk

__all__ = [
    "MAX_DEPTH",
    "RiskData",
    "Suggestion",
    "adopt_suggestion",
    "cells",
    "change_matrix",
    "change_risk",
    "classify",
    "current_settings",
    "data_of",
    "level_names",
    "register_risk",
    "remove_classification",
    "score",
    "suggestion_for",
    "suggestions",
]
