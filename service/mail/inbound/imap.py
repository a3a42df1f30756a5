"""Polling the reply mailbox over IMAP: fetch what is new, mark it only once it is stored.

A message is never marked before the caller says it is safely stored, so a crash between
fetch and commit means it is fetched again, never lost; the caller's store is idempotent by
Message-ID, and this module also skips a second copy of a Message-ID it has already seen
confirmed in the same session. "New" is the absence of our own keyword, not the absence of
\\Seen, so a person reading the mailbox in a mail client does not hide replies from us.
"""
from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from types import TracebackType
from typing import Any

from service.mail.inbound.parse import MAX_INBOUND_BYTES, normalise_message_id, synthetic_message_id

PROCESSED_KEYWORD = "$Neurodesk"


class MailboxError(Exception):
    """The reply mailbox could not be polled."""

    retryable = False


class MailboxUnavailable(MailboxError):
    """Network trouble, a timeout or a server that went away: try again later."""

    retryable = True


class MailboxRefused(MailboxError):
    """The server refused us (login, missing folder): retrying will not help until config changes."""


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    uidvalidity: int
    message_id: str
    size: int
    raw: bytes = field(repr=False)
    truncated: bool = False  # larger than max_bytes: raw holds the header block only


_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


def _quote(mailbox: str) -> str:
    """An IMAP quoted string (RFC 3501 section 4.3); imaplib sends arguments verbatim."""
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message_id(raw: bytes) -> str:
    try:
        value = BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Message-ID")
        found = normalise_message_id(str(value)) if value else None
    except Exception:
        found = None
    return found or synthetic_message_id(raw)


