"""The new text of a reply: quoted history and signatures removed, the surgeon's words kept.

What is stripped here never reaches the patient, and what is kept does: the quoted history
holds the patient's own question (health data the surgeon's reply need not repeat), and a
signature block holds the surgeon's direct phone numbers. The patterns are data, one list per
kind of marker, each commented with the mail client that writes it.
"""
from __future__ import annotations

import re
from collections.abc import Callable

_I = re.IGNORECASE

# Attribution lines above `>`-quoted history. Clients wrap long ones, so each is also tried
# on a line joined with the next. Every client puts the date in, so a digit is required:
# "On reflection, my colleague wrote:" stays part of the reply. Below one: `>` lines are history, other lines are the reply
# (interleaved answers) unless the history is not quoted at all.
ATTRIBUTIONS: list[re.Pattern[str]] = [
    # Gmail "On Tue, 3 Mar 2026 at 10:02, Name <a@b> wrote:", Apple Mail
    # "On 3 Mar 2026, at 10:02, Name <a@b> wrote:", Thunderbird "On 03/03/2026 10:02, Name wrote:"
    re.compile(r"^On\b(?=.*\d).{1,300}\bwrote\s*:$", _I),
    # Thunderbird/mutt/Evolution "Name <a@b> wrote:" with no date
    re.compile(r"^.{0,200}@.{1,200}\bwrote\s*:$", _I),
    # German (Gmail, Apple, Thunderbird): "Am 03.03.2026 um 10:02 schrieb Name <a@b>:"
    re.compile(r"^Am\b(?=.*\d).{1,300}\bschrieb\b.{0,300}:$", _I),
    # French (Gmail, Apple): "Le mar. 3 mars 2026 à 10:02, Name <a@b> a écrit :"
    re.compile(r"^Le\b(?=.*\d).{1,300}\ba\s+[ée]crit\s*:$", _I),
    # Spanish (Gmail, Apple): "El mar, 3 mar 2026 a las 10:02, Name (<a@b>) escribió:"
    re.compile(r"^El\b(?=.*\d).{1,300}\bescribi[óo]\s*:$", _I),
    # Dutch (Gmail, Apple): "Op di 3 mrt 2026 om 10:02 schreef Name <a@b>:"
    re.compile(r"^Op\b(?=.*\d).{1,300}\bschreef\b.{0,300}:$", _I),
    # Italian, Portuguese, Scandinavian (Gmail)
    re.compile(r"^Il\b(?=.*\d).{1,300}\bha scritto\s*:$", _I),
    re.compile(r"^Em\b(?=.*\d).{1,300}\bescreveu\s*:$", _I),
    re.compile(r"^(?:Den|På)\b(?=.*\d).{1,300}\bskrev\b.{0,300}:$", _I),
    # Russian (Android, Mail.ru, Yandex): '3 марта 2026 г., в 10:02, пользователь "Name" <a@b> написал:'
    re.compile(r"^(?=.*\d).{1,300}\b(?:написал|написала|пишет)\s*:$", _I),
    # Polish (Gmail, Thunderbird): "wt., 3 mar 2026 o 10:02 Name <a@b> napisał(a):", "W dniu ... pisze:"
    re.compile(r"^(?=.*\d).{1,300}\b(?:napisał\(a\)|napisała|napisał|pisze)\s*:$", _I),
]

# A line directly above a `>` quote block that introduces it in a form not listed above
# ("On Tue, Dr Spine's clinic wrote:", Gmail's Russian "вт, 3 мар. 2026 г. в 10:02, Name <a@b>:"):
# it ends with a colon and carries a date, an address or a verb of writing. The quote goes,
# so the line would only dangle.
_INTRODUCES_QUOTE = re.compile(
    r"^(?=.*(?:\d|@|\b(?:wrote|writes|schrieb|[ée]crit|escribi[óo]|schreef|scritto|escreveu|skrev"
    r"|написал|написала|пишет|napisał|pisze)\b)).{1,300}:$", _I)

# Lines after which everything is history, never interleaved: clients that quote without `>`.
HISTORY_STARTS: list[re.Pattern[str]] = [
    # Outlook desktop, Yahoo: "-----Original Message-----", "----- Original Message -----"
    re.compile(
        r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine"
        r"|Mensaje original|Oorspronkelijk bericht|Messaggio originale|Mensagem original"
        r"|Originalmeddelande|Opprinnelig melding|Исходное сообщение|Wiadomość oryginalna"
        r"|Oryginalna wiadomość)\s*-{2,}$", _I),
    # Outlook desktop/web: a long underscore rule above the "From: / Sent:" block
    re.compile(r"^_{20,}$"),
    # Gmail "---------- Forwarded message ---------", Thunderbird "-------- Forwarded Message --------"
    re.compile(r"^-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré"
               r"|Mensaje reenviado|Doorgestuurd bericht|Пересылаемое сообщение|Wiadomość przekazana dalej"
               r"|Messaggio inoltrato|Mensagem encaminhada)\s*-{2,}$", _I),
    # Apple Mail forwards
    re.compile(r"^(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht"
               r"|Début du message réexpédié)\s*:$", _I),
]

