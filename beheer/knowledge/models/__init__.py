"""Models of the knowledge base, one module per subject; everything is importable from here."""

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

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleStatus",
    "ArticleVersion",
    "Audience",
    "Kind",
    "KindSetting",
    "KnowledgeCategory",
    "VersionState",
    "audiences_for",
]
