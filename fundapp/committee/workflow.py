"""The committee's states: the concept note machine extended (one table), meetings and agenda items.

CONCEPT_NOTE gains, in its one transition table:

    eligible → under_review (open review) → endorsed | rejected | deferred | returned
    deferred → under_review (review again)
    endorsed → ready_for_implementation (an approved joint programme document) → funded (funding decision)
"""

from fundapp.concept_notes import workflow as cn
from fundapp.concept_notes.workflow import CONCEPT_NOTE
from fundapp.core.i18n import _l
from fundapp.core.permissions import Role
from fundapp.core.workflow import StateMachine, Transition

UNDER_REVIEW = "under_review"
ENDORSED = "endorsed"
REJECTED = "rejected"
DEFERRED = "deferred"
READY = "ready_for_implementation"
FUNDED = "funded"

CHAIR = frozenset({Role.committee_chair.value})
CHAIR_OR_SECRETARIAT = frozenset({Role.committee_chair.value, Role.secretariat.value})
SECRETARIAT = frozenset({Role.secretariat.value})

#: Notes in the pipeline: endorsed and not yet funded ("identified" joint programmes).
PIPELINE_STATES = (ENDORSED, READY)
#: Notes the committee pages show: from eligible on (a note returned for revision keeps its committee page).
COMMITTEE_STATES = (cn.ELIGIBLE, UNDER_REVIEW, ENDORSED, REJECTED, DEFERRED, READY, FUNDED, cn.RETURNED)

cn.STATUS_LABELS.update(
    {
        UNDER_REVIEW: _l("Under committee review"),
        ENDORSED: _l("Endorsed (in the pipeline)"),
        REJECTED: _l("Rejected by the committee"),
        DEFERRED: _l("Deferred by the committee"),
        READY: _l("Ready for implementation"),
        FUNDED: _l("Funded"),
    }
)

COMMITTEE_TRANSITIONS = [
    Transition("open_review", cn.ELIGIBLE, UNDER_REVIEW, CHAIR_OR_SECRETARIAT, label=_l("open the committee review")),
    Transition("review_again", DEFERRED, UNDER_REVIEW, CHAIR_OR_SECRETARIAT, label=_l("review again")),
    Transition("endorse", UNDER_REVIEW, ENDORSED, CHAIR, label=_l("endorse")),
    Transition("reject", UNDER_REVIEW, REJECTED, CHAIR, label=_l("reject"), needs_reason=True),
    Transition("defer", UNDER_REVIEW, DEFERRED, CHAIR, label=_l("defer")),
    Transition("return", UNDER_REVIEW, cn.RETURNED, CHAIR, label=_l("return for revision"), needs_reason=True),
    Transition("mark_ready", ENDORSED, READY, SECRETARIAT, label=_l("mark ready for implementation")),
    Transition("fund", READY, FUNDED, CHAIR, label=_l("fund")),
]

if not any(t.action == "open_review" for t in CONCEPT_NOTE.transitions):  # the module may be reloaded
    for _transition in COMMITTEE_TRANSITIONS:
        CONCEPT_NOTE.add(_transition)

# Meetings: planned (agenda prepared) → in_session (the chair opens it) → closed.
PLANNED = "planned"
IN_SESSION = "in_session"
CLOSED = "closed"
MEETING = StateMachine(
    "committee_meeting",
    states=[PLANNED, IN_SESSION, CLOSED],
    transitions=[
        Transition("create", None, PLANNED, SECRETARIAT, label=_l("plan")),
        Transition("open", PLANNED, IN_SESSION, CHAIR, label=_l("open the meeting")),
        Transition("close", IN_SESSION, CLOSED, CHAIR, label=_l("close the meeting")),
    ],
)
MEETING_LABELS = {PLANNED: _l("Planned"), IN_SESSION: _l("In session"), CLOSED: _l("Closed")}
#: The badge style of each meeting state.
MEETING_BADGES = {PLANNED: "draft", IN_SESSION: "submitted", CLOSED: "approved"}

# Agenda items: pending → decided (the chair records the decision) | withdrawn (the secretariat).
PENDING = "pending"
DECIDED = "decided"
WITHDRAWN = "withdrawn"
AGENDA_ITEM = StateMachine(
    "committee_agenda_item",
    states=[PENDING, DECIDED, WITHDRAWN],
    transitions=[
        Transition("create", None, PENDING, SECRETARIAT, label=_l("put on the agenda")),
        Transition("decide", PENDING, DECIDED, CHAIR, label=_l("record the decision")),
        Transition(
            "withdraw", PENDING, WITHDRAWN, SECRETARIAT, label=_l("withdraw from the agenda"), needs_reason=True
        ),
    ],
)
#: How an agenda item's state reads in the minutes ("No decision (withdrawn)").
AGENDA_ITEM_LABELS = {PENDING: _l("Pending"), DECIDED: _l("Decided"), WITHDRAWN: _l("Withdrawn")}

#: The votes a member casts (rules.Vote values), as people read them, in the ballot's order.
VOTE_LABELS = {"approve": _l("Approve"), "object": _l("Object"), "abstain": _l("Abstain")}
