"""Meldingen (calls) and everything that hangs off them.

Reads are QuerySet methods; `Melding.objects.visible_to(user)` is the one permission filter used by
lists, detail pages, search, exports and the API alike. Writes live in the services package.
"""

from .activity import (
    Attachment,
    AttachmentQuerySet,
    HistoryEntry,
    HistoryQuerySet,
    MeldingLink,
    Note,
    NoteQuerySet,
    TimeEntry,
    Visibility,
    attachment_path,
)
from .deflection import DEFLECTION_RETENTION_DAYS, DeflectionEvent, DeflectionEventQuerySet
from .knowledge_links import ArticleLink, ArticleLinkQuerySet
from .lookups import (
    OPEN_KINDS,
    CallType,
    Category,
    ClosureCode,
    EntryType,
    Impact,
    Line,
    Priority,
    PriorityMatrixCell,
    ServicedeskSettings,
    Status,
    StatusKind,
    Urgency,
)
from .melding import FOR_LIST, QUEUES, Melding, MeldingQuerySet, format_number, parse_number
from .restricted import MeldingAccess, RestrictedRead, RestrictedReadQuerySet
from .service_levels import (
    MeldingOla,
    OlaTarget,
    ServiceLevelChange,
    ServiceLevelSubject,
    SlaEscalation,
    SlaEscalationKind,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
)

__all__ = [
    "DEFLECTION_RETENTION_DAYS",
    "FOR_LIST",
    "OPEN_KINDS",
    "QUEUES",
    "ArticleLink",
    "ArticleLinkQuerySet",
    "Attachment",
    "AttachmentQuerySet",
    "CallType",
    "Category",
    "ClosureCode",
    "DeflectionEvent",
    "DeflectionEventQuerySet",
    "EntryType",
    "HistoryEntry",
    "HistoryQuerySet",
    "Impact",
    "Line",
    "Melding",
    "MeldingAccess",
    "MeldingLink",
    "MeldingOla",
    "MeldingQuerySet",
    "Note",
    "NoteQuerySet",
    "OlaTarget",
    "Priority",
    "PriorityMatrixCell",
    "RestrictedRead",
    "RestrictedReadQuerySet",
    "ServiceLevelChange",
    "ServiceLevelSubject",
    "ServicedeskSettings",
    "SlaEscalation",
    "SlaEscalationKind",
    "SlaMetric",
    "SlaPolicy",
    "SlaTarget",
    "Status",
    "StatusKind",
    "TimeEntry",
    "Urgency",
    "Visibility",
    "attachment_path",
    "format_number",
    "parse_number",
]
