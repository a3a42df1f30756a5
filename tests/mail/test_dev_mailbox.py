"""/desk/mail: staff read every email the service sent or kept."""
from __future__ import annotations

import pytest

from service.extensions import db
from tests.mail.test_outbound import queued


@pytest.fixture
def logged_in(client, make_staff):
    make_staff("coord@clinic.test", role="coordinator", specialties=(), password="correct horse")
    html = client.get("/desk/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/desk/login", data={"csrf_token": token, "email": "coord@clinic.test", "password": "correct horse"})
    return client


def test_mailbox_needs_a_login(client):
    response = client.get("/desk/mail")
    assert response.status_code == 302 and "/desk/login" in response.headers["Location"]


def test_mailbox_lists_newest_first_and_opens_one(logged_in):
    first = queued("test:1")
    second = queued("test:2")
    page = logged_in.get("/desk/mail").get_data(as_text=True)
    assert page.index(f"/desk/mail/{second.id}") < page.index(f"/desk/mail/{first.id}")
    assert "queued" in page
    detail = logged_in.get(f"/desk/mail/{first.id}")
    body = detail.get_data(as_text=True)
    assert detail.headers["Cache-Control"] == "no-store"
    assert first.message_id.replace("<", "&lt;").replace(">", "&gt;") in body
    assert "reply+1-1-" in body
    assert "&lt;b&gt;" in body  # HTML source shown escaped


def test_html_part_is_served_only_inside_a_sandbox(logged_in):
    email = queued()
    response = logged_in.get(f"/desk/mail/{email.id}/html")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_mailbox_paginates(logged_in):
    for i in range(55):
        queued(f"test:{i}")
    db.session.commit()
    assert "Page 1 of 2" in logged_in.get("/desk/mail").get_data(as_text=True)
    assert "Page 2 of 2" in logged_in.get("/desk/mail?page=2").get_data(as_text=True)


def test_older_links_walk_every_email_once_past_the_numbered_pages(logged_in, monkeypatch):
    import html as html_lib
    import re

    from service.desk import mail, paging

    monkeypatch.setattr(mail, "PAGE_SIZE", 4)
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    made = [queued(f"test:{i}") for i in range(23)]
    page = logged_in.get("/desk/mail").get_data(as_text=True)
    assert "10+ emails" in page
    seen, url = [], "/desk/mail"
    while url:
        page = logged_in.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'href="/desk/mail/(\d+)"', page)]
        if len(seen) == 8:
            queued("test:late")  # arrives mid-walk: shifts nothing
        older = re.search(r'<a rel="next" href="([^"]+)">Older', page)
        url = html_lib.unescape(older.group(1)) if older else None
    assert seen == [e.id for e in reversed(made)]
    assert logged_in.get("/desk/mail?page=4000").status_code == 400
