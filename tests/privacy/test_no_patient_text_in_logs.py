"""Patient words never reach a log: logs are shipped, kept and read far more widely than the desk.

A question with a unique marker goes in through the form and the API (and a red-flag one), the
workers triage it and send real SMTP mail eagerly, the surgeon's answer comes back through the
webhook and goes to the patient, a forged reply is quarantined, invalid submissions are
refused, and every email is redelivered (a no-op). Every log record of every logger at DEBUG,
message, arguments, extras and traceback, must be free of the marker, the patient's name and
the patient's address.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from service.extensions import db
from service.tickets.models import OutboundEmail, Ticket
from tests.fixtures.smtp import smtp_server  # noqa: F401
from tests.inbound.conftest import inbound_settings, post
from tests.inbound.mails import reply_to_row

MARKER = "zq7marker"
NAME = "Ynez Quillfeather"
EMAIL = "ynez.quillfeather@example.test"
SECRETS = (MARKER, NAME, EMAIL.split("@")[0])
# The test SMTP server (aiosmtpd) logs the conversation it receives: that is the far side of
# the wire, not our service, so its logger is not ours to judge.
FOREIGN_LOGGERS = ("mail.log",)


def is_result_row(record: logging.LogRecord) -> bool:
    """SQLAlchemy's DEBUG dump of fetched rows (only with echo="debug"): a developer's switch the
    service never turns on (asserted below). SQL *parameters*, logged at INFO, are checked:
    hide_parameters=True keeps them out."""
    return record.name.startswith("sqlalchemy.engine") and record.levelno == logging.DEBUG and record.msg == "Row %r"


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text_of(self, record: logging.LogRecord) -> str:
        try:
            formatted = self.format(record)
        except Exception:  # a broken format string is still evidence: keep its raw parts
            formatted = f"{record.msg!r} {record.args!r}"
        return f"{formatted} {record.args!r} {record.__dict__!r}"


@pytest.fixture
def captured(caplog) -> Iterator[Everything]:
    """Every record from every logger, including ones that do not propagate to the root."""
    handler = Everything()
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    levels = {}
    for logger in loggers:
        logger.addHandler(handler)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            levels[name] = logger.level
            logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def app_config(smtp_server):  # noqa: F811
    return {**inbound_settings(smtp_server), "WTF_CSRF_ENABLED": False}


def leaks(handler: Everything, caplog) -> list[str]:
    found = []
    for record in handler.records + caplog.records:
        if record.name.startswith(FOREIGN_LOGGERS) or is_result_row(record):
            continue
        text = handler.text_of(record).lower()
        if any(secret.lower() in text for secret in SECRETS):
            found.append(f"{record.name} {record.levelname}: {record.getMessage()[:300]}")
    return sorted(set(found))


def test_patient_text_never_reaches_a_log_record(app, client, make_staff, smtp_server, captured, caplog):  # noqa: F811
    surgeon = make_staff("dr.spine@clinic.test", name="Dr Sam Spine", role="surgeon")
    make_staff("cora@clinic.test", name="Cora Ord", role="coordinator", specialties=())
    question = f"My lower back hurts and the sciatica goes down my left leg. {MARKER} Would a discectomy help?"

    form = client.post("/ask", data={"name": NAME, "email": EMAIL, "question": question, "consent": "y",
                                     "topic": "", "website": ""})
    assert form.status_code == 303, form.text[:500]
    api = client.post("/api/v1/questions", json={"name": NAME, "email": EMAIL, "consent": True,
                                                 "question": f"Sudden worst headache of my life and I cannot "
                                                             f"move my arm {MARKER}"})
    assert api.status_code == 202 and api.get_json()["urgent"] is True
    # Refused input is logged by nobody either.
    assert client.post("/api/v1/questions", json={"name": f"{NAME}\r\nBcc: x", "email": EMAIL, "consent": True,
                                                  "question": question}).status_code == 422
    assert client.post("/ask", data={"name": NAME, "email": "not an address", "question": question,
                                     "consent": "y"}).status_code == 200

    smtp_server.wait_for(lambda ms: len(ms) >= 3)
    db.session.expire_all()
    ticket = db.session.execute(
        select(Ticket).where(Ticket.assignee_id == surgeon.id).order_by(Ticket.id)
    ).scalars().first()
    assert ticket is not None
    notification = db.session.execute(
        select(OutboundEmail).where(OutboundEmail.ticket_id == ticket.id, OutboundEmail.kind == "surgeon_notification")
    ).scalar_one()
    # The surgeon answers quoting the patient; then a stranger forges a reply (quarantined).
    answer = f"Yes it can help. You wrote {MARKER}, so please bring your MRI."
    assert post(client, reply_to_row(notification, sent_from="Dr Sam Spine <dr.spine@clinic.test>",
                                     answer=answer, quoted=question)).status_code == 202
    assert post(client, reply_to_row(notification, sent_from=f"{NAME} <{EMAIL}>",
                                     answer=f"forged {MARKER}", quoted=question)).status_code == 202
    smtp_server.wait_for(lambda ms: any(re.search("Answer to your question", m["Subject"] or "") for m in ms))

    # A redelivery of everything (what the relay does after a crash) is a logged no-op.
    from service.mail import outbound

    for email_id in db.session.execute(select(OutboundEmail.id)).scalars().all():
        outbound.deliver(email_id)

    assert captured.records or caplog.records  # the capture really ran
    assert leaks(captured, caplog) == []


def test_sql_logging_never_shows_parameters_or_rows(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert not app.config.get("SQLALCHEMY_ECHO")
    assert db.engine.hide_parameters is True


def test_the_capture_would_catch_a_leak(app, captured, caplog):
    logging.getLogger("service.some_module").debug("question was %s", f"... {MARKER} ...")
    assert leaks(captured, caplog) != []
