"""The one form of an email address by which we recognise a person.

Every comparison of addresses goes through `email_identity`: intake's per-email rate limit,
the desk's login throttle, staff look-up, patient export and erasure, matching a reply's sender
to a ticket's patient. Intake stores a patient's address in this form too, so an address typed
two ways (`Victim@EXAMPLE.com`, `victim@ｅxample.com` with a full-width e, `victim@example。com`)
is one person everywhere, never a fresh allowance or a patient whose export misses a question.
"""
from __future__ import annotations

import unicodedata

import idna


def email_identity(address: str) -> str:
    """NFKC, the domain through IDNA (UTS 46, which also case-folds it), the local part lower-cased.

    NFKC turns full-width and other compatibility letters (what a Japanese input method types in
    full-width mode) into the plain ones the person meant. Local parts are compared without case,
    as every mail provider does. Never raises: any string has an identity, valid or not.
    """
    text = unicodedata.normalize("NFKC", address).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text.lower()
    return f"{local.lower()}@{_domain(domain)}"


def _domain(domain: str) -> str:
    folded = domain.lower()
    # Plain ASCII host names need no IDNA work (most addresses; the IDNA round trip costs ~50 us).
    if folded.isascii() and "xn--" not in folded:
        return folded
    try:
        # The Unicode form, as email-validator gives it: both `bücher.de` and `xn--bcher-kva.de`.
        return idna.decode(idna.encode(domain, uts46=True, std3_rules=False, transitional=False))
    except (idna.IDNAError, UnicodeError, ValueError):
        return folded
