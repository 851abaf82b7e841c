"""The notes' CSV exports (the list's and an organisation's "mine") are streamed from batches: one cursor read
CSV_BATCH notes at a time as plain rows, each batch's participants, objectives and countries one query each, each
batch written before the next is read, so memory holds one batch whatever the number of notes (scripts/bench.py
measures the peak at 100×; here the batches and the rows). The document is the same byte for byte whatever the
batch size."""

import pytest
import sqlalchemy as sa

from fundapp.concept_notes import services
from fundapp.concept_notes.models import ConceptNote
from tests.concept_notes.helpers import make_call, make_note
from tests.streaming import dict_rows, read_in_batches


@pytest.mark.parametrize(
    ("email", "url", "drafts"),
    [
        ("secretariat@example.org", "/concept-notes/export.csv", False),
        ("applicant@example.org", "/concept-notes/mine/export.csv", True),
    ],
)
def test_the_notes_csv_is_written_batch_by_batch(db, client, login, monkeypatch, email, url, drafts):
    call = make_call(title="Streamed call")
    for _ in range(4):
        make_note(call=call, submit=True)
    make_note(call=call)  # a draft: only "mine" lists it
    make_note("UNICEF", "applicant2@example.org", call=call, submit=True)
    db.session.commit()
    login(email)

    body, batches = read_in_batches(monkeypatch, client, url, services, "export_batches", 2)
    rows = dict_rows(body)
    assert rows
    assert len(rows) == sum(batches)
    assert batches == [2] * (len(rows) // 2) + [1] * (len(rows) % 2)  # never more than a batch at a time
    assert len({r["reference"] for r in rows}) == len(rows)  # no note twice
    if drafts:
        assert "draft" in {r["status"] for r in rows}
    else:
        submitted = db.session.scalar(
            sa.select(sa.func.count()).select_from(ConceptNote).where(ConceptNote.version_count > 0)
        )
        assert len(rows) == submitted
        assert "draft" not in {r["status"] for r in rows}

    whole, one = read_in_batches(monkeypatch, client, url, services, "export_batches", 1000)
    assert one == [len(rows)]
    assert whole == body  # the same document, byte for byte, in one batch or many
