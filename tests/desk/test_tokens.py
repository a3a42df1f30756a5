"""API tokens on the account page: shown once, listed, revoked."""
import re

import pytest
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db
from service.staff.services import issue_api_token, staff_for_token


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def create(client, name="import script"):
    response = client.post("/desk/account/tokens", data={"name": name})
    assert response.status_code == 200
    return response


def test_new_token_is_shown_once_and_works_as_a_bearer(client, make_staff, sign_in):
    staff = make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    response = create(client)
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r"ndk_[A-Za-z0-9_-]+", response.text).group(0)
    assert staff_for_token(token).id == staff.id
    db.session.commit()

    page = client.get("/desk/account/tokens").text
    assert token not in page
    assert "import script" in page
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>\s*<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>", page)  # last used
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "token.create")).scalar_one()
    assert event.actor_id == staff.id and event.details == {"name": "import script"}
    assert token not in event.detail


def test_token_name_is_required(client, make_staff, sign_in):
    make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    response = client.post("/desk/account/tokens", data={"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "ndk_" not in response.text


def test_revoked_token_is_no_longer_accepted(client, make_staff, sign_in):
    staff = make_staff(email="ana@clinic.test")
    sign_in("ana@clinic.test")
    token = re.search(r"ndk_[A-Za-z0-9_-]+", create(client).text).group(0)
    token_id = int(re.search(r"/desk/account/tokens/(\d+)/revoke", client.get("/desk/account/tokens").text).group(1))

    response = client.post(f"/desk/account/tokens/{token_id}/revoke")
    assert response.status_code == 303
    assert staff_for_token(token) is None
    assert "<td>import script</td>" not in client.get("/desk/account/tokens").text
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "token.revoke")).scalar_one()
    assert (event.actor_id, event.target_type, event.target_id) == (staff.id, "api_token", str(token_id))
    # Revoking twice is a 404, not a second audit event.
    assert client.post(f"/desk/account/tokens/{token_id}/revoke").status_code == 404


def test_nobody_revokes_someone_elses_token(client, make_staff, sign_in):
    owner = make_staff(email="owner@clinic.test")
    token = issue_api_token(owner, "owner's")
    db.session.commit()
    from service.staff.models import ApiToken

    token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    make_staff(email="other@clinic.test", role="admin", specialties=())
    sign_in("other@clinic.test")
    assert client.post(f"/desk/account/tokens/{token_id}/revoke").status_code == 404
    assert "owner&#39;s" not in client.get("/desk/account/tokens").text
    assert staff_for_token(token).id == owner.id
