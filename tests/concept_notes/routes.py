"""Concept note routes × roles. applicant@ is UNDP: it sees UNDP's note and gets 404 for UNICEF's; donors and
the administrator see no note at all (404); the committee and the secretariat see submitted notes.

Partner rows: a UNICEF-led note with UNDP as a participating organization. applicant@ (UNDP) reads it, its PDF,
versions, attachments and discussion, and writes in the discussion; it cannot edit, submit, withdraw or change
attachments (403), which only the lead organization's focal points do."""

from decimal import Decimal

from tests.concept_notes.helpers import make_note, org
from tests.routing import Route, statuses

READERS = ("applicant", "secretariat", "committee_member", "committee_chair")
LISTERS = ("secretariat", "committee_member", "committee_chair")


def note_statuses(own: int, reviewers: int, other_applicant: bool = False) -> dict[str, int]:
    """Status per role for one note: applicant = the owner (or, with other_applicant, another organisation)."""
    return {
        "anonymous": 302,
        "applicant": 404 if other_applicant else own,
        "secretariat": reviewers,
        "committee_member": reviewers,
        "committee_chair": reviewers,
        "donor": 404,
        "admin": 404,
    }


def own(path: str):
    return lambda f: path.format(id=f.note("UNDP").id)


def other(path: str):
    return lambda f: path.format(id=f.note("UNICEF").id)


def partner(path: str):
    """A note led by UNICEF (applicant2@) with UNDP as a partner: applicant@ reads it, never edits it."""

    def build(f):
        note = _partner_note(f)
        return path.format(id=note.id, aid=note.attachments[0].id)

    return build


def _partner_note(f):
    note = make_note(
        "UNICEF", "applicant2@example.org", submit=True, attach=True, partners=[(org("UNDP").id, Decimal("400000.00"))]
    )
    f.session.commit()
    return note


def own_attachment(path: str):
    def build(f):
        note = f.note("UNDP")
        return path.format(id=note.id, aid=note.attachments[0].id)

    return build


def other_attachment(path: str):
    def build(f):
        note = f.note("UNICEF")
        return path.format(id=note.id, aid=note.attachments[0].id)

    return build


ROUTES = [
    Route("concept_notes.calls", "/concept-notes/calls", statuses(READERS)),
    Route("concept_notes.new_call", "/concept-notes/calls/new", statuses(("secretariat",))),
    Route("concept_notes.edit_call", lambda f: f"/concept-notes/calls/{f.call_id()}/edit", statuses(("secretariat",))),
    Route("concept_notes.index", "/concept-notes/", statuses(LISTERS)),
    Route("concept_notes.export_csv", "/concept-notes/export.csv", statuses(LISTERS)),
    Route("concept_notes.mine", "/concept-notes/mine", statuses(("applicant",))),
    Route("concept_notes.new", lambda f: f"/concept-notes/new?call={f.call_id()}", statuses(("applicant",))),
    Route("concept_notes.detail", own("/concept-notes/{id}"), note_statuses(200, 200)),
    Route("concept_notes.detail", other("/concept-notes/{id}"), note_statuses(200, 200, other_applicant=True)),
    Route("concept_notes.pdf", own("/concept-notes/{id}/pdf"), note_statuses(200, 200)),
    Route("concept_notes.pdf", other("/concept-notes/{id}/pdf"), note_statuses(200, 200, other_applicant=True)),
    Route("concept_notes.compare", own("/concept-notes/{id}/versions"), note_statuses(200, 200)),
    Route(
        "concept_notes.compare", other("/concept-notes/{id}/versions"), note_statuses(200, 200, other_applicant=True)
    ),
    # A submitted note is not editable: its owner is sent back to it, reviewers are refused.
    Route("concept_notes.edit", own("/concept-notes/{id}/edit"), note_statuses(302, 403)),
    Route("concept_notes.edit", other("/concept-notes/{id}/edit"), note_statuses(302, 403, other_applicant=True)),
    Route("concept_notes.submit", own("/concept-notes/{id}/submit"), note_statuses(302, 403), method="POST"),
    Route(
        "concept_notes.withdraw", other("/concept-notes/{id}/withdraw"), note_statuses(302, 403, True), method="POST"
    ),
    Route(
        "concept_notes.screen",
        own("/concept-notes/{id}/screen"),
        {**statuses(("secretariat",)), "secretariat": 200},
    ),
    Route(
        "concept_notes.download_attachment",
        own_attachment("/concept-notes/{id}/attachments/{aid}"),
        note_statuses(200, 200),
    ),
    Route(
        "concept_notes.download_attachment",
        other_attachment("/concept-notes/{id}/attachments/{aid}"),
        note_statuses(200, 200, other_applicant=True),
    ),
    Route(
        "concept_notes.upload_attachment",
        other("/concept-notes/{id}/attachments"),
        note_statuses(302, 403, other_applicant=True),
        method="POST",
    ),
    Route(
        "concept_notes.delete_attachment",
        other_attachment("/concept-notes/{id}/attachments/{aid}/delete"),
        note_statuses(302, 403, other_applicant=True),
        method="POST",
    ),
]


MESSAGE = {"body": "Could you confirm the budget of each organization?"}
#: The discussion: the note's organizations and the secretariat write; the committee reads (a post is refused).
WRITERS_POST = {**note_statuses(302, 302), "committee_member": 403, "committee_chair": 403}

ROUTES += [
    # Joint ownership: applicant@ is a partner of this UNICEF-led note.
    Route("concept_notes.detail", partner("/concept-notes/{id}"), note_statuses(200, 200)),
    Route("concept_notes.pdf", partner("/concept-notes/{id}/pdf"), note_statuses(200, 200)),
    Route("concept_notes.compare", partner("/concept-notes/{id}/versions"), note_statuses(200, 200)),
    Route(
        "concept_notes.download_attachment",
        partner("/concept-notes/{id}/attachments/{aid}"),
        note_statuses(200, 200),
    ),
    Route("concept_notes.edit", partner("/concept-notes/{id}/edit"), note_statuses(403, 403)),
    Route("concept_notes.submit", partner("/concept-notes/{id}/submit"), note_statuses(403, 403), method="POST"),
    Route("concept_notes.withdraw", partner("/concept-notes/{id}/withdraw"), note_statuses(403, 403), method="POST"),
    Route(
        "concept_notes.upload_attachment",
        partner("/concept-notes/{id}/attachments"),
        note_statuses(403, 403),
        method="POST",
    ),
    Route(
        "concept_notes.delete_attachment",
        partner("/concept-notes/{id}/attachments/{aid}/delete"),
        note_statuses(403, 403),
        method="POST",
    ),
    # The discussion: never public, invisible to donors, administrators and other organisations (404).
    Route("concept_notes.discussion", own("/concept-notes/{id}/discussion"), note_statuses(200, 200)),
    Route(
        "concept_notes.discussion",
        other("/concept-notes/{id}/discussion"),
        note_statuses(200, 200, other_applicant=True),
    ),
    Route("concept_notes.discussion", partner("/concept-notes/{id}/discussion"), note_statuses(200, 200)),
    Route("concept_notes.discussion", own("/concept-notes/{id}/discussion"), WRITERS_POST, method="POST", data=MESSAGE),
    Route(
        "concept_notes.discussion",
        other("/concept-notes/{id}/discussion"),
        {**WRITERS_POST, "applicant": 404},
        method="POST",
        data=MESSAGE,
    ),
    Route(
        "concept_notes.discussion", partner("/concept-notes/{id}/discussion"), WRITERS_POST, method="POST", data=MESSAGE
    ),
]
