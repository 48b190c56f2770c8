"""Security and privacy: the control catalogue, measures, risks, incidents, breaches and the AVG."""

from .catalogue import Catalogue, CatalogueKind, Control, Theme, sort_key

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
