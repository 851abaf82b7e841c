"""Migrations and models agree, and the chain goes up, down and up again on both engines."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from fundapp import create_app
from fundapp.core.edge import transaction
from fundapp.core.extensions import db as _db
from fundapp.demo.services import seed_demo
from fundapp.reference.services import load_reference
from tests.conftest import make_config


def test_models_and_migrations_do_not_drift(app):
    """The schema built by `upgrade head` is what the models describe (like `alembic check`)."""
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """An empty database of the same engine as the run's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    url = sa.engine.make_url(database_url)
    name = f"{url.database}_scratch"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(scratch_database_url):
    scratch = create_app(make_config(scratch_database_url))
    with scratch.app_context():
        engine = _db.engine
        upgrade()
        expected = {table.name for table in _db.metadata.sorted_tables}
        assert _tables(engine) == expected
        downgrade(revision="base")
        assert _tables(engine) == set()
        upgrade()
        assert _tables(engine) == expected
        _db.session.remove()
        engine.dispose()


def test_migration_files_sort_in_chain_order_without_autogenerate_markers():
    """Reading the folder in name order is reading the chain from the first revision to head."""
    folder = Path(__file__).resolve().parents[1] / "migrations"
    scripts = ScriptDirectory(str(folder))
    chain = [s.path for s in reversed(list(scripts.walk_revisions()))]
    assert [Path(p).name for p in chain] == sorted(Path(p).name for p in chain)
    for path in chain:
        text = Path(path).read_text()
        assert "please adjust" not in text, path
        assert "end Alembic commands" not in text, path


def test_the_latest_migrations_go_down_and_up_on_a_fund_full_of_data(scratch_database_url):
    """A fund in use upgrades: SQLite rebuilds a table for a batch operation, which must not trip over the rows
    that point to it (the users table, referenced from everywhere, was the first to fail)."""
    scratch = create_app(make_config(scratch_database_url))
    with scratch.app_context():
        upgrade()
        load_reference(scratch.config["REFERENCE_DATA_FILE"])
        with transaction():
            seed_demo()
        users = _db.session.execute(sa.text("SELECT count(*) FROM users")).scalar_one()
        _db.session.remove()
        downgrade(revision="20261130_score_summaries")
        upgrade()
        assert _db.session.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == users
        assert _db.session.execute(sa.text("SELECT count(*) FROM users WHERE language IS NOT NULL")).scalar() == 0
        _db.session.remove()
        _db.engine.dispose()
