"""Every sample in tests/mail/corpus, as the clinic would see it after parsing and cleaning.

Each .eml is a realistic message shaped like the client named in its file name writes it.
A new sample needs a row here, so the corpus can never hold mail that nothing checks.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from service.mail.inbound import clean_reply, parse_inbound

CORPUS = Path(__file__).parent / "corpus"
DOMAIN = "reply.localhost"
TOKEN = "TkQ3SzJNOVhRNA.Zk2b1w.h8Kq-2_zP0x"

# file -> the surgeon's words exactly as the patient would receive them
REPLIES: dict[str, str] = {
    "gmail_top_posted.eml": (
        "Hello,\n\nYes, gentle swimming is fine from now on. Avoid butterfly and breaststroke\n"
        "kicks for another six weeks, and stop if the leg pain comes back."
    ),
    "gmail_html_only.eml": "Hello,\n\nThe MRI shows no recurrence.\nWe will see you in June.\n\nAnna",
    "gmail_french.eml": (
        "Bonjour Madame Laurent,\n\nLa raideur de la nuque est fréquente après l'opération. "
        "Continuez les exercices de kinésithérapie."
    ),
    "gmail_dutch.eml": "Beste mevrouw Jansen,\n\nU mag weer fietsen, maar nog niet op een racefiets.",
    "outlook_original_message.eml": (
        "Hi,\n\nThat\u2019s normal at six weeks \u2013 the scar tissue is still remodelling. "
        "Please book a review if it\u2019s worse at night."
    ),
    "outlook_html_only.eml": (
        "Dear Mr Weber,\n\nThe headaches you describe are common after shunt revision. If they wake you at night\n"
        "or come with vomiting, go to the emergency department at once."
    ),
    "outlook_android.eml": (
        "Physiotherapy first, for at least eight weeks. Surgery only if the numbness in\nthe hand gets worse."
    ),
    "apple_iphone.eml": "Yes, you can fly. Wait until the wound has fully closed, usually about two weeks.",
    "apple_mail_mac.eml": "One more thing: take the dressing off before you fly.",
    "apple_spanish.eml": "Puede volver a trabajar en la oficina a partir de la semana que viene, sin cargar peso.",
    "samsung_galaxy.eml": "No driving for six weeks after the fusion, sorry.",
    "thunderbird_interleaved.eml": (
        "Not for the first six weeks; after that, bend your knees and keep her close.\n\n"
        "Usually not. Nerve recovery takes months; we will check it at your review."
    ),
    "thunderbird_german.eml": (
        "Guten Tag Frau Schulz,\n\nbitte warten Sie mit dem Joggen noch vier Wochen. "
        "Radfahren auf dem Ergometer ist ab sofort möglich."
    ),
    "koi8r.eml": "Здравствуйте!\n\nШов зажил хорошо.",
    "shift_jis.eml": "ご質問ありがとうございます。\n手術後の経過は良好です。",
    "unknown_charset.eml": "Café is fine, naïve question.",
    "mislabelled_utf8.eml": "Please continue the pregabalin \u2013 75\u00a0mg twice daily.",
    "attachment_pdf.eml": "The exercise sheet is attached. Start with the first three.",
    "truncated_base64.eml": "Walking is fine, stairs too.",
    "envelope_only_recipient.eml": "Forwarding my answer: yes, swimming is fine.",
    "foreign_reply_domain.eml": "Answer.",
    # The stdlib ends the header block at the first line that is not a header; the rest is body.
    "missing_headers.eml": "this line is not a header\nContent-Type: text/plain\n\nThanks, all clear.",
    "aol_unknown_attribution.eml": (
        "Yes, you can start the walking programme now. Ten minutes twice a day to begin with."
    ),
    "android_russian.eml": "Добрый день!\n\nДа, плавать можно через шесть недель после операции.",
    "windows_mail_russian.eml": "Здравствуйте,\n\nшов заживает хорошо, повязку можно снять.",
    "hotmail_date_first.eml": "Hi,\n\nThe numbness should settle over three months. Let us know if it spreads.",
    "gmail_polish.eml": "Dzień dobry,\n\nmoże Pani wrócić do pracy biurowej od przyszłego tygodnia.",
    "outlook_italian.eml": "Buongiorno,\n\nsì, può guidare dopo sei settimane.",
    "gmail_portuguese.eml": "Olá,\n\npode voltar a nadar daqui a duas semanas.",
}

# file -> why it must never be forwarded or answered
AUTOMATIC: dict[str, str] = {
    "dsn_postfix.eml": "bounce",
    "exchange_out_of_office.eml": "out-of-office",
    "vacation_auto_submitted.eml": "auto-submitted",
    "abwesenheitsnotiz.eml": "out-of-office",
    "reponse_automatique.eml": "out-of-office",
    "mailing_list.eml": "list",
    "precedence_bulk.eml": "bulk",
    "read_receipt.eml": "read-receipt",
}


def load(name: str):
    return parse_inbound((CORPUS / name).read_bytes(), reply_domain=DOMAIN)


def test_every_corpus_sample_has_an_expectation():
    on_disk = {path.name for path in CORPUS.glob("*.eml")}
    assert on_disk == set(REPLIES) | set(AUTOMATIC)
    assert not set(REPLIES) & set(AUTOMATIC)


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_surgeon_reply_is_cleaned_to_the_new_text(name: str):
    email = load(name)
    assert email.automatic is None
    assert clean_reply(email.text) == REPLIES[name]


@pytest.mark.parametrize("name", sorted(AUTOMATIC))
def test_machine_mail_is_recognised(name: str):
    assert load(name).automatic == AUTOMATIC[name]


@pytest.mark.parametrize("name", sorted(set(REPLIES) | set(AUTOMATIC)))
def test_reply_token_is_found_in_every_sample_addressed_to_the_reply_domain(name: str):
    expected = ("OtherToken_1",) if name == "foreign_reply_domain.eml" else (TOKEN,)
    assert load(name).reply_tokens == expected


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_quoted_patient_question_never_survives_cleaning(name: str):
    # The notification quotes the patient's question; it must not be mailed back to them.
    cleaned = clean_reply(load(name).text)
    for marker in ("assigned to you", "zugewiesen", "attribuée", "toegewezen", "asignado", "wrote:", "Sent:"):
        assert marker not in cleaned


def test_gmail_reply_keeps_html_alongside_text():
    email = load("gmail_top_posted.eml")
    assert email.html is not None and "gmail_quote" in email.html
    assert email.message_id == "<CAKf9+X2n1hP0Qd7wz3kXb=y8sB7uJvE5H@mail.gmail.com>"
    assert email.in_reply_to == "<notify.Q-7K2M-9XQ4.1@neurodesk.localhost>"
    assert email.references == ("<notify.Q-7K2M-9XQ4.1@neurodesk.localhost>",)
    assert email.from_address == "anna.meyer@clinic.example"
    assert email.from_name == "Anna Meyer"
    assert email.date is not None and email.date.utcoffset().total_seconds() == 3600
    assert email.problems == ()


def test_rfc2047_headers_in_legacy_charsets_are_decoded():
    assert load("thunderbird_german.eml").subject == "Re: [Q-7K2M-9XQ4] Neue Frage: Wirbelsäule"
    assert load("thunderbird_german.eml").from_name == "Dr. Jonas Weiß"
    assert load("koi8r.eml").subject == "Ответ: [Q-7K2M-9XQ4]"
    assert load("shift_jis.eml").from_name == "山田 太郎"
    assert load("gmail_french.eml").subject == "Re: [Q-7K2M-9XQ4] Nouvelle question : colonne vertébrale"


def test_raw_utf8_in_headers_is_read_as_utf8():
    assert load("mislabelled_utf8.eml").from_name == "Dr Zoë Martin"


def test_attachments_are_listed_with_decoded_names_and_bytes():
    email = load("attachment_pdf.eml")
    by_name = {a.filename: a for a in email.attachments}
    assert set(by_name) == {"logo.png", "Übungen Wirbelsäule.pdf"}
    pdf = by_name["Übungen Wirbelsäule.pdf"]
    assert pdf.content_type == "application/pdf"
    assert pdf.payload.startswith(b"%PDF-1.4") and pdf.size == len(pdf.payload)
    assert by_name["logo.png"].payload.startswith(b"\x89PNG")


def test_dsn_keeps_its_report_as_attachments_not_as_body():
    email = load("dsn_postfix.eml")
    assert "could not\nbe delivered" in email.text
    assert "Final-Recipient" not in email.text
    assert [a.content_type for a in email.attachments] == ["message/delivery-status", "text/rfc822-headers"]


def test_truncated_mime_is_reported_but_still_read():
    email = load("truncated_base64.eml")
    assert "defect: CloseBoundaryNotFoundDefect" in email.problems
    assert [a.filename for a in email.attachments] == ["scan.pdf"]


def test_missing_from_message_id_and_date_are_problems_not_errors():
    email = load("missing_headers.eml")
    assert email.from_address is None
    assert {"missing From", "unparseable Date"} <= set(email.problems)
    assert email.message_id.startswith("<sha256.") and email.message_id.endswith("@inbound.neurodesk.invalid>")
    assert email.message_id == load("missing_headers.eml").message_id  # stable across deliveries
