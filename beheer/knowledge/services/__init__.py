"""Every write of the knowledge base, one module per subject; the verbs are importable from here."""

from .articles import (
    KEEP,
    MAX_BODY,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    approve_and_publish,
    archive,
    create_article,
    normalise_tags,
    publish,
    restore_version,
    review_required,
    save_draft,
    submit_for_review,
)

__all__ = [
    "KEEP",
    "MAX_BODY",
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "approve_and_publish",
    "archive",
    "create_article",
    "normalise_tags",
    "publish",
    "restore_version",
    "review_required",
    "save_draft",
    "submit_for_review",
]
