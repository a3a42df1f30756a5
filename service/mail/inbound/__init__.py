"""Inbound mail: parse, clean and classify replies, and poll the reply mailbox over IMAP."""
from service.mail.inbound.automatic import classify_automatic
from service.mail.inbound.cleaning import clean_reply
from service.mail.inbound.parse import MAX_INBOUND_BYTES, Attachment, InboundEmail, parse_inbound
from service.mail.inbound.signature import SIGNATURE_HEADER, compute_signature, verify_signature

__all__ = [
    "MAX_INBOUND_BYTES", "SIGNATURE_HEADER", "Attachment", "InboundEmail", "classify_automatic",
    "clean_reply", "compute_signature", "parse_inbound", "verify_signature",
]
