"""Pages: uploads refused with nothing stored, the form showing every problem, lists with fixed query counts,
CSV export, PDF, and the applicant's own view."""

import base64
import csv
import io
import re
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from fundapp.concept_notes import services
from fundapp.concept_notes.models import Attachment
from fundapp.core import clock, edge, uploads
from fundapp.core.extensions import db
from tests.concept_notes.helpers import PDF_BYTES, make_call, make_note, user


def _office_file(part: str) -> bytes:
    buffer = io.BytesIO()
    # Fixed timestamps: two calls must give the same bytes, whatever the clock says between them.
    stamp = (2021, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", stamp), "<Types/>")
        archive.writestr(zipfile.ZipInfo(f"{part}/document.xml", stamp), "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF_BYTES, "pdf"),
        (_office_file("word"), "docx"),
        (_office_file("xl"), "xlsx"),
        (b"MZ\x90\x00\x03" + b"\x00" * 100, None),  # a Windows executable
        (b"\x7fELF" + b"\x00" * 100, None),
        (_office_file("ppt"), None),  # a zip, but neither Word nor Excel
        (b"PK\x03\x04broken", None),
    ],
)
def test_detect_kind_reads_content(data, kind):
    assert uploads.detect_kind(data) == kind


def _upload(client, note_id, data: bytes, name: str):
    return client.post(
        f"/concept-notes/{note_id}/attachments",
        data={"kind": "supporting", "back": "edit", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 2000, "budget.pdf", "Only PDF, Word (.docx) or Excel (.xlsx) files are accepted"),
        (b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), "big.pdf", "larger than 10 MB"),
        (b"", "empty.pdf", "The file is empty."),
    ],
    ids=["renamed-executable", "oversize", "empty"],
)
def test_upload_refused_and_nothing_stored(app, db, client, login, data, name, message):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    response = _upload(client, note.id, data, name)
    assert message in response.get_data(as_text=True)
    assert set(folder.iterdir()) == before
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Attachment).where(Attachment.concept_note_id == note.id)
        )
        == 0
    )


def test_upload_accepted_is_served_only_through_the_view(app, db, client, login):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    response = _upload(client, note.id, _office_file("word"), "../../letter.exe")
    assert "letter.docx attached" in response.get_data(as_text=True)
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.concept_note_id == note.id))
    assert attachment.filename == "letter.docx"
    assert attachment.stored_name != attachment.filename
    assert Path(app.config["UPLOAD_FOLDER"], attachment.stored_name).exists()
    assert not str(Path(app.config["UPLOAD_FOLDER"]).resolve()).startswith(str(Path(app.static_folder).resolve()))
    download = client.get(f"/concept-notes/{note.id}/attachments/{attachment.id}")
    assert download.data == _office_file("word")
    download.close()
    login("applicant2@example.org")
    assert client.get(f"/concept-notes/{note.id}/attachments/{attachment.id}").status_code == 404


def test_upload_leaves_no_file_when_the_commit_fails(app, db, client, login, monkeypatch):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())

    def refuse() -> None:
        raise RuntimeError("the database refused the commit")

    monkeypatch.setattr(edge, "commit", refuse)
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    response = _upload(client, note.id, _office_file("word"), "letter.docx")
    assert response.status_code == 500
    assert set(folder.iterdir()) == before


