"""Every write of the knowledge base, one module per subject; import them from here."""

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
from .attachments import MAX_ATTACHMENTS, add_attachment, remove_attachment

__all__ = [
    "KEEP",
    "MAX_ATTACHMENTS",
    "MAX_BODY",
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "add_attachment",
    "approve_and_publish",
    "archive",
    "create_article",
    "normalise_tags",
    "publish",
    "remove_attachment",
    "restore_version",
    "review_required",
    "save_draft",
    "submit_for_review",
]
