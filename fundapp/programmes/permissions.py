"""Who sees and handles joint programmes.

The secretariat, the committee, donors and administrators see every programme; an applicant (a focal point
of a UN organization) sees the programmes its organization participates in, and another's is a 404.
The secretariat manages the money; only the chair releases a blocked tranche.
"""

from fundapp.core.permissions import COMMITTEE_ROLES, Role, has_any_role
from fundapp.programmes.models import JointProgramme
from fundapp.programmes.services import participating_ids

PORTFOLIO_ROLES = (Role.applicant, Role.secretariat, *COMMITTEE_ROLES, Role.donor, Role.admin)
READ_ALL_ROLES = (Role.secretariat, *COMMITTEE_ROLES, Role.donor, Role.admin)


def is_focal_point(user, programme: JointProgramme) -> bool:
    return has_any_role(user, Role.applicant) and user.organisation_id in participating_ids(programme)


def can_view(user, programme: JointProgramme) -> bool:
    return has_any_role(user, *READ_ALL_ROLES) or is_focal_point(user, programme)


def can_manage_money(user) -> bool:
    return has_any_role(user, Role.secretariat)


def can_release_blocked(user) -> bool:
    return has_any_role(user, Role.committee_chair)


# Results and progress reports -----------------------------------------------------------------------


def can_edit_framework(user, programme: JointProgramme) -> bool:
    if programme.status == "financially_closed":
        return False
    return has_any_role(user, Role.secretariat) or is_focal_point(user, programme)


def can_view_report(user, report) -> bool:
    """Focal points of the programme and the secretariat: every report; the committee and administrators:
    submitted ones; donors: approved ones only; anyone else: not at all (404)."""
    programme = report.programme
    if is_focal_point(user, programme) or has_any_role(user, Role.secretariat):
        return True
    if has_any_role(user, *COMMITTEE_ROLES, Role.admin):
        return report.status != "draft"
    if has_any_role(user, Role.donor):
        return report.status == "approved"
    return False


def can_edit_report(user, report) -> bool:
    return is_focal_point(user, report.programme) and report.status in ("draft", "returned")


def can_review_report(user, report) -> bool:
    return has_any_role(user, Role.secretariat) and report.status == "submitted"


def can_start_report(user, programme: JointProgramme) -> bool:
    return is_focal_point(user, programme) and programme.status in ("approved", "active", "operationally_closed")
