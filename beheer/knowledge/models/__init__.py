"""The knowledge base models, one module per subject; import them from here."""

from .articles import (
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
from .notices import (
    AcknowledgementReminder,
    ArticleAcknowledgement,
    ArticleSubscription,
    SubscriptionQuerySet,
    expected_readers,
    reader_condition,
)

__all__ = [
    "NOTICE_KINDS",
    "AcknowledgementReminder",
    "Article",
    "ArticleAcknowledgement",
    "ArticleQuerySet",
    "ArticleStatus",
    "ArticleSubscription",
    "ArticleVersion",
    "Audience",
    "Kind",
    "KindSetting",
    "KnowledgeCategory",
    "SubscriptionQuerySet",
    "VersionState",
    "audiences_for",
    "expected_readers",
    "reader_condition",
]
