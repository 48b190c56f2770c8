"""The knowledge base: articles with versions, categories, kind settings and attachments.

Reads are QuerySet methods (`visible_to(user)` is the permission filter); writes live in services.
"""

from .articles import (
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
from .attachments import ArticleAttachment, ArticleAttachmentQuerySet, knowledge_attachment_path

__all__ = [
    "Article",
    "ArticleAttachment",
    "ArticleAttachmentQuerySet",
    "ArticleQuerySet",
    "ArticleStatus",
    "ArticleVersion",
    "Audience",
    "Kind",
    "KindSetting",
    "KnowledgeCategory",
    "VersionState",
    "audiences_for",
    "knowledge_attachment_path",
]
