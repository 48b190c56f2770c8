"""Uploaded files, shared by every app that stores them (melding attachments, knowledge attachments).

Files are stored under a random name (never the uploaded one) and served only by permission-checked
views through `protected_file_response`, which never lets a browser run what it downloads.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import DomainError
from .sniff import OCTET_STREAM, sniff

# Images a browser may show inline: raster formats only (an SVG can carry script, so it never is).
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".gif", ".webp"})
EXECUTABLE_TYPES = frozenset({"application/x-msdownload", "application/x-executable"})
SNIFF_BYTES = 64 * 1024
DOWNLOAD_POLICY = "default-src 'none'; sandbox"
INLINE_IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def safe_filename(name: str) -> str:
    """The last part of an uploaded name, without control characters or characters Windows refuses."""
    base = PurePath(name.replace("\\", "/")).name.replace("\x00", "").strip() or "bestand"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/|?*')[:200] or "bestand"


def max_upload_mb() -> int:
    return int(settings.MAX_ATTACHMENT_BYTES) // (1024 * 1024)


def check_upload_size(size: int, *, field: str = "file") -> None:
    """DomainError when a file is empty or larger than MAX_ATTACHMENT_BYTES."""
    if size > settings.MAX_ATTACHMENT_BYTES:
        message = _("The file is too large: at most %(mb)d MB.") % {"mb": max_upload_mb()}
        raise DomainError(message, field_errors={field: message})
    if size <= 0:
        raise DomainError(_("The file is empty."), field_errors={field: _("The file is empty.")})


def read_head(upload: Any, limit: int = SNIFF_BYTES) -> bytes:
    """The first bytes of an upload, leaving it at the start for storing."""
    upload.seek(0)
    head = upload.read(limit)
    upload.seek(0)
    return bytes(head or b"")


def sniffed_type(upload: Any, name: str, *, field: str = "file") -> str:
    """The content type from the bytes. Refuses executables and files whose name claims an image
    that the bytes are not (an HTML page called photo.png). Generic results (plain text, unknown
    binary) take the type the name suggests, except an image type, which only the bytes can give."""
    found = sniff(read_head(upload))
    suffix = PurePath(name).suffix.lower()
    if found in EXECUTABLE_TYPES:
        message = _("Programs cannot be uploaded.")
        raise DomainError(message, field_errors={field: message})
    if suffix in IMAGE_SUFFIXES and found not in INLINE_IMAGE_TYPES:
        message = _("The file is not the image its name says it is.")
        raise DomainError(message, field_errors={field: message})
    if found in {OCTET_STREAM, "text/plain"}:
        guessed = mimetypes.guess_type(name)[0] or found
        if not guessed.startswith("image/") and guessed not in {"text/html", "application/xhtml+xml"}:
            return guessed
    return found


def protected_file_response(
    file: Any, *, filename: str, content_type: str, inline: bool = False
) -> FileResponse:
    """A stored file as a response that cannot run in the browser.

    Only a raster image (the type sniffed from its bytes at upload) is shown inline, with its own
    type; everything else, SVG and HTML included, is a download of type application/octet-stream.
    Always nosniff and a Content-Security-Policy that allows nothing and sandboxes the document.
    """
    show_inline = inline and content_type in INLINE_IMAGE_TYPES
    response = FileResponse(
        file.open("rb"),
        as_attachment=not show_inline,
        filename=filename,
        content_type=content_type if show_inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = INLINE_IMAGE_POLICY if show_inline else DOWNLOAD_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-cache"
    return response


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    size: int
    content_type: str


def check_upload(upload: Any, *, field: str = "file") -> CheckedUpload:
    """An upload's safe name, size and type from its bytes; DomainError when it is empty, too
    large, a program or not the image its name claims."""
    check_upload_size(upload.size or 0, field=field)
    name = safe_filename(upload.name or "")
    return CheckedUpload(name, upload.size, sniffed_type(upload, name, field=field))


def download_response(file: Any, *, filename: str) -> FileResponse:
    """A stored file as a download that browsers neither sniff nor render."""
    return protected_file_response(file, filename=filename, content_type="application/octet-stream")
