"""Calls, the applicant's notes, the note form, screening, versions, attachments, lists, CSV and PDF.

Each view loads, checks, validates, calls one service and responds; the edge commits (core.edge).
"""

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from wtforms import Form

from fundapp.concept_notes import bp, permissions, services, workflow
from fundapp.concept_notes.forms import (
    AttachmentForm,
    CallForm,
    NewNoteForm,
    NoteForm,
    ScreeningForm,
    WithdrawForm,
    note_form,
)
from fundapp.concept_notes.models import Attachment, Call, ConceptNote
from fundapp.concept_notes.workflow import STATUS_LABELS, status_label
from fundapp.core import args as query_args
from fundapp.core import clock, uploads
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.permissions import Role, role_required
from fundapp.core.tabular import csv_response
from fundapp.notifications import discussions
from fundapp.notifications.forms import MessageForm
from fundapp.reference import services as reference


@bp.app_template_filter("status_label")
def _status_label(status: str) -> str:
    return status_label(status)


@bp.app_context_processor
def inject_note_rules() -> dict:
    """Templates ask the same predicates as the views (note_permissions.can_edit(current_user, note)) and
    compare statuses with the workflow's constants (note_workflow.RETURNED)."""
    return {"note_permissions": permissions, "note_workflow": workflow}


# Calls -------------------------------------------------------------------------------------------


def _area_choices() -> list[tuple[int, str]]:
    return [(a.id, a.label) for a in reference.thematic_areas()]


@bp.route("/calls")
@role_required(*permissions.CALL_READERS)
def calls():
    return render_template("concept_notes/calls.html", today=clock.today(), **services.calls_page(query_args.page()))


