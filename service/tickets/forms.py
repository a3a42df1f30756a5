"""The Ask a Question form (CONTRACT.md section 3): the only way patients write to us from a page."""
from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from service.email_identity import email_identity

TOPIC_CHOICES = [
    SelectChoice("", "Not sure / let us decide"),
    SelectChoice("spine", "Spine (back, neck, nerves)"),
    SelectChoice("brain", "Brain (tumours, aneurysms, hydrocephalus)"),
    SelectChoice("tos", "Thoracic outlet syndrome"),
]
NAME_MAX = 120
QUESTION_MIN = 10
QUESTION_MAX = 5000
EMAIL_MAX = 254  # RFC 5321, and the column's width


def reject_line_breaks(form: FlaskForm, field: StringField) -> None:
    # A name ends up in mail headers: CR/LF there is header injection, never a real name.
    if field.data and any(c in field.data for c in "\r\n\x00"):
        raise ValidationError("Use a single line for your name.")


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab, LF, CR


def reject_binary(form: FlaskForm, field: TextAreaField) -> None:
    """Control characters other than tab/newline mean a pasted file or a probe, not a question."""
    if _CONTROL_CHARACTERS.search(field.data or ""):
        raise ValidationError("Your question contains characters we cannot read. Please type it as plain text.")


def valid_patient_email(form: FlaskForm, field: EmailField) -> None:
    """Syntax only (no DNS: intake must not hang on a resolver); stores the address's identity.

    Checked after NFKC, so an address typed with a full-width keyboard is the address meant; kept
    as `email_identity`, the form every rate limit and look-up compares (service/email_identity.py).
    email-validator refuses special-use TLDs such as `.test`; under TESTING we allow `.test`
    so fixtures never point at a real domain.
    """
    if not field.data:
        return
    try:
        result = validate_email(
            unicodedata.normalize("NFKC", field.data),
            check_deliverability=False,
            allow_smtputf8=True,
            test_environment=bool(current_app.config.get("TESTING")),
        )
    except EmailNotValidError:
        raise ValidationError("Enter a valid email address, like name@example.com.") from None
    identity = email_identity(result.normalized)
    if len(identity) > EMAIL_MAX:
        raise ValidationError("Enter a valid email address, like name@example.com.")
    field.data = identity


def strip_text(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class AskForm(FlaskForm):
    name = StringField(
        "Your name",
        filters=[strip_text],
        validators=[DataRequired("Tell us your name."), Length(max=NAME_MAX), reject_line_breaks],
    )
    email = EmailField(
        "Email",
        filters=[strip_text],
        validators=[
            DataRequired("We need an email address to answer you."),
            Length(max=EMAIL_MAX),
            valid_patient_email,
        ],
    )
    question = TextAreaField(
        "Your question",
        filters=[strip_text],
        validators=[
            DataRequired("Type your question."),
            Length(
                min=QUESTION_MIN,
                max=QUESTION_MAX,
                message=f"Use between {QUESTION_MIN} and {QUESTION_MAX} characters.",
            ),
            reject_binary,
        ],
    )
    topic = SelectField("Topic (optional)", choices=TOPIC_CHOICES, default="", validate_choice=True)
    consent = BooleanField(
        "I agree that the clinic stores my question and email to answer me.",
        validators=[InputRequired("Please tick the box so we may store and answer your question.")],
    )
    # Honeypot: hidden from people by CSS, filled in by naive bots.
    website = StringField("Leave this field empty", filters=[strip_text])
