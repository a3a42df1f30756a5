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
_CONTRACTIONS = [
    (re.compile(r"\bcan ?not\b"), "can't"),
    (re.compile(r"\bcant\b"), "can't"),
    # Spelled-out negations too, so "he has not passed urine" reads like "he hasn't passed urine".
    (re.compile(r"\bhas not\b"), "hasn't"),
    (re.compile(r"\bhave not\b"), "haven't"),
    (re.compile(r"\bhad not\b"), "hadn't"),
    (re.compile(r"\bwont\b"), "won't"),
    (re.compile(r"\bdont\b"), "don't"),
    (re.compile(r"\bdoesnt\b"), "doesn't"),
    (re.compile(r"\bdidnt\b"), "didn't"),
    (re.compile(r"\bisnt\b"), "isn't"),
    (re.compile(r"\bhasnt\b"), "hasn't"),
    (re.compile(r"\bhavent\b"), "haven't"),
    (re.compile(r"\bcouldnt\b"), "couldn't"),
    (re.compile(r"\bive\b"), "i've"),
    (re.compile(r"\bim\b"), "i'm"),
    (re.compile(r"\bshes\b"), "she's"),
    (re.compile(r"\bhes\b"), "he's"),
    (re.compile(r"\bits\b"), "it's"),
]


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
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


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
