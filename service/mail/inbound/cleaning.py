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
]

# Lines after which everything is history, never interleaved: clients that quote without `>`.
HISTORY_STARTS: list[re.Pattern[str]] = [
    # Outlook desktop, Yahoo: "-----Original Message-----", "----- Original Message -----"
    re.compile(
        r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine"
        r"|Mensaje original|Oorspronkelijk bericht|Messaggio originale|Mensagem original"
        r"|Originalmeddelande|Opprinnelig melding)\s*-{2,}$", _I),
    # Outlook desktop/web: a long underscore rule above the "From: / Sent:" block
    re.compile(r"^_{20,}$"),
    # Gmail "---------- Forwarded message ---------", Thunderbird "-------- Forwarded Message --------"
    re.compile(r"^-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré"
               r"|Mensaje reenviado|Doorgestuurd bericht)\s*-{2,}$", _I),
    # Apple Mail forwards
    re.compile(r"^(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht"
               r"|Début du message réexpédié)\s*:$", _I),
]

# The header block Outlook (desktop, web, mobile) puts above unquoted history, in the
# languages of its UI: a From line followed closely by at least two more of these fields.
_FROM_FIELD = re.compile(r"^\*?(?:From|Von|De|Van|Da|Från|Fra|Od)\s*:\*?\s*\S", _I)
_HEADER_FIELDS: list[re.Pattern[str]] = [
    re.compile(r"^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Verzonden|Inviato|Data|Skickat)\s*:", _I),
    re.compile(r"^\*?(?:To|An|À|A|Para|Aan|Till|Til)\s*:", _I),
    re.compile(r"^\*?(?:Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto|Assunto|Ämne|Emne)\s*:", _I),
    re.compile(r"^\*?(?:Cc|Kopie)\s*:", _I),
]

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
    if any(p.match(first) for p in ATTRIBUTIONS):
        return 1
    if i + 1 < len(lines) and not _quoted(lines[i + 1]):
        joined = f"{first} {_plain(lines[i + 1])}"
        if any(p.match(joined) for p in ATTRIBUTIONS):
            return 2
    return 0


def _header_block_at(lines: list[str], i: int) -> bool:
    if not _FROM_FIELD.match(_plain(lines[i])):
        return False
    following = [_plain(line) for line in lines[i + 1 : i + 8]]
    hits = {n for n, field in enumerate(_HEADER_FIELDS) for line in following if field.match(line)}
    return len(hits) >= 2


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


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue  # no leading blank lines, no runs of blank lines where quotes were
        out.append(line)
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
