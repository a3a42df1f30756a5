"""Who may see and change a real ticket: surgeon-own, surgeon-other, coordinator, admin, anonymous.

A surgeon who is not assigned gets the same 404 as for an unknown reference on every route,
and nothing changes; a signed-in person who may see the ticket but not do this gets 403.
"""
from __future__ import annotations

import pytest

from service.audit.models import AuditEvent
from service.extensions import db
from service.tickets.models import Message, OutboundEmail, Ticket
from service.triage.models import TriageCorrection
from tests.desk.factories import count, csrf_token, eager_celery, make_ticket
from tests.desk.routes import ANON, COORDINATOR, OTHER, OWN, TICKET_MATRIX, TICKET_VISITORS, UNKNOWN

FORM = {"surgeon": None, "tag": "brain", "urgent": "1", "body": "Some words", "nonce": "ab" * 16}


@pytest.fixture
def app_config():
    return {"CELERY": eager_celery()}


@pytest.fixture
def people(make_staff):
    return {
        OWN: make_staff("own@clinic.test", name="Dr Own", role="surgeon", specialties=("spine",)),
        OTHER: make_staff("other@clinic.test", name="Dr Other", role="surgeon", specialties=("brain",)),
        COORDINATOR: make_staff("coordinator@clinic.test", name="Cora", role="coordinator", specialties=()),
        "admin": make_staff("admin@clinic.test", name="Ada", role="admin", specialties=()),
    }


def snapshot(ticket: Ticket) -> tuple:
    db.session.expire_all()
    t = db.session.get(Ticket, ticket.id)
    return (t.status, t.tag, t.urgent, t.assignee_id, t.closed_at, count(Message), count(OutboundEmail),
            count(AuditEvent), count(TriageCorrection))


@pytest.mark.parametrize("visitor", TICKET_VISITORS)
@pytest.mark.parametrize("route", sorted(TICKET_MATRIX), ids=lambda r: f"{r[0]} {r[1] or '/'}")
def test_ticket_matrix(client, sign_in, people, route, visitor):
    status = "closed" if route[1] == "/reopen" else None
    ticket = make_ticket(assignee=people[OWN], status=status)
    form = dict(FORM, surgeon=str(people[OTHER].id))
    if visitor != ANON:
        sign_in(people[visitor].email)
    form["csrf_token"] = csrf_token(client)
    before = snapshot(ticket)
    method, path = route
    response = client.open(f"/desk/tickets/{ticket.reference}{path}", method=method, data=form if method == "POST" else None)
    expected = TICKET_MATRIX[route][visitor]
    assert response.status_code == expected, response.text[:300]
    if expected == 303:
        assert response.headers["Location"].endswith(f"/desk/tickets/{ticket.reference}")
        assert snapshot(ticket) != before
    elif method == "POST":
        assert snapshot(ticket) == before  # refused means nothing changed, nothing sent or recorded


def test_surgeon_other_gets_the_unknown_reference_page(client, sign_in, people):
    ticket = make_ticket(assignee=people[OWN])
    sign_in(people[OTHER].email)
    theirs = client.get(f"/desk/tickets/{ticket.reference}")
    unknown = client.get(f"/desk/tickets/{UNKNOWN}")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.text.replace(ticket.reference, "") == unknown.text.replace(UNKNOWN, "")
    assert "Ann Patient" not in theirs.text


@pytest.mark.parametrize("reference", ["nonsense", "Q-0000-000", "q-0000-0000x", "%3Cscript%3E"])
def test_malformed_references_are_404_not_500(client, sign_in, people, reference):
    sign_in(people[COORDINATOR].email)
    assert client.get(f"/desk/tickets/{reference}").status_code == 404


def test_surgeon_queue_shows_only_their_tickets(client, sign_in, people):
    mine = make_ticket(assignee=people[OWN])
    theirs = make_ticket(assignee=people[OTHER])
    unassigned = make_ticket()
    sign_in(people[OWN].email)
    for queue in ("mine", "all", "urgent", "review", "open"):
        page = client.get(f"/desk/?queue={queue}&q=back&surgeon={people[OTHER].id}").text
        assert theirs.reference not in page and unassigned.reference not in page
    assert mine.reference in client.get("/desk/").text
