"""Who may see and do what with calls and concept notes.

A note belongs to its lead organization: all of that organization's focal points see and edit it; applicants
of other organizations and donors never see it (404). The secretariat and the committee see submitted notes.
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
    return has_any_role(user, Role.applicant) and user.organisation_id == note.organisation_id


def can_view(user: User, note: ConceptNote) -> bool:
    if is_owner(user, note):
        return True
    # Reviewers see what was submitted at least once; a draft stays with its authors.
    return has_any_role(user, *LIST_ROLES) and note.version_count > 0


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