@bp.route("/calls/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_call():
    areas = _area_choices()
    form = CallForm(area_choices=areas, thematic_area_ids=[value for value, _label in areas])
    if form.validate_on_submit():
        with domain_errors(form, default="title") as outcome:
            call = services.create_call(current_user, form.call_data())
        if outcome.ok:
            flash(_("Call “%(title)s” created.", title=call.title), "success")
            return redirect(url_for("concept_notes.calls"))
    return render_template("concept_notes/call_form.html", form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@role_required(Role.secretariat)
def edit_call(call_id: int):
    call = db.get_or_404(Call, call_id)
    form = CallForm(obj=call, area_choices=_area_choices(), thematic_area_ids=[a.id for a in call.thematic_areas])
    if form.validate_on_submit():
        with domain_errors(form, default="title") as outcome:
            services.update_call(current_user, call, form.call_data())
        if outcome.ok:
            flash(_("Call “%(title)s” saved.", title=call.title), "success")
            return redirect(url_for("concept_notes.calls"))
    return render_template("concept_notes/call_form.html", form=form, call=call)


# Lists -------------------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    return query_args.identifier(name)


def _filters() -> services.NoteFilters:
    status = request.args.get("status", "")
    return services.NoteFilters(
        call_id=_int_arg("call"),
        status=status if status in STATUS_LABELS else None,
        thematic_area_id=_int_arg("area"),
        region=query_args.text("region") or None,
        country=query_args.text("country").upper() or None,
        organisation_id=_int_arg("organisation"),
        q=query_args.text("q"),
        sort=request.args.get("sort", "submitted"),
        direction="asc" if request.args.get("dir") == "asc" else "desc",
    )


def _page() -> int:
    return query_args.page()


@bp.route("/")
@role_required(*permissions.LIST_ROLES)
def index():
    filters = _filters()
    return render_template(
        "concept_notes/index.html",
        page=services.note_list(filters, _page()),
        filters=filters,
        options=services.filter_options(),
        totals=services.note_totals(filters),
    )


@bp.route("/export.csv")
@role_required(*permissions.LIST_ROLES)
def export_csv():
    return csv_response("concept-notes.csv", services.CSV_HEADER, services.export_rows(_filters()))


@bp.route("/mine/export.csv")
@role_required(Role.applicant)
def mine_csv():
    """The organisation's notes, drafts included, with the "mine" page's filters."""
    rows = services.export_rows(_filters(), organisation_id=current_user.organisation_id, include_drafts=True)
    return csv_response(f"concept-notes-{current_user.organisation.code}.csv", services.CSV_HEADER, rows)


@bp.route("/mine")
@role_required(Role.applicant)
def mine():
    filters = _filters()
    page = services.note_list(filters, _page(), organisation_id=current_user.organisation_id, include_drafts=True)
    return render_template(
        "concept_notes/mine.html",
        page=page,
        filters=filters,
        statuses=list(STATUS_LABELS.items()),
        any_open_call=services.any_open_call(clock.today()),
    )


# One note ----------------------------------------------------------------------------------------


def _visible_note(note_id: int) -> ConceptNote:
    """The note if the user may see it; 404 otherwise, so other organisations cannot even probe ids."""
    note = db.get_or_404(ConceptNote, note_id)
    if not permissions.can_view(current_user, note):
        abort(404)
    return note


def _editable_note(note_id: int) -> ConceptNote:
    """The note if the user belongs to its lead organization; those who only read it (partners, reviewers) get 403."""
    note = _visible_note(note_id)
    if not permissions.is_owner(current_user, note):
        abort(403)
    return note


def _to_note(note_id: int, endpoint: str = "concept_notes.detail") -> Response:
    return redirect(url_for(endpoint, note_id=note_id))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.applicant)
def new():
    open_calls = services.open_calls(clock.today())
    if not open_calls:
        flash(_("No call for concept notes is open at the moment."), "info")
        return redirect(url_for("concept_notes.mine"))
    form = NewNoteForm(call_choices=[(c.id, c.title) for c in open_calls], call_id=_int_arg("call"))
    if form.validate_on_submit():
        call = db.get_or_404(Call, form.call_id.data)
        with domain_errors(form, default="call_id") as outcome:
            note = services.create_note(current_user, call, current_user.organisation, form.title.data or "")
        if outcome.ok:
            flash(
                _(
                    "Draft %(reference)s created. Save it at any time; submit it when it is complete.",
                    reference=note.reference,
                ),
                "success",
            )
            return _to_note(note.id, "concept_notes.edit")
    return render_template("concept_notes/new.html", form=form)


@bp.route("/<int:note_id>")
@login_required
def detail(note_id: int):
    note = _visible_note(note_id)
    return render_template(
        "concept_notes/detail.html",
        **services.note_page(note, with_problems=permissions.can_edit(current_user, note)),
        withdraw_form=WithdrawForm(),
        attachment_form=AttachmentForm(),
    )


#: Shown when the form itself could not be read (a word in a number field): the service was not called.
UNREADABLE = _l(
    "Some fields could not be read: correct the fields marked below. Nothing was saved (and no file attached)."
)


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit(note_id: int):
    note = _editable_note(note_id)
    if not permissions.can_edit(current_user, note):
        flash(_("A note that is %(status)s cannot be edited.", status=status_label(note.status).lower()), "error")
        return _to_note(note_id)
    form = note_form(note, services.note_form_choices(note))
    problems: list[str] = []
    if form.validate_on_submit():
        with domain_errors(form, default="title") as outcome:
            saved = services.save_note(current_user, note, form.note_data(), **form.save_options())
        if not outcome.ok:
            problems = [outcome.error.message]
        elif saved.file_problem:
            flash(_("Draft saved; the file was not attached (see section 9)."), "warning")
            form.attachment_file.errors = [saved.file_problem]
        elif not saved.problems:
            return _saved(note, saved)
        else:
            flash(_("Draft saved. The note cannot be submitted yet: see the problems listed below."), "warning")
            problems = form.show_problems(saved.problems)
    elif form.is_submitted():
        problems = [str(UNREADABLE)]
    return _edit_page(note, form, problems)


def _saved(note: ConceptNote, saved: services.Submission) -> Response:
    if saved.attached or saved.removed:
        if saved.attached:
            flash(_("Draft saved and %(filename)s attached.", filename=saved.attached.filename), "success")
        else:
            flash(_("Draft saved and %(filename)s removed.", filename=saved.removed), "success")
        return redirect(url_for("concept_notes.edit", note_id=note.id, _anchor="s-attachments"))
    if saved.version is None:
        flash(_("Draft saved."), "success")
        return _to_note(note.id, "concept_notes.edit")
    flash(
        _(
            "%(reference)s submitted (version %(number)s). The Fund Management Unit will screen it.",
            reference=note.reference,
            number=saved.version.number,
        ),
        "success",
    )
    return _to_note(note.id)


def _edit_page(note: ConceptNote, form: NoteForm, problems: list[str]):
    return render_template(
        "concept_notes/edit.html",
        **services.edit_page(note),
        form=form,
        principles=form.reference.principles,
        markers=form.reference.markers,
        problems=problems,
    ), (422 if problems or form.errors else 200)


@bp.route("/<int:note_id>/submit", methods=["POST"])
@login_required
def submit(note_id: int):
    note = _editable_note(note_id)
    with domain_errors() as outcome:
        submission = services.submit_if_ready(current_user, note)
    if not outcome.ok:
        return _to_note(note_id)
    if submission.version is None:
        flash(_("The note cannot be submitted yet: open it for editing to see every problem."), "error")
        return _to_note(note_id, "concept_notes.edit")
    flash(
        _("%(reference)s submitted (version %(number)s).", reference=note.reference, number=submission.version.number),
        "success",
    )
    return _to_note(note_id)


@bp.route("/<int:note_id>/withdraw", methods=["POST"])
@login_required
def withdraw(note_id: int):
    note = _editable_note(note_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        with domain_errors() as outcome:
            services.withdraw(current_user, note, form.reason.data or "")
        if outcome.ok:
            flash(_("%(reference)s withdrawn.", reference=note.reference), "success")
    return _to_note(note_id)


@bp.route("/<int:note_id>/screen", methods=["GET", "POST"])
@role_required(Role.secretariat)
def screen(note_id: int):
    note = _visible_note(note_id)
    if not permissions.can_screen(current_user, note):
        flash(
            _("Only submitted notes are screened; this one is %(status)s.", status=status_label(note.status).lower()),
            "error",
        )
        return _to_note(note_id)
    form = ScreeningForm(check_choices=services.MANUAL_CHECKS)
    if form.validate_on_submit():
        with domain_errors(form, default="decision") as outcome:
            services.screen(current_user, note, form.decision.data, form.manual_checks.data or [], form.comments.data)
        if outcome.ok:
            status = status_label(note.status).lower()
            flash(
                _(
                    "%(reference)s is now %(status)s; its focal points are notified.",
                    reference=note.reference,
                    status=status,
                ),
                "success",
            )
            return _to_note(note_id)
    return render_template("concept_notes/screen.html", form=form, **services.screening_page(note))


@bp.route("/<int:note_id>/versions")
@login_required
def compare(note_id: int):
    note = _visible_note(note_id)
    comparison = services.compare_versions(note, _int_arg("from"), _int_arg("to"))
    if comparison is None:
        abort(404)
    return render_template("concept_notes/compare.html", note=note, **comparison)


@bp.route("/<int:note_id>/pdf")
@login_required
def pdf(note_id: int):
    note = _visible_note(note_id)
    return Response(
        services.note_pdf(note),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename={note.reference}.pdf"},
    )


# Attachments -------------------------------------------------------------------------------------


def _back(note_id: int) -> Response:
    """Back to where the attachment form was: the edit page or the note's page."""
    return _to_note(note_id, "concept_notes.edit" if request.form.get("back") == "edit" else "concept_notes.detail")


def _flash_errors(form: Form) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")


@bp.route("/<int:note_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(note_id: int):
    note = _editable_note(note_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(note_id)
    data = uploads.read_limited(form.file.data.stream)
    with domain_errors() as outcome:
        attachment = services.attach_file(current_user, note, form.file.data.filename, data, form.kind.data)
    if outcome.ok:
        flash(_("%(filename)s attached.", filename=attachment.filename), "success")
    return _back(note_id)


def _visible_attachment(note_id: int, attachment_id: int) -> Attachment:
    note = _visible_note(note_id)
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.concept_note_id != note.id:
        abort(404)
    return attachment


@bp.route("/<int:note_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(note_id: int, attachment_id: int):
    attachment = _visible_attachment(note_id, attachment_id)
    path = uploads.path_of(attachment.stored_name)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.filename)


@bp.route("/<int:note_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(note_id: int, attachment_id: int):
    _editable_note(note_id)
    attachment = _visible_attachment(note_id, attachment_id)
    with domain_errors() as outcome:
        services.remove_attachment(current_user, attachment)
    if outcome.ok:
        flash(_("Attachment removed."), "success")
    return _back(note_id)


# The discussion ----------------------------------------------------------------------------------


@bp.route("/<int:note_id>/discussion", methods=["GET", "POST"])
@login_required
def discussion(note_id: int):
    """The note's thread: its organizations and the secretariat write, the committee reads; nobody else sees it."""
    note = _visible_note(note_id)
    if not permissions.can_read_discussion(current_user, note):
        abort(404)
    form = MessageForm(answering=_int_arg("answer"))
    if form.validate_on_submit():
        if not permissions.can_write_discussion(current_user, note):
            abort(403)
        with domain_errors(form, default="body") as outcome:
            message = services.post_message(current_user, note, form.body.data, form.is_question.data, form.answering)
        if outcome.ok:
            flash(discussions.posted_label(message), "success")
            return redirect(url_for("concept_notes.discussion", note_id=note.id, _anchor=f"message-{message.id}"))
    page = services.discussion_page(note)
    return render_template("concept_notes/discussion.html", form=form, **page), (422 if form.errors else 200)
