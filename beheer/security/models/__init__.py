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

__all__ = ["Catalogue", "CatalogueKind", "Control", "Theme", "sort_key"]
__all__ += [
    "DeadlineNotice",
    "IncidentAction",
    "IncidentHistoryEntry",
    "IncidentReport",
    "IncidentStatus",
    "ReportKind",
    "SecurityIncident",
]
