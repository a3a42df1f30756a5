"""Inbound mail as plain data: RFC 5322 parsed with the stdlib, tolerant of anything on the wire.

Mail arrives from any client and any relay, so nothing here may raise: every oddity becomes a
line in `InboundEmail.problems` and the message is still stored for a coordinator to see.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

from service.mail.inbound.automatic import classify_automatic
from service.mail.inbound.htmltext import html_to_text

# The webhook answers 413 above this; the IMAP poller does not download bodies above it.
MAX_INBOUND_BYTES = 10 * 1024 * 1024

# Token charset agreed with the reply-address builder; case matters (signed token).
REPLY_ADDRESS = re.compile(r"^reply\+([A-Za-z0-9._-]+)@(.+)$", re.IGNORECASE)
_MSG_ID = re.compile(r"<([^<>\s]+)>")
# Where MTAs record the envelope recipient; a reply address may survive only here (Bcc,
# mailing-list expansion, forwarding).
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Forwarded-To")


@dataclass(frozen=True)
class Attachment:
    filename: str | None
    content_type: str
    size: int
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class InboundEmail:
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    reply_tokens: tuple[str, ...]
    subject: str
    date: datetime | None
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    automatic: str | None
    problems: tuple[str, ...]
    size: int

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every address the message was delivered or addressed to, header order, no repeats."""
        return tuple(dict.fromkeys(self.to + self.cc + self.delivered_to))