def test_form_shows_every_problem_and_keeps_the_draft(db, client, login):
    make_call()
    db.session.commit()
    login("applicant3@example.org")
    response = client.post(
        "/concept-notes/new", data={"call_id": str(services.open_calls(clock.today())[0].id), "title": "Data"}
    )
    assert response.status_code == 302
    note_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    response = client.post(
        f"/concept-notes/{note_id}/edit",
        data={
            "action": "submit",
            "title": "Migration data in Kenya",
            "duration_months": "6",
            "lead_direct_costs": "4000000",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "At least 2 participating UN organizations are required",
        "over the ceiling",
        "The duration must be between 12 and 36 months",
        "Choose a thematic area",
        "Explain how the programme applies every guiding principle",
        "Choose the scope",
    ):
        assert message in page, message
    note = db.session.get(services.ConceptNote, note_id)
    assert note.title == "Migration data in Kenya"  # the draft was saved
    assert note.status == "draft"


def test_applicant_sees_only_own_organisation_notes(db, client, login):
    own = make_note("UNDP", "applicant@example.org", submit=True)
    other = make_note("UNICEF", "applicant2@example.org", submit=True)
    own.title, other.title = "Own note title", "Other note title"
    db.session.commit()
    login("applicant@example.org")
    page = client.get("/concept-notes/mine").get_data(as_text=True)
    assert "Own note title" in page
    assert "Other note title" not in page
    home = client.get("/applicant").get_data(as_text=True)
    assert "Own note title" in home


def test_our_notes_offer_a_new_note_only_while_a_call_is_open(db, client, login):
    call = make_call(opens_on=date(2020, 1, 1), closes_on=date(2020, 12, 31))  # closed long ago
    login("applicant@example.org")
    assert "New concept note" not in client.get("/concept-notes/mine").get_data(as_text=True)
    call.closes_on = date(2099, 12, 31)
    db.session.commit()
    assert "New concept note" in client.get("/concept-notes/mine").get_data(as_text=True)


def test_pdf_is_readable(db, client, login):
    note = make_note(submit=True)
    db.session.commit()
    login("chair@example.org")
    response = client.get(f"/concept-notes/{note.id}/pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    text = _pdf_text(response.data)
    for expected in ("Fair recruitment for migrant workers", "1,070,000.00", "Theory of change", "People-centred"):
        assert expected in text, expected


def _pdf_text(data: bytes) -> str:
    """The text drawn in a reportlab PDF: its ASCII85 + Flate content streams, decoded."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        raw = match.group(1).strip().removesuffix(b"~>")
        try:
            chunks.append(zlib.decompress(base64.a85decode(raw)).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "".join(re.findall(r"\((.*?)\) Tj", "".join(chunks)))


def _make_many(count: int, start: int = 0) -> None:
    call = make_call(title=f"Call {start}")
    for _ in range(count):
        make_note(call=call, submit=True)
    make_note("UNICEF", "applicant2@example.org", call=call, submit=True)
    db.session.commit()


@pytest.mark.parametrize(
    ("email", "url"),
    [
        ("secretariat@example.org", "/concept-notes/?sort=budget"),
        ("member1@example.org", "/concept-notes/?region=142&status=submitted"),
        ("secretariat@example.org", "/concept-notes/export.csv"),
        ("applicant@example.org", "/concept-notes/mine"),
    ],
)
def test_list_query_count_stays_fixed(db, client, login, queries, email, url):
    _make_many(2)
    login(email)
    client.get(url)  # warm caches
    with queries() as small:
        assert client.get(url).status_code == 200
    _make_many(12, start=1)
    with queries() as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_csv_export_applies_the_filters(db, client, login):
    make_note(submit=True)
    make_note("UNICEF", "applicant2@example.org", submit=True)
    db.session.commit()
    login("secretariat@example.org")
    unicef = db.session.scalar(sa.select(services.Organisation.id).where(services.Organisation.code == "UNICEF"))
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/concept-notes/export.csv?organisation={unicef}").get_data(as_text=True))
        )
    )
    assert rows
    assert all("UNICEF" in r["participating_organizations"].split() for r in rows)
    assert rows[0]["total_budget_usd"] == "1070000.00"


def test_list_filters_by_region_and_country(db, client, login):
    make_note(submit=True, title="Asian corridor note")  # NPL, BGD: Asia
    db.session.commit()
    login("secretariat@example.org")
    assert "Asian corridor note" in client.get("/concept-notes/?region=142").get_data(as_text=True)
    assert "Asian corridor note" not in client.get("/concept-notes/?region=002").get_data(as_text=True)
    assert "Asian corridor note" in client.get("/concept-notes/?country=NPL").get_data(as_text=True)


def test_draft_hidden_from_secretariat(db, client, login):
    note = make_note()
    db.session.commit()
    login("secretariat@example.org")
    assert client.get(f"/concept-notes/{note.id}").status_code == 404


def test_summary_api_has_concept_notes(db, client):
    make_note(submit=True)
    db.session.commit()
    body = client.get("/api/v1/summary").get_json()
    assert body["concept_notes"]["submitted"] >= 1
    assert body["concept_notes"]["by_status"]["submitted"] >= 1


def test_screening_page_prefills_automatic_checks(db, client, login):
    note = make_note(submit=True)
    db.session.commit()
    login("secretariat@example.org")
    page = client.get(f"/concept-notes/{note.id}/screen").get_data(as_text=True)
    assert "Enough participating UN organizations" in page
    assert "passed" in page
    response = client.post(f"/concept-notes/{note.id}/screen", data={"decision": "ineligible", "comments": ""})
    assert "Give the reason the note is ineligible." in response.get_data(as_text=True)
    assert user("applicant@example.org") is not None


def test_complete_draft_submitted_from_its_page(db, client, login):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    page = client.get(f"/concept-notes/{note.id}").get_data(as_text=True)
    assert "Ready to submit" in page
    response = client.post(f"/concept-notes/{note.id}/submit")
    assert response.status_code == 302
    assert db.session.get(services.ConceptNote, note.id).status == "submitted"


def test_returned_note_shows_comments_while_editing(db, client, login):
    note = make_note(submit=True)
    services.screen(user("secretariat@example.org"), note, "returned", [], "Add baselines, please.")
    db.session.commit()
    login("applicant@example.org")
    page = client.get(f"/concept-notes/{note.id}/edit").get_data(as_text=True)
    assert "Add baselines, please." in page
    assert "Resubmit for screening" in page


def test_secretariat_opens_a_call_with_default_settings(db, client, login):
    login("secretariat@example.org")
    form = client.get("/concept-notes/calls/new").get_data(as_text=True)
    assert 'value="3000000.00"' in form
    area_ids = db.session.scalars(sa.select(services.ThematicArea.id)).all()
    response = client.post(
        "/concept-notes/calls/new",
        data={
            "title": "Call 2027",
            "opens_on": "2027-01-01",
            "closes_on": "2027-06-30",
            "envelope": "15000000",
            "thematic_area_ids": [str(i) for i in area_ids[:2]],
            "min_organisations": "2",
            "budget_ceiling": "3000000",
            "min_duration_months": "12",
            "max_duration_months": "36",
            "endorsement_required": "y",
        },
    )
    assert response.status_code == 302
    call = db.session.scalar(sa.select(services.Call).where(services.Call.title == "Call 2027"))
    assert call.envelope == 15_000_000
    assert len(call.thematic_areas) == 2
    assert call.endorsement_required


def test_call_without_closing_date_or_rolling_is_refused(db, client, login):
    login("secretariat@example.org")
    response = client.post(
        "/concept-notes/calls/new",
        data={
            "title": "Call",
            "opens_on": "2027-01-01",
            "envelope": "1",
            "thematic_area_ids": ["1"],
            "min_organisations": "2",
            "budget_ceiling": "3000000",
            "min_duration_months": "12",
            "max_duration_months": "36",
        },
    )
    assert "Give a closing date, or make the call rolling." in response.get_data(as_text=True)


def test_unreadable_field_is_marked_and_nothing_saved(db, client, login):
    note = make_note()
    db.session.commit()
    login("applicant@example.org")
    response = client.post(
        f"/concept-notes/{note.id}/edit", data={"action": "save", "title": "New", "duration_months": "two"}
    )
    assert response.status_code == 422
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.get(services.ConceptNote, note.id).title == "Fair recruitment for migrant workers"
