"""Signed reply addresses: `reply+TOKEN@INBOUND_EMAIL_DOMAIN` names a ticket and its recipient unforgeably.

The token is lowercase base32/base36 only, because some MTAs lowercase the local part and
RFC 5321 lets them. Layout: `<ticket id base36>-<staff id base36 | "p" for the patient>-<mac>`
where mac is the first 80 bits of HMAC-SHA256(SECRET_KEY-derived key, "ticket:staff"),
base32 lowercased. 80 bits is far beyond what guessing over SMTP can reach.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import formataddr

from flask import current_app

SALT = b"neurodesk.reply-address.v1"
MAC_CHARS = 16  # 16 base32 chars = 80 bits
_LOCAL = re.compile(r"^reply\+([0-9a-z]{1,13})-([0-9a-z]{1,13}|p)-([a-z2-7]{16})$")


@dataclass(frozen=True)
class ReplyToken:
    ticket_id: int
    staff_id: int | None  # None: the patient's own reply address


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _mac(ticket_id: int, staff_id: int | None) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), SALT, hashlib.sha256).digest()
    message = f"{ticket_id}:{'p' if staff_id is None else staff_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:MAC_CHARS]


def reply_token(ticket_id: int, staff_id: int | None) -> str:
    who = "p" if staff_id is None else _b36(staff_id)
    return f"{_b36(ticket_id)}-{who}-{_mac(ticket_id, staff_id)}"


def reply_address_for(ticket_id: int, staff_id: int | None) -> str:
    return f"reply+{reply_token(ticket_id, staff_id)}@{current_app.config['INBOUND_EMAIL_DOMAIN']}"


def parse_reply_address(address: str) -> ReplyToken | None:
    """The ticket and recipient named by a reply address, or None if it is not ours or is forged."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != current_app.config["INBOUND_EMAIL_DOMAIN"].lower():
        return None
    match = _LOCAL.match(local.lower())
    if not match:
        return None
    ticket_id = int(match.group(1), 36)
    staff_id = None if match.group(2) == "p" else int(match.group(2), 36)
    if not hmac.compare_digest(match.group(3), _mac(ticket_id, staff_id)):
        return None
    return ReplyToken(ticket_id, staff_id)


def mailbox(name: str, email: str) -> str:
    """`Name <addr>` with the display name encoded, never a header-injection vector."""
    # Address() refuses CR/LF and other illegal characters in either part.
    address = Address(display_name=" ".join(name.split()), addr_spec=email)
    return formataddr((address.display_name, address.addr_spec))


def message_id(reference: str, event: str) -> str:
    """Stable Message-ID: the same email always carries the same id, so a resend is recognisable."""
    domain = current_app.config["INBOUND_EMAIL_DOMAIN"]
    return f"<{reference.lower()}.{event}@{domain}>"
