"""The audit log made readable: who did what to which named object.

"Samuel Okoye screened CN-0037 ‘Title’ from submitted to eligible": the actor's name (the row keeps the email
too), a phrase per audit action (`PHRASES`, with the object's place marked), the object's name from the domain
that owns it, and for state changes the statuses before and after. Names come from the domains through
`signals.describe_objects`: one query per object type on the page. The JSON details stay one click away.
"""

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import pgettext

from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.committee import workflow as committee_workflow
from fundapp.concept_notes import workflow as note_workflow
from fundapp.contributions import workflow as books_workflow
from fundapp.core import signals
from fundapp.core.i18n import _, _l
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import ROLE_LABELS
from fundapp.core.templating import format_rate
from fundapp.programmes import workflow as programme_workflow

#: What each action says; "{object}" is where the object's name goes (appended when a phrase has none).
PHRASES = {
    # Accounts and organisations
    "auth.login": _l("signed in"),
    "auth.logout": _l("signed out"),
    "auth.login_failed": _l("failed to sign in as {object}"),
    "auth.login_throttled": _l("was refused sign-in (too many failures) as {object}"),
    "auth.login_refused_inactive": _l("was refused sign-in to the deactivated account {object}"),
    "auth.password_changed": _l("changed the password of {object}"),
    "user.created": _l("created the account of {object}"),
    "user.updated": _l("changed the account of {object}"),
    "user.activated": _l("reactivated the account of {object}"),
    "user.deactivated": _l("deactivated the account of {object}"),
    "organisation.created": _l("added the organisation {object}"),
    "organisation.updated": _l("changed the organisation {object}"),
    "organisation.activated": _l("reactivated the organisation {object}"),
    "organisation.deactivated": _l("deactivated the organisation {object}"),
    "auth.password_accepted": _l("gave the right password for {object}"),
    "auth.code_failed": _l("gave a wrong sign-in code for {object}"),
    "auth.session_ended": _l("ended a session of {object}"),
    "auth.signed_out_everywhere": _l("signed {object} out everywhere"),
    "auth.email_changed": _l("changed the email address of {object}"),
    "auth.password_reset_requested": _l("asked for a password reset of {object}"),
    "auth.password_reset_suppressed": _l("held back a password reset email of {object} (too many asked)"),
    "auth.password_reset": _l("reset the password of {object}"),
    "auth.two_factor_enabled": _l("turned on two-factor sign-in for {object}"),
    "auth.two_factor_disabled": _l("turned off two-factor sign-in for {object}"),
    "auth.two_factor_reset": _l("reset the two-factor sign-in of {object}"),
    "auth.two_factor_replaced": _l("replaced the authenticator of {object}"),
    "auth.recovery_code_used": _l("signed in with a recovery code as {object}"),
    "auth.recovery_codes_renewed": _l("renewed the recovery codes of {object}"),
    "invitation.created": _l("invited {object}"),
    "invitation.resent": _l("sent the invitation of {object} again"),
    "invitation.revoked": _l("revoked the invitation of {object}"),
    "invitation.accepted": _l("accepted the invitation of {object}"),
    "api_token.created": _l("created {object}"),
    "api_token.revoked": _l("revoked {object}"),
    "api_token.revoked_all": _l("revoked every API token of {object}"),
    # Reference data and the results framework
    "reference.loaded": _l("loaded {object}"),
    "reference.renamed": _l("renamed {object}"),
    "demo.scaled": _l("copied the demo fund into a scaled fund ({object})"),
    "reference.area_objectives_changed": _l("changed the objectives of {object}"),
    "results.outcome_created": _l("added {object}"),
    "results.outcome_updated": _l("changed {object}"),
    "results.outcome_deleted": _l("deleted {object}"),
    "results.outcome_retired": _l("retired {object}"),
    "results.outcome_reinstated": _l("reinstated {object}"),
    "results.indicator_created": _l("added {object}"),
    "results.indicator_updated": _l("changed {object}"),
    "results.indicator_deleted": _l("deleted {object}"),
    "results.indicator_retired": _l("retired {object}"),
    "results.indicator_reinstated": _l("reinstated {object}"),
    "results.alignment_indicator_created": _l("added {object}"),
    "results.alignment_indicator_updated": _l("changed {object}"),
    "results.alignment_indicator_retired": _l("retired {object}"),
    "results.alignment_indicator_reinstated": _l("reinstated {object}"),
    "results.marker_minimums_set": _l("set {object}"),
    # Calls and concept notes
    "call.created": _l("opened the {object}"),
    "call.updated": _l("changed the {object}"),
    "concept_note.create": _l("started {object}"),
    "concept_note.saved": _l("saved {object}"),
    "concept_note.submit": _l("submitted {object}"),
    "concept_note.resubmit": _l("resubmitted {object}"),
    "concept_note.mark_eligible": _l("screened {object}"),
    "concept_note.mark_ineligible": _l("screened {object}"),
    "concept_note.return": _l("returned {object} for revision"),
    "concept_note.withdraw": _l("withdrew {object}"),
    "concept_note.attachment_added": _l("attached a file to {object}"),
    "concept_note.attachment_removed": _l("removed a file from {object}"),
    "concept_note.message_posted": _l("wrote in the discussion of {object}"),
    # Steering committee
    "concept_note.open_review": _l("opened the committee review of {object}"),
    "concept_note.review_again": _l("reopened the committee review of {object}"),
    "concept_note.endorse": _l("endorsed {object}"),
    "concept_note.reject": _l("rejected {object}"),
    "concept_note.defer": _l("deferred {object}"),
    "concept_note.mark_ready": _l("made {object} ready for implementation"),
    "concept_note.fund": _l("funded {object}"),
    "committee.scored": _l("scored {object}"),
    "committee.review_closed": _l("closed the committee review of {object}"),
    "committee.conflict_declared": _l("declared a conflict of interest on {object}"),
    "committee.programme_document_saved": _l("saved the programme document of {object}"),
    "committee.programme_dates_changed": _l("gave new start and end dates to {object} with its funding decision"),
    "committee.seat_created": _l("created the {object}"),
    "committee.seat_updated": _l("changed the {object}"),
    "committee.term_ended": _l("ended the term of the {object}"),
    "committee.criteria_set": _l("set {object}"),
    "committee.decision_settings_changed": _l("changed {object}"),
    "committee_meeting.create": _l("planned the {object}"),
    "committee_meeting.open": _l("opened the {object}"),
    "committee_meeting.close": _l("closed the {object}"),
    "committee_meeting.attendance": _l("took attendance at the {object}"),
    "committee_agenda_item.create": _l("put the {object} on the agenda"),
    "committee_agenda_item.decide": _l("decided the {object}"),
    "committee_agenda_item.withdraw": _l("withdrew the {object}"),
    "committee.vote": _l("voted on the {object}"),
    "committee.decision": _l("recorded the decision on the {object}"),
    # Contributions and the ledger
    "donor.created": _l("registered the {object}"),
    "agreement.created": _l("recorded {object}"),
    "deposit.recorded": _l("recorded a {object}"),
    "deposit.imported": _l("imported deposits"),
    "exchange_rate.set": _l("set the {object}"),
    "ledger.deposit": _l("posted {object}"),
    "ledger.fee": _l("posted {object}"),
    "ledger.interest": _l("posted {object}"),
    "ledger.allocation": _l("posted {object}"),
    "ledger.transfer": _l("posted {object}"),
    "ledger.refund": _l("posted {object}"),
    "ledger.expenditure": _l("posted {object}"),
    "ledger.direct_cost": _l("posted {object}"),
    "ledger.bank_charge": _l("posted {object}"),
    "ledger.reversal": _l("reversed a posting with {object}"),
    # Joint programmes
    "joint_programmes.prepare": _l("prepared {object}"),
    "joint_programmes.approve": _l("approved {object}"),
    "joint_programmes.fund": _l("funded {object}"),
    "joint_programmes.activate": _l("activated {object}"),
    "joint_programmes.close_operationally": _l("closed {object} operationally"),
    "joint_programmes.close_financially": _l("closed {object} financially"),
    "programmes.budget_saved": _l("saved a budget of {object}"),
    "programmes.tranche_planned": _l("planned a {object}"),
    "programmes.tranche_released": _l("released a {object}"),
    "programmes.expenditure_reported": _l("reported the {object}"),
    "programmes.outcome_added": _l("added {object}"),
    "programmes.output_added": _l("added {object}"),
    "programmes.indicator_added": _l("added {object}"),
    "programmes.alignment_assessed": _l("recorded the {object}"),
    "programmes.report_saved": _l("saved the {object}"),
    "programmes.message_posted": _l("wrote in the discussion of {object}"),
    "progress_reports.create": _l("started the {object}"),
    "progress_reports.submit": _l("submitted the {object}"),
    "progress_reports.return": _l("returned the {object} for correction"),
    "progress_reports.approve": _l("approved the {object}"),
    "annual_statement.frozen": _l("froze {object}"),
    "accounting_period.open": _l("opened {object} for closing"),
    "accounting_period.close": _l("closed {object}"),
    "accounting_period.reopen": _l("reopened {object}"),
}

