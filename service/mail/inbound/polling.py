"""The IMAP side of inbound mail: store each new message of the reply mailbox, then mark it.

Order per message: store raw + commit, dispatch processing, then flag it on the server. A
crash between commit and flag means the message is fetched again next time and found to be
a duplicate by Message-ID; a crash before the commit means it was never taken. Either way
each reply is processed once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from service.mail.inbound.imap import MailboxError, ReplyMailbox
from service.mail.inbound.models import Source
from service.mail.inbound.store import store_raw
from service.tickets.outbox import dispatch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    stored: int = 0
    duplicates: int = 0
    error: str | None = None


def poll_reply_mailbox(mailbox: ReplyMailbox | None = None) -> PollResult:
    """One poll of the reply mailbox; connection trouble is logged and left to the next beat."""
    mailbox = mailbox or ReplyMailbox.from_config(current_app.config)
    if mailbox is None:
        return PollResult()
    stored = duplicates = 0
    try:
        with mailbox:
            for fetched in mailbox.unprocessed():
                result = store_raw(fetched.raw, Source.IMAP)  # commits
                if result.duplicate:
                    duplicates += 1
                else:
                    stored += 1
                    dispatch(result.event_ids)
                mailbox.mark_processed(fetched)
    except MailboxError as exc:
        # The error names host and user, never message content.
        log.warning("reply mailbox poll failed (%s): %s", type(exc).__name__, exc)
        return PollResult(stored, duplicates, type(exc).__name__)
    return PollResult(stored, duplicates)
