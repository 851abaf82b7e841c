"""One signal mechanism (blinker, which ships with Flask) for every layer.

A lower layer that must let a higher one react sends a signal declared here; the higher layer connects
its receiver when its package is imported. Receivers run in the sender's transaction (they flush, never
commit) unless the signal says otherwise. A receiver that refuses raises a domain error, which the
sender lets through. Signals that ask a question collect the receivers' answers from `send()`.

| signal | sent by (sender) | keyword data | receivers |
|---|---|---|---|
| committed | the edge (the session) | – | notifications: deliver the mail this transaction queued |
| programme_posting | contributions.ledger (programme id) | – | programmes: refuse postings on a closed programme |
| programme_labels | contributions (a programme id) | – | programmes: its label, "JP-0007 Title" |
| indicator_links | results (fund indicator ids) | – | programmes: {fund indicator id: linked programme indicators} |
| document_approved | committee (the programme document) | actor, on | programmes: prepare the pipeline programme |
| funding_approved | committee (the programme document) | actor, on | programmes: start the funded programme |
| landing_page | auth (the user signing in) | – | home: the endpoint of the user's home page |
| period_closed | contributions (the closed period) | actor | reports: freeze a year's statement when December closes |
| ledger_changed | contributions.ledger (the session) | – | caches of public figures: invalidate after commit |
| account_email | auth (the address) | subject, body | notifications: queue a sensitive email (answers its row) |
| account_closed | auth (the deactivated user) | actor | api: revoke the user's personal tokens |
| audit_reconcile | core.audit (None) | – | contributions, reports: the first record that differs from its audit row |
| describe_objects | home's audit log (an audit object type) | ids | the domain owning the type: {id: name} |
"""

from typing import Any

from blinker import Namespace

fundapp_signals = Namespace()

#: The request's or command's transaction is committed. Sent after the commit, outside it.
committed = fundapp_signals.signal("committed")

#: A ledger posting is about to name a programme; a receiver raises to refuse it.
programme_posting = fundapp_signals.signal("programme-posting")

#: Which label each programme id goes by; receivers answer {programme id: label}.
programme_labels = fundapp_signals.signal("programme-labels")

#: How many programme indicators link to each fund indicator; receivers answer {fund indicator id: count}.
indicator_links = fundapp_signals.signal("indicator-links")

#: The steering committee approved a joint programme document (the note is ready for implementation).
document_approved = fundapp_signals.signal("document-approved")

#: The steering committee's funding decision was allocated on the ledger.
funding_approved = fundapp_signals.signal("funding-approved")

#: Where a user lands after signing in (auth asks; the home pages live in the top layer).
landing_page = fundapp_signals.signal("landing-page")

#: An accounting period (a month) was closed by the secretariat; receivers flush, never commit.
period_closed = fundapp_signals.signal("period-closed")

#: A posting was added to the ledger in this transaction (caches of public figures listen).
ledger_changed = fundapp_signals.signal("ledger-changed")

#: `flask audit verify` asks each domain to hold its records to their audit rows; receivers answer the first
#: discrepancy as a sentence naming the record (or None when everything matches).
audit_reconcile = fundapp_signals.signal("audit-reconcile")
#: What the audit log's objects are called: sent with an audit object type ("concept_note", "agreements", …) and
#: `ids` (audit object ids, strings); the domain owning the type answers {id: name} in one query, others None.
describe_objects = fundapp_signals.signal("describe-objects")


#: An account email (invitation, password reset, notice) must leave; auth sits below notifications.
account_email = fundapp_signals.signal("account-email")

#: A user was deactivated: every way of acting as them ends now (auth ends the sessions itself).
account_closed = fundapp_signals.signal("account-closed")


def answers(signal: Any, sender: Any, **data: Any) -> list[Any]:
    """Send a question signal and return the receivers' answers (None answers left out)."""
    return [answer for _receiver, answer in signal.send(sender, **data) if answer is not None]
