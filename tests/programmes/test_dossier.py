"""The programme dossier ZIP: what each role gets, what a donor never gets, and CSV sums equal to the ledger's."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from fundapp.committee.models import AgendaItem, ItemKind, Meeting, Outcome
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.extensions import db
from fundapp.programmes import reporting, services
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT
from tests.programmes.results_helpers import FOCAL, with_framework

COMMON = {
    "README.txt",
    "decisions-and-minutes.pdf",
    "transfers-and-expenditure.csv",
    "progress-reports/2026-H1-approved.pdf",
}


@pytest.fixture
def programme(db):
    programme, (people, policy) = with_framework()
    ref = programme.document.concept_note.reference
    approved = reporting.start_report(user(FOCAL), programme, "2026-H1")
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    reporting.save_report(user(FOCAL), approved, "Approved narrative.", "", values)
    reporting.submit_report(user(FOCAL), approved, date(2026, 7, 20))
    reporting.approve_report(user(SECRETARIAT), approved, date(2026, 7, 25))
    draft = reporting.start_report(user(FOCAL), programme, "2026")
    reporting.save_report(user(FOCAL), draft, "Draft narrative.", "", values)
    for code, amount in (("UNICEF", "1000.00"), ("ILO", "2500.50")):
        tranche = services.plan_tranche(user(SECRETARIAT), programme, org(code).id, date(2026, 1, 15), amount)
        services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    meeting = Meeting(title="Steering committee 1/2026", held_on=date(2025, 12, 10), status="closed")
    meeting.items = [
        AgendaItem(
            kind=ItemKind.funding,
            concept_note_id=programme.document.concept_note_id,
            title=f"{ref} for funding",
            status="decided",
            outcome=Outcome.approve_funding,
            amount=Decimal("749000.00"),
            rationale="Internal rationale of the committee.",
            shared_comment="Well aligned with national priorities.",
            rule_text="Consensus of the members present",
        )
    ]
    db.session.add(meeting)
    db.session.flush()
    return programme


def _zip(client, login, email, programme) -> zipfile.ZipFile:
    login(email)
    response = client.get(f"/programmes/{programme.id}/dossier.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _pdf_text(archive: zipfile.ZipFile, name: str) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(name))).pages)


@pytest.mark.parametrize(
    ("email", "extra"),
    [
        ("secretariat@example.org", {"progress-reports/2026-draft.pdf", "attachments"}),
        ("chair@example.org", {"attachments"}),  # the committee sees submitted reports, not drafts
        ("member1@example.org", {"attachments"}),
        (FOCAL, {"progress-reports/2026-draft.pdf", "attachments"}),  # the lead's focal point
        # ILO is a partner of the note: joint ownership lets it read the note and its attachments.
        ("applicant4@example.org", {"progress-reports/2026-draft.pdf", "attachments"}),
        ("donor@example.org", set()),
    ],
)
def test_dossier_file_list_per_role(client, login, programme, email, extra):
    note_ref = programme.document.concept_note.reference
    names = set(_zip(client, login, email, programme).namelist())
    attachments = {n for n in names if n.startswith("attachments/")}
    expected = COMMON | {f"concept-note-{note_ref}.pdf", f"programme-document-{programme.reference}.pdf"}
    expected |= extra - {"attachments"}
    assert names - attachments == expected
    assert bool(attachments) == ("attachments" in extra)


def test_donor_gets_no_draft_no_attachment_and_no_minutes(client, login, programme):
    archive = _zip(client, login, "donor@example.org", programme)
    names = archive.namelist()
    assert not any("draft" in n for n in names)
    assert not any(n.startswith("attachments/") for n in names)
    decisions = _pdf_text(archive, "decisions-and-minutes.pdf")
    assert "Funding approved" in decisions
    assert "749,000.00" in decisions
    assert "Well aligned with national priorities." in decisions
    assert "Internal rationale" not in decisions
    assert "Consensus" not in decisions
    readme = archive.read("README.txt").decode()
    assert "1 progress report(s)" in readme
    assert "attachment(s) you may not see" in readme
    assert "Approved narrative." in _pdf_text(archive, "progress-reports/2026-H1-approved.pdf")


def test_secretariat_gets_the_minutes_extract_and_the_attachment_bytes(client, login, programme):
    archive = _zip(client, login, "secretariat@example.org", programme)
    decisions = _pdf_text(archive, "decisions-and-minutes.pdf")
    assert "Internal rationale of the committee." in decisions
    assert "Consensus of the members present" in decisions
    (attachment,) = [n for n in archive.namelist() if n.startswith("attachments/")]
    assert archive.read(attachment).startswith(b"%PDF")
    assert "Draft narrative." in _pdf_text(archive, "progress-reports/2026-draft.pdf")


def test_dossier_csv_sums_equal_the_ledger(client, login, programme):
    archive = _zip(client, login, "donor@example.org", programme)
    rows = list(csv.DictReader(io.StringIO(archive.read("transfers-and-expenditure.csv").decode())))
    sums: dict[str, Decimal] = {}
    for row in rows:
        sums[row["Category"]] = sums.get(row["Category"], Decimal("0.00")) + Decimal(row["Amount (USD)"])
    ledger = dict(
        db.session.execute(
            sa.select(LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
            .where(LedgerEntry.programme_id == programme.id)
            .group_by(LedgerEntry.category)
        ).all()
    )
    assert sums == {kind.value: Decimal(total).quantize(Decimal("0.01")) for kind, total in ledger.items()}
    assert sums[EntryKind.transfer.value] == Decimal("3500.50")


@pytest.mark.parametrize("email", ["applicant@example.org", "admin@example.org"])
def test_dossier_is_404_for_others(client, login, programme, email):
    login(email)
    assert client.get(f"/programmes/{programme.id}/dossier.zip").status_code == 404


def test_dossier_entries_carry_the_programme_approval_date(client, login, programme):
    archive = _zip(client, login, "donor@example.org", programme)
    approved = programme.document.approved_at
    assert {i.date_time[:3] for i in archive.infolist()} == {(approved.year, approved.month, approved.day)}
