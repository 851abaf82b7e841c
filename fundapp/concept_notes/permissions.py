"""Who may see and do what with calls and concept notes.

A note belongs to its lead organization: all of that organization's focal points see, edit, submit and withdraw
it. A joint note is also its partners': the focal points of every other participating organization read it, its
attachments and its discussion, and write in the discussion, but do not edit or submit it. Applicants of other
organizations, donors and administrators never see it (404). The secretariat and the committee see submitted
notes; the secretariat writes in their discussion and asks clarification questions, the committee reads it.
Views check these before calling a service, and templates ask them (as `note_permissions`) before showing a
button: a rule is written once, here.
"""

from datetime import date

from fundapp.auth.models import User
from fundapp.concept_notes.models import Call, ConceptNote
from fundapp.concept_notes.workflow import EDITABLE_STATES, SUBMITTED, WITHDRAWABLE_STATES
from fundapp.core.permissions import COMMITTEE_ROLES, Role, has_any_role

LIST_ROLES = (Role.secretariat, *COMMITTEE_ROLES)
CALL_READERS = (Role.applicant, Role.secretariat, *COMMITTEE_ROLES)


def is_owner(user: User, note: ConceptNote) -> bool:
    """A focal point of the lead organization: edits, submits and withdraws the note."""
    return has_any_role(user, Role.applicant) and user.organisation_id == note.organisation_id


def is_partner(user: User, note: ConceptNote) -> bool:
    """A focal point of another participating organization of the note: reads it, never edits or submits it."""
    return (
        has_any_role(user, Role.applicant)
        and user.organisation_id != note.organisation_id
        and any(p.organisation_id == user.organisation_id for p in note.participants)
    )


def is_participant(user: User, note: ConceptNote) -> bool:
    """A focal point of the lead or of a partner organization."""
    return is_owner(user, note) or is_partner(user, note)


def can_view(user: User, note: ConceptNote) -> bool:
    if is_participant(user, note):
        return True
    # Reviewers see what was submitted at least once; a draft stays with its authors.
    return has_any_role(user, *LIST_ROLES) and note.version_count > 0


# The discussion: the note's organizations and the secretariat write, the committee reads, nobody else sees it.


def can_read_discussion(user: User, note: ConceptNote) -> bool:
    """Whoever sees the note: its organizations, the secretariat and the committee (donors and administrators
    never see a note, so never its discussion)."""
    return can_view(user, note)


def can_write_discussion(user: User, note: ConceptNote) -> bool:
    return is_participant(user, note) or (has_any_role(user, Role.secretariat) and can_view(user, note))


def can_ask_clarification(user: User, note: ConceptNote) -> bool:
    """The Fund Management Unit asks; the note's organizations answer."""
    return has_any_role(user, Role.secretariat) and can_view(user, note)


def can_answer_clarification(user: User, note: ConceptNote) -> bool:
    return is_participant(user, note)


def can_edit(user: User, note: ConceptNote) -> bool:
    return is_owner(user, note) and note.status in EDITABLE_STATES


def can_withdraw(user: User, note: ConceptNote) -> bool:
    return is_owner(user, note) and note.status in WITHDRAWABLE_STATES


def can_screen_notes(user: User) -> bool:
    """The Fund Management Unit screens submitted notes (the screening queue is theirs)."""
    return has_any_role(user, Role.secretariat)


def can_screen(user: User, note: ConceptNote) -> bool:
    return can_screen_notes(user) and note.status == SUBMITTED


def can_start_note(user: User, call: Call, on: date) -> bool:
    """Applicants start notes under a call while it is open."""
    return has_any_role(user, Role.applicant) and call.is_open(on)


def can_manage_calls(user: User) -> bool:
    return has_any_role(user, Role.secretariat)
