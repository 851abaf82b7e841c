"""The error pages never need the database that just failed: a busy database answers 503 on a page that reads
nothing, and a layout that cannot be drawn falls back to that page instead of Werkzeug's bare 500."""

import logging

import pytest
import sqlalchemy.exc

from fundapp import create_app
from fundapp.core.extensions import db
from tests.conftest import make_config


@pytest.fixture
def fresh_app(database_url):
    """A second app on the run's database, with routes of its own."""
    apps = []

    def _make(**overrides):
        apps.append(create_app(make_config(database_url, **overrides)))
        return apps[-1]

    yield _make
    for made in apps:
        with made.app_context():
            db.engine.dispose()


def test_a_locked_database_answers_503_with_a_retry_hint_on_a_page_without_database(fresh_app, caplog):
    app = fresh_app()
    touched = []

    @app.route("/_locked")
    def locked():
        raise sqlalchemy.exc.OperationalError("INSERT …", {}, Exception("database is locked"))

    @app.context_processor
    def _spy():
        touched.append(True)
        return {}

    with caplog.at_level(logging.ERROR, logger="fundapp.core.errors"):
        response = app.test_client().get("/_locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "The service is busy" in page
    assert "css/app.css" in page
    assert caplog.records[-1].args[0] in page  # the reference
    assert touched == []  # no context processor, so no query


def test_the_api_answers_a_locked_database_with_json_503(fresh_app):
    app = fresh_app()

    @app.route("/api/v1/_locked")
    def locked():
        raise sqlalchemy.exc.OperationalError("SELECT …", {}, Exception("database is locked"))

    response = app.test_client().get("/api/v1/_locked")
    assert response.status_code == 503
    assert response.get_json()["error"]["status"] == 503


def test_an_error_page_whose_layout_fails_falls_back_to_the_plain_page(fresh_app):
    app = fresh_app()

    @app.route("/_boom")
    def boom():
        raise ZeroDivisionError("kaboom")

    @app.context_processor
    def _database_gone():
        raise sqlalchemy.exc.OperationalError("SELECT …", {}, Exception("unable to open database file"))

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "css/app.css" in page
    assert "kaboom" not in page
    assert "unable to open" not in page
    missing = app.test_client().get("/no/such/page")
    assert missing.status_code == 404
    assert "Not Found" in missing.get_data(as_text=True)
