"""The patient acknowledgement's related reading: pages from the content search, never a reason to fail."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from service.extensions import db
from service.mail.ticket_mail import queue_patient_acknowledgement, related_reading
from service.tickets import services
from service.tickets.models import Ticket

# Long and rambling, as patients write: not every word is in any one page, so the search has to
# fall back to "any word may match".
LONG_QUESTION = (
    "Hello, I am 58 and for about four months I have had pain in my lower back that goes down the back "
    "of my left leg into my calf and sometimes my foot tingles. Sitting in the car makes it worse and "
    "walking helps a little. My GP sent me for an MRI which showed a disc bulge at L5-S1 pressing on a "
    "nerve. The physio exercises have not really helped. Would an operation like a discectomy help the "
    "sciatica, and how long would I be off work afterwards? I drive a delivery van for a living."
)


@pytest.fixture
def demo(app):
    from service.content.importer import DEMO_CONTENT_PATH, import_content_file

    import_content_file(DEMO_CONTENT_PATH)
    db.session.commit()


def patient_ticket(question: str = LONG_QUESTION) -> Ticket:
    submission = services.submit_question(name="Ann Patient", email="ann@example.test", question=question, topic=None)
    db.session.commit()
    return db.session.get(Ticket, submission.ticket_id)


def related_lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("  - ")]


def test_acknowledgement_of_a_long_question_lists_related_pages(demo):
    ticket = patient_ticket()
    ack = queue_patient_acknowledgement(ticket)
    db.session.commit()
    assert "these pages may help" in ack.text_body
    links = related_lines(ack.text_body)
    assert 1 <= len(links) <= 3
    assert any("Sciatica" in line or "sciatica" in line for line in links)
    assert all("http://127.0.0.1:5000/articles/" in line or "http://127.0.0.1:5000/ask#faq-" in line for line in links)
    assert ack.html_body.count("<li><a href=") == len(links)


def test_related_reading_gives_titles_and_links_only(demo):
    links = related_reading(LONG_QUESTION)
    assert 1 <= len(links) <= 3
    assert all(set(link) == {"title", "url"} and link["title"] for link in links)


def test_acknowledgement_still_goes_out_when_the_search_fails(demo, monkeypatch):
    def broken_search(*args, **kwargs):
        db.session.execute(text("SELECT * FROM no_such_table"))  # on PostgreSQL this aborts the transaction

    monkeypatch.setattr("service.content.search.related_to_text", broken_search)
    ticket = patient_ticket()
    ack = queue_patient_acknowledgement(ticket)
    db.session.commit()
    db.session.expire_all()
    assert ticket.reference in ack.subject and ticket.reference in ack.text_body
    assert "these pages may help" not in ack.text_body


def test_no_content_means_no_related_reading_section(app):
    ack = queue_patient_acknowledgement(patient_ticket())
    db.session.commit()
    assert "these pages may help" not in ack.text_body and related_lines(ack.text_body) == []
