"""Committee pages for reviews, meetings, decisions, the pipeline and funding scenarios."""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from fundapp.committee import bp, meetings, pdfs, pipeline, reviews, workflow
from fundapp.committee.forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    ConflictForm,
    DecisionForm,
    MeetingForm,
    ProgrammeDocumentForm,
    ScenarioForm,
    ScoreForm,
    VoteForm,
)
from fundapp.committee.models import AgendaItem, Meeting, Review, ScoreSheet
from fundapp.committee.services import criteria_for, seat_of
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import ELIGIBLE, status_label
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import COMMITTEE_ROLES, Role, role_required

CHAIR = (Role.committee_chair,)
SECRETARIAT = (Role.secretariat,)
CHAIR_OR_SECRETARIAT = (Role.committee_chair, Role.secretariat)
COMMITTEE_AND_SECRETARIAT = (*COMMITTEE_ROLES, Role.secretariat)
#: Notes the committee pages show: from eligible on.
COMMITTEE_STATES = (
    ELIGIBLE,
    workflow.UNDER_REVIEW,
    workflow.ENDORSED,
    workflow.REJECTED,
    workflow.DEFERRED,
    workflow.READY,
    workflow.FUNDED,
    "returned",
)


def _refuse(exc: DomainError, back: str):
    """A refused action: 403 for a forged or not-allowed request, else the message on the page it came from."""
    if isinstance(exc, NotAllowed):
        abort(403, exc.message)
    flash(exc.message, "error")
    return redirect(back)


def _note(note_id: int) -> ConceptNote:
    note = db.get_or_404(ConceptNote, note_id)
    if note.status not in COMMITTEE_STATES:
        abort(404)
    return note


# Reviews and scoring ------------------------------------------------------------------------------


@bp.route("/committee/scoring")
@role_required(*COMMITTEE_ROLES)
def queue():
    """The member's scoring queue: notes under open review, with whether the member has scored them."""
    seat = seat_of(current_user)
    rows = db.session.execute(
        sa.select(ConceptNote, Review)
        .join(Review, Review.concept_note_id == ConceptNote.id)
        .where(ConceptNote.status == workflow.UNDER_REVIEW)
        .order_by(Review.closed_at.is_not(None), ConceptNote.id)
    ).all()
    notes = [n for n, _r in rows]
    conflicts = reviews.conflicts_by_note([n.id for n in notes], [seat] if seat else [])
    scored = set()
    if seat is not None and notes:
        scored = set(
            db.session.scalars(
                sa.select(ScoreSheet.concept_note_id).where(
                    ScoreSheet.seat_id == seat.id, ScoreSheet.concept_note_id.in_([n.id for n in notes])
                )
            )
        )
    entries = [
        {"note": n, "review": r, "conflict": conflicts[n.id].get(seat.id) if seat else None, "scored": n.id in scored}
        for n, r in rows
    ]
    to_score = [e for e in entries if not e["review"].is_closed and not e["conflict"] and not e["scored"]]
    return render_template("committee/queue.html", entries=entries, seat=seat, to_score=to_score)


@bp.route("/committee/reviews")
@role_required(*CHAIR_OR_SECRETARIAT)
def reviews_index():
    """Eligible notes waiting for review, and the notes under review with their scoring progress."""
    eligible = list(
        db.session.scalars(
            sa.select(ConceptNote).where(ConceptNote.status.in_((ELIGIBLE, workflow.DEFERRED))).order_by(ConceptNote.id)
        )
    )
    under = db.session.execute(
        sa.select(ConceptNote, Review)
        .join(Review, Review.concept_note_id == ConceptNote.id)
        .where(ConceptNote.status == workflow.UNDER_REVIEW)
        .order_by(ConceptNote.id)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(ScoreSheet.concept_note_id, sa.func.count())
            .where(ScoreSheet.concept_note_id.in_([n.id for n, _r in under]))
            .group_by(ScoreSheet.concept_note_id)
        ).all()
    )
    return render_template(
        "committee/reviews.html",
        eligible=eligible,
        under=under,
        counts=counts,
        form=ActionForm(),
        status_label=status_label,
    )


