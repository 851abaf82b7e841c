"""The joint programme lifecycle: one transition table.

approved (created when the committee funds the programme) → active (first transfer released) →
operationally closed (end date passed, final narrative report received) → financially closed (final
expenditures certified, unspent balances refunded; the ledger then refuses every money event on it).
"""

from fundapp.core.permissions import Role
from fundapp.core.workflow import StateMachine, Transition

APPROVED = "approved"
ACTIVE = "active"
OPERATIONALLY_CLOSED = "operationally_closed"
FINANCIALLY_CLOSED = "financially_closed"

STATUS_LABELS = {
    APPROVED: "Approved",
    ACTIVE: "Active",
    OPERATIONALLY_CLOSED: "Operationally closed",
    FINANCIALLY_CLOSED: "Financially closed",
}

#: States in which transfers may go out, and in which expenditure and refunds may be recorded.
TRANSFER_STATES = (APPROVED, ACTIVE)
SPENDING_STATES = (ACTIVE, OPERATIONALLY_CLOSED)

_SECRETARIAT = frozenset({Role.secretariat.value})
_MONEY = frozenset({Role.secretariat.value, Role.committee_chair.value})

PROGRAMME = StateMachine(
    "joint_programmes",
    list(STATUS_LABELS),
    [
        Transition("approve", None, APPROVED, label="approve"),
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
    DRAFT: "Draft",
    SUBMITTED: "Submitted",
    RETURNED: "Returned for correction",
    REPORT_APPROVED: "Approved",
}
#: A focal point edits a report in these states; an approved report locks its period.
EDITABLE_REPORT_STATES = (DRAFT, RETURNED)
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
