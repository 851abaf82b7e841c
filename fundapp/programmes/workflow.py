"""The joint programme lifecycle: one transition table.

pipeline (the full programme document of a note ready for implementation, before funding) → approved (the
committee funds it; a programme funded without a prepared document starts here) → active (first transfer released) →
operationally closed (end date passed, final narrative report received) → financially closed (final
expenditures certified, unspent balances refunded; the ledger then refuses every money event on it).
"""

from fundapp.core.i18n import _l
from fundapp.core.permissions import Role
from fundapp.core.workflow import StateMachine, Transition

PIPELINE = "pipeline"
APPROVED = "approved"
ACTIVE = "active"
OPERATIONALLY_CLOSED = "operationally_closed"
FINANCIALLY_CLOSED = "financially_closed"

STATUS_LABELS = {
    PIPELINE: _l("Ready for implementation (not funded)"),
    APPROVED: _l("Approved"),
    ACTIVE: _l("Active"),
    OPERATIONALLY_CLOSED: _l("Operationally closed"),
    FINANCIALLY_CLOSED: _l("Financially closed"),
}

#: States in which transfers may go out, and in which expenditure and refunds may be recorded.
TRANSFER_STATES = (APPROVED, ACTIVE)
SPENDING_STATES = (ACTIVE, OPERATIONALLY_CLOSED)
#: A funded programme reports progress in these states; reports fall due (reminders, overdue flags) while it runs.
REPORTING_STATES = (APPROVED, ACTIVE, OPERATIONALLY_CLOSED)
RUNNING_STATES = (APPROVED, ACTIVE)

_SECRETARIAT = frozenset({Role.secretariat.value})
_MONEY = frozenset({Role.secretariat.value, Role.committee_chair.value})

PROGRAMME = StateMachine(
    "joint_programmes",
    list(STATUS_LABELS),
    [
        Transition("prepare", None, PIPELINE, label="prepare the programme document"),
        Transition("approve", None, APPROVED, label="approve"),
        Transition("fund", PIPELINE, APPROVED, label="fund"),
        Transition("activate", APPROVED, ACTIVE, _MONEY, label="activate with the first transfer"),
        Transition("close_operationally", ACTIVE, OPERATIONALLY_CLOSED, _SECRETARIAT, label="close operationally"),
        Transition(
            "close_financially", OPERATIONALLY_CLOSED, FINANCIALLY_CLOSED, _SECRETARIAT, label="close financially"
        ),
    ],
)

# Progress reports -----------------------------------------------------------------------------------

DRAFT, SUBMITTED, RETURNED, REPORT_APPROVED = "draft", "submitted", "returned", "approved"
REPORT_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Submitted"),
    RETURNED: _l("Returned for correction"),
    REPORT_APPROVED: _l("Approved"),
}
#: A focal point edits a report in these states; an approved report locks its period.
EDITABLE_REPORT_STATES = (DRAFT, RETURNED)
#: A report in these states was delivered for its period (not overdue).
DELIVERED_REPORT_STATES = (SUBMITTED, REPORT_APPROVED)
_FOCAL = frozenset({Role.applicant.value})

PROGRESS_REPORT = StateMachine(
    "progress_reports",
    list(REPORT_LABELS),
    [
        Transition("create", None, DRAFT, label="start"),
        Transition("submit", DRAFT, SUBMITTED, _FOCAL, label="submit"),
        Transition("submit", RETURNED, SUBMITTED, _FOCAL, label="resubmit"),
        Transition("return", SUBMITTED, RETURNED, _SECRETARIAT, label="return", needs_reason=True),
        Transition("approve", SUBMITTED, REPORT_APPROVED, _SECRETARIAT, label="approve"),
    ],
)
