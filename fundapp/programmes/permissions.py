"""Who sees and handles joint programmes: the `can_*` predicates the views check and the templates ask.

The secretariat, the committee, donors and administrators see every programme; an applicant (a focal point
of a UN organization) sees the programmes its organization participates in, and another's is a 404.
Every participating organization contributes to the progress reports; only the lead organization submits them.
The programme's discussion is for its organizations and the secretariat, read by the committee, and invisible
to donors and administrators. The secretariat manages the money; only the chair releases a blocked tranche.

A route checks who may act (`can_manage_money`, `can_release`, …) and leaves the state rule to the service,
which explains a refusal next to the form; a page offers an action only when it can succeed now
(`can_plan_tranche`, `can_close_financially`, …: who may act *and* the programme's state allows it).
"""

from fundapp.auth.models import User
from fundapp.concept_notes import permissions as note_permissions
from fundapp.core.permissions import COMMITTEE_ROLES, Role, has_any_role
from fundapp.programmes.models import JointProgramme, ProgressReport, Tranche
from fundapp.programmes.workflow import (
    ACTIVE,
    DRAFT,
    EDITABLE_REPORT_STATES,
    FINANCIALLY_CLOSED,
    OPERATIONALLY_CLOSED,
    REPORT_APPROVED,
    REPORTING_STATES,
    SPENDING_STATES,
    SUBMITTED,
    TRANSFER_STATES,
)

PORTFOLIO_ROLES = (Role.applicant, Role.secretariat, *COMMITTEE_ROLES, Role.donor, Role.admin)
READ_ALL_ROLES = (Role.secretariat, *COMMITTEE_ROLES, Role.donor, Role.admin)


def is_focal_point(user: User, programme: JointProgramme) -> bool:
    """A focal point of any participating organization: reads the programme, contributes to its reports."""
    return has_any_role(user, Role.applicant) and user.organisation_id in programme.participating_ids


def is_lead_focal_point(user: User, programme: JointProgramme) -> bool:
    """A focal point of the lead organization (the concept note's): the one that submits the programme's reports."""
    lead_id = programme.document.concept_note.organisation_id
    return has_any_role(user, Role.applicant) and user.organisation_id == lead_id


def can_view(user: User, programme: JointProgramme) -> bool:
    return can_view_all(user) or is_focal_point(user, programme)


def can_view_all(user: User) -> bool:
    """Every programme, by name: the portfolio unfiltered, the programmes flagged on the alignment dashboard."""
    return has_any_role(user, *READ_ALL_ROLES)


def can_open_concept_note(user: User, programme: JointProgramme) -> bool:
    """The concept note behind the programme, with its timeline and attachments (the concept notes' rule)."""
    return note_permissions.can_view(user, programme.document.concept_note)


def can_download_dossier(user: User, programme: JointProgramme) -> bool:
    """The secretariat, the committee, donors, and the focal points of the participating organizations."""
    return has_any_role(user, Role.secretariat, *COMMITTEE_ROLES, Role.donor) or is_focal_point(user, programme)


def can_see_minutes(user: User) -> bool:
    """The committee's votes, rationale and decision rule tally (in the dossier's decisions)."""
    return has_any_role(user, Role.secretariat, *COMMITTEE_ROLES)


# Money ----------------------------------------------------------------------------------------------


def can_manage_money(user: User) -> bool:
    return has_any_role(user, Role.secretariat)


def can_edit_budget(user: User, programme: JointProgramme) -> bool:
    return can_manage_money(user) and programme.status != FINANCIALLY_CLOSED


def can_plan_tranche(user: User, programme: JointProgramme) -> bool:
    return can_manage_money(user) and programme.status in TRANSFER_STATES


def can_release(user: User, blocked: bool) -> bool:
    """A tranche whose conditions are met: the secretariat; a blocked one: only the chair, with a justification."""
    return has_any_role(user, Role.committee_chair) if blocked else can_manage_money(user)


def can_release_tranche(user: User, tranche: Tranche, blocked: bool) -> bool:
    return not tranche.is_released and tranche.programme.status in TRANSFER_STATES and can_release(user, blocked)


def can_record_spending(user: User, programme: JointProgramme) -> bool:
    """Expenditure and refunds."""
    return can_manage_money(user) and programme.status in SPENDING_STATES


def can_close_operationally(user: User, programme: JointProgramme) -> bool:
    return can_manage_money(user) and programme.status == ACTIVE


def can_close_financially(user: User, programme: JointProgramme) -> bool:
    return can_manage_money(user) and programme.status == OPERATIONALLY_CLOSED


def can_assess_alignment(user: User) -> bool:
    return has_any_role(user, Role.secretariat)


# Results and progress reports -----------------------------------------------------------------------


def can_edit_framework(user: User, programme: JointProgramme) -> bool:
    if programme.status == FINANCIALLY_CLOSED:
        return False
    return has_any_role(user, Role.secretariat) or is_focal_point(user, programme)


def can_view_report(user: User, report: ProgressReport) -> bool:
    """Focal points of the programme and the secretariat: every report; the committee and administrators:
    submitted ones; donors: approved ones only; anyone else: not at all (404)."""
    programme = report.programme
    if is_focal_point(user, programme) or has_any_role(user, Role.secretariat):
        return True
    if has_any_role(user, *COMMITTEE_ROLES, Role.admin):
        return report.status != DRAFT
    if has_any_role(user, Role.donor):
        return report.status == REPORT_APPROVED
    return False


def can_edit_report(user: User, report: ProgressReport) -> bool:
    """Every participating organization contributes values and narrative to a draft or returned report."""
    return is_focal_point(user, report.programme) and report.status in EDITABLE_REPORT_STATES


def can_submit_report(user: User, report: ProgressReport) -> bool:
    """Only the lead organization submits a report (joint ownership: partners contribute, the lead submits)."""
    return is_lead_focal_point(user, report.programme) and report.status in EDITABLE_REPORT_STATES


def can_review_report(user: User, report: ProgressReport) -> bool:
    return has_any_role(user, Role.secretariat) and report.status == SUBMITTED


def can_start_report(user: User, programme: JointProgramme) -> bool:
    return is_focal_point(user, programme) and programme.status in REPORTING_STATES


# The discussion: the participating organizations and the secretariat write, the committee reads; donors and
# administrators, who see every programme, never see its discussion (404).


def can_read_discussion(user: User, programme: JointProgramme) -> bool:
    return is_focal_point(user, programme) or has_any_role(user, Role.secretariat, *COMMITTEE_ROLES)


def can_write_discussion(user: User, programme: JointProgramme) -> bool:
    return is_focal_point(user, programme) or has_any_role(user, Role.secretariat)


def can_ask_clarification(user: User, programme: JointProgramme) -> bool:
    return has_any_role(user, Role.secretariat)


def can_answer_clarification(user: User, programme: JointProgramme) -> bool:
    return is_focal_point(user, programme)