#: What each object type is called in the filter.
OBJECT_TYPES = {
    "accounting_period": _l("Accounting periods"),
    "agreements": _l("Agreements"),
    "alignment_indicators": _l("Alignment indicators"),
    "api_tokens": _l("API tokens"),
    "calls": _l("Calls"),
    "committee_agenda_item": _l("Agenda items"),
    "committee_meeting": _l("Committee meetings"),
    "committee_seats": _l("Committee seats"),
    "committee_settings": _l("Decision rules"),
    "concept_note": _l("Concept notes (status)"),
    "concept_notes": _l("Concept notes (content, scores)"),
    "deposits": _l("Deposits"),
    "donors": _l("Donors"),
    "exchange_rates": _l("Exchange rates"),
    "fund_indicators": _l("Fund indicators"),
    "frozen_statements": _l("Frozen annual statements"),
    "fund_outcomes": _l("Fund outcomes"),
    "invitations": _l("Invitations"),
    "joint_programme_documents": _l("Programme documents (dates)"),
    "joint_programmes": _l("Joint programmes"),
    "ledger_entries": _l("Ledger entries"),
    "markers": _l("Markers"),
    "organisations": _l("Organisations"),
    "programme_alignment_assessments": _l("Alignment assessments"),
    "programme_expenditure_reports": _l("Expenditure reports"),
    "programme_indicators": _l("Programme indicators"),
    "programme_outcomes": _l("Programme outcomes"),
    "programme_outputs": _l("Programme outputs"),
    "programme_progress_reports": _l("Progress reports (content)"),
    "programme_tranches": _l("Tranches"),
    "progress_reports": _l("Progress reports (status)"),
    "reference": _l("Reference data"),
    "scoring_criteria": _l("Scoring criteria"),
    "thematic_areas": _l("Thematic areas"),
    "users": _l("Users"),
}