# The header block Outlook, Windows Mail and webmail (Hotmail, Yahoo, AOL) put above unquoted
# history, in the languages of their UI and in any order (Hotmail starts with Date:): three
# different fields within a few lines. One "From:" or "A:" line in a reply is not a block.
_HEADER_FIELDS: list[re.Pattern[str]] = [
    re.compile(r"^\*?(?:From|Von|De|Van|Da|Från|Fra|Od|От)\s*:\*?\s*\S", _I),
    re.compile(r"^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Fecha|Verzonden|Inviato|Data|Skickat"
               r"|Отправлено|Дата|Wysłano)\s*:", _I),
    re.compile(r"^\*?(?:To|An|À|A|Para|Aan|Till|Til|Кому|Do)\s*:", _I),
    re.compile(r"^\*?(?:Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto|Assunto|Ämne|Emne|Тема|Temat)\s*:", _I),
    re.compile(r"^\*?(?:Cc|Kopie|Копия|DW|Kopia)\s*:", _I),
]
_HEADER_BLOCK_FIELDS = 3
_HEADER_BLOCK_LINES = 8

# RFC 3676 section 4.3 signature separator "-- " (often sent without its trailing space).
_SIG_DASHES = re.compile(r"^-- ?$")

# Footers that phone and app clients append; only cut when they end the message.
MOBILE_FOOTERS: list[re.Pattern[str]] = [
    re.compile(r"^Sent from my [\w .'-]{1,40}$", _I),             # iPhone, iPad, Galaxy, BlackBerry
    re.compile(r"^Sent from (?:Outlook|Mail|Yahoo Mail|Gmail|my mobile)\b.{0,40}$", _I),
    re.compile(r"^Get Outlook for (?:iOS|Android)(?:\s*<[^<>]*>)?$", _I),  # Outlook mobile, with its link
    re.compile(r"^Sent (?:with|via) (?:Proton ?Mail|BlackBerry|Spark|Superhuman)\b.{0,40}$", _I),
    re.compile(r"^Von meinem .{1,40} gesendet$", _I),              # German iOS/Android
    re.compile(r"^Envoyé de mon .{1,40}$", _I),                     # French
    re.compile(r"^Enviado desde mi .{1,40}$", _I),                  # Spanish
    re.compile(r"^Verzonden (?:vanaf|met) mijn .{1,40}$", _I),      # Dutch
    re.compile(r"^Отправлено (?:с|из) .{1,40}$", _I),               # Russian iOS, Mail.ru, Yandex
    re.compile(r"^Wysłane z .{1,40}$", _I),                         # Polish
    re.compile(r"^Inviato da .{1,40}$", _I),                        # Italian
    re.compile(r"^Enviado do (?:meu )?.{1,40}$", _I),               # Portuguese
]

