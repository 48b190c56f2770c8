"""Uploaded files: one set of limits and one way to hand a stored file back.

Services of every app that store uploads (servicedesk attachments, evidence of preventive
activities) check them with `check_upload`; views and the API serve them only after a
`visible_to` lookup, through `download_response`.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import DomainError


def safe_filename(name: str) -> str:
    """The last path part of an uploaded name without control or reserved characters."""
    base = PurePath(name.replace("\\", "/")).name.replace("\x00", "").strip() or "bestand"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/|?*')[:200] or "bestand"


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    size: int
    content_type: str


def check_upload(upload: UploadedFile, *, field: str = "file") -> CheckedUpload:
    """The upload's safe name, size and guessed type; DomainError when it is empty or too large."""
    size = upload.size or 0
    if size > settings.MAX_ATTACHMENT_BYTES:
        message = _("The file is too large: at most %(mb)d MB.") % {
            "mb": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)
        }
        raise DomainError(message, field_errors={field: message})
    if size == 0:
        raise DomainError(_("The file is empty."), field_errors={field: _("The file is empty.")})
    name = safe_filename(upload.name or "")
    return CheckedUpload(name, size, mimetypes.guess_type(name)[0] or "application/octet-stream")


def download_response(file: FieldFile, *, filename: str) -> FileResponse:
    """A stored file as a download that browsers neither sniff nor render."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
