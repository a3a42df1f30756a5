"""Polling the reply mailbox against a real Dovecot server."""
from __future__ import annotations

import socket
import threading

import pytest

from service.mail.inbound.imap import (
    PROCESSED_KEYWORD, MailboxRefused, MailboxUnavailable, ReplyMailbox,
)
from tests.mail.imap_server import ImapAccount, free_port


def reply(n: int, message_id: str | None = None) -> bytes:
    mid = message_id or f"<reply-{n}@clinic.example>"
    return (f"From: Dr A <a@clinic.example>\r\nTo: reply+tok{n}@reply.localhost\r\n"
            f"Subject: Re: [Q-7K2M-9XQ4] question\r\nMessage-ID: {mid}\r\n"
            f"Date: Tue, 3 Mar 2026 10:0{n % 10}:00 +0100\r\n\r\nAnswer {n}.\r\n").encode()


def mailbox(account: ImapAccount, **options) -> ReplyMailbox:
    return ReplyMailbox(account.host, account.port, account.user, account.password, use_ssl=False, **options)


def poll(account: ImapAccount, **options) -> list[bytes]:
    """One poll as the worker runs it: store each message, then confirm it."""
    stored = []
    with mailbox(account, **options) as box:
        for message in box.unprocessed():
            stored.append(message.raw)
            box.mark_processed(message)
    return stored


def test_poller_fetches_new_messages_oldest_first(imap_account: ImapAccount):
    imap_account.append(reply(1))
    imap_account.append(reply(2))
    fetched = poll(imap_account)
    assert [b"Answer 1." in raw for raw in fetched] == [True, False]
    assert b"Answer 2." in fetched[1]


def test_second_poll_fetches_nothing(imap_account: ImapAccount):
    imap_account.append(reply(1))
    assert len(poll(imap_account)) == 1
    assert poll(imap_account) == []


def test_message_appended_between_polls_is_fetched(imap_account: ImapAccount):
    imap_account.append(reply(1))
    assert len(poll(imap_account)) == 1
    imap_account.append(reply(2))
    fetched = poll(imap_account)
    assert len(fetched) == 1 and b"Answer 2." in fetched[0]


def test_processed_messages_are_flagged_seen_and_keyword(imap_account: ImapAccount):
    uid = imap_account.append(reply(1))
    poll(imap_account)
    assert {"\\Seen", PROCESSED_KEYWORD} <= imap_account.flags()[uid]


def test_fetching_alone_does_not_mark_a_message(imap_account: ImapAccount):
    uid = imap_account.append(reply(1))
    with mailbox(imap_account) as box:
        fetched = list(box.unprocessed())  # storage failed: the caller never confirms
    assert [m.uid for m in fetched] == [uid]
    assert "\\Seen" not in imap_account.flags()[uid]
    assert len(poll(imap_account)) == 1  # so the next poll gets it again


def test_message_read_by_a_person_is_still_fetched(imap_account: ImapAccount):
    imap_account.append(reply(1), flags="\\Seen")
    assert len(poll(imap_account)) == 1


def test_processed_messages_can_be_moved_to_a_folder(imap_account: ImapAccount):
    imap_account.append(reply(1))
    imap_account.append(reply(2))
    assert len(poll(imap_account, processed_folder="Neurodesk Processed")) == 2
    assert imap_account.flags("INBOX") == {}
    moved = imap_account.flags("Neurodesk Processed")
    assert len(moved) == 2 and all(PROCESSED_KEYWORD in flags for flags in moved.values())
    assert poll(imap_account, processed_folder="Neurodesk Processed") == []


def test_second_copy_of_a_message_id_is_marked_without_being_yielded(imap_account: ImapAccount):
    first = imap_account.append(reply(1))
    second = imap_account.append(reply(1))  # the same reply delivered twice
    assert len(poll(imap_account)) == 1
    flags = imap_account.flags()
    assert PROCESSED_KEYWORD in flags[first] and PROCESSED_KEYWORD in flags[second]