# Sign-offs: cut (with what follows) only when a short block of name/title lines follows.
SIGN_OFFS = re.compile(
    r"^(?:(?:best|kind|warm|warmest|many|with (?:best|kind|warm))?\s*regards"
    r"|best(?: wishes)?|kind wishes|all the best|cheers|thanks(?: again| and regards)?"
    r"|thank you|many thanks|(?:yours )?sincerely|yours(?: truly| faithfully)?|respectfully|take care"
    r"|mit freundlichen gr(?:ü|ue)(?:ß|ss)en|mfg|(?:viele|beste|liebe|herzliche|freundliche) gr(?:ü|ue)(?:ß|ss)e|gru(?:ß|ss)"
    r"|(?:bien )?cordialement|bien à vous|(?:meilleures )?salutations"
    r"|(?:un )?(?:cordial )?saludos?(?: cordiales)?|atentamente"
    r"|(?:met )?(?:vriendelijke |hartelijke )?groet(?:en)?"
    r"|с уважением|всего доброго|pozdrawiam|z poważaniem|(?:cordiali |distinti )?saluti"
    r"|atenciosamente|cumprimentos|abraços?"
    r")[\s,.!-]*$",
    _I,
)
_SHORT_BLOCK_LINES = 6
_SHORT_LINE = 80


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _plain(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").split())


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines (1 or 2) form an attribution starting at line i; 0 when none."""
    first = _plain(lines[i])
    if not first or len(first) > 300:
        return 0
    if _is_attribution(first, lines, i + 1):
        return 1
    # A wrapped attribution breaks mid-phrase, often inside the address ("Name <" / "a@b> wrote:");
    # a line that ends a sentence, or sits above a whole attribution, is the reply's own.
    if i + 1 < len(lines) and not _quoted(lines[i + 1]) and not first.endswith((".", "!", "?")):
        second = _plain(lines[i + 1])
        broken_address = first.count("<") > first.count(">")
        if ((broken_address or not _is_attribution(second, lines, i + 2))
                and _is_attribution(f"{first} {second}", lines, i + 2)):
            return 2
    return 0


def _is_attribution(text: str, lines: list[str], next_line: int) -> bool:
    return any(p.match(text) for p in ATTRIBUTIONS) or bool(
        _INTRODUCES_QUOTE.match(text) and _quote_follows(lines, next_line))


def _quote_follows(lines: list[str], i: int) -> bool:
    after = next((line for line in lines[i:] if line.strip()), None)
    return after is not None and _quoted(after)


def _header_block_at(lines: list[str], i: int) -> bool:
    fields = [n for n, field in enumerate(_HEADER_FIELDS) if field.match(_plain(lines[i]))]
    if not fields:
        return False
    following = [_plain(line) for line in lines[i + 1 : i + _HEADER_BLOCK_LINES]]
    seen = set(fields[:1]) | {n for n, field in enumerate(_HEADER_FIELDS) for line in following if field.match(line)}
    return len(seen) >= _HEADER_BLOCK_FIELDS


def _cut_history(lines: list[str]) -> list[str]:
    """Drop unquoted history and attribution lines; `>` lines go in the next step."""
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _quoted(line):
            kept.append(line)
            i += 1
            continue
        plain = _plain(line)
        if any(p.match(plain) for p in HISTORY_STARTS) or _header_block_at(lines, i):
            return kept
        span = _attribution_at(lines, i)
        if span:
            after = next((l for l in lines[i + span :] if l.strip()), None)
            if after is None or not _quoted(after):
                return kept  # history that is not `>`-quoted: everything below goes
            i += span  # the attribution goes; answers interleaved below the quotes stay
            continue
        kept.append(line)
        i += 1
    return kept


def _drop_quotes(lines: list[str]) -> list[str]:
    return [line for line in lines if not _quoted(line)]


def _short_block(lines: list[str]) -> bool:
    content = [line for line in lines if line.strip()]
    return len(content) <= _SHORT_BLOCK_LINES and all(len(line.strip()) <= _SHORT_LINE for line in content)


def _cut_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _SIG_DASHES.match(line.rstrip("\r")):
            return lines[:i]
    for i, line in enumerate(lines):
        if any(p.match(_plain(line)) for p in MOBILE_FOOTERS) and _short_block(lines[i + 1 :]):
            return lines[:i]
    return lines


def _cut_sign_off(lines: list[str]) -> list[str]:
    # From the bottom: "Thanks! ... Best regards, Dr A" loses only the last sign-off.
    for i in range(len(lines) - 1, -1, -1):
        if SIGN_OFFS.match(_plain(lines[i])):
            return lines[:i] if _short_block(lines[i + 1 :]) else lines
    return lines


# A horizontal rule some webmails (AOL, Yahoo) draw above the history they quote.
_RULE = re.compile(r"^[-_=~*]{3,}$")


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue  # no leading blank lines, no runs of blank lines where quotes were
        out.append(line)
    while out and (not out[-1] or _RULE.match(out[-1])):
        out.pop()  # the rule above removed history would dangle
    return "\n".join(out).strip("\n")


# Applied in order; a step that would leave nothing is skipped, so "Thanks!" above a quote
# stays "Thanks!" rather than becoming empty.
STEPS: list[Callable[[list[str]], list[str]]] = [_cut_history, _drop_quotes, _cut_signature, _cut_sign_off]


def clean_reply(text: str) -> str:
    """The new text of a reply; the stripped original when cleaning would leave nothing."""
    if not text:
        return ""
    original = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        lines = original.split("\n")
        for step in STEPS:
            candidate = step(lines)
            if _tidy(candidate).strip():
                lines = candidate
        cleaned = _tidy(lines)
    except Exception:  # a regex surprise must not lose a surgeon's answer
        cleaned = ""
    return cleaned if cleaned.strip() else original.strip()
