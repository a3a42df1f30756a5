"""Which attachments of a reply we keep: a short allow-list, checked by content, within size limits.

A surgeon may attach a leaflet or an image; anything else (executables, archives, office
macros, files whose bytes do not match their claimed type) is recorded as rejected and never
relayed. The raw message still holds every byte for a coordinator who needs to look.
"""
from __future__ import annotations

from collections.abc import Callable

from service.mail.inbound.models import InboundAttachment
from service.mail.inbound.parse import Attachment
from service.mail.inbound.store import db_text

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024


def _text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# content type -> (allowed filename extensions, magic-bytes check)
ALLOWED: dict[str, tuple[tuple[str, ...], Callable[[bytes], bool]]] = {
    "application/pdf": ((".pdf",), lambda d: d.startswith(b"%PDF-")),
    "image/jpeg": ((".jpg", ".jpeg"), lambda d: d.startswith(b"\xff\xd8\xff")),
    "image/png": ((".png",), lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    "image/gif": ((".gif",), lambda d: d[:6] in (b"GIF87a", b"GIF89a")),
    # HEIC/HEIF (iPhone photos): an ISO BMFF `ftyp` box with a HEIF brand.
    "image/heic": ((".heic", ".heif"), lambda d: d[4:8] == b"ftyp" and d[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif")),
    "image/heif": ((".heic", ".heif"), lambda d: d[4:8] == b"ftyp" and d[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif")),
    "text/plain": ((".txt",), _text),
    # .docx is a ZIP; macro-enabled .docm has another type and is not on the list.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ((".docx",), lambda d: d.startswith(b"PK\x03\x04")),
}


def _rejection(attachment: Attachment, total_so_far: int) -> str | None:
    kind = attachment.content_type.lower()
    if kind not in ALLOWED:
        return f"type {kind[:60]} is not allowed"
    extensions, looks_right = ALLOWED[kind]
    name = (attachment.filename or "").lower()
    if name and not name.endswith(extensions):
        return f"file name does not match its type {kind[:60]}"
    if not looks_right(attachment.payload):
        return f"content is not a {kind[:60]} file"
    if attachment.size > MAX_ATTACHMENT_BYTES:
        return "larger than 10 MB"
    if total_so_far + attachment.size > MAX_TOTAL_BYTES:
        return "attachments over 20 MB in total"
    return None


def screen_attachments(attachments: tuple[Attachment, ...]) -> list[InboundAttachment]:
    """One row per attachment, accepted (with payload) or rejected (with a reason)."""
    rows = []
    total = 0
    for attachment in attachments:
        reason = _rejection(attachment, total)
        if reason is None:
            total += attachment.size
        rows.append(InboundAttachment(
            filename=db_text(attachment.filename, 255),
            content_type=db_text(attachment.content_type, 120) or "application/octet-stream",
            size=attachment.size,
            payload=attachment.payload if reason is None else None,
            accepted=reason is None,
            reason=reason,
        ))
    return rows
