"""The knowledge base: articles with versions, categories, kind settings, attachments, subscriptions,
read acknowledgements, one module per subject; import them from here.

Reads are QuerySet methods (`visible_to(user)` is the permission filter); writes live in services.
"""

from .articles import (
    DESIGN_KINDS,
    NOTICE_KINDS,
    Article,
    ArticleQuerySet,
    ArticleStatus,
    ArticleVersion,
    Audience,
    Kind,
    KindSetting,
    KnowledgeCategory,
    VersionState,
    audiences_for,
)
from .attachments import (
    ArticleAttachment,
    ArticleAttachmentQuerySet,
    knowledge_attachment_path,
)
from .cis import MAX_CIS, ArticleCi, ArticleCiQuerySet
from .designs import (
    ApprovalDecision,
    ApprovalRole,
    DocumentTemplate,
    DocumentTemplateHistoryEntry,
    DocumentTemplateSection,
    VersionApproval,
)
from .notices import (
    AcknowledgementReminder,
    ArticleAcknowledgement,
    ArticleSubscription,
    SubscriptionQuerySet,
    expected_readers,
    reader_condition,
)

__all__ = [
    "DESIGN_KINDS",
    "MAX_CIS",
    "NOTICE_KINDS",
    "AcknowledgementReminder",
    "ApprovalDecision",
    "ApprovalRole",
    "Article",
    "ArticleAcknowledgement",
    "ArticleAttachment",
    "ArticleAttachmentQuerySet",
    "ArticleCi",
    "ArticleCiQuerySet",
    "ArticleQuerySet",
    "ArticleStatus",
    "ArticleSubscription",
    "ArticleVersion",
    "Audience",
    "DocumentTemplate",
    "DocumentTemplateHistoryEntry",
    "DocumentTemplateSection",
    "Kind",
    "KindSetting",
    "KnowledgeCategory",
    "SubscriptionQuerySet",
    "VersionApproval",
    "VersionState",
    "audiences_for",
    "expected_readers",
    "knowledge_attachment_path",
    "reader_condition",
]
