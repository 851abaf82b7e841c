"""A demo fund and the same fund at 10×, built once per session in SQLite files of their own (the scale tests
compare the two; the run's database stays as the other tests expect it)."""

import shutil
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade

from fundapp import create_app
from fundapp.core.edge import transaction
from fundapp.core.extensions import db
from fundapp.demo.scale import scale_demo
from fundapp.demo.services import seed_demo
from fundapp.reference.services import load_reference
from tests.conftest import make_config
from tests.pages import add_floor

FACTOR = 10


def _app(url: str, folder) -> Flask:
    app = create_app(make_config(url, UPLOAD_FOLDER=str(folder)))
    add_floor(app)
    return app


@pytest.fixture(scope="session")
def funds(tmp_path_factory) -> Iterator[dict[int, Flask]]:
    """{1: an app on the demo fund, 10: an app on the demo fund scaled 10×}."""
    folder = tmp_path_factory.mktemp("scaled")
    demo_file, scaled_file = folder / "demo.sqlite3", folder / "scaled.sqlite3"
    demo = _app(f"sqlite:///{demo_file}", folder)
    with demo.app_context():
        upgrade()
        load_reference(demo.config["REFERENCE_DATA_FILE"])
        with transaction():
            seed_demo()
        db.engine.dispose()
    shutil.copyfile(demo_file, scaled_file)
    scaled = _app(f"sqlite:///{scaled_file}", folder)
    with scaled.app_context():
        with transaction():
            scale_demo(FACTOR)
        db.engine.dispose()
    yield {1: demo, FACTOR: scaled}
    for app in (demo, scaled):
        with app.app_context():
            db.engine.dispose()
