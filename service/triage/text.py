"""Normalising patient text before triage: bounded, lower-case, with contractions spelled one way."""

from __future__ import annotations

import re
import unicodedata

# Past a few thousand characters a message is a pasted letter or an attack; the first part carries
# the complaint, and bounding it keeps classification and the regexes fast on 1 MB input.
MAX_CHARS = 4000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
# Patients drop apostrophes ("cant", "dont"); the red-flag patterns are written for one spelling.
# Spelled-out negations too, so "he has not passed urine" reads like "he hasn't passed urine".
_CONTRACTIONS = {
    "can not": "can't", "cannot": "can't", "cant": "can't",
    "has not": "hasn't", "have not": "haven't", "had not": "hadn't",
    "wont": "won't", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't",
    "hasnt": "hasn't", "havent": "haven't", "couldnt": "couldn't",
    "ive": "i've", "im": "i'm", "shes": "she's", "hes": "he's", "its": "it's",
}
# One pass for all of them (they were 18 passes over every message: a sixth of red-flag time).
# Whole words only; no replacement contains another's spelling, so one pass is the same as many.
_CONTRACTION = re.compile(r"\b(?:can ?not|" + "|".join(sorted(
    (k for k in _CONTRACTIONS if k not in {"can not", "cannot"}), key=len, reverse=True)) + r")\b")


def clean(text: object) -> str:
    """Any input (None, bytes, huge strings) as bounded printable text; never raises."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


def normalise(text: object) -> str:
    """Cleaned, lower-cased text with typographic quotes and contractions made uniform."""
    text = clean(text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return _CONTRACTION.sub(lambda match: _CONTRACTIONS[match.group(0)], text)


_WORD = re.compile(r"[a-z]{2,}")
_ENGLISH_FUNCTION_WORDS = frozenset(
    "a an the i my me we our you your he his him she her it its they their them is are was were be been "
    "am have has had do does did and or but of to in on at for with from after before since when what how "
    "can could will would should may might not no this that there here about up down out so very just"
    .split()
)


def looks_unreadable(text: str) -> bool:
    """True for text the English topic model cannot read: empty, emoji, symbols or another language."""
    words = _WORD.findall(text.lower())
    if not words:
        return True
    english = sum(w in _ENGLISH_FUNCTION_WORDS for w in words)
    # Even short English sentences have function words; other languages written in Latin script
    # almost never reach 10 % of these. Terse shorthand is rescued by the lexicon (see engine).
    return english / len(words) < 0.1