def synthetic_message_id(raw: bytes) -> str:
    """A stable Message-ID for mail that has none, so a second delivery is still a duplicate."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@inbound.neurodesk.invalid>"


def normalise_message_id(value: str | None) -> str | None:
    """`<id>` from a Message-ID-like header value; None when there is nothing usable."""
    if not value:
        return None
    match = _MSG_ID.search(value)
    if match:
        return f"<{match.group(1)}>"
    bare = "".join(value.split()).strip("<>")
    return f"<{bare}>" if bare else None


def extract_reply_tokens(addresses: tuple[str, ...] | list[str], domain: str | None) -> tuple[str, ...]:
    """Tokens of `reply+TOKEN@domain` addresses; any domain when `domain` is None."""
    tokens: list[str] = []
    for address in addresses:
        match = REPLY_ADDRESS.match(address)
        if not match:
            continue
        if domain is not None and match.group(2).lower().rstrip(".") != domain.lower().rstrip("."):
            continue
        if match.group(1) not in tokens:
            tokens.append(match.group(1))
    return tuple(tokens)


def parse_inbound(raw: bytes, *, reply_domain: str | None = None) -> InboundEmail:
    """Parse one raw message. Never raises: what could not be read is listed in `problems`."""
    if not isinstance(raw, (bytes, bytearray)):
        raw = str(raw).encode("utf-8", "replace")
    raw = bytes(raw)
    problems: list[str] = []
    if len(raw) > MAX_INBOUND_BYTES:
        # Headers only: enough to record and thread the message, not enough to be a load.
        problems.append(f"message is {len(raw)} bytes, more than {MAX_INBOUND_BYTES}: body not read")
        head = raw[: 256 * 1024].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        return _parse(head + b"\r\n\r\n", raw, reply_domain, problems, headers_only=True)
    try:
        return _parse(raw, raw, reply_domain, problems, headers_only=False)
    except Exception as exc:  # pragma: no cover - the last line of defence; fuzzing keeps it unused
        problems.append(f"message could not be parsed: {type(exc).__name__}")
        return _empty(raw, problems)


def _empty(raw: bytes, problems: list[str]) -> InboundEmail:
    return InboundEmail(
        message_id=synthetic_message_id(raw), in_reply_to=None, references=(), from_address=None,
        from_name="", to=(), cc=(), delivered_to=(), reply_tokens=(), subject="", date=None,
        text="", html=None, attachments=(), automatic=None, problems=tuple(problems), size=len(raw),
    )


def _parse(data: bytes, raw: bytes, reply_domain: str | None, problems: list[str], *, headers_only: bool) -> InboundEmail:
    if headers_only:
        msg = BytesHeaderParser(policy=policy.default).parsebytes(data)
    else:
        msg = message_from_bytes(data, policy=policy.default)
    _collect_defects(msg, problems)

    message_id = normalise_message_id(_header(msg, "Message-ID"))
    if message_id is None:
        problems.append("missing Message-ID: synthesised from the raw bytes")
        message_id = synthetic_message_id(raw)
    in_reply_to = normalise_message_id(_header(msg, "In-Reply-To"))
    references = tuple(dict.fromkeys(f"<{m}>" for m in _MSG_ID.findall(_header(msg, "References"))))

    from_name, from_address = _sender(msg, problems)
    to = _addresses(msg, ("To",))
    cc = _addresses(msg, ("Cc",))
    delivered_to = _addresses(msg, _ENVELOPE_HEADERS)
    every = tuple(dict.fromkeys(to + cc + delivered_to))

    text, html, attachments = ("", None, ()) if headers_only else _bodies(msg, problems)
    return InboundEmail(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        from_address=from_address,
        from_name=from_name,
        to=to,
        cc=cc,
        delivered_to=delivered_to,
        reply_tokens=extract_reply_tokens(every, reply_domain),
        subject=" ".join(_header(msg, "Subject").split()),
        date=_date(msg, problems),
        text=text,
        html=html,
        attachments=attachments,
        automatic=classify_automatic(msg),
        problems=tuple(dict.fromkeys(problems)),
        size=len(raw),
    )


# -- headers ---------------------------------------------------------------------------------

def _clean(text: str) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit header bytes read as UTF-8, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", "replace")


def _raw_headers(msg: Message, name: str) -> list[str]:
    return [value for key, value in getattr(msg, "_headers", []) if str(key).lower() == name.lower()]


def _header_values(msg: Message, name: str) -> list[str]:
    try:
        values = [str(v) for v in (msg.get_all(name) or [])]
    except Exception:
        # The header registry choked (it has had crash bugs on hostile input): decode by hand.
        values = []
        for raw in _raw_headers(msg, name):
            try:
                values.append(str(make_header(decode_header(str(raw)))))
            except Exception:
                values.append(str(raw))
    return [_clean(v) for v in values]


def _header(msg: Message, name: str) -> str:
    values = _header_values(msg, name)
    return values[0].strip() if values else ""


def _addresses(msg: Message, names: tuple[str, ...]) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        for value in _header_values(msg, name):
            try:
                pairs = getaddresses([value])
            except Exception:
                pairs = [("", part) for part in re.split(r"[,\s]+", value)]
            for _, address in pairs:
                address = _recipient(address)
                if address and address not in found:
                    found.append(address)
    return tuple(found)


def _recipient(address: str) -> str | None:
    # The domain is case-insensitive; the local part is kept as written because it carries
    # the case-sensitive signed token of a reply address.
    local, at, domain = address.strip().strip("<>").rpartition("@")
    return f"{local}@{domain.lower()}" if at and local and domain else None


def _sender(msg: Message, problems: list[str]) -> tuple[str, str | None]:
    values = _header_values(msg, "From")
    if not values:
        problems.append("missing From")
        return "", None
    try:
        pairs = [(n, a) for n, a in getaddresses(values) if a]
    except Exception:
        pairs = []
    if not pairs or "@" not in pairs[0][1]:
        problems.append("From has no usable address")
        return "", None
    if len(pairs) > 1:
        problems.append("From names more than one address: the first is used")
    name, address = pairs[0]
    return " ".join(name.split()), address.strip().lower()


def _date(msg: Message, problems: list[str]) -> datetime | None:
    value = _header(msg, "Date")
    if not value:
        problems.append("missing Date")
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:
        parsed = None
    if parsed is None:
        problems.append("unparseable Date")
        return None
    # RFC 5322 "-0000" means the zone is unknown; treat as UTC rather than a naive datetime.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _collect_defects(msg: Message, problems: list[str]) -> None:
    try:
        parts = list(msg.walk())
    except Exception:
        parts = [msg]
    for part in parts:
        for defect in getattr(part, "defects", []) or []:
            problems.append(f"defect: {type(defect).__name__}")


# -- bodies ----------------------------------------------------------------------------------

def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; a wrong or unknown one falls back instead of raising."""
    declared = _known_codec(charset)
    if declared and declared not in {"ascii", "utf-8"}:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    # Mislabelled mail is mostly UTF-8 sent as us-ascii/latin-1, or cp1252 sent as anything.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return data.decode(declared if declared and declared not in {"ascii", "utf-8"} else "windows-1252", "replace")


