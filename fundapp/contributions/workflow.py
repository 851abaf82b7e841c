"""Accounting periods: one transition table.

A month is open until the secretariat closes it (after reconciling it); an administrator may reopen the most
recent closed month, with a reason. Every transition is an event on the period and an audit row.
"""

from fundapp.core.permissions import Role
from fundapp.core.workflow import StateMachine, Transition

OPEN = "open"
CLOSED = "closed"

PERIOD_LABELS = {OPEN: "Open", CLOSED: "Closed"}
#: The badge style of each period state.
PERIOD_BADGES = {OPEN: "draft", CLOSED: "approved"}

PERIOD = StateMachine(
    "accounting_period",
    [OPEN, CLOSED],
    [
        Transition("open", None, OPEN, label="open"),
        Transition("close", OPEN, CLOSED, frozenset({Role.secretariat.value}), label="close"),
        Transition("reopen", CLOSED, OPEN, frozenset({Role.admin.value}), label="reopen", needs_reason=True),
    ],
)
