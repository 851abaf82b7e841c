"""Backups that restore (issue 11, item 9): one file with the database and the attachments, taken while the app
serves, restored into an empty instance with the same figures on every channel and an intact audit chain."""

import io
import tarfile
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from fundapp import create_app
from fundapp.auth.models import Organisation, User
from fundapp.auth.sessions import Client, start_session
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.contributions import ledger, services
from fundapp.core import backup, clock
from fundapp.core.extensions import db
from fundapp.demo import DEMO_PASSWORD
from fundapp.demo.services import seed_accounts
from fundapp.reference.services import load_reference
from fundapp.reports import services as report_services
from tests.concept_notes.helpers import make_note
from tests.conftest import make_config
from tests.contributions import factories as cf
from tests.reports.test_point_in_time import _content

SIGNED_IN = "secretariat@example.org"


@pytest.fixture
def instances(database_url, tmp_path):
    """make(name) -> a new app on an empty database of the run's engine, with its own empty upload folder."""
    made: list[tuple[Flask, str | None]] = []
    admin = None
    if database_url.startswith("postgresql"):
        server = sa.engine.make_url(database_url).set(database="postgres")
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")

    def make(name: str) -> Flask:
        if admin is None:
            url, scratch = f"sqlite:///{tmp_path / f'{name}.sqlite3'}", None
        else:
            base = sa.engine.make_url(database_url)
            scratch = f"{base.database}_{name}"
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
            url = base.set(database=scratch).render_as_string(hide_password=False)
        app = create_app(make_config(url, UPLOAD_FOLDER=str(tmp_path / f"{name}-uploads")))
        made.append((app, scratch))
        return app

    yield make
    for app, scratch in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None and scratch:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    if admin is not None:
        admin.dispose()


def build_fund(app: Flask) -> None:
    """A small fund with money in every category, an attachment and a frozen 2020 statement, committed."""
    with app.app_context():
        upgrade()
        load_reference(app.config["REFERENCE_DATA_FILE"])
        seed_accounts()
        cf.deposit("DEU", amount="900000.00", on=date(2020, 3, 10))
        usd = cf.agreement("NLD", currency="USD", amount="500000.00", reference="B-USD")
        services.record_deposit(None, usd, Decimal("500000.00"), date(2020, 5, 1))
        note = make_note("UNICEF", "applicant2@example.org", submit=True, attach=True)
        orgs = {o.code: o.id for o in db.session.scalars(sa.select(Organisation))}
        document = JointProgrammeDocument(
            concept_note_id=note.id, summary="Backed up.", starts_on=date(2020, 6, 1), ends_on=date(2022, 5, 31)
        )
        document.budget_lines = [
            ProgrammeBudgetLine(organisation_id=orgs["UNICEF"], amount=Decimal("250000.00")),
            ProgrammeBudgetLine(organisation_id=orgs["ILO"], amount=Decimal("150000.00")),
        ]
        db.session.add(document)
        db.session.flush()
        ledger.allocate(None, "400000.00", None, document.id, date(2020, 6, 1), organisation_id=orgs["UNICEF"])
        ledger.post_transfer(None, "100000.00", document.id, orgs["ILO"], date(2020, 7, 1))
        ledger.post_expenditure(None, "40000.00", document.id, orgs["ILO"], date(2020, 11, 1))
        ledger.post_interest(None, "321.09", date(2020, 12, 31))
        report_services.freeze_year(None, 2020, "test")
        db.session.commit()
        db.session.remove()


