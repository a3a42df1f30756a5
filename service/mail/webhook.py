"""`POST /inbound/email`: a mail relay hands us one raw reply, signed with INBOUND_WEBHOOK_SECRET.

The view only checks and stores (CONTRACT.md section 6); matching and relaying happen in the
`neurodesk.process_inbound` task, so the relay gets its 202 fast and retries nothing it
need not. Checks in order: configured (503), `message/rfc822` (415), size (413), signature
(401). Any body that passes those is stored, however malformed, for a coordinator to see.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from service.errors import PayloadTooLarge, ServiceError, UnsupportedMediaType
from service.extensions import csrf
from service.mail.inbound.models import Source
from service.mail.inbound.parse import MAX_INBOUND_BYTES
from service.mail.inbound.signature import SIGNATURE_HEADER, verify_signature
from service.mail.inbound.store import store_raw
from service.tickets import outbox

bp = Blueprint("inbound", __name__, url_prefix="/inbound")


class InboundDisabled(ServiceError):
    status = 503
    code = "inbound_disabled"




class BadSignature(ServiceError):
    status = 401
    code = "bad_signature"


@bp.route("/email", methods=["POST"])
@csrf.exempt  # machine-to-machine; the HMAC signature is the authentication
def receive_email():
    secret = current_app.config.get("INBOUND_WEBHOOK_SECRET")
    if not secret:
        raise InboundDisabled("Inbound email is not configured on this server (INBOUND_WEBHOOK_SECRET).")
    if request.mimetype != "message/rfc822":
        raise UnsupportedMediaType("Send the raw message as Content-Type: message/rfc822.")
    # The app-wide 2 MB limit protects forms; a reply with attachments may be larger.
    request.max_content_length = MAX_INBOUND_BYTES
    if request.content_length is not None and request.content_length > MAX_INBOUND_BYTES:
        raise PayloadTooLarge(f"The message is larger than {MAX_INBOUND_BYTES} bytes.")
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"The message is larger than {MAX_INBOUND_BYTES} bytes.") from None
    if len(body) > MAX_INBOUND_BYTES:
        raise PayloadTooLarge(f"The message is larger than {MAX_INBOUND_BYTES} bytes.")
    if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), secret):
        raise BadSignature(f"Missing or wrong {SIGNATURE_HEADER} (sha256=<hex HMAC-SHA256 of the body>).")
    stored = store_raw(body, Source.WEBHOOK)
    if stored.duplicate:
        return jsonify(status="duplicate"), 202
    outbox.dispatch(stored.event_ids)
    return jsonify(status="accepted"), 202
