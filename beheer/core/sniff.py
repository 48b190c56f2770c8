"""The real type of a file, from its first bytes (not from its name or declared type).

Shared by the mail intake (servicedesk) and the knowledge base attachments.
"""

from __future__ import annotations

import io
import mimetypes
import zipfile

OCTET_STREAM = "application/octet-stream"

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"MZ", "application/x-msdownload"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (0, b"Rar!\x1a\x07", "application/vnd.rar"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"%!PS", "application/postscript"),
    (0, b"{\\rtf", "application/rtf"),
    (0, b"BEGIN:VCALENDAR", "text/calendar"),
    (0, b"BEGIN:VCARD", "text/vcard"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\x00\x00\x01\x00", "image/vnd.microsoft.icon"),
)

# Office Open XML and OpenDocument files are ZIP archives: told apart by what is inside.
_ZIP_MEMBERS = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_ZIP = "application/zip"

# Types that are the same thing under another name, so a declared type is not a "mismatch".
_EQUIVALENT = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": _ZIP,
    "application/x-zip": _ZIP,
    "application/x-msdos-program": "application/x-msdownload",
    "application/x-dosexec": "application/x-msdownload",
    "application/vnd.microsoft.portable-executable": "application/x-msdownload",
    "application/msword": "application/x-ole-storage",
    "application/vnd.ms-excel": "application/x-ole-storage",
    "application/vnd.ms-powerpoint": "application/x-ole-storage",
    "application/vnd.ms-outlook": "application/x-ole-storage",
    "application/x-gzip": "application/gzip",
    "image/ico": "image/vnd.microsoft.icon",
    "image/x-icon": "image/vnd.microsoft.icon",
    "text/x-vcard": "text/vcard",
}
_EXECUTABLE = {"application/x-msdownload", "application/x-executable"}


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()[:200]
            if "mimetype" in names and len(names) < 10_000:
                with archive.open("mimetype") as member:
                    kind = member.read(100).decode("ascii", errors="ignore").strip()
                if kind.startswith("application/vnd.oasis.opendocument."):
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, EOFError, NotImplementedError):
        return _ZIP
    for prefix, kind in _ZIP_MEMBERS:
        if any(name.startswith(prefix) for name in names):
            return kind
    return _ZIP


def sniff(data: bytes) -> str:
    """A MIME type from the magic bytes; text/plain for readable text, else application/octet-stream."""
    head = data[:512]
    for offset, magic, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_type(data)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "image/heic" if brand in {b"heic", b"heix", b"mif1"} else "video/mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "image/svg+xml"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if b"\x00" not in head:
        try:
            data[:4096].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < 4090:  # not just a character cut off at the end of the sample
                return OCTET_STREAM
        return "text/plain"
    return OCTET_STREAM


def canonical(kind: str | None) -> str | None:
    if not kind:
        return None
    kind = kind.strip().lower()
    return _EQUIVALENT.get(kind, kind)


def is_mismatch(*, filename: str, declared_type: str, sniffed_type: str) -> bool:
    """True when the bytes are a different kind of file than the name or declared type claim.

    Generic sniffing results (text/plain, octet-stream) never count: they say too little. An
    executable always counts unless both the name and the declared type admit to it.
    """
    if sniffed_type in {OCTET_STREAM, "text/plain"}:
        return False
    by_name = canonical(mimetypes.guess_type(filename, strict=False)[0]) if filename else None
    claimed = {t for t in (canonical(declared_type), by_name) if t and t != OCTET_STREAM}
    sniffed = canonical(sniffed_type)
    if sniffed in _EXECUTABLE:
        return not claimed or any(t not in _EXECUTABLE for t in claimed)
    if sniffed == _ZIP or (sniffed or "").startswith("application/vnd.openxmlformats"):
        # An Office document is a ZIP archive; a .zip that holds a document is still a ZIP.
        family = {_ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "application/vnd.openxmlformats-officedocument.presentationml.presentation"}  # fmt: skip
        return any(t not in family for t in claimed)
    return any(t != sniffed for t in claimed)