@bp.route("/committee/notes/<int:note_id>")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def review(note_id: int):
    note = _note(note_id)
    review_ = reviews.review_of(note)
    seat = seat_of(current_user) if current_user.has_any_role(*COMMITTEE_ROLES) else None
    conflict = reviews.conflict_of(note, seat)
    criteria = criteria_for(note.call_id)
    data = reviews.scores_view(current_user, note)
    can_score = False
    if seat is not None and conflict is None:
        try:
            reviews.check_can_score(note, seat)
            can_score = True
        except DomainError:
            can_score = False
    chair_view = current_user.has_any_role(Role.committee_chair, Role.secretariat)
    conflicts = reviews.conflicts_for(note) if chair_view else {}
    from fundapp.committee.models import CommitteeSeat

    seats = {s.id: s for s in db.session.scalars(sa.select(CommitteeSeat).where(CommitteeSeat.id.in_(list(conflicts))))}
    form = ScoreForm(data={"comment": data.get("my_comment") or ""})
    return render_template(
        "committee/review.html",
        note=note,
        review=review_,
        seat=seat,
        conflict=conflict,
        criteria=criteria,
        data=data,
        can_score=can_score,
        form=form,
        conflict_form=ConflictForm(),
        action_form=ActionForm(),
        conflicts=[(seats[s], c) for s, c in conflicts.items()],
        document=meetings.programme_document(note),
        status_label=status_label,
    )


@bp.route("/committee/notes/<int:note_id>/scores.json")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def scores_json(note_id: int):
    return jsonify(reviews.scores_view(current_user, _note(note_id)))


@bp.route("/committee/notes/<int:note_id>/score", methods=["POST"])
@role_required(*COMMITTEE_ROLES)
def score(note_id: int):
    note = _note(note_id)
    form = ScoreForm()
    back = url_for("committee.review", note_id=note.id)
    if not form.validate_on_submit():
        flash("The form expired or the comment is too long; please try again.", "error")
        return redirect(back)
    scores = {k.removeprefix("score_"): v for k, v in request.form.items() if k.startswith("score_")}
    try:
        reviews.submit_scores(current_user, note, scores, form.comment.data or "")
    except ValidationFailed as exc:
        flash("Give every criterion a score from 1 to 5. " + exc.message, "error")
        return redirect(back)
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    flash(
        f"Your scores for {note.reference} are saved. Others see them only when the chair closes the review.", "success"
    )
    return redirect(url_for("committee.queue"))


@bp.route("/committee/notes/<int:note_id>/conflict", methods=["POST"])
@role_required(*COMMITTEE_ROLES)
def declare_conflict(note_id: int):
    note = _note(note_id)
    form = ConflictForm()
    back = url_for("committee.review", note_id=note.id)
    if not form.validate_on_submit():
        flash("Give the reason for the conflict of interest.", "error")
        return redirect(back)
    try:
        reviews.declare_conflict(current_user, note, form.reason.data)
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    flash(f"Conflict of interest recorded: you are recused from {note.reference}.", "success")
    return redirect(back)


