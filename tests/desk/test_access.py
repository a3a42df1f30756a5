"""roles_required and the ticket visibility rule."""
from flask import Flask
from sqlalchemy.dialects import sqlite

from service.desk.access import can_see_ticket, roles_required, visible_tickets_filter
from service.staff.models import Staff


def test_wrong_role_gets_a_403_page_not_a_login_redirect(client, make_staff, sign_in):
    make_staff(email="dr@clinic.test", role="surgeon")
    sign_in("dr@clinic.test")
    response = client.get("/desk/staff")
    assert response.status_code == 403
    assert "role does not give access" in response.text
    assert "<html" in response.text


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/desk/audit")
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/login?next=%2Fdesk%2Faudit"


def test_roles_required_accepts_role_enum_or_string():
    from service.staff.models import Role

    @roles_required(Role.ADMIN, "coordinator")
    def view():
        return "ok"

    assert view.allowed_roles == {"admin", "coordinator"}


def _sql(clause) -> str:
    return str(clause.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def test_coordinators_and_admins_see_all_tickets_surgeons_only_their_own():
    from service.tickets.models import Ticket

    coordinator = Staff(id=1, role="coordinator")
    admin = Staff(id=2, role="admin")
    surgeon = Staff(id=7, role="surgeon")
    assert _sql(visible_tickets_filter(coordinator)) == "1"
    assert _sql(visible_tickets_filter(admin, Ticket)) == "1"
    assert _sql(visible_tickets_filter(surgeon)) == "ticket.assignee_id = 7"

    class T:
        assignee_id = 7

    assert can_see_ticket(surgeon, T()) and can_see_ticket(coordinator, T())
    assert not can_see_ticket(Staff(id=8, role="surgeon"), T())