def test_fetched_message_carries_uid_and_normalised_message_id(imap_account: ImapAccount):
    uid = imap_account.append(reply(1, message_id="  <Abc@Clinic.example>  "))
    with mailbox(imap_account) as box:
        (message,) = list(box.unprocessed())
    assert (message.uid, message.message_id, message.truncated) == (uid, "<Abc@Clinic.example>", False)
    assert message.uidvalidity > 0 and message.size == len(message.raw)


def test_message_without_message_id_gets_the_synthetic_id_parse_inbound_gives(imap_account: ImapAccount):
    from service.mail.inbound import parse_inbound

    raw = b"From: a@clinic.example\r\nSubject: no id\r\n\r\nHello.\r\n"
    imap_account.append(raw)
    with mailbox(imap_account) as box:
        (message,) = list(box.unprocessed())
    assert message.message_id == parse_inbound(message.raw).message_id


def test_oversized_message_is_fetched_as_headers_only(imap_account: ImapAccount):
    imap_account.append(reply(1) + b"x" * 5000)
    with mailbox(imap_account, max_bytes=1000) as box:
        (message,) = list(box.unprocessed())
    assert message.truncated and message.size > 5000
    assert b"Message-ID: <reply-1@clinic.example>" in message.raw and b"xxxx" not in message.raw


def test_batch_size_limits_one_poll(imap_account: ImapAccount):
    for n in range(5):
        imap_account.append(reply(n))
    assert len(poll(imap_account, batch_size=2)) == 2
    assert len(poll(imap_account, batch_size=10)) == 3


def test_connection_error_raises_a_retryable_error():
    port = free_port()  # nothing listens here
    with pytest.raises(MailboxUnavailable) as caught:
        ReplyMailbox("127.0.0.1", port, "u", "p", use_ssl=False, timeout=2).connect()
    assert caught.value.retryable


def test_server_that_never_greets_raises_a_retryable_error():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        # The kernel completes the handshake; nobody ever sends the IMAP greeting.
        box = ReplyMailbox("127.0.0.1", listener.getsockname()[1], "u", "p", use_ssl=False, timeout=0.5)
        with pytest.raises(MailboxUnavailable):
            box.connect()


def test_server_that_hangs_up_raises_a_retryable_error():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def greet_and_hang_up() -> None:
            conn, _ = listener.accept()
            conn.sendall(b"* OK IMAP ready\r\n")
            conn.recv(1024)  # the client's first command
            conn.close()

        server = threading.Thread(target=greet_and_hang_up, daemon=True)
        server.start()
        box = ReplyMailbox("127.0.0.1", listener.getsockname()[1], "u", "p", use_ssl=False, timeout=5)
        with pytest.raises(MailboxUnavailable):
            box.connect()
        server.join(timeout=5)


def test_dropped_connection_during_a_poll_raises_a_retryable_error(imap_account: ImapAccount):
    imap_account.append(reply(1))
    with mailbox(imap_account) as box:
        box._conn.shutdown()  # the network goes away between polls  # noqa: SLF001
        with pytest.raises(MailboxUnavailable):
            list(box.unprocessed())
    assert len(poll(imap_account)) == 1  # and the message is still there for the retry


def test_wrong_password_is_refused_and_not_retryable(imap_account: ImapAccount):
    box = ReplyMailbox(imap_account.host, imap_account.port, imap_account.user, "wrong", use_ssl=False, timeout=10)
    with pytest.raises(MailboxRefused) as caught:
        box.connect()
    assert not caught.value.retryable


def test_missing_folder_is_refused(imap_account: ImapAccount):
    with pytest.raises(MailboxRefused):
        mailbox(imap_account, folder="Does Not Exist").connect()


def test_config_without_imap_host_means_no_polling():
    assert ReplyMailbox.from_config({"IMAP_HOST": None}) is None
    box = ReplyMailbox.from_config({"IMAP_HOST": "imap.example", "IMAP_PORT": 993, "IMAP_USER": "u",
                                    "IMAP_PASSWORD": "p", "IMAP_FOLDER": "Replies", "IMAP_USE_SSL": True})
    assert box is not None and (box.host, box.folder, box.use_ssl) == ("imap.example", "Replies", True)
