"""Committee pages: seats, the committee, scoring criteria and decision rules; reviews and scores; meetings, votes
and decisions; the joint programme document; the pipeline and funding scenarios.

Each view loads, checks, validates, calls one service and responds; the edge (core.edge) commits.
"""

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from fundapp.committee import bp, pdf, permissions, pipeline, services, workflow
from fundapp.committee.forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    ConflictForm,
    CriteriaForm,
    DecisionForm,
    DecisionSettingsForm,
    EndTermForm,
    MeetingForm,
    OpenReviewForm,
    ProgrammeDocumentForm,
    ScenarioForm,
    ScoreForm,
    SeatForm,
    VoteForm,
)
from fundapp.committee.models import AgendaItem, CommitteeSeat, Constituency, Meeting
from fundapp.concept_notes.models import Call, ConceptNote
from fundapp.concept_notes.workflow import status_label
from fundapp.core import args as query_args
from fundapp.core import clock, tabular
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.core.permissions import COMMITTEE_ROLES, role_required
from fundapp.core.templating import format_date

#: Blank rows offered under the criteria, to add new ones.
SPARE_CRITERIA_ROWS = 2
#: The permission predicates, for the committee's templates.
PREDICATES = {name: value for name, value in vars(permissions).items() if name.startswith("can_")}


@bp.context_processor
def inject_predicates() -> dict:
    return PREDICATES | {"vote_labels": workflow.VOTE_LABELS, "item_labels": workflow.AGENDA_ITEM_LABELS}


def _page() -> int:
    return query_args.page()


# Seats (secretariat) ------------------------------------------------------------------------------


@bp.route("/committee/seats")
@role_required(*permissions.MANAGE_ROLES)
def seats():
    status = request.args.get("status", "active")
    constituency = request.args.get("constituency", "")
    return render_template(
        "committee/seats.html",
        status=status,
        constituency=constituency,
        constituencies=list(Constituency),
        **services.seats_page(status, constituency, _page()),
    )


