"""The audit log made readable: who did what to which named object.

"Samuel Okoye screened CN-0037 ‘Title’ from submitted to eligible": the actor's name (the row keeps the email
too), a phrase per audit action (`PHRASES`, with the object's place marked), the object's name from the domain
that owns it, and for state changes the statuses before and after. Names come from the domains through
`signals.describe_objects`: one query per object type on the page. The JSON details stay one click away.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.core import signals
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import ROLE_LABELS

#: What each action says; "{object}" is where the object's name goes (appended when a phrase has none).
PHRASES = {
    # Accounts and organisations
    "auth.login": "signed in",
    "auth.logout": "signed out",
    "auth.login_failed": "failed to sign in as {object}",
    "auth.login_throttled": "was refused sign-in (too many failures) as {object}",
    "auth.login_refused_inactive": "was refused sign-in to the deactivated account {object}",
    "auth.password_changed": "changed the password of {object}",
    "user.created": "created the account of {object}",
    "user.updated": "changed the account of {object}",
    "user.activated": "reactivated the account of {object}",
    "user.deactivated": "deactivated the account of {object}",
    "organisation.created": "added the organisation {object}",
    "organisation.updated": "changed the organisation {object}",
    "organisation.activated": "reactivated the organisation {object}",
    "organisation.deactivated": "deactivated the organisation {object}",
    "auth.password_accepted": "gave the right password for {object}",
    "auth.code_failed": "gave a wrong sign-in code for {object}",
    "auth.session_ended": "ended a session of {object}",
    "auth.signed_out_everywhere": "signed {object} out everywhere",
    "auth.email_changed": "changed the email address of {object}",
    "auth.password_reset_requested": "asked for a password reset of {object}",
    "auth.password_reset_suppressed": "held back a password reset email of {object} (too many asked)",
    "auth.password_reset": "reset the password of {object}",
    "auth.two_factor_enabled": "turned on two-factor sign-in for {object}",
    "auth.two_factor_disabled": "turned off two-factor sign-in for {object}",
    "auth.two_factor_reset": "reset the two-factor sign-in of {object}",
    "auth.two_factor_replaced": "replaced the authenticator of {object}",
    "auth.recovery_code_used": "signed in with a recovery code as {object}",
    "auth.recovery_codes_renewed": "renewed the recovery codes of {object}",
    "invitation.created": "invited {object}",
    "invitation.resent": "sent the invitation of {object} again",
    "invitation.revoked": "revoked the invitation of {object}",
    "invitation.accepted": "accepted the invitation of {object}",
    "api_token.created": "created {object}",
    "api_token.revoked": "revoked {object}",
    "api_token.revoked_all": "revoked every API token of {object}",
    # Reference data and the results framework
    "reference.loaded": "loaded {object}",
    "reference.renamed": "renamed {object}",
    "demo.scaled": "copied the demo fund into a scaled fund ({object})",
    "reference.area_objectives_changed": "changed the objectives of {object}",
    "results.outcome_created": "added {object}",
    "results.outcome_updated": "changed {object}",
    "results.outcome_deleted": "deleted {object}",
    "results.outcome_retired": "retired {object}",
    "results.outcome_reinstated": "reinstated {object}",
    "results.indicator_created": "added {object}",
    "results.indicator_updated": "changed {object}",
    "results.indicator_deleted": "deleted {object}",
    "results.indicator_retired": "retired {object}",
    "results.indicator_reinstated": "reinstated {object}",
    "results.alignment_indicator_created": "added {object}",
    "results.alignment_indicator_updated": "changed {object}",
    "results.alignment_indicator_retired": "retired {object}",
    "results.alignment_indicator_reinstated": "reinstated {object}",
    "results.marker_minimums_set": "set {object}",
    # Calls and concept notes
    "call.created": "opened the {object}",
    "call.updated": "changed the {object}",
    "concept_note.create": "started {object}",
    "concept_note.saved": "saved {object}",
    "concept_note.submit": "submitted {object}",
    "concept_note.resubmit": "resubmitted {object}",
    "concept_note.mark_eligible": "screened {object}",
    "concept_note.mark_ineligible": "screened {object}",
    "concept_note.return": "returned {object} for revision",
    "concept_note.withdraw": "withdrew {object}",
    "concept_note.attachment_added": "attached a file to {object}",
    "concept_note.attachment_removed": "removed a file from {object}",
    # Steering committee
    "concept_note.open_review": "opened the committee review of {object}",
    "concept_note.review_again": "reopened the committee review of {object}",
    "concept_note.endorse": "endorsed {object}",
    "concept_note.reject": "rejected {object}",
    "concept_note.defer": "deferred {object}",
    "concept_note.mark_ready": "made {object} ready for implementation",
    "concept_note.fund": "funded {object}",
    "committee.scored": "scored {object}",
    "committee.review_closed": "closed the committee review of {object}",
    "committee.conflict_declared": "declared a conflict of interest on {object}",
    "committee.programme_document_saved": "saved the programme document of {object}",
    "committee.programme_dates_changed": "gave new start and end dates to {object} with its funding decision",
    "concept_note.message_posted": "wrote in the discussion of {object}",
    "programmes.message_posted": "wrote in the discussion of {object}",
    "committee.seat_created": "created the {object}",
    "committee.seat_updated": "changed the {object}",
    "committee.term_ended": "ended the term of the {object}",
    "committee.criteria_set": "set {object}",
    "committee.decision_settings_changed": "changed {object}",
    "committee_meeting.create": "planned the {object}",
    "committee_meeting.open": "opened the {object}",
    "committee_meeting.close": "closed the {object}",
    "committee_meeting.attendance": "took attendance at the {object}",
    "committee_agenda_item.create": "put the {object} on the agenda",
    "committee_agenda_item.decide": "decided the {object}",
    "committee_agenda_item.withdraw": "withdrew the {object}",
    "committee.vote": "voted on the {object}",
    "committee.decision": "recorded the decision on the {object}",
    # Contributions and the ledger
    "donor.created": "registered the {object}",
    "agreement.created": "recorded {object}",
    "deposit.recorded": "recorded a {object}",
    "deposit.imported": "imported deposits",
    "exchange_rate.set": "set the {object}",
    "ledger.deposit": "posted {object}",
    "ledger.fee": "posted {object}",
    "ledger.interest": "posted {object}",
    "ledger.allocation": "posted {object}",
    "ledger.transfer": "posted {object}",
    "ledger.refund": "posted {object}",
    "ledger.expenditure": "posted {object}",
    "ledger.direct_cost": "posted {object}",
    "ledger.bank_charge": "posted {object}",
    "ledger.reversal": "reversed a posting with {object}",
    # Joint programmes
    "joint_programmes.prepare": "prepared {object}",
    "joint_programmes.approve": "approved {object}",
    "joint_programmes.fund": "funded {object}",
    "joint_programmes.activate": "activated {object}",
    "joint_programmes.close_operationally": "closed {object} operationally",
    "joint_programmes.close_financially": "closed {object} financially",
    "programmes.budget_saved": "saved a budget of {object}",
    "programmes.tranche_planned": "planned a {object}",
    "programmes.tranche_released": "released a {object}",
    "programmes.expenditure_reported": "reported the {object}",
    "programmes.outcome_added": "added {object}",
    "programmes.output_added": "added {object}",
    "programmes.indicator_added": "added {object}",
    "programmes.alignment_assessed": "recorded the {object}",
    "programmes.report_saved": "saved the {object}",
    "progress_reports.create": "started the {object}",
    "progress_reports.submit": "submitted the {object}",
    "progress_reports.return": "returned the {object} for correction",
    "progress_reports.approve": "approved the {object}",
    "annual_statement.frozen": "froze {object}",
    "accounting_period.open": "opened {object} for closing",
    "accounting_period.close": "closed {object}",
    "accounting_period.reopen": "reopened {object}",
}

#: What each object type is called in the filter.
OBJECT_TYPES = {
    "accounting_period": "Accounting periods",
    "agreements": "Agreements",
    "alignment_indicators": "Alignment indicators",
    "api_tokens": "API tokens",
    "calls": "Calls",
    "committee_agenda_item": "Agenda items",
    "committee_meeting": "Committee meetings",
    "committee_seats": "Committee seats",
    "committee_settings": "Decision rules",
    "concept_note": "Concept notes (status)",
    "concept_notes": "Concept notes (content, scores)",
    "deposits": "Deposits",
    "donors": "Donors",
    "exchange_rates": "Exchange rates",
    "fund_indicators": "Fund indicators",
    "frozen_statements": "Frozen annual statements",
    "fund_outcomes": "Fund outcomes",
    "invitations": "Invitations",
    "joint_programme_documents": "Programme documents (dates)",
    "joint_programmes": "Joint programmes",
    "ledger_entries": "Ledger entries",
    "markers": "Markers",
    "organisations": "Organisations",
    "programme_alignment_assessments": "Alignment assessments",
    "programme_expenditure_reports": "Expenditure reports",
    "programme_indicators": "Programme indicators",
    "programme_outcomes": "Programme outcomes",
    "programme_outputs": "Programme outputs",
    "programme_progress_reports": "Progress reports (content)",
    "programme_tranches": "Tranches",
    "progress_reports": "Progress reports (status)",
    "reference": "Reference data",
    "scoring_criteria": "Scoring criteria",
    "thematic_areas": "Thematic areas",
    "users": "Users",
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


def _status(value: Any) -> str:
    return str(value).replace("_", " ")


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
    rows = []
    for entry in entries:
        try:
            details = json.loads(entry.details or "{}")
        except ValueError:
            details = {"raw": entry.details}
        if not isinstance(details, dict):
            details = {"value": details}
        user = users.get(entry.actor_id) if entry.actor_id else None
        actor = user.name if user else (entry.actor_email or "The system")
        name = names.get((entry.object_type, entry.object_id or "")) or _fallback_name(entry, details)
        phrase = PHRASES.get(entry.action) or f"{action_label(entry.action)} {{object}}"
        sentence = phrase.format(object=name) if "{object}" in phrase else phrase
        change = None
        if isinstance(details.get("to"), str) and (details.get("from") is None or isinstance(details["from"], str)):
            change = (_status(details["from"]) if details.get("from") else "", _status(details["to"]))
        reason = details.get("reason") if isinstance(details.get("reason"), str) else ""
        rows.append(Row(entry, actor, _role_label(user), sentence, name, change, reason or "", details))
    return rows


def sentence(row: Row) -> str:
    """The whole line, as the CSV writes it: "Samuel Okoye screened CN-0037 ‘Title’ from submitted to eligible"."""
    text = f"{row.actor} {row.sentence}"
    if row.change:
        before, after = row.change
        text += f" from {before} to {after}" if before else f" ({after})"
    return text
