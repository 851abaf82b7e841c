"""JSON API for concept notes, with the scopes of the pages.

Applicants see every note of their organisation, drafts included (the "My concept notes" page); the
secretariat and the committee see the notes submitted at least once (the "Concept notes" page). A note
the token's user may not see is 404. Screening comments, scores and votes are not part of this API.
"""

from flask import abort, jsonify, request
from flask_login import current_user

from fundapp.api import bp
from fundapp.api.auth import choice_arg, int_arg, paginate, token_required
from fundapp.concept_notes import permissions, services
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import STATUS_LABELS
from fundapp.core.extensions import db
from fundapp.core.money import money_str
from fundapp.core.permissions import Role

READERS = (Role.applicant, *permissions.LIST_ROLES)
NARRATIVE = (
    "government_partners",
    "context",
    "theory_of_change",
    "expected_results",
    "target_groups",
    "stakeholder_participation",
    "government_engagement",
    "sustainability",
)


def note_json(note: ConceptNote) -> dict:
    return {
        "id": note.id,
        "reference": note.reference,
        "title": note.title,
        "status": note.status,
        "call": {"id": note.call.id, "title": note.call.title},
        "lead_organisation": note.organisation.code,
        "participants": [
            {
                "organisation": p.organisation.code,
                "is_lead": p.is_lead,
                "direct_costs": money_str(p.direct_costs),
                "indirect_costs": money_str(p.indirect_costs),
                "currency": p.currency,
            }
            for p in note.participants
        ],
        "thematic_area": note.thematic_area.code if note.thematic_area else None,
        "objectives": [o.number for o in note.objectives],
        "scope": note.scope.value if note.scope else None,
        "countries": [c.code for c in note.countries],
        "duration_months": note.duration_months,
        "direct_costs": money_str(note.direct_costs_total),
        "indirect_costs": money_str(note.indirect_costs_total),
        "budget": money_str(note.budget_total),
        "currency": note.currency,
        "gender_budget_share_percent": None if note.gender_budget_share is None else f"{note.gender_budget_share:.2f}",
        "first_submitted_on": note.first_submitted_on.isoformat() if note.first_submitted_on else None,
        "last_submitted_on": note.last_submitted_on.isoformat() if note.last_submitted_on else None,
        "version_count": note.version_count,
    }


def _filters() -> services.NoteFilters:
    """The list pages' filters; a malformed value is 400 rather than silently ignored."""
    return services.NoteFilters(
        call_id=int_arg("call", minimum=1),
        status=choice_arg("status", list(STATUS_LABELS)),
        thematic_area_id=int_arg("area", minimum=1),
        region=request.args.get("region", "").strip() or None,
        country=request.args.get("country", "").strip().upper() or None,
        organisation_id=int_arg("organisation", minimum=1),
        q=request.args.get("q", "").strip(),
        sort=choice_arg("sort", list(services.SORTS), "submitted"),
        direction=choice_arg("dir", ["asc", "desc"], "desc"),
    )


@bp.route("/concept-notes")
@token_required(*READERS)
def concept_notes():
    filters = _filters()
    if current_user.has_any_role(*permissions.LIST_ROLES):
        query = services.notes_query(filters)
    else:
        query = services.notes_query(filters, organisation_id=current_user.organisation_id, include_drafts=True)
    items, meta = paginate(query)
    return jsonify({"data": [note_json(n) for n in items], "meta": meta})


@bp.route("/concept-notes/<int:note_id>")
@token_required(*READERS)
def concept_note(note_id: int):
    note = db.get_or_404(ConceptNote, note_id)
    if not permissions.can_view(current_user, note):
        abort(404)
    body = note_json(note)
    body.update({name: getattr(note, name) for name in NARRATIVE})
    body["principles"] = [{"code": s.principle.code, "text": s.text} for s in note.principles]
    return jsonify(body)