def action_label(action: str) -> str:
    """The action as the filter lists it: its phrase without the object ("screened", "released a …")."""
    phrase = PHRASES.get(action)
    if phrase is None:
        return action.replace("_", " ").replace(".", ": ")
    return phrase.replace(" the {object}", " …").replace(" a {object}", " …").replace("{object}", "…").strip()


def type_label(object_type: str) -> str:
    return OBJECT_TYPES.get(object_type, object_type.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Row:
    """One audit entry as a sentence, with the entry and its details beside it."""

    entry: AuditEntry
    actor: str
    actor_role: str
    sentence: str
    object_name: str
    #: Statuses before and after, for state changes ("submitted", "eligible").
    change: tuple[str, str] | None
    reason: str
    details: dict[str, Any]

    @property
    def details_json(self) -> str:
        return json.dumps(self.details, indent=2, sort_keys=True, ensure_ascii=False)


#: Each workflow's value → label map, by the object type its audit rows carry: a state change reads "from
#: submitted to eligible" in the reader's language ("de soumise à éligible"), never the stored values.
STATE_LABELS = {
    "concept_note": note_workflow.STATUS_LABELS,  # the committee's states included (committee.workflow)
    "joint_programmes": programme_workflow.STATUS_LABELS,
    "progress_reports": programme_workflow.REPORT_LABELS,
    "committee_meeting": committee_workflow.MEETING_LABELS,
    "committee_agenda_item": committee_workflow.AGENDA_ITEM_LABELS,
}
_CODE = re.compile(r"[a-z]+(_[a-z]+)*")


def _period_state(value: str) -> str:
    """A month's state: "Open" alone is also the verb of a button, so the labels carry a context."""
    return (
        pgettext("accounting period", "Open")
        if value == books_workflow.OPEN
        else pgettext("accounting period", "Closed")
    )


def _status(object_type: str, value: Any) -> str:
    """A stored value of a change as people read it: a workflow state by its label (lower-case, inside a
    sentence), an exchange rate in the language's number format, another code with spaces for underscores;
    what a person wrote (a name, an email) as it is."""
    text = str(value)
    if object_type == "accounting_period" and text in books_workflow.PERIOD_LABELS:
        return _period_state(text).lower()
    labels = STATE_LABELS.get(object_type)
    if labels is not None and text in labels:
        return str(labels[text]).lower()
    if object_type == "exchange_rates":
        try:
            return format_rate(Decimal(text))
        except InvalidOperation:
            return text
    return text.replace("_", " ") if _CODE.fullmatch(text) else text


def _fallback_name(entry: AuditEntry, details: dict[str, Any]) -> str:
    """An object no domain names (deleted since, or of an unknown type): its type, id and any code or email."""
    hint = next((str(details[k]) for k in ("reference", "code", "email", "title") if details.get(k)), "")
    noun = entry.object_type.replace("_", " ").rstrip("s")
    if entry.object_id:
        return f"{noun} #{entry.object_id}" + (f" ({hint})" if hint else "")
    return hint or noun


def names_of(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """(object type, object id) → the object's name, one query per object type (the domains answer)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        wanted[entry.object_type].add(entry.object_id or "")
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        for answer in signals.answers(signals.describe_objects, object_type, ids=sorted(ids)):
            names.update({(object_type, key): name for key, name in answer.items()})
    return names


def _role_label(user: User | None) -> str:
    if user is None:
        return ""
    return ", ".join(ROLE_LABELS[role] for role in sorted(user.roles))


def readable(entries: list[AuditEntry]) -> list[Row]:
    """The entries as sentences (one query for the actors, one per object type)."""
    users = auth_services.users_by_id(sorted({e.actor_id for e in entries if e.actor_id}))
    names = names_of(entries)
    # Labels translated once per batch, not once per row (an export describes hundreds of thousands of rows).
    phrases: dict[str, str] = {}
    roles: dict[int | None, str] = {}
    statuses: dict[tuple[str, str], str] = {}
    system = str(_("The system"))

    def status(object_type: str, value: str) -> str:
        key = (object_type, value)
        if key not in statuses:
            statuses[key] = str(_status(object_type, value))
        return statuses[key]

    rows = []
    for entry in entries:
        try:
            details = json.loads(entry.details or "{}")
        except ValueError:
            details = {"raw": entry.details}
        if not isinstance(details, dict):
            details = {"value": details}
        user = users.get(entry.actor_id) if entry.actor_id else None
        actor = user.name if user else (entry.actor_email or system)
        name = names.get((entry.object_type, entry.object_id or "")) or _fallback_name(entry, details)
        if entry.action not in phrases:
            phrases[entry.action] = str(PHRASES.get(entry.action) or f"{action_label(entry.action)} {{object}}")
        phrase = phrases[entry.action]
        sentence = phrase.format(object=name) if "{object}" in phrase else phrase
        change = None
        if isinstance(details.get("to"), str) and (details.get("from") is None or isinstance(details["from"], str)):
            before = status(entry.object_type, details["from"]) if details.get("from") else ""
            change = (before, status(entry.object_type, details["to"]))
        reason = details.get("reason") if isinstance(details.get("reason"), str) else ""
        if entry.actor_id not in roles:
            roles[entry.actor_id] = _role_label(user)
        rows.append(Row(entry, actor, roles[entry.actor_id], sentence, name, change, reason or "", details))
    return rows


def sentence(row: Row) -> str:
    """The whole line, as the CSV writes it: "Samuel Okoye screened CN-0037 ‘Title’ from submitted to eligible"."""
    text = f"{row.actor} {row.sentence}"
    if row.change:
        before, after = row.change
        text += " " + (_("from %(before)s to %(after)s", before=before, after=after) if before else f"({after})")
    return text