@bp.route("/committee/seats/new", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def new_seat():
    form = SeatForm(**services.seat_form_choices())
    if form.validate_on_submit():
        with domain_errors(form, default="constituency") as outcome:
            seat = services.create_seat(current_user, form.data_for_service())
        if outcome.ok:
            flash(
                _(
                    "Seat created: %(constituency)s, %(member)s.",
                    constituency=seat.constituency.label,
                    member=seat.user.name,
                ),
                "success",
            )
            return redirect(url_for("committee.seats"))
    return render_template("committee/seat_form.html", form=form, seat=None)


@bp.route("/committee/seats/<int:seat_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def edit_seat(seat_id: int):
    seat = db.get_or_404(CommitteeSeat, seat_id)
    form = SeatForm(obj=seat, **services.seat_form_choices())
    if request.method == "GET":
        form.show_seat(seat)
    if form.validate_on_submit():
        with domain_errors(form, default="constituency") as outcome:
            services.update_seat(current_user, seat, form.data_for_service())
        if outcome.ok:
            flash(
                _(
                    "Seat saved: %(constituency)s, %(member)s.",
                    constituency=seat.constituency.label,
                    member=seat.user.name,
                ),
                "success",
            )
            return redirect(url_for("committee.seats", status="active" if seat.is_active else "ended"))
    return render_template("committee/seat_form.html", form=form, seat=seat)


@bp.route("/committee/seats/<int:seat_id>/end", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def end_term(seat_id: int):
    seat = db.get_or_404(CommitteeSeat, seat_id)
    form = EndTermForm(data={"term_end_on": clock.today()} if request.method == "GET" else None)
    if form.validate_on_submit():
        with domain_errors(form, default="term_end_on") as outcome:
            services.end_term(current_user, seat, form.term_end_on.data)
        if outcome.ok:
            flash(
                _(
                    "Term ended: %(constituency)s, %(member)s.",
                    constituency=seat.constituency.label,
                    member=seat.user.name,
                ),
                "success",
            )
            return redirect(url_for("committee.seats"))
    return render_template("committee/end_term.html", form=form, seat=seat)


# The committee (members and chair) ----------------------------------------------------------------


@bp.route("/committee/members")
@role_required(*permissions.VIEW_ROLES)
def members():
    return render_template("committee/members.html", **services.committee_page(current_user))


# Scoring criteria and decision rules (secretariat) ------------------------------------------------


@bp.route("/committee/criteria", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def criteria():
    return _criteria_page(None)


@bp.route("/committee/calls/<int:call_id>/criteria", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def call_criteria(call_id: int):
    """A call's own criteria set (starts from the fund's default set; the same rules apply)."""
    return _criteria_page(db.get_or_404(Call, call_id))


def _criteria_page(call: Call | None):
    call_id = call.id if call is not None else None
    page = services.criteria_page(call_id)
    form = CriteriaForm()
    if request.method == "GET":
        form.fill(page["rows"], spare=SPARE_CRITERIA_ROWS)
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            services.set_criteria(current_user, form.data_for_service(), call_id=call_id)
        if outcome.ok:
            flash(_("Scoring criteria saved."), "success")
            return redirect(
                url_for("committee.call_criteria", call_id=call_id) if call else url_for("committee.criteria")
            )
    return render_template(
        "committee/criteria.html",
        form=form,
        saved=page["saved"],
        call=call,
        total=form.total,
        total_errors=form.total_errors,
    )


@bp.route("/committee/rules", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def decision_settings():
    page = services.decision_settings_page()
    form = DecisionSettingsForm(
        data=DecisionSettingsForm.data_from(page["config"]) if request.method == "GET" else None
    )
    if form.validate_on_submit():
        with domain_errors(form, default="decision_rule") as outcome:
            services.set_decision_settings(current_user, **form.data_for_service())
        if outcome.ok:
            flash(_("Decision rules saved."), "success")
            return redirect(url_for("committee.decision_settings"))
    return render_template("committee/decision_settings.html", form=form, **page)


# Reviews and scoring ------------------------------------------------------------------------------


def _note(note_id: int) -> ConceptNote:
    """A note the committee pages show (from eligible on); any other is not found."""
    note = db.get_or_404(ConceptNote, note_id)
    if note.status not in workflow.COMMITTEE_STATES:
        abort(404)
    return note


@bp.route("/committee/scoring")
@role_required(*COMMITTEE_ROLES)
def queue():
    """The member's scoring queue: notes under open review, with whether the member has scored them."""
    return render_template("committee/queue.html", **services.scoring_queue(current_user, query_args.page()))


@bp.route("/committee/reviews")
@role_required(*permissions.CHAIR_OR_SECRETARIAT)
def reviews_index():
    """Eligible notes waiting for review, and the notes under review with their scoring progress."""
    return render_template(
        "committee/reviews.html",
        form=ActionForm(),
        open_form=OpenReviewForm(data={"closes_on": services.default_review_closing(clock.today())}),
        status_label=status_label,
        **services.reviews_overview(query_args.page(), query_args.page("waiting")),
    )


@bp.route("/committee/notes/<int:note_id>")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def review(note_id: int):
    note = _note(note_id)
    page = services.review_page(current_user, note, with_recusals=permissions.can_see_recusals(current_user))
    return render_template(
        "committee/review.html",
        form=ScoreForm(data={"comment": page["data"].get("my_comment") or ""}),
        conflict_form=ConflictForm(),
        action_form=ActionForm(),
        status_label=status_label,
        **page,
    )


@bp.route("/committee/notes/<int:note_id>/scores.json")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def scores_json(note_id: int):
    return jsonify(services.scores_view(current_user, _note(note_id)))


@bp.route("/committee/notes/<int:note_id>/score", methods=["POST"])
@role_required(*COMMITTEE_ROLES)
def score(note_id: int):
    note = _note(note_id)
    seat = services.seat_of(current_user)
    if not permissions.can_score(seat, services.conflict_of(note, seat)):
        abort(403)
    form = ScoreForm()
    back = url_for("committee.review", note_id=note.id)
    if not form.validate_on_submit():
        flash(_("The form expired or the comment is too long; please try again."), "error")
        return redirect(back)
    with domain_errors() as outcome:
        services.submit_scores(current_user, note, form.scores(), form.comment.data or "")
    if not outcome.ok:
        return redirect(back)
    flash(
        _(
            "Your scores for %(reference)s are saved. Others see them only when the chair closes the review.",
            reference=note.reference,
        ),
        "success",
    )
    return redirect(url_for("committee.queue"))


@bp.route("/committee/notes/<int:note_id>/conflict", methods=["POST"])
@role_required(*COMMITTEE_ROLES)
def declare_conflict(note_id: int):
    note = _note(note_id)
    if not permissions.can_declare_conflict(services.seat_of(current_user)):
        abort(403)
    form = ConflictForm()
    back = url_for("committee.review", note_id=note.id)
    if not form.validate_on_submit():
        flash(_("Give the reason for the conflict of interest."), "error")
        return redirect(back)
    with domain_errors() as outcome:
        services.declare_conflict(current_user, note, form.reason.data)
    if outcome.ok:
        flash(
            _("Conflict of interest recorded: you are recused from %(reference)s.", reference=note.reference), "success"
        )
    return redirect(back)


@bp.route("/committee/notes/<int:note_id>/open", methods=["POST"])
@role_required(*permissions.CHAIR_OR_SECRETARIAT)
def open_review(note_id: int):
    note = _note(note_id)
    form = OpenReviewForm()
    if not form.validate_on_submit():
        flash(_("Give the day the scores are due as a date."), "error")
        return redirect(url_for("committee.reviews_index"))
    with domain_errors() as outcome:
        review = services.open_review(current_user, note, form.closes_on.data)
    if outcome.ok:
        message = _(
            "%(reference)s is open for scoring by the committee until %(date)s.",
            reference=note.reference,
            date=format_date(review.closes_on),
        )
        flash(message, "success")
    return redirect(url_for("committee.reviews_index"))


@bp.route("/committee/notes/<int:note_id>/close", methods=["POST"])
@role_required(*permissions.CHAIR)
def close_review(note_id: int):
    note = _note(note_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with domain_errors() as outcome:
        services.close_review(current_user, note)
    if outcome.ok:
        flash(
            _("Review of %(reference)s closed: the scores are now visible to the committee.", reference=note.reference),
            "success",
        )
    return redirect(url_for("committee.review", note_id=note.id))


# The joint programme document (secretariat) ---------------------------------------------------------


@bp.route("/committee/notes/<int:note_id>/programme", methods=["GET", "POST"])
@role_required(*permissions.SECRETARIAT)
def programme_document(note_id: int):
    note = _note(note_id)
    page = services.programme_document_page(note, propose=request.method == "GET")
    form = ProgrammeDocumentForm(obj=page["document"])
    if request.method == "GET" and page["document"] is None:
        form.summary.data = note.expected_results
    if form.validate_on_submit():
        approve = bool(request.form.get("approve"))
        with domain_errors(form) as outcome:
            services.save_programme_document(
                current_user,
                note,
                form.summary.data,
                form.starts_on.data,
                form.ends_on.data,
                form.budget(note),
                approve,
            )
        if outcome.ok:
            done = _("Joint programme document saved and approved: the note is ready for implementation.")
            flash(done if approve else _("Joint programme document saved."), "success")
            return redirect(url_for("committee.review", note_id=note.id))
    return render_template("committee/programme_document.html", note=note, form=form, **page)


# Meetings -------------------------------------------------------------------------------------------


def _meeting(meeting_id: int) -> Meeting:
    meeting = services.load_meeting(meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _item(item_id: int) -> AgendaItem:
    item = services.load_item(item_id)
    if item is None:
        abort(404)
    return item


def _back_to(item: AgendaItem) -> str:
    return url_for("committee.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}"


@bp.route("/committee/meetings")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def meetings_index():
    return render_template(
        "committee/meetings.html",
        labels=workflow.MEETING_LABELS,
        badges=workflow.MEETING_BADGES,
        **services.meeting_list(_page()),
    )


@bp.route("/committee/meetings/new", methods=["GET", "POST"])
@role_required(*permissions.SECRETARIAT)
def new_meeting():
    form = MeetingForm()
    if form.validate_on_submit():
        with domain_errors(form, default="title") as outcome:
            meeting = services.create_meeting(
                current_user, form.title.data, form.held_on.data, form.location.data or ""
            )
        if outcome.ok:
            flash(_("Meeting planned: now prepare its agenda."), "success")
            return redirect(url_for("committee.meeting", meeting_id=meeting.id))
    return render_template("committee/meeting_form.html", form=form)


@bp.route("/committee/meetings/<int:meeting_id>")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def meeting(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    overview = services.meeting_page(current_user, meeting_)
    agenda_open = permissions.can_change_agenda(current_user, meeting_)
    return render_template(
        "committee/meeting.html",
        meeting=meeting_,
        o=overview,
        seat=overview["seat"],
        attendance=AttendanceForm.for_meeting(overview),
        item_form=AgendaItemForm().offer(services.agenda_note_choices()) if agenda_open else None,
        vote_form=VoteForm(),
        withdraw_form=ConflictForm(),
        decision_forms={e["item"].id: DecisionForm.for_item(e["item"]) for e in overview["items"]},
        action_form=ActionForm(),
        labels=workflow.MEETING_LABELS,
        badges=workflow.MEETING_BADGES,
        status_label=status_label,
    )


@bp.route("/committee/meetings/<int:meeting_id>/items", methods=["POST"])
@role_required(*permissions.SECRETARIAT)
def add_item(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    form = AgendaItemForm()
    back = url_for("committee.meeting", meeting_id=meeting_.id)
    if not form.validate_on_submit():
        flash(_("Choose the kind of item."), "error")
        return redirect(back)
    note = db.session.get(ConceptNote, form.concept_note_id.data) if form.concept_note_id.data else None
    with domain_errors() as outcome:
        services.add_item(current_user, meeting_, form.kind.data, note, form.title.data or "")
    if outcome.ok:
        flash(_("Item added to the agenda."), "success")
    return redirect(back)


@bp.route("/committee/items/<int:item_id>/withdraw", methods=["POST"])
@role_required(*permissions.SECRETARIAT)
def withdraw_item(item_id: int):
    item = _item(item_id)
    form = ConflictForm()  # a required reason, like a declared conflict
    back = url_for("committee.meeting", meeting_id=item.meeting_id)
    if not form.validate_on_submit():
        flash(_("Give the reason for withdrawing the item."), "error")
        return redirect(back)
    with domain_errors() as outcome:
        services.withdraw_item(current_user, item, form.reason.data)
    if outcome.ok:
        flash(_("Item withdrawn from the agenda."), "success")
    return redirect(back)


@bp.route("/committee/meetings/<int:meeting_id>/<any(open, close):action>", methods=["POST"])
@role_required(*permissions.CHAIR)
def meeting_action(meeting_id: int, action: str):
    meeting_ = _meeting(meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with domain_errors() as outcome:
        (services.open_meeting if action == "open" else services.close_meeting)(current_user, meeting_)
    if outcome.ok:
        done = (
            _("The meeting is in session.") if action == "open" else _("The meeting is closed; its minutes are ready.")
        )
        flash(done, "success")
    return redirect(url_for("committee.meeting", meeting_id=meeting_.id))


@bp.route("/committee/meetings/<int:meeting_id>/attendance", methods=["POST"])
@role_required(*permissions.CHAIR)
def attendance(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    with domain_errors() as outcome:
        _met, quorum = services.record_attendance(current_user, meeting_, form.data_for_service())
    if outcome.ok:
        flash(_("Attendance recorded. %(quorum)s.", quorum=quorum), "success")
    return redirect(url_for("committee.meeting", meeting_id=meeting_.id))


@bp.route("/committee/items/<int:item_id>/vote", methods=["POST"])
@role_required(*COMMITTEE_ROLES)
def vote(item_id: int):
    item = _item(item_id)
    seat = services.seat_of(current_user)
    if not permissions.can_vote(seat, services.recused_seats(item, [seat] if seat else [])):
        abort(403)
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("Choose approve, object or abstain."), "error")
        return redirect(_back_to(item))
    with domain_errors(once=form) as outcome:
        services.cast_vote(current_user, item, form.vote.data, form.rationale.data or "")
    if outcome.ok:
        flash(_("Your vote is recorded."), "success")
    return redirect(_back_to(item))


@bp.route("/committee/items/<int:item_id>/decide", methods=["POST"])
@role_required(*permissions.CHAIR)
def decide(item_id: int):
    item = _item(item_id)
    form = DecisionForm.for_item(item)
    if not form.validate_on_submit():
        flash(
            _("Check the decision form: %(errors)s", errors="; ".join(m for ms in form.errors.values() for m in ms)),
            "error",
        )
        return redirect(_back_to(item))
    with domain_errors(once=form) as outcome:
        services.record_decision(current_user, item, form.data_for_service())
    if outcome.ok:
        flash(_("Decision recorded: %(outcome)s.", outcome=item.outcome.label), "success")
    return redirect(_back_to(item))


@bp.route("/committee/meetings/<int:meeting_id>/minutes")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def minutes(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    overview = services.meeting_page(current_user, meeting_)
    return render_template("committee/minutes.html", meeting=meeting_, o=overview, labels=workflow.MEETING_LABELS)


@bp.route("/committee/meetings/<int:meeting_id>/minutes.pdf")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def minutes_pdf(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    body = pdf.minutes_pdf(meeting_, services.meeting_page(current_user, meeting_))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="minutes-{meeting_.id}.pdf"'},
    )


@bp.route("/committee/meetings/<int:meeting_id>/pack.pdf")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def pack_pdf(meeting_id: int):
    meeting_ = _meeting(meeting_id)
    overview = services.meeting_page(current_user, meeting_)
    body = pdf.pack_pdf(meeting_, overview, pipeline.pack_ranks(current_user, overview))
    return Response(
        body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="pack-{meeting_.id}.pdf"'}
    )


# Pipeline and scenarios -------------------------------------------------------------------------------


@bp.route("/committee/pipeline")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def pipeline_page():
    filters = pipeline.PipelineFilters.from_args(request.args)
    page = pipeline.pipeline_page(current_user, filters, query_args.page())
    return render_template("committee/pipeline.html", status_label=status_label, **page)


@bp.route("/committee/pipeline.csv")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def pipeline_csv():
    rows = pipeline.pipeline_csv_rows(current_user, pipeline.PipelineFilters.from_args(request.args))
    return tabular.csv_response("pipeline.csv", pipeline.PIPELINE_CSV_HEADER, rows)


@bp.route("/committee/pipeline/scenario", methods=["GET", "POST"])
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def scenario():
    """GET: the form and this person's last run; POST: run the scenarios (on request, never on a page view)."""
    form = ScenarioForm(**pipeline.scenario_keys())
    if form.validate_on_submit():
        with domain_errors(form, default="min_area") as outcome:
            pipeline.run_scenario(current_user, form.data_for_service(), *solver_settings())
        if outcome.ok:
            flash(_("Scenarios run: the results are below."), "success")
            return redirect(url_for("committee.scenario"))
    show = query_args.choice("show", pipeline.SCENARIO_SHOWS, default="all")
    page = pipeline.scenario_page(current_user, query_args.page(), show)
    if request.method == "GET":
        form.show_run(page["run"])
    status = 422 if form.errors else 200  # constraints refused: the messages are next to their fields
    return render_template("committee/scenario.html", form=form, shows=pipeline.SCENARIO_SHOWS, **page), status


@bp.route("/committee/pipeline/scenario.csv")
@role_required(*permissions.COMMITTEE_AND_SECRETARIAT)
def scenario_csv():
    """The lines of this person's last run, as the page shows them (404 without a current run)."""
    rows = pipeline.scenario_csv_rows(current_user)
    if rows is None:
        abort(404, _("No current scenario run: run the scenarios first."))
    return tabular.csv_response("funding-scenarios.csv", pipeline.SCENARIO_CSV_HEADER, rows)


def solver_settings() -> tuple[int, int]:
    """(time limit in seconds, solver threads) from the configuration."""
    return current_app.config["SCENARIO_TIME_LIMIT_SECONDS"], current_app.config["SCENARIO_SOLVER_WORKERS"]
