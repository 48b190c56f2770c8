"""Security and privacy: the control catalogue, measures, risks, incidents, breaches and the AVG."""

from .catalogue import Catalogue, CatalogueKind, Control, Theme, sort_key

__all__ = ["Catalogue", "CatalogueKind", "Control", "Theme", "sort_key"]

from .risks import (
    CIA_FIELDS,
    LEVELS,
    Axis,
    Band,
    CiaLevel,
    Classification,
    ClassificationAction,
    ClassificationHistoryEntry,
    Risk,
    RiskAction,
    RiskHistoryEntry,
    RiskMatrixHistoryEntry,
    RiskSettings,
    RiskStatus,
    ScaleLevel,
    Treatment,
    format_risk_number,
)

__all__ += [
    "CIA_FIELDS",
    "LEVELS",
    "Axis",
    "Band",
    "CiaLevel",
    "Classification",
    "ClassificationAction",
    "ClassificationHistoryEntry",
    "Risk",
    "RiskAction",
    "RiskHistoryEntry",
    "RiskMatrixHistoryEntry",
    "RiskSettings",
    "RiskStatus",
    "ScaleLevel",
    "Treatment",
    "format_risk_number",
]
