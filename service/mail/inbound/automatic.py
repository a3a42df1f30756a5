"""Mail written by machines (auto-replies, bounces, lists): recorded, never forwarded, never answered.

Answering or forwarding such mail is how mail loops start (RFC 3834 section 2), and a patient
must never receive a surgeon's out-of-office notice as if it were the surgeon's answer.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message
from email.utils import getaddresses

# Subjects that Exchange, Gmail, Apple and others put on vacation notices. Anchored at the
# start so that "Re: question about being out of office" stays a human reply.
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(?:"
    r"out of (?:the )?office"          # English (Gmail, Thunderbird, many)
    r"|automatic reply"                # Exchange / Outlook
    r"|auto(?:matic)?[- ]?re(?:ply|sponse)"
    r"|on vacation|away from (?:the )?office|vacation reply"
    r"|abwesenheitsnotiz|automatische antwort|abwesend"      # German
    r"|r[ée]ponse automatique|absente? du bureau"            # French
    r"|autosvar|frånvaro"                                    # Swedish, Norwegian, Danish
    r"|respuesta autom[áa]tica|fuera de la oficina"          # Spanish
    r"|automatisch antwoord|afwezig"                         # Dutch
    r"|risposta automatica|fuori sede"                       # Italian
    r")",
    re.IGNORECASE,
)
_BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailer_daemon)@", re.IGNORECASE)


def _header(msg: Message, name: str) -> str:
    """A header's value as text; a header that cannot be decoded reads as its raw form."""
    try:
        value = msg.get(name)
    except Exception:
        value = None
        for key, raw in getattr(msg, "_headers", []):
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:
        return ""


def _has(msg: Message, name: str) -> bool:
    try:
        return name in msg
    except Exception:
        return False


def _first_token(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _content_type(msg: Message) -> tuple[str, str]:
    try:
        return msg.get_content_type(), (msg.get_param("report-type") or "")
    except Exception:
        return "", ""


def _is_dsn(msg: Message) -> bool:
    content_type, report_type = _content_type(msg)
    report_type = str(report_type).lower()
    # RFC 3464 delivery status notifications; X-Failed-Recipients is Exim's non-standard bounce.
    return (content_type == "multipart/report" and report_type == "delivery-status") or _has(
        msg, "X-Failed-Recipients"
    )


def _is_read_receipt(msg: Message) -> bool:
    content_type, report_type = _content_type(msg)
    return content_type == "multipart/report" and str(report_type).lower() == "disposition-notification"


def _from_daemon(msg: Message) -> bool:
    try:
        addresses = [addr for _, addr in getaddresses([_header(msg, "From")])]
    except Exception:
        return False
    return any(_BOUNCE_SENDER.match(addr or "") for addr in addresses)


def _out_of_office(msg: Message) -> bool:
    return _OUT_OF_OFFICE_SUBJECT.match(_header(msg, "Subject")) is not None


def _auto_submitted(msg: Message) -> bool:
    value = _first_token(_header(msg, "Auto-Submitted"))
    return value != "" and value != "no"  # RFC 3834 section 5: anything but "no" is automatic


def _auto_reply_headers(msg: Message) -> bool:
    # Non-standard markers set by vacation programs, cPanel, Exchange and others.
    if _has(msg, "X-Autoreply") or _has(msg, "X-Autorespond") or _has(msg, "X-Autoresponder"):
        value = (_header(msg, "X-Autoreply") or _header(msg, "X-Autorespond")).lower()
        return value not in {"no", "false", "0"}
    # Exchange: "X-Auto-Response-Suppress: OOF, AutoReply" on its own generated mail, and a
    # loop marker on mail that an inbox rule (auto-forward, auto-reply) produced.
    suppress = _header(msg, "X-Auto-Response-Suppress").lower()
    return "oof" in suppress or "autoreply" in suppress or _has(msg, "X-MS-Exchange-Inbox-Rules-Loop")


def _precedence(msg: Message) -> str:
    return _first_token(_header(msg, "Precedence"))


def _null_return_path(msg: Message) -> bool:
    # RFC 5321 section 4.5.5: notifications are sent with an empty envelope sender, which
    # the final MTA records as "Return-Path: <>".
    return _has(msg, "Return-Path") and _header(msg, "Return-Path").replace(" ", "") in {"<>", ""}


# Checked in order; the first match names the reason. Bounces come first because a DSN may
# also carry Auto-Submitted; out-of-office before generic auto-submitted for a clearer record.
RULES: list[tuple[str, Callable[[Message], bool]]] = [
    ("bounce", _is_dsn),
    ("bounce", _from_daemon),
    ("read-receipt", _is_read_receipt),
    ("out-of-office", _out_of_office),
    ("auto-submitted", _auto_submitted),
    ("auto-reply", _auto_reply_headers),
    ("bulk", lambda msg: _precedence(msg) in {"bulk", "junk"}),
    ("list", lambda msg: _precedence(msg) == "list" or _has(msg, "List-Id") or _has(msg, "List-Unsubscribe")),
    ("bounce", _null_return_path),
]

REASONS = frozenset(reason for reason, _ in RULES)


def classify_automatic(msg: Message) -> str | None:
    """The reason a message was written by a machine ("bounce", "out-of-office", ...), or None."""
    for reason, rule in RULES:
        try:
            if rule(msg):
                return reason
        except Exception:  # a malformed header never makes a machine's mail look human
            continue
    return None