class ReplyMailbox:
    """One session with the reply mailbox; use as a context manager."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        *,
        folder: str = "INBOX",
        use_ssl: bool = True,
        processed_folder: str | None = None,
        max_bytes: int = MAX_INBOUND_BYTES,
        batch_size: int = 100,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.user, self._password = host, port, user, password
        self.folder = folder
        self.use_ssl = use_ssl
        self.processed_folder = processed_folder
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._conn: imaplib.IMAP4 | None = None
        self._uidvalidity = 0
        self._keywords = False
        self._confirmed: set[str] = set()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **options: Any) -> ReplyMailbox | None:
        """The mailbox named by IMAP_* settings; None when polling is not configured."""
        if not config.get("IMAP_HOST"):
            return None
        return cls(
            config["IMAP_HOST"], int(config.get("IMAP_PORT") or 993), config.get("IMAP_USER") or "",
            config.get("IMAP_PASSWORD") or "", folder=config.get("IMAP_FOLDER") or "INBOX",
            use_ssl=bool(config.get("IMAP_USE_SSL", True)), **options,
        )

    # -- session ---------------------------------------------------------------------------

    def __enter__(self) -> ReplyMailbox:
        self.connect()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def connect(self) -> None:
        try:
            if self.use_ssl:
                context = self.ssl_context or ssl.create_default_context()
                self._conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=self.timeout)
            else:
                self._conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            raise MailboxUnavailable(f"cannot reach IMAP server {self.host}:{self.port}: {exc}") from exc
        try:
            self._conn.login(self.user, self._password)
        except imaplib.IMAP4.abort as exc:
            raise MailboxUnavailable(f"IMAP server closed the connection at login: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            self.close()
            # RFC 5530 response codes: UNAVAILABLE is temporary, AUTHENTICATIONFAILED is not.
            if "UNAVAILABLE" in str(exc):
                raise MailboxUnavailable(f"IMAP login temporarily unavailable: {exc}") from exc
            raise MailboxRefused(f"IMAP login refused for {self.user}: {exc}") from exc
        except OSError as exc:
            raise MailboxUnavailable(f"IMAP connection failed at login: {exc}") from exc
        # Capabilities grow after login (MOVE, UIDPLUS); imaplib keeps the pre-login list.
        _, data = self._call("capability")
        if data and isinstance(data[-1], bytes):
            self._conn.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
        try:
            self._select()
        except MailboxError:
            self.close()
            raise

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.logout()
        except Exception:  # already gone; nothing to release
            pass

    def _select(self) -> None:
        typ, data = self._call("select", _quote(self.folder))
        if typ != "OK":
            raise MailboxRefused(f"cannot open IMAP folder {self.folder!r}: {data!r}")
        assert self._conn is not None
        validity = self._conn.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
        self._uidvalidity = int(validity or 0)
        # Keywords need "\*" (any new keyword) or ours already in PERMANENTFLAGS (RFC 3501 7.1).
        flags = b" ".join(x for x in self._conn.untagged_responses.get("PERMANENTFLAGS", []) if x)
        self._keywords = b"\\*" in flags or PROCESSED_KEYWORD.encode() in flags

    def _call(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        if self._conn is None:
            raise MailboxUnavailable("not connected to the IMAP server")
        try:
            return getattr(self._conn, command)(*args)
        except imaplib.IMAP4.abort as exc:
            self._conn = None
            raise MailboxUnavailable(f"IMAP connection lost during {command}: {exc}") from exc
        except (OSError, EOFError) as exc:
            self._conn = None
            raise MailboxUnavailable(f"IMAP connection failed during {command}: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            raise MailboxRefused(f"IMAP server rejected {command}: {exc}") from exc

    def _uid(self, command: str, *args: str) -> tuple[str, list[Any]]:
        typ, data = self._call("uid", command, *args)
        if typ != "OK":
            raise MailboxRefused(f"IMAP UID {command} failed: {data!r}")
        return typ, data

    # -- polling ---------------------------------------------------------------------------

    def pending_uids(self) -> list[int]:
        """UIDs not yet marked processed, oldest first, at most one batch."""
        criterion = ("UNKEYWORD", PROCESSED_KEYWORD) if self._keywords else ("UNSEEN",)
        _, data = self._uid("SEARCH", *criterion)
        uids = sorted({int(n) for chunk in data if chunk for n in chunk.split()})
        return uids[: self.batch_size]

    def unprocessed(self) -> Iterator[FetchedMessage]:
        """Each new message; mark it with `mark_processed` once it is stored, else it comes again."""
        uids = self.pending_uids()
        if not uids:
            return
        sizes = self._sizes(uids)
        for uid in uids:
            if uid not in sizes:
                continue  # expunged since the search
            size = sizes[uid]
            truncated = size > self.max_bytes
            raw = self._fetch(uid, "BODY.PEEK[HEADER]" if truncated else "BODY.PEEK[]")
            if raw is None:
                continue
            message = FetchedMessage(uid, self._uidvalidity, _message_id(raw), size, raw, truncated)
            if message.message_id in self._confirmed:
                self.mark_processed(message)  # a second copy of a reply already stored
                continue
            yield message

    def _sizes(self, uids: list[int]) -> dict[int, int]:
        _, data = self._uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
        sizes: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid, size = _UID.search(line), _SIZE.search(line)
            if uid and size:
                sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def _fetch(self, uid: int, item: str) -> bytes | None:
        _, data = self._uid("FETCH", str(uid), f"(UID {item})")
        for part in data:
            # A literal arrives as (b'1 (UID 7 BODY[] {123}', b'<bytes>'); skip unsolicited FLAGS.
            if isinstance(part, tuple) and len(part) == 2:
                match = _UID.search(part[0])
                if match and int(match.group(1)) == uid:
                    return bytes(part[1])
        return None

    def mark_processed(self, message: FetchedMessage) -> None:
        """Flag (and move, when configured) a message whose content the caller has stored."""
        if message.uidvalidity != self._uidvalidity:
            # The server renumbered the folder: this UID may now name another message.
            raise MailboxUnavailable("UIDVALIDITY changed since the message was fetched; poll again")
        flags = f"(\\Seen {PROCESSED_KEYWORD})" if self._keywords else "(\\Seen)"
        self._uid("STORE", str(message.uid), "+FLAGS.SILENT", flags)
        self._confirmed.add(message.message_id)
        if self.processed_folder:
            self._move(message.uid, self.processed_folder)

    def _move(self, uid: int, folder: str) -> None:
        assert self._conn is not None
        # CREATE answers NO when the folder exists; a folder that truly cannot be made shows
        # up as a failed MOVE/COPY below.
        self._call("create", _quote(folder))
        if "MOVE" in self._conn.capabilities:  # RFC 6851
            self._uid("MOVE", str(uid), _quote(folder))
            return
        self._uid("COPY", str(uid), _quote(folder))
        self._uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
        if "UIDPLUS" in self._conn.capabilities:  # expunge only this message (RFC 4315)
            self._uid("EXPUNGE", str(uid))
        else:
            self._call("expunge")
