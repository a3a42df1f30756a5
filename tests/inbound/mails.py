"""Replies as real clients write them, built from the email we actually sent."""
from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

ANSWER = ("Yes, a discectomy can help when the leg pain has lasted more than six weeks.\n"
          "Please bring your MRI to the clinic so we can decide together.")


def gmail_reply(*, sent_to: str, sent_from: str, subject: str, in_reply_to: str | None, reply_to: str | None,
                answer: str = ANSWER, quoted: str = "Would a discectomy help?", message_id: str | None = None,
                extra_headers: dict[str, str] | None = None) -> bytes:
    """A Gmail top-posted reply: answer, `-- ` signature, attribution and `>`-quoted history."""
    message = EmailMessage()
    message["From"] = sent_from
    if reply_to:
        message["To"] = reply_to
    else:
        message["To"] = "Neurodesk Clinic <clinic@neurodesk.localhost>"
    message["Subject"] = f"Re: {subject}"
    message["Date"] = format_datetime(datetime(2026, 3, 3, 11, 14, tzinfo=timezone.utc))
    message["Message-ID"] = message_id or make_msgid(idstring=uuid.uuid4().hex, domain="mail.gmail.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (extra_headers or {}).items():
        message[name] = value
    quoted_lines = "\n".join(f"> {line}" for line in quoted.splitlines())
    body = (f"{answer}\n\n-- \nDr Sam Spine\nConsultant Neurosurgeon\n+44 20 7946 0000\n\n"
            f"On Tue, 3 Mar 2026 at 10:02, {sent_to} wrote:\n\n{quoted_lines}\n")
    message.set_content(body)
    return message.as_bytes()


def reply_to_row(row, *, sent_from: str, **kw) -> bytes:
    """A reply to an OutboundEmail row, using its Reply-To, Message-ID and subject."""
    return gmail_reply(sent_to="Neurodesk Clinic <clinic@neurodesk.localhost>", sent_from=sent_from,
                       subject=row.subject, in_reply_to=row.message_id,
                       reply_to=kw.pop("reply_to", row.headers.get("Reply-To")), **kw)
