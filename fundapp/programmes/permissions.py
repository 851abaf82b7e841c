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
