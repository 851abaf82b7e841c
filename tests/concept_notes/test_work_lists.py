"""The notes' query services for the inboxes, the search box and the audit log."""

from datetime import date

import pytest
import sqlalchemy as sa

from fundapp.concept_notes import permissions, services
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.extensions import db
from tests.concept_notes.helpers import make_call, make_note, user

CHECKS = [key for key, _label in services.MANUAL_CHECKS]
USERS = [
    "applicant@example.org",
    "applicant2@example.org",
    "applicant3@example.org",
    "secretariat@example.org",
    "member1@example.org",
    "chair@example.org",
    "donor@example.org",
    "admin@example.org",
]


@pytest.fixture
def notes(db):
    call = make_call()
    found = {
        "undp_draft": make_note("UNDP", "applicant@example.org", call, title="Draft one"),
        "unicef_draft": make_note("UNICEF", "applicant2@example.org", call, title="Draft two"),
        "undp_submitted": make_note("UNDP", "applicant@example.org", call, submit=True, attach=True),
        "unicef_submitted": make_note("UNICEF", "applicant2@example.org", call, submit=True, attach=True),
        "unicef_returned": make_note("UNICEF", "applicant2@example.org", call, submit=True, attach=True),
    }
    services.screen(user("secretariat@example.org"), found["unicef_returned"], "returned", CHECKS, "Add a budget.")
    return found


@pytest.mark.parametrize("email", USERS)
def test_visible_to_is_the_sql_twin_of_can_view(notes, email):
    viewer = user(email)
    visible = set(db.session.scalars(sa.select(ConceptNote.id).where(services.visible_to(viewer))))
    every = db.session.scalars(sa.select(ConceptNote)).all()
    assert visible == {n.id for n in every if permissions.can_view(viewer, n)}


def test_notes_to_screen_oldest_submission_first(notes):
    notes["undp_submitted"].last_submitted_on = date(2026, 5, 1)
    notes["unicef_submitted"].last_submitted_on = date(2026, 4, 1)
    total, work = services.notes_to_screen(limit=1)
    assert total == 2
    assert [w.note for w in work] == [notes["unicef_submitted"]]
    assert work[0].since == date(2026, 4, 1)


def test_drafts_and_returned_notes_are_the_organisations(notes):
    total, drafts = services.drafts_to_finish(notes["undp_draft"].organisation_id, limit=10)
    assert (total, [w.note for w in drafts]) == (1, [notes["undp_draft"]])
    total, returned = services.returned_notes(notes["unicef_returned"].organisation_id, limit=10)
    assert (total, [w.note for w in returned]) == (1, [notes["unicef_returned"]])
    assert returned[0].comment == "Add a budget."
    assert services.returned_notes(notes["undp_draft"].organisation_id, limit=10) == (0, [])


def test_search_notes_by_words_and_reference(notes):
    secretariat = user("secretariat@example.org")

    def found(viewer, query):
        select = services.search_notes(viewer, query)
        return set() if select is None else {row.id for row in db.session.execute(select)}

    draft = notes["undp_draft"]
    assert found(user("applicant@example.org"), "draft ONE") == {draft.id}
    assert found(user("applicant2@example.org"), "draft one") == set()
    assert found(secretariat, "draft") == set()
    assert found(secretariat, notes["unicef_submitted"].reference) >= {notes["unicef_submitted"].id}
    assert found(secretariat, f"cn {notes['unicef_submitted'].id}") >= {notes["unicef_submitted"].id}
    assert services.search_notes(secretariat, "  ") is None


def test_describe_objects_names_notes_and_calls(notes):
    note = notes["undp_draft"]
    assert services.describe_objects("concept_note", [str(note.id)]) == {str(note.id): f"{note.reference} ‘Draft one’"}
    assert services.describe_objects("concept_notes", [str(note.id), "x"]) == {
        str(note.id): f"{note.reference} ‘Draft one’"
    }
    assert services.describe_objects("calls", [str(note.call_id)]) == {str(note.call_id): "call ‘Test call’"}
    assert services.describe_objects("agreements", ["1"]) is None