def _invoke(app: Flask, *args: str):
    """Run a flask command against `app` (its context pushed: the run's own app context may be active)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    return result


def _channels(app: Flask) -> list[str]:
    with app.app_context():
        deu = cf.donor("DEU").id
        programme = db.session.scalar(sa.select(JointProgrammeDocument.id))
        db.session.remove()
    return [
        "/transparency/",
        "/transparency/statement.csv",
        "/transparency/contributors.csv",
        "/transparency/organisations.csv",
        "/transparency/programmes.csv",
        f"/transparency/programmes/{programme}",
        "/transparency/annual-report?year=2020",
        "/transparency/annual-report/2020.pdf",
        "/transparency/annual-report/2020.xlsx",
        "/transparency/annual-report/2021.pdf",
        "/contributions/funding-status?as_of=2020-12-31",
        "/contributions/funding-status.csv",
        "/contributions/funding-status.xlsx",
        "/contributions/ledger.csv",
        "/contributions/donors.csv",
        f"/contributions/donors/{deu}/report?from=2020-01-01&to=2020-12-31",
        f"/contributions/donors/{deu}/report.csv?from=2020-01-01&to=2020-12-31",
        "/api/v1/summary",
        "/api/v1/funding-status?as_of=2020-12-31",
        "/api/v1/contributors",
        "/api/v1/organizations",
        "/api/v1/programmes",
        f"/api/v1/programmes/{programme}",
    ]


def _signed_in(app: Flask):
    """A test client of the app with the secretariat signed in."""
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == SIGNED_IN))
        session_id = start_session(user, Client("127.0.0.1", "pytest"))  # a server-side session, as sign-in opens
        db.session.commit()
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def _read_all(app: Flask, urls: list[str]) -> dict[str, object]:
    with clock.frozen(datetime(2026, 11, 30, 12, 0)):  # the session opens and is used at the same instant
        client = _signed_in(app)
        return {url: _content(client.get(url)) for url in urls}


class Traffic(threading.Thread):
    """Users signing in (an audit row each) and reading pages, as long as the backup runs."""

    def __init__(self, app: Flask) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.requests = 0
        self.errors: list[str] = []

    def run(self) -> None:
        client = self.app.test_client()
        while not self.stop.is_set():
            for path, data in (
                ("/login", {"email": "donor2@example.org", "password": DEMO_PASSWORD}),
                ("/transparency/", None),
                ("/api/v1/summary", None),
            ):
                response = client.post(path, data=data) if data else client.get(path)
                if response.status_code >= 400:
                    self.errors.append(f"{path}: {response.status_code}")
                self.requests += 1
            client.post("/logout")


def test_a_backup_taken_while_the_app_serves_restores_with_the_same_figures(instances, tmp_path):
    source = instances("source")
    build_fund(source)
    file = tmp_path / "fundapp.tar.gz"
    traffic = Traffic(source)
    traffic.start()
    try:
        while traffic.requests < 6:  # the app is busy when the backup starts
            threading.Event().wait(0.05)
        result = _invoke(source, "backup", "create", str(file))
        assert result.exit_code == 0, result.output
        while traffic.requests < 12:  # and keeps serving while and after it runs
            threading.Event().wait(0.05)
    finally:
        traffic.stop.set()
        traffic.join(timeout=30)
    assert traffic.errors == []
    assert "Backup written to" in result.output
    with tarfile.open(file) as archive:
        names = archive.getnames()
    assert "manifest.json" in names
    assert any(name.startswith("uploads/") for name in names)

    target = instances("target")
    restored = _invoke(target, "backup", "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert "Audit log intact" in restored.output
    assert "ledger and deposits reconcile" in restored.output

    urls = _channels(source)
    expected, got = _read_all(source, urls), _read_all(target, urls)
    for url in urls:
        assert got[url] == expected[url], url
    # The frozen statement is the same file, byte for byte; the attachment too.
    with source.app_context():
        frozen = report_services.frozen_statement(2020)
        pdf = db.session.scalar(sa.select(type(frozen).pdf).where(type(frozen).id == frozen.id))
        db.session.remove()
    assert _signed_in(target).get("/transparency/annual-report/2020.pdf").data == pdf
    uploads = {p.name: p.read_bytes() for p in (tmp_path / "source-uploads").iterdir()}
    assert {p.name: p.read_bytes() for p in (tmp_path / "target-uploads").iterdir()} == uploads

    # A second restore finds the instance full and refuses.
    again = _invoke(target, "backup", "restore", str(file))
    assert again.exit_code != 0
    assert "not empty" in again.output


def test_restore_refuses_a_damaged_or_foreign_file(instances, tmp_path):
    source = instances("damaged")
    build_fund(source)
    file = tmp_path / "good.tar.gz"
    assert _invoke(source, "backup", "create", str(file)).exit_code == 0
    with tarfile.open(file) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as archive:
        for name, content in members.items():
            data = content + b"tampered" if name.startswith("uploads/") else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    target = instances("empty")
    result = _invoke(target, "backup", "restore", str(damaged))
    assert result.exit_code != 0
    assert "does not match its SHA-256" in result.output
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a backup")
    result = _invoke(target, "backup", "restore", str(bogus))
    assert result.exit_code != 0
    assert "is not a fundapp backup" in result.output
    with target.app_context():
        assert backup.instance_holdings() == (0, 0)  # nothing was written
        db.session.remove()


def test_the_default_file_name_is_dated_in_the_backup_folder(app, tmp_path):
    app.config["BACKUP_FOLDER"] = str(tmp_path)
    try:
        with clock.frozen(datetime(2026, 1, 2, 3, 4, 5)):
            assert backup.default_backup_path() == tmp_path / "fundapp-20260102-030405.tar.gz"
    finally:
        app.config["BACKUP_FOLDER"] = ""
