import pytest


@pytest.fixture
def app_config(redis_url):
    return {"CELERY": {"broker_url": redis_url, "task_ignore_result": True}}


def test_healthz_reports_database_and_broker_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": True, "broker": True}}


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_healthz_answers_503_when_the_broker_is_down(app):
    app.extensions["celery"].conf.broker_url = "redis://127.0.0.1:1/0"
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": True, "broker": False}
