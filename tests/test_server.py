"""scripts/run's server under simultaneous people: gunicorn (gthread, gunicorn.conf.py) on a SQLite file holding the
demo fund, twenty sign-ins at the same moment, then twenty form posts at the same moment: no 5xx, nothing lost.

The server is the real one (a subprocess, `gunicorn --config gunicorn.conf.py wsgi:app`, as scripts/run starts
it after its set-up steps) on a free loopback port; the database is seeded here, once, with the demo fund.
"""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from fundapp import create_app
from fundapp.core.extensions import db as _db
from fundapp.demo.services import DEMO_PASSWORD, seed_demo
from fundapp.reference.services import load_reference
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
AUDIT_KEY = "server-test-audit-key-0123456789abcdef"
#: Twenty demo accounts of every role.
ACCOUNTS = [
    "admin@example.org",
    "secretariat@example.org",
    "chair@example.org",
    *(f"member{i}@example.org" for i in range(1, 12)),
    "applicant@example.org",
    "applicant2@example.org",
    "applicant3@example.org",
    "applicant4@example.org",
    "donor@example.org",
    "donor2@example.org",
]
APPLICANTS = ACCOUNTS[14:18]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The demo fund served by gunicorn on a temporary SQLite file; yields (base URL, database file)."""
    folder = tmp_path_factory.mktemp("server")
    db_file = folder / "fund.sqlite3"
    app = create_app(make_config(f"sqlite:///{db_file}", AUDIT_HMAC_KEY=AUDIT_KEY, UPLOAD_FOLDER=str(folder)))
    with app.app_context():
        upgrade()
        load_reference(app.config["REFERENCE_DATA_FILE"])
        seed_demo()
        _db.session.commit()
        _db.engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "FUNDAPP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "AUDIT_HMAC_KEY": AUDIT_KEY,
        "AUDIT_ANCHOR_FILE": str(folder / "anchors.log"),
        "UPLOAD_FOLDER": str(folder),
        "PORT": str(port),
        "WEB_ACCESS_LOG": "",
    }
    env.pop("TEST_DATABASE_URL", None)
    log = (folder / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, folder / "gunicorn.log")
        yield base, db_file
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped at start-up:\n{log.read_text()}")
        try:
            if requests.get(f"{base}/login", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def _token(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html) or re.search(
        rf'value="([^"]+)"[^>]*name="{name}"', html
    )
    assert found, f"no {name} in the form"
    return found.group(1)


def _all_at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response | BaseException]:
    """Run every call on its own thread, released together; answers or exceptions, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[requests.Response | BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results  # type: ignore[return-value]


def _sign_in_form(base: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=30)
    assert page.status_code == 200
    return browser, _token(page.text, "csrf_token")


def _post_sign_in(base: str, browser: requests.Session, csrf: str, email: str) -> Callable[[], requests.Response]:
    data = {"csrf_token": csrf, "email": email, "password": DEMO_PASSWORD}
    return lambda: browser.post(f"{base}/login", data=data, allow_redirects=False, timeout=90)


def test_twenty_simultaneous_sign_ins_all_succeed(server):
    base, _db_file = server
    browsers = [_sign_in_form(base) for _ in ACCOUNTS]
    answers = _all_at_once(
        [_post_sign_in(base, browser, csrf, email) for (browser, csrf), email in zip(browsers, ACCOUNTS, strict=True)]
    )
    for email, answer in zip(ACCOUNTS, answers, strict=True):
        assert isinstance(answer, requests.Response), f"{email}: {answer!r}"
        assert answer.status_code == 302, f"{email}: {answer.status_code} {answer.text[:300]}"
    for (browser, _csrf), email in zip(browsers, ACCOUNTS, strict=True):
        profile = browser.get(f"{base}/profile", timeout=30)
        assert profile.status_code == 200
        assert email in profile.text


def test_twenty_simultaneous_form_posts_are_all_recorded(server):
    base, db_file = server
    posts = []
    titles = []
    for i in range(20):
        browser, csrf = _sign_in_form(base)
        email = APPLICANTS[i % len(APPLICANTS)]
        assert _post_sign_in(base, browser, csrf, email)().status_code == 302
        form = browser.get(f"{base}/concept-notes/new", timeout=30)
        assert form.status_code == 200
        call_id = re.search(r'<option[^>]*value="(\d+)"', form.text).group(1)
        title = f"Simultaneous draft {i:02d}"
        titles.append(title)
        data = {"csrf_token": _token(form.text, "csrf_token"), "call_id": call_id, "title": title}
        if 'name="submission_key"' in form.text:
            data["submission_key"] = _token(form.text, "submission_key")
        posts.append(
            lambda b=browser, d=data: b.post(f"{base}/concept-notes/new", data=d, allow_redirects=False, timeout=90)
        )
    answers = _all_at_once(posts)
    for title, answer in zip(titles, answers, strict=True):
        assert isinstance(answer, requests.Response), f"{title}: {answer!r}"
        assert answer.status_code == 302, f"{title}: {answer.status_code} {answer.text[:300]}"
        assert re.search(r"/concept-notes/\d+/edit$", answer.headers["Location"])
    with sqlite3.connect(db_file) as conn:
        stored = {row[0] for row in conn.execute("SELECT title FROM concept_notes WHERE title LIKE 'Simultaneous%'")}
    assert stored == set(titles)
