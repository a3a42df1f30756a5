"""Every desk route with the status each kind of visitor must get: the role matrix.

Adding a route to the `desk` blueprint without a row here fails
test_role_matrix.py::test_every_desk_route_is_in_the_matrix, so nobody ships a desk page
without deciding who may see it. Requests are sent with CSRF off and no form data: the
point is the access decision, not the form.
"""
from __future__ import annotations

ANON, SURGEON, COORDINATOR, ADMIN = "anonymous", "surgeon", "coordinator", "admin"
ROLES = (ANON, SURGEON, COORDINATOR, ADMIN)
MISSING = 999999  # an id no row has
UNKNOWN = "Q-0000-0000"  # a well-formed reference no ticket has

LOGIN = 302  # anonymous: redirect to /desk/login?next=...


def everyone_signed_in(status: int) -> dict[str, int]:
    return {ANON: LOGIN, SURGEON: status, COORDINATOR: status, ADMIN: status}


def coordination(status: int) -> dict[str, int]:
    return {ANON: LOGIN, SURGEON: 403, COORDINATOR: status, ADMIN: status}


def admin_only(status: int) -> dict[str, int]:
    return {ANON: LOGIN, SURGEON: 403, COORDINATOR: 403, ADMIN: status}


# (endpoint, method) -> (url, {role: expected status})
ROLE_MATRIX: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("desk.login", "GET"): ("/desk/login", {ANON: 200, SURGEON: 302, COORDINATOR: 302, ADMIN: 302}),
    ("desk.login", "POST"): ("/desk/login", {ANON: 200, SURGEON: 302, COORDINATOR: 302, ADMIN: 302}),
    ("desk.logout", "POST"): ("/desk/logout", everyone_signed_in(302)),
    ("desk.index", "GET"): ("/desk/", everyone_signed_in(200)),
    ("desk.password", "GET"): ("/desk/account/password", everyone_signed_in(200)),
    ("desk.password", "POST"): ("/desk/account/password", everyone_signed_in(200)),
    ("desk.tokens", "GET"): ("/desk/account/tokens", everyone_signed_in(200)),
    ("desk.token_create", "POST"): ("/desk/account/tokens", everyone_signed_in(200)),
    ("desk.token_revoke", "POST"): (f"/desk/account/tokens/{MISSING}/revoke", everyone_signed_in(404)),
    ("desk.sessions_list", "GET"): ("/desk/account/sessions", everyone_signed_in(200)),
    ("desk.session_revoke", "POST"): (f"/desk/account/sessions/{'0' * 64}/revoke", everyone_signed_in(404)),
    # Ends every session of the person, this one too: back to the login page.
    ("desk.sessions_revoke_all", "POST"): ("/desk/account/sessions/revoke-all", everyone_signed_in(303)),
    ("desk.staff_list", "GET"): ("/desk/staff", admin_only(200)),
    ("desk.staff_availability", "POST"): (f"/desk/staff/{MISSING}", admin_only(404)),
    ("desk.audit_log", "GET"): ("/desk/audit", admin_only(200)),
    # The dev mailbox holds every patient's mail: coordinators and admins only.
    ("desk.mail_list", "GET"): ("/desk/mail", coordination(200)),
    ("desk.reports", "GET"): ("/desk/reports", coordination(200)),
    ("desk.reports_csv", "GET"): ("/desk/reports.csv", coordination(200)),
    ("desk.mail_detail", "GET"): (f"/desk/mail/{MISSING}", coordination(404)),
    ("desk.mail_html", "GET"): (f"/desk/mail/{MISSING}/html", coordination(404)),
    # Tickets: an unknown reference is 404 for everyone signed in. Who may do what on a real
    # ticket (surgeon-own, surgeon-other, coordinator, admin) is TICKET_MATRIX below.
    ("desk.ticket_detail", "GET"): (f"/desk/tickets/{UNKNOWN}", everyone_signed_in(404)),
    **{
        (f"desk.ticket_{name}", "POST"): (f"/desk/tickets/{UNKNOWN}/{path}", everyone_signed_in(404))
        for name, path in (("assign", "assign"), ("retag", "tag"), ("urgency", "urgency"), ("note", "note"),
                           ("reply", "reply"), ("close", "close"), ("reopen", "reopen"), ("spam", "spam"))
    },
    ("desk.quarantine_list", "GET"): ("/desk/quarantine", coordination(200)),
    ("desk.quarantine_release", "POST"): (f"/desk/quarantine/{MISSING}/release", coordination(404)),
}

# Ticket routes on a real ticket assigned to SURGEON_OWN (not SURGEON_OTHER), with valid form
# data: path -> {visitor: status}. 303 = done (redirect back to the ticket page), 403 = may see
# it but not do this, 404 = may not even know it exists.
OWN, OTHER = "surgeon-own", "surgeon-other"
TICKET_VISITORS = (ANON, OWN, OTHER, COORDINATOR, ADMIN)


def _ticket(own: int, coordinator: int, other: int = 404) -> dict[str, int]:
    return {ANON: LOGIN, OWN: own, OTHER: other, COORDINATOR: coordinator, ADMIN: coordinator}


TICKET_MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", ""): _ticket(200, 200),
    ("POST", "/assign"): _ticket(403, 303),
    ("POST", "/tag"): _ticket(403, 303),
    ("POST", "/urgency"): _ticket(403, 303),
    ("POST", "/note"): _ticket(303, 303),
    ("POST", "/reply"): _ticket(303, 403),  # the assigned surgeon answers, nobody else
    ("POST", "/close"): _ticket(303, 303),
    ("POST", "/reopen"): _ticket(403, 303),
    ("POST", "/spam"): _ticket(403, 303),
}


def desk_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) for every rule the `desk` blueprint registered."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("desk.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
