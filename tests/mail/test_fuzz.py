"""Property tests: no input, however broken, makes parsing or cleaning raise.

Inbound mail is attacker-controlled. An exception here would drop a surgeon's reply (or
crash the webhook into a 500), so the parser's promise is total: bytes in, InboundEmail out.
"""
from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.mail.inbound import InboundEmail, clean_reply, parse_inbound

MANY = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CHARSETS = st.sampled_from([
    "utf-8", "us-ascii", "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "iso-2022-jp", "gb2312", "big5",
    "utf-16", "utf-7", "x-unknown", "", "utf-8\"", "'", "iso-8859-8-i", "unicode-1-1-utf-7", "idna", "rot13", "hex",
    "base64", "zlib", "uu", "quopri", "punycode", "raw_unicode_escape", "unicode_escape", "mbcs",
])
ENCODINGS = st.sampled_from(["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "uuencode", "bogus", ""])
HEADER_NAMES = st.sampled_from([
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To", "Sender",
    "Delivered-To", "X-Original-To", "Envelope-To", "Return-Path", "Auto-Submitted", "Precedence", "List-Id",
    "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version", "X-Autoreply",
    "X-Auto-Response-Suppress", "Resent-From", "Comments",
])
HEADER_VALUES = st.one_of(
    st.text(max_size=80).map(lambda s: s.replace("\r", " ").replace("\n", " ")),
    st.sampled_from([
        "<a@b>", "<>", "\"unterminated <a@b", "=?utf-8?b?////?=", "=?x-bad?q?=ff=fe?=", "=?utf-8?q?=E2=82?=",
        "a@b, c@d, (comment) <e@f>", "reply+Tok_1.x-y@reply.localhost", "Name <reply+T@reply.localhost>",
        "multipart/mixed; boundary=", "multipart/report; report-type=delivery-status", "text/plain; charset=",
        "attachment; filename*=utf-8''%FF%FE", "attachment; filename*0*=x''a; filename*1=b",
        "Tue, 31 Feb 2026 25:61:61 +9999", "Mon, 1 Jan 0000 00:00:00 -0000", "auto-replied", "bulk",
        ":::", "@", "<<<>>>", "\t", "\x00", "\udcff",
    ]),
)
BODY_TEXT = st.text(max_size=300)


def check(email: InboundEmail, raw: bytes) -> None:
    assert isinstance(email, InboundEmail)
    assert email.message_id.startswith("<") and email.message_id.endswith(">")
    assert isinstance(email.text, str) and isinstance(email.problems, tuple)
    assert email.size == len(raw)
    for token in email.reply_tokens:
        assert token and all(c.isalnum() or c in "._-" for c in token)
    clean_reply(email.text)


@MANY
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes):
    check(parse_inbound(raw, reply_domain="reply.localhost"), raw)


@st.composite
def near_valid_mime(draw) -> bytes:
    boundary = draw(st.sampled_from(["b1", "=_x", "", "a b", "--", "\u00e9", "x" * 80]))
    headers = [f"{draw(HEADER_NAMES)}: {draw(HEADER_VALUES)}" for _ in range(draw(st.integers(0, 8)))]
    top = [f"Content-Type: multipart/{draw(st.sampled_from(['mixed', 'alternative', 'related', 'report', 'x']))}; "
           f"boundary=\"{boundary}\""]
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        charset, encoding = draw(CHARSETS), draw(ENCODINGS)
        ctype = draw(st.sampled_from([
            "text/plain", "text/plain; format=flowed; delsp=yes", "text/html", "application/pdf", "message/rfc822",
            "message/delivery-status", "multipart/alternative", "image/png", "text/x",
        ]))
        body = draw(BODY_TEXT)
        if encoding == "base64":
            data = base64.b64encode(body.encode("utf-8", "surrogatepass"))
            data = data[: draw(st.integers(0, len(data)))]  # truncated base64
        else:
            data = body.encode("utf-8", "surrogatepass")
        disposition = draw(st.sampled_from(["", "Content-Disposition: attachment; filename=x.txt\r\n",
                                            "Content-Disposition: inline\r\n"]))
        parts.append(f"Content-Type: {ctype}; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n"
                     f"{disposition}\r\n".encode("utf-8", "surrogatepass") + data)
    close = draw(st.sampled_from([f"--{boundary}--", f"--{boundary}", "", "--wrong--"]))
    head = "\r\n".join(headers + top).encode("utf-8", "surrogatepass")
    sep = f"\r\n--{boundary}\r\n".encode("utf-8", "surrogatepass")
    return head + b"\r\n\r\npreamble" + sep + sep.join(parts) + b"\r\n" + close.encode("utf-8", "surrogatepass")


@MANY
@given(near_valid_mime())
def test_near_valid_mime_never_raises(raw: bytes):
    check(parse_inbound(raw, reply_domain="reply.localhost"), raw)


@SOME
@given(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=12), CHARSETS, ENCODINGS, st.binary(max_size=500))
def test_random_headers_over_a_single_part_never_raise(headers, charset, encoding, body):
    head = "\r\n".join(f"{n}: {v}" for n, v in headers)
    raw = (head + f"\r\nContent-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {encoding}"
           ).encode("utf-8", "surrogatepass") + b"\r\n\r\n" + body
    check(parse_inbound(raw), raw)


@SOME
@given(st.text(max_size=3000))
def test_html_body_of_any_text_never_raises(html: str):
    raw = b"From: a@b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html.encode("utf-8", "surrogatepass")
    check(parse_inbound(raw), raw)


LINES = st.one_of(
    st.text(max_size=120),
    st.sampled_from([
        "> quoted", ">", "-- ", "--", "Sent from my iPhone", "On Tue, 3 Mar 2026 at 10:02, A <a@b> wrote:",
        "On Tue,", "a@b> wrote:", "-----Original Message-----", "_" * 32, "From: A", "Sent: Tuesday", "To: B",
        "Subject: C", "Best regards,", "Thanks", "Am 3. März schrieb A:", "Le 3 mars, A a écrit :", "",
    ]),
)


@MANY
@given(st.lists(LINES, max_size=40))
def test_clean_reply_on_reply_shaped_text_never_raises_or_empties(lines: list[str]):
    text = "\n".join(lines)
    cleaned = clean_reply(text)
    assert isinstance(cleaned, str)
    if text.strip():
        assert cleaned.strip()  # never empty when there was text


@MANY
@given(st.text(max_size=2000))
def test_clean_reply_on_arbitrary_text_never_raises_or_empties(text: str):
    cleaned = clean_reply(text)
    if text.strip():
        assert cleaned.strip()
