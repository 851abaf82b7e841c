"""The app factory and the configuration rules."""

import logging

import pytest

from config import Config, DevelopmentConfig, _database_url
from fundapp import create_app
from fundapp.core.extensions import db
from tests.conftest import make_config


def test_testing_config(app):
    assert app.testing
    assert app.config["ENV_NAME"] == "testing"


def test_production_refuses_to_start_without_secret_key(tmp_path):
    config = type("Prod", (Config,), {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_refuses_to_start_without_the_audit_key(tmp_path):
    config = type(
        "Prod",
        (Config,),
        {"SECRET_KEY": "x" * 64, "AUDIT_HMAC_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"},
    )
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY is not set"):
        create_app(config)
    config.AUDIT_HMAC_KEY = "short"
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY is too short"):
        create_app(config)


def test_production_cookie_settings():
    assert Config.SESSION_COOKIE_SECURE
    assert Config.SESSION_COOKIE_HTTPONLY
    assert Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert Config.REMEMBER_COOKIE_SECURE


def test_development_generates_and_keeps_a_key(tmp_path, monkeypatch):
    config = type(
        "Dev",
        (DevelopmentConfig,),
        {"SECRET_KEY": None, "AUDIT_HMAC_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"},
    )
    monkeypatch.setattr("fundapp.ROOT", tmp_path)
    first = create_app(config)
    second = create_app(config)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    # The audit key too, in its own file: never in the database, different from the secret key.
    assert first.config["AUDIT_HMAC_KEY"] == second.config["AUDIT_HMAC_KEY"]
    assert first.config["AUDIT_HMAC_KEY"] == (tmp_path / "instance" / "audit_hmac_key").read_text()
    assert first.config["AUDIT_HMAC_KEY"] != first.config["SECRET_KEY"]
    with first.app_context():
        db.engine.dispose()
    with second.app_context():
        db.engine.dispose()


def test_database_url_selects_postgresql_with_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/fundapp")
    assert _database_url("sqlite://") == "postgresql+psycopg://u:p@db/fundapp"
    monkeypatch.delenv("DATABASE_URL")
    assert _database_url("sqlite://") == "sqlite://"


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def fresh_app(database_url):
    """A second app on the run's database, for tests that need their own config or routes."""
    apps = []

    def _make(**overrides):
        made = create_app(make_config(database_url, **overrides))
        apps.append(made)
        return made

    yield _make
    for made in apps:
        with made.app_context():
            db.engine.dispose()


def test_unexpected_error_shows_a_reference_and_logs_the_traceback(fresh_app, caplog):
    app = fresh_app()

    @app.route("/_boom")
    def boom():
        raise ZeroDivisionError("kaboom")

    with caplog.at_level(logging.ERROR, logger="fundapp.core.errors"):
        response = app.test_client().get("/_boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    reference = caplog.records[-1].args[0]
    assert reference in page
    assert "kaboom" not in page
    assert caplog.records[-1].exc_info[0] is ZeroDivisionError


def test_404_and_403_pages_use_the_layout(client, login):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert b"Page not found" in page.data
    login("donor@example.org")
    refused = client.get("/admin")
    assert refused.status_code == 403
    assert b"You may not do this" in refused.data


def test_csrf_is_enforced_when_enabled(fresh_app):
    app = fresh_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/login", data={"email": "a@b.org", "password": "x"})
    assert response.status_code == 400
    assert b"The form expired" in response.data
