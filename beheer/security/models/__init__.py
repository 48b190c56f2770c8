"""Security and privacy: the control catalogue, measures, risks, incidents, breaches and the AVG."""

from .catalogue import Catalogue, CatalogueKind, Control, Theme, sort_key
from .incidents import (
    DeadlineNotice,
    IncidentAction,
    IncidentHistoryEntry,
    IncidentReport,
    IncidentStatus,
    ReportKind,
    SecurityIncident,
)

# measures: statement of applicability, implementations, evidence, trails
from .measures import (
    Applicability,
    ApplicabilityStatement,
    CatalogueAction,
    CatalogueHistoryEntry,
    ControlHistoryEntry,
    EvidenceFile,
    Implementation,
    ImplementationStatus,
    MeasuresAction,
)

__all__ = [
    "Applicability",
    "ApplicabilityStatement",
    "Catalogue",
    "CatalogueAction",
    "CatalogueHistoryEntry",
    "CatalogueKind",
    "Control",
    "ControlHistoryEntry",
    "EvidenceFile",
    "Implementation",
    "ImplementationStatus",
    "MeasuresAction",
    "Theme",
    "sort_key",
]

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

__all__ += [
    "DeadlineNotice",
    "IncidentAction",
    "IncidentHistoryEntry",
    "IncidentReport",
    "IncidentStatus",
    "ReportKind",
    "SecurityIncident",
]
