"""Uploading or removing an attachment from the note's edit page sends the whole form: the text typed so far is
saved with it, and a refused file never loses it."""

import html
import io

import pytest
import sqlalchemy as sa

from fundapp.concept_notes import services
from fundapp.concept_notes.models import Attachment, ConceptNote
from fundapp.core import uploads
from tests.concept_notes.helpers import PDF_BYTES, make_note

LEAD = "applicant@example.org"


@pytest.fixture
def draft(db, client, login):
    note = make_note()
    db.session.commit()
    login(LEAD)
    return note


def _post(client, note, action: str, **extra):
    data = {"action": action, "title": "Typed but never saved by hand", "context": "Unsaved context.", **extra}
    return client.post(f"/concept-notes/{note.id}/edit", data=data, content_type="multipart/form-data")


def _reloaded(db, note) -> ConceptNote:
    db.session.expire_all()
    return db.session.get(ConceptNote, note.id)


def test_upload_saves_the_text_and_attaches_the_file(db, client, draft):
    file = (io.BytesIO(PDF_BYTES), "letter.pdf")
    response = _post(client, draft, "upload", attachment_kind="endorsement", attachment_file=file)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/edit#s-attachments")
    note = _reloaded(db, draft)
    assert note.title == "Typed but never saved by hand"
    assert note.context == "Unsaved context."
    assert [(a.filename, a.kind.value) for a in note.attachments] == [("letter.pdf", "endorsement")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved and letter.pdf attached." in page


def test_a_refused_file_leaves_the_text_saved_and_says_why(db, client, draft):
    file = (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "budget.pdf")
    response = _post(client, draft, "upload", attachment_kind="supporting", attachment_file=file)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Draft saved; the file was not attached" in page
    assert '<p class="error" id="attachment_file-error">File not attached: Only PDF' in page
    note = _reloaded(db, draft)
    assert note.title == "Typed but never saved by hand"
    assert note.attachments == []


def test_upload_without_a_file_keeps_the_typed_text_on_the_page(db, client, draft):
    response = _post(client, draft, "upload", attachment_kind="supporting")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the file to upload." in page
    assert 'value="Typed but never saved by hand"' in page  # shown again, nothing lost


def test_removing_a_file_saves_the_text_too(db, client, draft):
    services.add_attachment(None, draft, uploads.check_upload("old.pdf", PDF_BYTES), "supporting")
    db.session.commit()
    attachment_id = draft.attachments[0].id
    response = _post(client, draft, f"remove-{attachment_id}")
    assert response.status_code == 302
    note = _reloaded(db, draft)
    assert note.title == "Typed but never saved by hand"
    assert db.session.scalar(sa.select(Attachment).where(Attachment.id == attachment_id)) is None


def test_removing_another_notes_file_is_refused(db, client, draft):
    other = make_note()
    services.add_attachment(None, other, uploads.check_upload("other.pdf", PDF_BYTES), "supporting")
    db.session.commit()
    response = _post(client, draft, f"remove-{other.attachments[0].id}")
    assert response.status_code == 422
    assert "That attachment is not one of this note's." in html.unescape(response.get_data(as_text=True))
    assert len(_reloaded(db, other).attachments) == 1


def test_enter_in_a_text_field_saves_and_never_removes(db, client, draft):
    page = client.get(f"/concept-notes/{draft.id}/edit").get_data(as_text=True)
    form = page[page.index('id="note-form"') :]
    first_button = form[form.index("<button") : form.index("</button>")]
    assert 'value="save"' in first_button
