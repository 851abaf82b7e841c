"""Who may see and change contributions. Another donor's records are 404, never 403.

Views call these before the service; templates call the same predicates (the blueprint's context
processor hands them over) to show or hide an action, so no template re-derives a rule.
"""

from fundapp.auth.models import User
from fundapp.contributions.ledger import HAND_POSTED
from fundapp.contributions.models import Agreement, Deposit, Donor, LedgerEntry
from fundapp.contributions.services import DepositDetail
from fundapp.core.permissions import COMMITTEE_ROLES, Role

#: The funding status statement and the capitalization page.
STATEMENT_ROLES = (Role.secretariat, Role.donor, *COMMITTEE_ROLES)


def can_manage(user: User) -> bool:
    """The Fund Management Unit records donors, agreements, rates, deposits and ledger corrections."""
    return user.is_authenticated and user.has_role(Role.secretariat)


def can_view_donor(user: User, donor: Donor) -> bool:
    """The secretariat sees every donor; a donor user only the donor their organisation is."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.secretariat):
        return True
    return user.has_role(Role.donor) and donor.organisation_id == user.organisation_id


def can_view_agreement(user: User, agreement: Agreement) -> bool:
    return can_view_donor(user, agreement.donor)


def can_view_deposit(user: User, deposit: Deposit) -> bool:
    return can_view_donor(user, deposit.donor)


def can_reverse_deposit(user: User, detail: DepositDetail) -> bool:
    """The secretariat reverses a deposit (with its fee) once; the ledger refuses a second reversal anyway."""
    return can_manage(user) and not detail.is_reversed


def can_reverse_entry(user: User, entry: LedgerEntry) -> bool:
    """From the ledger page the secretariat reverses only what it posts there by hand (interest, costs, charges).

    A deposit is reversed from its own page, with its fee; programme money is corrected where it was moved.
    """
    return can_manage(user) and entry.kind in HAND_POSTED


#: Who sees the accounting periods: the secretariat closes months, an administrator may reopen one.
PERIOD_ROLES = (Role.secretariat, Role.admin)


def can_close_period(user: User) -> bool:
    """The Fund Management Unit closes a month once it has reconciled it."""
    return can_manage(user)


def can_reopen_period(user: User) -> bool:
    """Reopening a closed month is an administrator's act, with a reason: it undoes a certification."""
    return user.is_authenticated and user.has_role(Role.admin)