def _known_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    # iso-8859-1 mail is nearly always cp1252 in practice (curly quotes in 0x80-0x9f).
    name = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252", "latin1": "windows-1252",
            "iso-8859-8-i": "iso-8859-8", "ks_c_5601-1987": "euc-kr", "gb2312": "gb18030",
            "gbk": "gb18030", "x-sjis": "shift_jis"}.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    # Python also "decodes" with codecs that are no charset (unicode_escape interprets
    # backslashes, idna and punycode are for host names, rot13/base64 are not text codecs).
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined", "unicode-internal"})


def _payload_bytes(part: Message) -> bytes:
    try:
        if part.is_multipart() or part.get_content_maintype() == "message":
            payload = part.get_payload()
            if isinstance(payload, list):
                return b"".join(p.as_bytes() if isinstance(p, Message) else bytes(str(p), "utf-8", "replace") for p in payload)
        data = part.get_payload(decode=True)
        if data is None:
            data = str(part.get_payload()).encode("utf-8", "surrogateescape")
        return data
    except Exception:
        try:
            return str(part.get_payload()).encode("utf-8", "replace")
        except Exception:
            return b""


def _part_text(part: Message) -> str:
    try:
        charset = part.get_content_charset()
        flowed = str(part.get_param("format") or "").lower() == "flowed"
        delsp = str(part.get_param("delsp") or "").lower() == "yes"
    except Exception:
        charset, flowed, delsp = None, False, False
    text = decode_text(_payload_bytes(part), charset).replace("\r\n", "\n").replace("\r", "\n")
    return unflow(text, delsp=delsp) if flowed else text


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join RFC 3676 format=flowed soft line breaks, keeping quote depth and the sig separator."""
    out: list[str] = []
    joining = False
    previous_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing (section 4.4)
        if joining and depth == previous_depth and out:
            out[-1] += body
        else:
            out.append((">" * depth + " " if depth else "") + body)
        # A line ending in a space continues on the next, except the "-- " signature line.
        joining = body.endswith(" ") and body != "-- "
        if joining and delsp:
            out[-1] = out[-1][:-1]
        previous_depth = depth
    return "\n".join(out)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return _clean(" ".join(str(name).split())) if name else None


def _is_attachment(part: Message) -> bool:
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    return disposition == "attachment" or _filename(part) is not None


def _leaves(part: Message, problems: list[str], depth: int = 0):
    """Leaf parts in order, not descending into attached messages (their text is not the reply)."""
    if depth > 50:
        problems.append("MIME nesting deeper than 50 levels: the rest is skipped")
        return
    try:
        maintype = part.get_content_maintype()
        payload = part.get_payload() if part.is_multipart() else None
    except Exception:
        yield part
        return
    if maintype == "multipart" and isinstance(payload, list):
        for child in payload:
            if isinstance(child, Message):
                yield from _leaves(child, problems, depth + 1)
    else:
        yield part


def _bodies(msg: Message, problems: list[str]) -> tuple[str, str | None, tuple[Attachment, ...]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaves(msg, problems):
        try:
            content_type = part.get_content_type()
        except Exception:
            content_type = "application/octet-stream"
        if content_type in {"text/plain", "text/html"} and not _is_attachment(part):
            (plain if content_type == "text/plain" else html).append(_part_text(part))
            continue
        payload = _payload_bytes(part)
        attachments.append(Attachment(_filename(part), content_type, len(payload), payload))
    html_text = "\n".join(html) if html else None
    text = "\n".join(t.strip("\n") for t in plain if t.strip())
    if not text.strip() and html_text:
        text = html_to_text(html_text)
    return text, html_text, tuple(attachments)
