"""clean_reply: the surgeon's new words only, whatever client wrote the reply."""
from __future__ import annotations

import pytest

from service.mail.inbound import clean_reply

QUOTE = "> Dear Dr Meyer,\n> A new question was assigned to you.\n> Can I swim?\n"


def test_gmail_quoted_history_is_stripped():
    text = f"Yes, from next week.\n\nOn Tue, 3 Mar 2026 at 10:02, Neurodesk Clinic <clinic@x.example> wrote:\n\n{QUOTE}"
    assert clean_reply(text) == "Yes, from next week."


def test_gmail_attribution_wrapped_over_two_lines_is_stripped():
    text = f"Yes.\n\nOn Tue, 3 Mar 2026 at 10:02, Neurodesk Clinic <\nclinic@x.example> wrote:\n\n{QUOTE}"
    assert clean_reply(text) == "Yes."


def test_apple_mail_attribution_is_stripped():
    text = f"Yes.\n\nOn 3 Mar 2026, at 10:02, Neurodesk Clinic <clinic@x.example> wrote:\n\n{QUOTE}"
    assert clean_reply(text) == "Yes."


def test_outlook_original_message_separator_cuts_unquoted_history():
    text = "Yes.\n\n-----Original Message-----\nFrom: Clinic\nSent: Tuesday\nDear Dr Meyer, can I swim?"
    assert clean_reply(text) == "Yes."


def test_outlook_header_block_cuts_unquoted_history():
    text = ("Yes.\n\nFrom: Neurodesk Clinic <clinic@x.example>\nSent: Tuesday, March 3, 2026 10:02 AM\n"
            "To: Dr Meyer <meyer@x.example>\nSubject: [Q-7K2M-9XQ4] New question\n\nCan I swim?")
    assert clean_reply(text) == "Yes."


def test_outlook_underscore_rule_cuts_history():
    assert clean_reply("Yes.\n\n________________________________\nFrom: Clinic\nCan I swim?") == "Yes."


@pytest.mark.parametrize("header", [
    "Von: Neurodesk Klinik <clinic@x.example>\nGesendet: Dienstag, 3. März 2026 10:02\nAn: Dr. Weiß\nBetreff: Frage",
    "De : Neurodesk <clinic@x.example>\nEnvoyé : mardi 3 mars 2026 10:02\nÀ : Dr Dubois\nObjet : Question",
    "*From:* Neurodesk <clinic@x.example>\n*Sent:* Tuesday\n*To:* Dr A\n*Subject:* Question",
])
def test_localised_outlook_header_blocks_cut_history(header: str):
    assert clean_reply(f"Ja.\n\n{header}\n\nDarf ich schwimmen?") == "Ja."


def test_attribution_like_sentence_without_a_date_is_kept():
    text = "On reflection, my colleague wrote:\nThe scan is fine and no surgery is needed."
    assert clean_reply(text) == text


def test_a_single_from_line_in_the_reply_is_kept():
    text = "From: my side, no objection.\nSee you Monday."
    assert clean_reply(text) == text


@pytest.mark.parametrize("attribution", [
    "Am 03.03.2026 um 10:02 schrieb Neurodesk Klinik <clinic@x.example>:",
    "Le mar. 3 mars 2026 à 10:02, Neurodesk <clinic@x.example> a écrit :",
    "Le mar. 3 mars 2026 à 10:02, Neurodesk <clinic@x.example> a écrit\u00a0:",
    "El mar, 3 mar 2026 a las 10:02, Neurodesk (<clinic@x.example>) escribió:",
    "Op di 3 mrt 2026 om 10:02 schreef Neurodesk <clinic@x.example>:",
    "Il giorno mar 3 mar 2026 alle ore 10:02 Neurodesk <clinic@x.example> ha scritto:",
    "clinic@x.example wrote:",
])
def test_non_english_quote_headers_are_stripped(attribution: str):
    assert clean_reply(f"Antwort.\n\n{attribution}\n\n{QUOTE}") == "Antwort."


