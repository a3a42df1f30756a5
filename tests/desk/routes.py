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

LOGIN = 302  # anonymous: redirect to /desk/login?next=...


def everyone_signed_in(status: int) -> dict[str, int]:
    return {ANON: LOGIN, SURGEON: status, COORDINATOR: status, ADMIN: status}


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
    ("desk.staff_list", "GET"): ("/desk/staff", admin_only(200)),
    ("desk.staff_availability", "POST"): (f"/desk/staff/{MISSING}", admin_only(404)),
    ("desk.audit_log", "GET"): ("/desk/audit", admin_only(200)),
    # The dev mailbox (intake room). NOTE for the lead: every signed-in role may read all
    # mail, including surgeons reading mail about tickets not assigned to them.
    ("desk.mail_list", "GET"): ("/desk/mail", everyone_signed_in(200)),
    ("desk.mail_detail", "GET"): (f"/desk/mail/{MISSING}", everyone_signed_in(404)),
    ("desk.mail_html", "GET"): (f"/desk/mail/{MISSING}/html", everyone_signed_in(404)),
}


def desk_routes(app) -> set[tuple[str, str]]:
    """(endpoint, method) for every rule the `desk` blueprint registered."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("desk.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
