"""POST /api/v1/questions: the intake for other front ends (apps, partner sites). No auth; rate limited."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.datastructures import MultiDict

from service.content.openapi import document, ref
from service.errors import ServiceError, UnsupportedMediaType, ValidationFailed
from service.extensions import csrf
from service.json_bodies import body_limit
from service.tickets import limits, services
from service.tickets.forms import AskForm

bp = Blueprint("tickets_api", __name__, url_prefix="/api/v1")
FIELDS = ("name", "email", "question", "topic")
# The longest valid question, every character escaped as \uXXXX, with its name and address fits.
MAX_BODY_BYTES = 64 * 1024



def _form_data(body: Any) -> MultiDict:
    """Map the JSON body onto the Ask form's fields so both intakes share every rule."""
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be a JSON object.", fields={"_body": ["Send a JSON object."]})
    wrong_type = {k: ["Must be a string."] for k in FIELDS if k in body and not isinstance(body[k], str)}
    if body.get("consent") is not True:
        wrong_type["consent"] = ["Must be true: the patient agrees that we store and answer the question."]
    if wrong_type:
        raise ValidationFailed("Some fields are not valid.", fields=wrong_type)
    data = MultiDict({k: body[k] for k in FIELDS if k in body})
    data["consent"] = "y"
    return data


@bp.route("/questions", methods=["POST"])
@body_limit(MAX_BODY_BYTES)
@document(
    summary="Ask a question",
    description="A patient question. Red flags are decided at once: `urgent` and `emergency_advice` "
                "tell the caller to show emergency advice now. No auth; rate limited per IP and per email.",
    tags=["questions"],
    request=ref("QuestionRequest"),
    responses={202: ref("QuestionAccepted"), 400: None, 413: None, 415: None, 422: None, 429: None},
)
@csrf.exempt
@limits.per_ip
@limits.per_email
def create_question():
    if not request.is_json:
        raise UnsupportedMediaType("Send the question as application/json.")
    body = request.get_json(silent=True)
    if body is None:
        raise ServiceError("The body is not valid JSON.", code="malformed_json")
    form = AskForm(formdata=_form_data(body), meta={"csrf": False})
    if not form.validate():
        fields = {k: v for k, v in form.errors.items() if k != "website"}
        raise ValidationFailed("Some fields are not valid.", fields=fields)
    submission = services.accept_question(
        name=form.name.data,
        email=form.email.data,
        question=form.question.data,
        topic=form.topic.data or None,
    )
    return jsonify(
        reference=submission.reference,
        urgent=submission.urgent,
        emergency_advice=submission.emergency_advice,
    ), 202