@pytest.mark.parametrize("footer", [
    "Sent from my iPhone", "Sent from my iPad", "Sent from my Galaxy", "Sent from my Samsung Galaxy smartphone.",
    "Get Outlook for Android", "Get Outlook for iOS<https://aka.ms/o0ukef>", "Sent from Outlook for iOS",
    "Von meinem iPhone gesendet", "Envoyé de mon iPhone", "Enviado desde mi iPhone", "Verzonden vanaf mijn iPhone",
])
def test_mobile_footers_are_stripped(footer: str):
    assert clean_reply(f"Yes, that is fine.\n\n{footer}") == "Yes, that is fine."


def test_mobile_footer_words_inside_a_sentence_are_kept():
    text = "Sent from my phone earlier: the scan is fine.\nI also sent the report to your GP, who will call you this week\nto discuss the next steps, the medication and the physiotherapy plan in detail.\nA\nB\nC\nD\nE"
    assert clean_reply(text) == text


def test_rfc3676_signature_is_stripped():
    assert clean_reply("Yes.\n\n-- \nDr Anna Meyer\n+49 30 1234") == "Yes."
    assert clean_reply("Yes.\n\n--\nDr Anna Meyer") == "Yes."  # clients that trim the space


def test_sign_off_followed_by_a_short_block_is_stripped():
    text = "The wound looks fine.\n\nKind regards,\nDr Anna Meyer\nConsultant Neurosurgeon\nSpine Unit"
    assert clean_reply(text) == "The wound looks fine."


@pytest.mark.parametrize("sign_off", ["Mit freundlichen Grüßen", "Cordialement,", "Saludos,", "Met vriendelijke groet,",
                                      "Best,", "Thanks!", "Viele Grüße"])
def test_sign_offs_in_several_languages_are_stripped(sign_off: str):
    assert clean_reply(f"Alles gut.\n\n{sign_off}\nDr. Weiß") == "Alles gut."


def test_sign_off_followed_by_a_long_block_is_kept():
    body = "\n".join(f"Point {i}: keep the dressing dry and change it every second day as shown." for i in range(8))
    text = f"Thanks,\n{body}"
    assert clean_reply(text) == text


def test_only_the_last_sign_off_goes():
    text = "Thanks!\nI will see you on Monday at the clinic.\n\nBest regards,\nDr A"
    assert clean_reply(text) == "Thanks!\nI will see you on Monday at the clinic."


def test_top_posted_reply_above_the_quote_is_kept():
    assert clean_reply(f"Top line.\nSecond line.\n\n{QUOTE}") == "Top line.\nSecond line."


def test_interleaved_answers_below_quotes_are_kept_and_quotes_dropped():
    text = ("On 03/03/2026 10:02, Neurodesk Clinic wrote:\n> Can I swim?\n\nYes, gently.\n\n"
            "> Can I drive?\n\nNot yet.\n\n-- \nDr B")
    assert clean_reply(text) == "Yes, gently.\n\nNot yet."


def test_bottom_posted_reply_below_the_quote_is_kept():
    assert clean_reply(f"{QUOTE}\nThat is fine.") == "That is fine."


def test_html_converted_quotes_are_stripped():
    text = "Hello,\n\nNo recurrence.\n\nOn Thu, 5 Mar 2026 at 18:11, Clinic <c@x.example> wrote:\n\n> Dear Dr\n\n> > older"
    assert clean_reply(text) == "Hello,\n\nNo recurrence."


def test_cleaning_never_returns_empty_when_there_is_text():
    assert clean_reply(QUOTE) == QUOTE.strip()
    assert clean_reply("-- \nDr A") == "--\nDr A"  # trailing spaces go, the words stay
    assert clean_reply("Thanks!\n\nSent from my iPhone\n\nOn Tue, X wrote:\n> q") == "Thanks!"


def test_empty_and_blank_text_stay_empty():
    assert clean_reply("") == ""
    assert clean_reply(" \n\n ") == ""


def test_windows_line_endings_are_normalised():
    assert clean_reply("Yes.\r\n\r\nOn Tue, X <a@b> wrote:\r\n> q\r\n") == "Yes."


def test_runs_of_blank_lines_left_by_removed_quotes_collapse():
    assert clean_reply("A\n> q\n\n\n\n> q\nB") == "A\n\nB"


