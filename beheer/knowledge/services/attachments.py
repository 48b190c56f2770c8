"""Adding and removing the files of a knowledge article.

The same people may do this as may edit the article (operators; administrators for articles for
administrators), and not on an archived article. An attachment belongs to the article, not to a
version, so adding or removing one does not change the article's `version`: an editor with the form
open can still save the draft afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import DomainError, NotFound, ReadOnly
from beheer.core.files import check_upload_size, safe_filename, sniffed_type

from ..models import Article, ArticleAttachment, ArticleStatus
from .articles import _lock, _require_editor

MAX_ATTACHMENTS = 100


def _editable(article: Article, actor: User) -> Article:
    _require_editor(actor)
    locked = _lock(article, actor, None)
    _require_editor(actor, locked.audience)
    if locked.status == ArticleStatus.ARCHIVED:
        raise ReadOnly(_("An archived article cannot be edited."))
    return locked


@transaction.atomic
def add_attachment(article: Article, *, upload: Any, actor: User) -> ArticleAttachment:
    """Store an uploaded file with the article. The type is sniffed from the bytes, the name cleaned."""
    locked = _editable(article, actor)
    if upload is None:
        message = _("Choose a file.")
        raise DomainError(message, field_errors={"file": message})
    size = int(upload.size or 0)
    check_upload_size(size)
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        message = _("An article can have at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}
        raise DomainError(message, field_errors={"file": message})
    name = safe_filename(upload.name or "")
    content_type = sniffed_type(upload, name)
    attachment = ArticleAttachment(
        article=locked,
        original_name=name,
        content_type=content_type[:100],
        size=size,
        uploaded_by=actor,
        created_at=clock.now(),
        version_id=locked.draft_version_id or locked.current_version_id,
    )
    attachment.file.save(name, upload, save=False)
    file_name = attachment.file.name
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(file_name or "")
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment: ArticleAttachment, *, actor: User) -> None:
    """Remove the attachment; the stored file is deleted once the removal is committed."""
    _editable(attachment.article, actor)
    row = ArticleAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
    if row is None:
        raise NotFound(_("Attachment not found."))
    storage, name = row.file.storage, row.file.name
    row.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
