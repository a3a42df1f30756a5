"""Web security: CSRF on every HTML form, cookie flags, open redirects, mail header injection, IDOR."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from service.config import Config
from service.extensions import db
from service.tickets import services
from service.tickets.models import OutboundEmail, Ticket
from tests.conftest import base_config

# POST routes outside /api/ and /inbound/ that do NOT need a CSRF token, each with its reason.
CSRF_ALLOWED_WITHOUT_TOKEN: dict[str, str] = {
    # (none today: every HTML form, the public Ask form included, carries a token)
}
# /api/ authenticates with a bearer token (no cookies, so no CSRF); /inbound/ with an HMAC signature.
MACHINE_PREFIXES = ("/api/", "/inbound/")


def _build(pattern: str, values: dict) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), pattern)


def html_post_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if "POST" in rule.methods and not rule.rule.startswith(MACHINE_PREFIXES)),
        key=lambda r: r.rule,
    )


def test_csrf_is_on_in_the_running_config(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_every_html_post_route_refuses_a_request_without_csrf_token(app, client, make_staff, sign_in):
    make_staff("boss@clinic.test", role="admin", specialties=())
    sign_in("boss@clinic.test")  # signed in, so a refusal is the CSRF check, not the login wall
    rules = html_post_rules(app)
    assert len(rules) > 20  # the desk, the editor and /ask: the walk really ran
    accepted = []
    for rule in rules:
        if rule.endpoint in CSRF_ALLOWED_WITHOUT_TOKEN:
            continue
        response = client.post(_build(rule.rule, {
            arg: "Q-0000-0000" if arg == "reference" else 1 for arg in rule.arguments}),
            data={"name": "x", "email": "x@example.test", "question": "a question long enough", "consent": "y"})
        if response.status_code != 400 or "CSRF" not in response.text:
            accepted.append(f"{rule.rule} -> {response.status_code}")
    assert accepted == []
    assert client.get("/desk/").status_code == 200  # the refusals did not even log us out


def test_the_allow_list_names_only_existing_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(CSRF_ALLOWED_WITHOUT_TOKEN) <= endpoints


# ---- cookies ---------------------------------------------------------------------------
def session_cookie_header(client, make_staff, sign_in) -> str:
    make_staff("boss@clinic.test", role="admin", specialties=())
    response = sign_in("boss@clinic.test")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")]
    assert cookies, "login set no session cookie"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_staff, sign_in):
    cookie = session_cookie_header(client, make_staff, sign_in)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # PUBLIC_BASE_URL is http in tests


@pytest.fixture
def https_app_config(database_url):
    config = Config(Path("/tmp"), environ={"SECRET_KEY": "x", "PUBLIC_BASE_URL": "https://clinic.example"}).as_dict()
    return base_config(database_url, **{k: config[k] for k in (
        "PUBLIC_BASE_URL", "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")})


@pytest.mark.parametrize("db_backend", ["sqlite"])
def test_session_cookie_is_secure_when_the_site_is_https(https_app_config, make_staff):
    from service import create_app

    app = create_app(https_app_config)
    with app.app_context():
        make_staff("boss@clinic.test", role="admin", specialties=())
        client = app.test_client()
        page = client.get("/desk/login", base_url="https://clinic.example")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        # Over HTTPS Flask-WTF also demands a same-origin Referer (WTF_CSRF_SSL_STRICT).
        refused = client.post("/desk/login", base_url="https://clinic.example", data={
            "email": "boss@clinic.test", "password": "correct horse", "csrf_token": token})
        assert refused.status_code == 400
        response = client.post("/desk/login", base_url="https://clinic.example",
                               headers={"Referer": "https://clinic.example/desk/login"}, data={
            "email": "boss@clinic.test", "password": "correct horse", "csrf_token": token})
        assert response.status_code == 302
        cookie = [v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")][-1]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        db.session.remove()


# ---- open redirects --------------------------------------------------------------------
OFF_SITE = [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "%2F%2Fevil.example",
    "/%2F/evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", " //evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "https:evil.example", "http:/evil.example", "///evil.example", "////evil.example", "/\x00/evil.example",
    "evil.example", "@evil.example", "/\u3000/evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_next_never_leaves_the_site(client, make_staff, target):
    from urllib.parse import quote, urlsplit

    make_staff(password="correct horse")
    page = client.get("/desk/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    response = client.post(f"/desk/login?next={quote(target, safe='')}", data={
        "email": "surgeon@clinic.test", "password": "correct horse", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    # What a browser would do: strip tab/newline, treat backslash as slash, then resolve.
    browser_view = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(browser_view)
    assert not parts.scheme and not parts.netloc and browser_view.startswith("/") and not browser_view.startswith("//")
    # Already signed in: the GET shortcut applies the same rule.
    again = client.get(f"/desk/login?next={quote(target, safe='')}")
    assert again.status_code == 302 and not again.headers["Location"].startswith("//")


def test_login_next_keeps_a_same_site_path(client, make_staff):
    make_staff(password="correct horse")
    page = client.get("/desk/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    response = client.post("/desk/login?next=%2Fdesk%2Faccount%2Ftokens", data={
        "email": "surgeon@clinic.test", "password": "correct horse", "csrf_token": token})
    assert response.headers["Location"] == "/desk/account/tokens"


# ---- header injection in mail -----------------------------------------------------------
INJECTIONS = ["Ann\r\nBcc: victim@evil.example", "Ann\nBcc: victim@evil.example", "Ann\rX-Evil: 1",
              "=?utf-8?q?Ann=0D=0ABcc:_victim@evil.example?="]


@pytest.fixture
def app_config():
    from tests.tickets.conftest import celery_config

    return {"CELERY": celery_config()}


@pytest.mark.parametrize("name", INJECTIONS[:3])
def test_intake_refuses_line_breaks_in_the_name(client, name):
    response = client.post("/api/v1/questions", json={
        "name": name, "email": "ann@example.test", "question": "My back hurts when I sit.", "consent": True})
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]
    assert db.session.execute(select(Ticket)).first() is None


@pytest.mark.parametrize("email", ["ann@example.test\r\nBcc: victim@evil.example", "ann@example.test\nCc: x@evil.example",
                                   "ann@example.test>\r\nBcc:<x@evil.example"])
def test_intake_refuses_line_breaks_in_the_email(client, email):
    response = client.post("/api/v1/questions", json={
        "name": "Ann", "email": email, "question": "My back hurts when I sit.", "consent": True})
    assert response.status_code == 422
    assert db.session.execute(select(Ticket)).first() is None


@pytest.mark.parametrize("name", INJECTIONS)
def test_mail_builder_never_lets_a_name_become_a_header(name):
    from service.mail.addresses import mailbox

    try:
        formatted = mailbox(name, "ann@example.test")
    except ValueError:
        return  # refused outright: fine
    assert "\r" not in formatted and "\n" not in formatted


def test_a_hostile_stored_ticket_still_mails_with_clean_headers(make_staff):
    """Even if a name with CR/LF reached the database some other way, the sent message has no new header."""
    from service.mail import outbound, ticket_mail

    make_staff("spine@clinic.test", name="Dr Spine\r\nBcc: staff-leak@evil.example")
    submission = services.submit_question(name="Ann", email="ann@example.test",
                                          question="My lower back hurts and the sciatica goes down my leg.",
                                          topic=None)
    ticket = db.session.get(Ticket, submission.ticket_id)
    ticket.patient_name = "Ann\r\nBcc: victim@evil.example"
    db.session.commit()
    try:
        email = ticket_mail.queue_patient_acknowledgement(ticket)
        db.session.flush()
    except ValueError:
        db.session.rollback()
        return  # the builder refused the hostile name outright
    from email import message_from_string
    from email.utils import getaddresses

    parsed = message_from_string(outbound._mail_message(email).as_string())
    assert {"Bcc", "Cc", "X-Evil"}.isdisjoint(parsed.keys())
    assert [addr for _, addr in getaddresses(parsed.get_all("To"))] == ["ann@example.test"]


def test_subject_with_line_breaks_is_folded_to_one_line(app):
    from service.mail.outbound import Draft, queue_email

    ticket = Ticket(reference="Q-AAAA-BBBB", patient_name="Ann", patient_email="ann@example.test")
    db.session.add(ticket)
    db.session.flush()
    email = queue_email(Draft(key="t", kind="patient_acknowledgement", to="ann@example.test",
                              subject="Hi\r\nBcc: victim@evil.example", template="patient_acknowledgement",
                              context={"ticket": ticket, "emergency_advice": None, "related": [], "base_url": "x"},
                              message_id="<t@reply.localhost>", ticket=ticket))
    assert "\r" not in email.subject and "\n" not in email.subject


# ---- IDOR: one surgeon never reads another's ticket ----------------------------------------
MARKER = "marker-idor-5c2e"


def test_a_surgeon_never_reads_another_surgeons_ticket_through_any_route(app, client, make_staff, sign_in):
    """Every GET route that takes an id or reference, filled with the other surgeon's ticket's
    values, as surgeon A by session and by API token: never the ticket's text.

    The per-action statuses (404 for another surgeon's ticket) are tests/desk/routes.py
    TICKET_MATRIX; this sweep catches a new route that forgets the check.
    """
    from service.staff.services import issue_api_token

    mine = make_staff("a@clinic.test", name="Dr A", specialties=("spine",))
    other = make_staff("b@clinic.test", name="Dr B", specialties=("spine",))
    submission = services.submit_question(name="Pat", email="pat@example.test",
                                          question=f"My back hurts and my leg is numb. {MARKER}", topic=None)
    ticket = db.session.get(Ticket, submission.ticket_id)
    services.triage_ticket(ticket.id)
    ticket = db.session.get(Ticket, submission.ticket_id)
    ticket.assignee_id = other.id
    ticket.status = "assigned"
    db.session.commit()
    email_ids = db.session.execute(select(OutboundEmail.id)).scalars().all()
    token = issue_api_token(mine)
    db.session.commit()
    sign_in("a@clinic.test")

    values = {"reference": ticket.reference, "ticket_id": ticket.id}
    leaks = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments or rule.endpoint == "static":
            continue
        candidates = [dict(values)]
        if "email_id" in rule.arguments:
            candidates = [{"email_id": i} for i in email_ids]
        for extra in candidates:
            args = {a: extra.get(a, values.get(a, ticket.id)) for a in rule.arguments}
            url = _build(rule.rule, args)
            for headers in ({}, {"Authorization": f"Bearer {token}"}):
                response = client.get(url, headers=headers)
                if MARKER in response.get_data(as_text=True) or "pat@example.test" in response.get_data(as_text=True):
                    leaks.append(f"{url} {headers and 'token' or 'session'} -> {response.status_code}")
    assert leaks == []
    # And the ticket page itself answers exactly like an unknown reference.
    assert client.get(f"/desk/tickets/{ticket.reference}").status_code == 404
