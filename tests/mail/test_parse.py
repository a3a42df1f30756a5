"""parse_inbound: addresses, reply tokens, identifiers, charsets and bodies."""
from __future__ import annotations

import dataclasses

import pytest

from service.mail.inbound import MAX_INBOUND_BYTES, parse_inbound
from service.mail.inbound.parse import decode_text, extract_reply_tokens, normalise_message_id

DOMAIN = "reply.localhost"


def message(headers: str, body: bytes = b"Body text.\r\n") -> bytes:
    return headers.strip().replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n" + body


def test_parsed_email_is_immutable():
    email = parse_inbound(message("From: a@b.example\nMessage-ID: <x@y>"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        email.text = "changed"  # type: ignore[misc]


def test_reply_token_keeps_its_case_and_only_the_reply_domain_counts():
    email = parse_inbound(message("""
From: Dr A <a@clinic.example>
To: "Clinic" <reply+AbC.12_x-Y@Reply.Localhost>, other@clinic.example
Cc: reply+Forged@attacker.example
"""), reply_domain=DOMAIN)
    assert email.reply_tokens == ("AbC.12_x-Y",)
    assert "reply+AbC.12_x-Y@reply.localhost" in email.to


@pytest.mark.parametrize("header", ["Delivered-To", "X-Original-To", "Envelope-To"])
def test_reply_address_is_found_in_envelope_headers(header: str):
    email = parse_inbound(message(f"From: a@clinic.example\nTo: desk@clinic.example\n{header}: reply+tok@reply.localhost"),
                          reply_domain=DOMAIN)
    assert email.reply_tokens == ("tok",)
    assert "reply+tok@reply.localhost" in email.recipients


def test_token_with_characters_outside_the_agreed_charset_is_not_a_token():
    assert extract_reply_tokens(["reply+a/b@reply.localhost", "reply+@reply.localhost",
                                 "reply+ok@reply.localhost.evil.example"], DOMAIN) == ()


def test_without_a_domain_tokens_from_any_domain_are_returned():
    assert extract_reply_tokens(["reply+one@a.example", "reply+two@b.example"], None) == ("one", "two")


def test_sender_address_is_lowercased_and_name_kept():
    email = parse_inbound(message('From: "Meyer, Anna" <Anna.Meyer@Clinic.EXAMPLE>'))
    assert (email.from_name, email.from_address) == ("Meyer, Anna", "anna.meyer@clinic.example")


def test_several_from_addresses_use_the_first_and_say_so():
    email = parse_inbound(message("From: a@clinic.example, b@clinic.example"))
    assert email.from_address == "a@clinic.example"
    assert any("more than one" in p for p in email.problems)


@pytest.mark.parametrize("raw, expected", [
    ("<abc@host>", "<abc@host>"),
    ("  <abc@host>  (comment)", "<abc@host>"),
    ("abc@host", "<abc@host>"),
    ("", None),
    ("<>", None),
])
def test_message_id_is_normalised_to_angle_brackets(raw: str, expected: str | None):
    assert normalise_message_id(raw) == expected


def test_references_keep_order_without_repeats():
    email = parse_inbound(message("From: a@b.example\nReferences: <1@x> <2@x>\n <1@x>\nIn-Reply-To: <2@x> (sent)"))
    assert email.references == ("<1@x>", "<2@x>")
    assert email.in_reply_to == "<2@x>"


def test_message_without_message_id_gets_a_stable_synthetic_one():
    raw = message("From: a@b.example")
    first, second = parse_inbound(raw), parse_inbound(raw)
    assert first.message_id == second.message_id
    assert first.message_id != parse_inbound(raw + b"x").message_id


@pytest.mark.parametrize("charset, text", [
    ("iso-8859-1", "Grüße, café"),
    ("windows-1252", "It\u2019s \u201cfine\u201d \u2013 really"),
    ("koi8-r", "Шов зажил"),
    ("shift_jis", "経過は良好です"),
])
def test_body_in_legacy_charsets_is_decoded(charset: str, text: str):
    raw = message(f"From: a@b.example\nContent-Type: text/plain; charset={charset}", text.encode(charset))
    assert parse_inbound(raw).text.strip() == text


def test_iso_8859_1_label_on_windows_1252_bytes_keeps_curly_quotes():
    # Outlook labels cp1252 text as iso-8859-1; 0x92 is a right single quote there.
    assert decode_text(b"It\x92s", "iso-8859-1") == "It\u2019s"


def test_unknown_charset_falls_back_without_raising():
    assert decode_text("naïve".encode("utf-8"), "x-nonsense") == "naïve"
    assert decode_text(b"caf\xe9", "x-nonsense") == "café"
    assert decode_text(b"\xff\xfe\xfa", None)  # something, never an exception


def test_quoted_printable_and_base64_bodies_are_decoded():
    qp = message("From: a@b.example\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
                 b"Gr=C3=BC=C3=9Fe, soft=\r\nbreak")
    b64 = message("From: a@b.example\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64",
                  b"R3LDvMOfZQ==")
    assert parse_inbound(qp).text == "Grüße, softbreak"
    assert parse_inbound(b64).text == "Grüße"


def test_html_only_mail_becomes_text_with_line_breaks_and_quotes_marked():
    html = (b"<html><head><style>p{color:red}</style><script>x()</script></head><body>"
            b"<p>First paragraph.</p><div>Line one<br>Line two</div>"
            b"<blockquote>Quoted <b>question</b><blockquote>older</blockquote></blockquote></body></html>")
    email = parse_inbound(message("From: a@b.example\nContent-Type: text/html; charset=utf-8", html))
    assert email.text == "First paragraph.\n\nLine one\nLine two\n\n> Quoted question\n\n> > older"
    assert email.html is not None and "<blockquote>" in email.html


def test_text_part_is_preferred_over_html_in_alternative():
    raw = message('From: a@b.example\nContent-Type: multipart/alternative; boundary="b"', (
        b"--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b--\r\n"))
    email = parse_inbound(raw)
    assert email.text == "plain words"
    assert email.attachments == ()


def test_text_attachment_is_an_attachment_not_body():
    raw = message('From: a@b.example\nContent-Type: multipart/mixed; boundary="b"', (
        b"--b\r\nContent-Type: text/plain\r\n\r\nthe answer\r\n"
        b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nnotes\r\n--b--\r\n"))
    email = parse_inbound(raw)
    assert email.text == "the answer"
    assert [(a.filename, a.payload) for a in email.attachments] == [("notes.txt", b"notes")]


def test_forwarded_message_text_is_not_mistaken_for_the_reply():
    raw = message('From: a@b.example\nContent-Type: multipart/mixed; boundary="b"', (
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y\r\nSubject: old\r\n\r\nold text\r\n--b--\r\n"))
    email = parse_inbound(raw)
    assert email.text == "see below"
    assert email.attachments[0].content_type == "message/rfc822"
    assert b"old text" in email.attachments[0].payload


def test_date_without_zone_is_utc_and_garbage_is_a_problem():
    assert parse_inbound(message("From: a@b.example\nDate: Tue, 3 Mar 2026 10:02:00 -0000")).date.tzinfo is not None
    assert "unparseable Date" in parse_inbound(message("From: a@b.example\nDate: someday")).problems


def test_oversized_message_is_read_for_headers_only():
    raw = message("From: a@b.example\nMessage-ID: <big@x>\nSubject: huge", b"x" * (MAX_INBOUND_BYTES + 1))
    email = parse_inbound(raw)
    assert email.message_id == "<big@x>" and email.subject == "huge"
    assert email.text == "" and email.size == len(raw)
    assert any("more than" in p for p in email.problems)


@pytest.mark.parametrize("raw", [b"", b"\x00\xff" * 50, b"\r\n\r\n", b"From:\r\n\r\n", b"--\r\n", "not bytes"])
def test_garbage_never_raises(raw):
    email = parse_inbound(raw)  # type: ignore[arg-type]
    assert email.message_id.startswith("<")


def test_format_flowed_soft_breaks_are_joined():
    body = (b"Yes, gentle swimming is fine from \r\nnow on.\r\n\r\n> Can I swim \r\n> again?\r\n"
            b" From the second week on, yes.\r\n-- \r\nDr A\r\n")
    raw = message("From: a@b.example\nContent-Type: text/plain; charset=utf-8; format=flowed", body)
    assert parse_inbound(raw).text == (
        "Yes, gentle swimming is fine from now on.\n\n> Can I swim again?\nFrom the second week on, yes.\n-- \nDr A")


def test_format_flowed_delsp_removes_the_joining_space():
    raw = message("From: a@b.example\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes",
                  "終わり \r\nです\r\n".encode())
    assert parse_inbound(raw).text == "終わりです"
