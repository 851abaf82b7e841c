"""The `flask` commands as the README tells a person to run them: in a new terminal, from the clone, with nothing
exported (no FUNDAPP_ENV, no FLASK_APP). `.flaskenv` (read by python-dotenv) points `flask` at wsgi.py and the
development instance `scripts/run` serves; `scripts/flask` does the same from any folder. A misconfiguration
stops with one line on stderr, never a traceback.

Each test runs real processes against its own instance folder (INSTANCE_PATH), so the developer's instance/ is
never touched.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"


def fresh_env(instance: Path, **extra: str) -> dict[str, str]:
    """What a new terminal has: PATH and HOME, nothing of fundapp's (INSTANCE_PATH only keeps the test apart)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(instance), "INSTANCE_PATH": str(instance)}
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    instance = tmp_path_factory.mktemp("instance")
    done = run([str(FLASK), "db", "upgrade"], fresh_env(instance))
    assert done.returncode == 0, done.stderr
    return instance


def test_flask_audit_verify_works_in_a_new_terminal_as_the_readme_says(migrated):
    done = run([str(FLASK), "audit", "verify"], fresh_env(migrated))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert (migrated / "fundapp.sqlite3").exists()  # the development instance's database, not production's
    assert "checkpoint" in (done.stdout + done.stderr).lower()


def test_scripts_flask_works_from_any_folder(migrated, tmp_path):
    done = run([str(ROOT / "scripts" / "flask"), "audit", "verify"], fresh_env(migrated), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"FUNDAPP_ENV": "production"}, "SECRET_KEY is not set"),
        ({"FUNDAPP_ENV": "staging"}, "FUNDAPP_ENV must be one of"),
        ({"FIXED_TODAY": "30/11/2021"}, "FIXED_TODAY must be a date"),
        ({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}, "cannot reach the database"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ],
)
def test_a_misconfiguration_is_one_clear_line(tmp_path, extra, says):
    done = run([str(FLASK), "audit", "verify"], fresh_env(tmp_path, **extra))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert says in lines[0]
