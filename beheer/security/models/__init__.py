"""Security and privacy: the control catalogue, measures, risks, incidents, breaches and the AVG."""

from .catalogue import Catalogue, CatalogueKind, Control, Theme, sort_key

# privacy (AVG)
from .privacy import (
    AnonymisationRun,
    AnonymisedMelding,
    LegalBasis,
    PersonRequest,
    PrivacyAction,
    ProcessingActivity,
    ProcessingHistoryEntry,
    RequestKind,
    RetentionHistoryEntry,
    RetentionKind,
    RetentionSetting,
    RunTrigger,
)

__all__ = [
    "AnonymisationRun",
    "AnonymisedMelding",
    "Catalogue",
    "CatalogueKind",
    "Control",
    "LegalBasis",
    "PersonRequest",
    "PrivacyAction",
    "ProcessingActivity",
    "ProcessingHistoryEntry",
    "RequestKind",
    "RetentionHistoryEntry",
    "RetentionKind",
    "RetentionSetting",
    "RunTrigger",
    "Theme",
    "sort_key",
]