@bp.route("/committee/notes/<int:note_id>/open", methods=["POST"])
@role_required(*CHAIR_OR_SECRETARIAT)
def open_review(note_id: int):
    note = _note(note_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        reviews.open_review(current_user, note)
    except DomainError as exc:
        return _refuse(exc, url_for("committee.reviews_index"))
    db.session.commit()
    flash(f"{note.reference} is open for scoring by the committee.", "success")
    return redirect(url_for("committee.reviews_index"))


@bp.route("/committee/notes/<int:note_id>/close", methods=["POST"])
@role_required(*CHAIR)
def close_review(note_id: int):
    note = _note(note_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        reviews.close_review(current_user, note)
    except DomainError as exc:
        return _refuse(exc, url_for("committee.review", note_id=note.id))
    db.session.commit()
    flash(f"Review of {note.reference} closed: the scores are now visible to the committee.", "success")
    return redirect(url_for("committee.review", note_id=note.id))


# The joint programme document (secretariat) ---------------------------------------------------------


@bp.route("/committee/notes/<int:note_id>/programme", methods=["GET", "POST"])
@role_required(*SECRETARIAT)
def programme_document(note_id: int):
    note = _note(note_id)
    document = meetings.programme_document(note)
    form = ProgrammeDocumentForm(obj=document)
    amounts = {line.organisation_id: line.amount for line in document.budget_lines} if document else {}
    if request.method == "GET" and document is None:
        amounts = {p.organisation_id: p.total for p in note.participants}
        form.summary.data = note.expected_results
    if form.validate_on_submit():
        budget = {}
        errors = []
        for participant in note.participants:
            raw = (request.form.get(f"budget_{participant.organisation_id}") or "0").replace(",", "").strip()
            try:
                budget[participant.organisation_id] = Decimal(raw or "0")
            except InvalidOperation:
                errors.append(f"{participant.organisation.code}: not a number.")
        try:
            if errors:
                raise ValidationFailed({"budget": errors})
            meetings.save_programme_document(
                current_user, note, form.summary.data, form.starts_on.data, form.ends_on.data, budget
            )
            if request.form.get("approve"):
                meetings.approve_programme_document(current_user, note)
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                target = form._fields.get(name)
                if target is not None:
                    target.errors = [*target.errors, *messages]
                else:
                    for message in messages:
                        flash(message, "error")
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                "Joint programme document saved"
                + (" and approved: the note is ready for implementation." if request.form.get("approve") else "."),
                "success",
            )
            return redirect(url_for("committee.review", note_id=note.id))
    return render_template(
        "committee/programme_document.html", note=note, document=document, form=form, amounts=amounts
    )


# Meetings -------------------------------------------------------------------------------------------


@bp.route("/committee/meetings")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def meetings_index():
    query = sa.select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    page = db.paginate(query, per_page=20, max_per_page=100, error_out=False)
    counts = dict(
        db.session.execute(
            sa.select(AgendaItem.meeting_id, sa.func.count())
            .where(AgendaItem.meeting_id.in_([m.id for m in page.items]))
            .group_by(AgendaItem.meeting_id)
        ).all()
    )
    return render_template("committee/meetings.html", page=page, counts=counts, labels=workflow.MEETING_LABELS)


@bp.route("/committee/meetings/new", methods=["GET", "POST"])
@role_required(*SECRETARIAT)
def new_meeting():
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = meetings.create_meeting(
                current_user, form.title.data, form.held_on.data, form.location.data or ""
            )
        except DomainError as exc:
            form.title.errors = [*form.title.errors, exc.message]
        else:
            db.session.commit()
            flash("Meeting planned: now prepare its agenda.", "success")
            return redirect(url_for("committee.meeting", meeting_id=meeting.id))
    return render_template("committee/meeting_form.html", form=form)


def _meeting(meeting_id: int) -> Meeting:
    meeting = meetings.load_meeting(meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _overview(meeting_: Meeting) -> dict:
    """The meeting's overview, with the scores of notes this user may not see (review open, recused) removed."""
    overview = meetings.meeting_overview(meeting_)
    note_ids = [e["item"].concept_note_id for e in overview["items"] if e["item"].concept_note_id]
    visible = reviews.visible_score_note_ids(current_user, note_ids)
    for entry in overview["items"]:
        if entry["item"].concept_note_id not in visible:
            entry["summary"] = None
    return overview


def _item_form() -> AgendaItemForm:
    form = AgendaItemForm()
    notes = db.session.execute(
        sa.select(ConceptNote.id, ConceptNote.title, ConceptNote.status)
        .where(ConceptNote.status.in_((workflow.UNDER_REVIEW, workflow.READY)))
        .order_by(ConceptNote.id)
    )
    form.concept_note_id.choices = [(0, "—")] + [
        (r.id, f"CN-{r.id:04d} {r.title[:80]} ({status_label(r.status).lower()})") for r in notes
    ]
    return form


@bp.route("/committee/meetings/<int:meeting_id>")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def meeting(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    overview = _overview(meeting_)
    seat = seat_of(current_user) if current_user.has_any_role(*COMMITTEE_ROLES) else None
    attendance = AttendanceForm(data={"present": sorted(overview["present"])})
    attendance.present.choices = [
        (s.id, f"{s.user.name} — {s.label} ({s.constituency.label})")
        for s in overview["voting"] + overview["observers"]
    ]
    decision_forms = {}
    for entry in overview["items"]:
        form = DecisionForm(prefix=f"item{entry['item'].id}")
        form.outcome.choices = [(o.value, o.label) for o in entry["outcomes"]]
        decision_forms[entry["item"].id] = form
    return render_template(
        "committee/meeting.html",
        meeting=meeting_,
        o=overview,
        seat=seat,
        attendance=attendance,
        item_form=_item_form() if current_user.has_role(Role.secretariat) else None,
        vote_form=VoteForm(),
        withdraw_form=ConflictForm(),
        decision_forms=decision_forms,
        action_form=ActionForm(),
        labels=workflow.MEETING_LABELS,
        status_label=status_label,
    )


@bp.route("/committee/meetings/<int:meeting_id>/items", methods=["POST"])
@role_required(*SECRETARIAT)
def add_item(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    form = _item_form()
    back = url_for("committee.meeting", meeting_id=meeting_.id)
    if not form.validate_on_submit():
        flash("Choose the kind of item.", "error")
        return redirect(back)
    note = db.session.get(ConceptNote, form.concept_note_id.data) if form.concept_note_id.data else None
    try:
        meetings.add_item(current_user, meeting_, form.kind.data, note, form.title.data or "")
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    flash("Item added to the agenda.", "success")
    return redirect(back)


@bp.route("/committee/items/<int:item_id>/withdraw", methods=["POST"])
@role_required(*SECRETARIAT)
def withdraw_item(item_id: int):
    item = _item(item_id)
    form = ConflictForm()  # a required reason, like a declared conflict
    back = url_for("committee.meeting", meeting_id=item.meeting_id)
    if not form.validate_on_submit():
        flash("Give the reason for withdrawing the item.", "error")
        return redirect(back)
    try:
        meetings.withdraw_item(current_user, item, form.reason.data)
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    flash("Item withdrawn from the agenda.", "success")
    return redirect(back)


@bp.route("/committee/meetings/<int:meeting_id>/<any(open, close):action>", methods=["POST"])
@role_required(*CHAIR)
def meeting_action(meeting_id: int, action: str):
    meeting_ = _meeting(meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("committee.meeting", meeting_id=meeting_.id)
    try:
        (meetings.open_meeting if action == "open" else meetings.close_meeting)(current_user, meeting_)
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    flash(
        "The meeting is in session." if action == "open" else "The meeting is closed; its minutes are ready.", "success"
    )
    return redirect(back)


@bp.route("/committee/meetings/<int:meeting_id>/attendance", methods=["POST"])
@role_required(*CHAIR)
def attendance(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    form = AttendanceForm()
    back = url_for("committee.meeting", meeting_id=meeting_.id)
    if not form.validate_on_submit():
        abort(400)
    try:
        meetings.record_attendance(current_user, meeting_, [int(s) for s in form.present.data or []])
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    _ok, text = meetings.quorum(meeting_)
    flash(f"Attendance recorded. {text}.", "success")
    return redirect(back)


def _item(item_id: int) -> AgendaItem:
    item = db.session.scalar(
        sa.select(AgendaItem).where(AgendaItem.id == item_id).options(selectinload(AgendaItem.votes))
    )
    if item is None:
        abort(404)
    return item


@bp.route("/committee/items/<int:item_id>/vote", methods=["POST"])
@role_required(*COMMITTEE_ROLES)
def vote(item_id: int):
    item = _item(item_id)
    form = VoteForm()
    back = url_for("committee.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}"
    if not form.validate_on_submit():
        flash("Choose approve, object or abstain.", "error")
        return redirect(back)
    try:
        meetings.cast_vote(current_user, item, form.vote.data, form.rationale.data or "")
    except DomainError as exc:
        return _refuse(exc, back)
    db.session.commit()
    flash("Your vote is recorded.", "success")
    return redirect(back)


@bp.route("/committee/items/<int:item_id>/decide", methods=["POST"])
@role_required(*CHAIR)
def decide(item_id: int):
    item = _item(item_id)
    form = DecisionForm(prefix=f"item{item.id}")
    form.outcome.choices = [(o.value, o.label) for o in meetings.OUTCOMES[item.kind]]
    back = url_for("committee.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}"
    if not form.validate_on_submit():
        flash("Check the decision form: " + "; ".join(m for ms in form.errors.values() for m in ms), "error")
        return redirect(back)
    data = meetings.DecisionInput(
        outcome=form.outcome.data,
        rationale=form.rationale.data or "",
        shared_comment=form.shared_comment.data or "",
        amount=form.amount.data,
    )
    try:
        meetings.record_decision(current_user, item, data)
    except DomainError as exc:
        db.session.rollback()
        return _refuse(exc, back)
    db.session.commit()
    flash(f"Decision recorded: {item.outcome.label}.", "success")
    return redirect(back)


@bp.route("/committee/meetings/<int:meeting_id>/minutes")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def minutes(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    return render_template(
        "committee/minutes.html",
        meeting=meeting_,
        o=_overview(meeting_),
        labels=workflow.MEETING_LABELS,
    )


@bp.route("/committee/meetings/<int:meeting_id>/minutes.pdf")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def minutes_pdf(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    body = pdfs.minutes_pdf(meeting_, _overview(meeting_))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="minutes-{meeting_.id}.pdf"'},
    )


@bp.route("/committee/meetings/<int:meeting_id>/pack.pdf")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def pack_pdf(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    overview = _overview(meeting_)
    shown = {e["item"].concept_note_id for e in overview["items"] if e["summary"] is not None}
    # Ranked among the notes whose review is closed (an open review's scores must not leak through a rank).
    ranking = pipeline.ranked_pipeline((workflow.UNDER_REVIEW, *workflow.PIPELINE_STATES))
    closed = reviews.closed_note_ids([row.note.id for row in ranking])
    ranked = [row.note.id for row in ranking if row.note.id in closed]
    ranks = {note_id: i for i, note_id in enumerate(ranked, start=1) if note_id in shown}
    body = pdfs.pack_pdf(meeting_, overview, ranks)
    return Response(
        body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="pack-{meeting_.id}.pdf"'}
    )


# Pipeline and scenarios -------------------------------------------------------------------------------


@bp.route("/committee/pipeline")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def pipeline_page():
    rows = pipeline.ranked_pipeline()
    visible = reviews.visible_score_note_ids(current_user, [r.note.id for r in rows])
    balances, _available = pipeline.pools()
    dist = pipeline.distribution(rows)
    requested = sum((r.note.budget_total for r in rows), Decimal("0.00"))
    available = sum((p.available for p in balances), Decimal("0.00"))
    area_available = {p.label: p.available for p in balances if p.area_id}
    return render_template(
        "committee/pipeline.html",
        rows=rows,
        visible=visible,
        balances=balances,
        dist=dist,
        requested=requested,
        available=available,
        area_available=area_available,
        unearmarked=next(p.available for p in balances if p.area_id is None),
        status_label=status_label,
    )


def _shares(text: str, field: str) -> dict[str, Decimal]:
    shares = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        try:
            shares[key.strip()] = Decimal(value.strip().rstrip("%"))
        except InvalidOperation as exc:
            raise DomainError(
                f"Write each share as NAME=percent, e.g. TA1=10 ({part.strip()!r}).", field=field
            ) from exc
        if not sep or not key.strip():
            raise DomainError(f"Write each share as NAME=percent ({part.strip()!r}).", field=field)
    return shares


@bp.route("/committee/pipeline/scenario")
@role_required(*COMMITTEE_AND_SECRETARIAT)
def scenario():
    form = ScenarioForm(request.args)
    result = None
    try:
        min_area = _shares(form.min_area.data, "min_area")
        min_region = _shares(form.min_region.data, "min_region")
        result = pipeline.run_scenarios(min_area, min_region)
        result["visible"] = reviews.visible_score_note_ids(current_user, [r.note.id for r in result["rows"]])
    except DomainError as exc:
        getattr(form, exc.field or "min_area").errors = [exc.message]
    return render_template("committee/scenario.html", form=form, result=result)