# ---- attribution lines in forms no pattern lists: any that introduces a removed quote block ----
@pytest.mark.parametrize("attribution", [
    "On Tue, Dr Spine's clinic wrote:",                                        # AOL, Yahoo: no date
    "вт, 3 мар. 2026 г. в 10:02, Neurodesk <clinic@x.example>:",                # Gmail in Russian: no verb
    '3 марта 2026 г., в 10:02, пользователь "Neurodesk" <clinic@x.example> написал:',  # Android, Russian
    "wt., 3 mar 2026 o 10:02 Neurodesk <clinic@x.example> napisał(a):",          # Gmail, Polish
    "W dniu 3.03.2026 o 10:02, Neurodesk pisze:",                              # Thunderbird, Polish
    "Em ter., 3 de mar. de 2026 às 10:02, Neurodesk <clinic@x.example> escreveu:",  # Gmail, Portuguese
    "Clinic Desk <clinic@x.example> hat am 3. März geschrieben:",               # an unknown client's German
])
def test_any_attribution_directly_above_the_removed_quote_goes(attribution: str):
    assert clean_reply(f"Answer.\n\n{attribution}\n\n{QUOTE}") == "Answer."


def test_russian_android_attribution_wrapped_over_two_lines_goes():
    text = f'Ответ.\n\n3 марта 2026 г., в 10:02, пользователь "Neurodesk Clinic" <\nclinic@x.example> написал:\n\n{QUOTE}'
    assert clean_reply(text) == "Ответ."


def test_a_line_of_the_reply_ending_in_a_colon_above_a_quote_is_kept_without_a_date_address_or_verb():
    text = "My answer to your question:\n> Can I swim?\nYes, gently."
    assert clean_reply(text) == "My answer to your question:\nYes, gently."


@pytest.mark.parametrize("own_line", ["I saw your scan on 3 March.", "Hi Anna"])
def test_a_line_of_the_reply_is_never_joined_to_the_whole_attribution_below_it(own_line: str):
    text = f"{own_line}\nOn Tue, 3 Mar 2026 at 10:02, Clinic <clinic@x.example> wrote:\n{QUOTE}"
    assert clean_reply(text) == own_line


# ---- header blocks above unquoted history: any order, more languages ----
@pytest.mark.parametrize("header", [
    # Windows Mail in Russian
    "От: Neurodesk <clinic@x.example>\nОтправлено: 3 марта 2026 г. 10:02\nКому: Dr Ivanova\nТема: Вопрос",
    # Hotmail: the block starts with Date:
    "Date: Tue, 3 Mar 2026 10:02:00 +0000\nFrom: clinic@x.example\nTo: surgeon@x.example\nSubject: Question",
    # Outlook in Polish, Italian, Portuguese
    "Od: Neurodesk <clinic@x.example>\nWysłano: wtorek, 3 marca 2026 10:02\nDo: Dr Nowak\nTemat: Pytanie",
    "Da: Neurodesk <clinic@x.example>\nInviato: martedì 3 marzo 2026 10:02\nA: Dr Rossi\nOggetto: Domanda",
    "De: Neurodesk <clinic@x.example>\nEnviado: terça-feira, 3 de março de 2026 10:02\nPara: Dr Silva\nAssunto: Pergunta",
    # Subject first, then the rest (a webmail's forward)
    "Subject: Question\nDate: 3 Mar 2026\nFrom: clinic@x.example",
])
def test_header_blocks_in_any_order_and_language_cut_history(header: str):
    assert clean_reply(f"Da.\n\n{header}\n\nMogę pływać?") == "Da."


def test_two_header_like_lines_in_a_reply_are_kept():
    text = "Date: Monday at 10 suits me.\nTo: bring your scans, please."
    assert clean_reply(text) == text


@pytest.mark.parametrize("footer", ["Отправлено с iPhone", "Wysłane z iPhone'a", "Inviato da iPhone",
                                    "Enviado do meu iPhone"])
def test_mobile_footers_in_more_languages_are_stripped(footer: str):
    assert clean_reply(f"Tak.\n\n{footer}") == "Tak."


@pytest.mark.parametrize("sign_off", ["С уважением,", "Pozdrawiam", "Cordiali saluti", "Atenciosamente,"])
def test_sign_offs_in_more_languages_are_stripped(sign_off: str):
    assert clean_reply(f"Tak.\n\n{sign_off}\nDr Nowak") == "Tak."
