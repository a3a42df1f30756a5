from service.extensions import db
from service.staff.services import authenticate, issue_api_token, staff_for_token


def test_staff_add_creates_then_updates_by_email(runner, app):
    result = runner.invoke(args=["staff", "add", "--email", "Ana@Clinic.test", "--name", "Ana", "--role", "surgeon",
                                 "--specialty", "spine", "--specialty", "tos", "--password", "long enough"])
    assert result.exit_code == 0, result.output
    assert "ana@clinic.test: surgeon (spine, tos)" in result.output
    result = runner.invoke(args=["staff", "add", "--email", "ana@clinic.test", "--name", "Ana B", "--role", "coordinator"])
    assert result.exit_code == 0, result.output
    staff = authenticate("ANA@clinic.test", "long enough")
    assert staff is not None and staff.name == "Ana B" and staff.role == "coordinator"


def test_staff_add_rejects_unknown_role_with_a_clear_message(runner):
    result = runner.invoke(args=["staff", "add", "--email", "x@clinic.test", "--name", "X", "--role", "janitor"])
    assert result.exit_code != 0
    assert "janitor" in result.output


def test_wrong_password_and_inactive_staff_cannot_authenticate(make_staff):
    staff = make_staff(password="correct horse")
    assert authenticate(staff.email, "wrong horse") is None
    staff.active = False
    db.session.commit()
    assert authenticate(staff.email, "correct horse") is None


def test_api_token_is_stored_hashed_and_resolves_to_its_staff(make_staff):
    staff = make_staff()
    token = issue_api_token(staff)
    db.session.commit()
    from service.staff.models import ApiToken

    stored = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token not in stored.token_hash
    assert staff_for_token(token).id == staff.id
    assert staff_for_token(token + "x") is None
