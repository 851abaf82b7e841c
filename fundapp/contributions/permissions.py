"""Who may see and change contributions. Another donor's records are 404, never 403."""

from fundapp.contributions.models import Agreement, Deposit, Donor
from fundapp.core.permissions import COMMITTEE_ROLES, Role

#: The funding status statement and the capitalization page.
STATEMENT_ROLES = (Role.secretariat, Role.donor, *COMMITTEE_ROLES)


def can_manage(user) -> bool:
    """The Fund Management Unit records donors, agreements, rates, deposits and ledger corrections."""
    return user.is_authenticated and user.has_role(Role.secretariat)


def can_view_donor(user, donor: Donor) -> bool:
    """The secretariat sees every donor; a donor user only the donor their organisation is."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.secretariat):
        return True
    return user.has_role(Role.donor) and donor.organisation_id == user.organisation_id


def can_view_agreement(user, agreement: Agreement) -> bool:
    return can_view_donor(user, agreement.donor)


def can_view_deposit(user, deposit: Deposit) -> bool:
    return can_view_donor(user, deposit.donor)
