"""Migrations and models agree, and the chain goes up, down and up again on both engines."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from fundapp import create_app
from fundapp.core.extensions import db as _db
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
