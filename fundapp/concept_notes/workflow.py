"""The concept note state machine: the one table of allowed transitions.

The committee and programme capabilities add their states with CONCEPT_NOTE.add(Transition(...)).
"""

from fundapp.core.i18n import _l
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
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Submitted"),
    ELIGIBLE: _l("Eligible"),
    INELIGIBLE: _l("Ineligible"),
    RETURNED: _l("Returned for revision"),
    WITHDRAWN: _l("Withdrawn"),
}

CONCEPT_NOTE = StateMachine(
    "concept_note",
    states=[DRAFT, SUBMITTED, ELIGIBLE, INELIGIBLE, RETURNED, WITHDRAWN],
    transitions=[
        Transition("create", None, DRAFT, APPLICANT, label=_l("create")),
        Transition("submit", DRAFT, SUBMITTED, APPLICANT, label=_l("submit")),
        Transition("resubmit", RETURNED, SUBMITTED, APPLICANT, label=_l("resubmit")),
        Transition("mark_eligible", SUBMITTED, ELIGIBLE, SECRETARIAT, label=_l("mark eligible")),
        Transition(
            "mark_ineligible", SUBMITTED, INELIGIBLE, SECRETARIAT, label=_l("mark ineligible"), needs_reason=True
        ),
        Transition("return", SUBMITTED, RETURNED, SECRETARIAT, label=_l("return for revision"), needs_reason=True),
        *(Transition("withdraw", s, WITHDRAWN, APPLICANT, label=_l("withdraw")) for s in WITHDRAWABLE_STATES),
    ],
)


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status.replace("_", " ").capitalize()))
