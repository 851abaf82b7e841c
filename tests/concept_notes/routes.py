"""Concept note routes × roles. applicant@ is UNDP: it sees UNDP's note and gets 404 for UNICEF's; donors and
the administrator see no note at all (404); the committee and the secretariat see submitted notes."""

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
