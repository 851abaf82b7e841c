"""The concept note state machine: the one table of allowed transitions.

The committee and programme capabilities add their states with CONCEPT_NOTE.add(Transition(...)).
"""

from fundapp.core.permissions import Role
from fundapp.core.workflow import StateMachine, Transition

DRAFT = "draft"
SUBMITTED = "submitted"
ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"
RETURNED = "returned"
WITHDRAWN = "withdrawn"

APPLICANT = frozenset({Role.applicant.value})
SECRETARIAT = frozenset({Role.secretariat.value})

#: Applicants may edit only in these states.
EDITABLE_STATES = (DRAFT, RETURNED)
#: Before any committee decision: the applicant may still withdraw.
WITHDRAWABLE_STATES = (DRAFT, SUBMITTED, RETURNED, ELIGIBLE)

STATUS_LABELS = {
    DRAFT: "Draft",
    SUBMITTED: "Submitted",
    ELIGIBLE: "Eligible",
    INELIGIBLE: "Ineligible",
    RETURNED: "Returned for revision",
    WITHDRAWN: "Withdrawn",
}

CONCEPT_NOTE = StateMachine(
    "concept_note",
    states=[DRAFT, SUBMITTED, ELIGIBLE, INELIGIBLE, RETURNED, WITHDRAWN],
    transitions=[
        Transition("create", None, DRAFT, APPLICANT, label="create"),
        Transition("submit", DRAFT, SUBMITTED, APPLICANT, label="submit"),
        Transition("resubmit", RETURNED, SUBMITTED, APPLICANT, label="resubmit"),
        Transition("mark_eligible", SUBMITTED, ELIGIBLE, SECRETARIAT, label="mark eligible"),
        Transition("mark_ineligible", SUBMITTED, INELIGIBLE, SECRETARIAT, label="mark ineligible", needs_reason=True),
        Transition("return", SUBMITTED, RETURNED, SECRETARIAT, label="return for revision", needs_reason=True),
        *(Transition("withdraw", s, WITHDRAWN, APPLICANT, label="withdraw") for s in WITHDRAWABLE_STATES),
    ],
)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())
