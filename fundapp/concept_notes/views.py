"""Calls, the applicant's notes, the note form, screening, versions, attachments, lists, CSV and PDF."""

import csv
import io

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.concept_notes import bp, permissions, services
from fundapp.concept_notes.forms import (
    AttachmentForm,
    CallForm,
    NewNoteForm,
    NoteForm,
    ScreeningForm,
    WithdrawForm,
    note_form_class,
)
from fundapp.concept_notes.models import NARRATIVES, Attachment, Call, ConceptNote
from fundapp.concept_notes.pdf import concept_note_pdf
from fundapp.concept_notes.workflow import STATUS_LABELS, status_label
from fundapp.core import clock, uploads
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import Role, role_required
from fundapp.reference.models import Country, GcmObjective, GuidingPrinciple, Marker, MarkerLevel, Region, ThematicArea
from fundapp.reference.services import get_fund, thematic_areas


@bp.app_template_filter("status_label")
def _status_label(status: str) -> str:
    return status_label(status)


# Calls -------------------------------------------------------------------------------------------


def _area_choices() -> list[tuple[int, str]]:
    return [(a.id, f"{a.code} {a.name}") for a in thematic_areas()]


def _call_data(form: CallForm) -> services.CallData:
    return services.CallData(
        title=form.title.data,
        description=form.description.data or "",
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        is_rolling=form.is_rolling.data,
        envelope=form.envelope.data,
        thematic_area_ids=form.thematic_area_ids.data or [],
        min_organisations=form.min_organisations.data,
        budget_ceiling=form.budget_ceiling.data,
        min_duration_months=form.min_duration_months.data,
        max_duration_months=form.max_duration_months.data,
        endorsement_required=form.endorsement_required.data,
    )


@bp.route("/calls")
@role_required(*permissions.CALL_READERS)
def calls():
    today = clock.today()
    all_calls = db.session.scalars(
        sa.select(Call).options(selectinload(Call.thematic_areas)).order_by(Call.opens_on.desc())
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(ConceptNote.call_id, sa.func.count())
            .where(ConceptNote.version_count > 0)
            .group_by(ConceptNote.call_id)
        ).all()
    )
    return render_template(
        "concept_notes/calls.html",
        calls=all_calls,
        today=today,
        counts=counts,
        can_manage=permissions.can_manage_calls(current_user),
        is_applicant=current_user.has_role(Role.applicant),
    )


@bp.route("/calls/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_call():
    form = CallForm(area_choices=_area_choices())
    if request.method == "GET":
        form.thematic_area_ids.data = [a for a, _ in _area_choices()]
    if form.validate_on_submit():
        try:
            call = services.create_call(current_user, _call_data(form))
        except DomainError as exc:
            getattr(form, exc.field or "title").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Call “{call.title}” created.", "success")
            return redirect(url_for("concept_notes.calls"))
    return render_template("concept_notes/call_form.html", form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@role_required(Role.secretariat)
def edit_call(call_id: int):
    call = db.get_or_404(Call, call_id)
    form = CallForm(obj=call, area_choices=_area_choices())
    if request.method == "GET":
        form.thematic_area_ids.data = [a.id for a in call.thematic_areas]
    if form.validate_on_submit():
        try:
            services.update_call(current_user, call, _call_data(form))
        except DomainError as exc:
            getattr(form, exc.field or "title").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Call “{call.title}” saved.", "success")
            return redirect(url_for("concept_notes.calls"))
    return render_template("concept_notes/call_form.html", form=form, call=call)


# Lists -------------------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filters() -> services.NoteFilters:
    status = request.args.get("status", "")
    return services.NoteFilters(
        call_id=_int_arg("call"),
        status=status if status in STATUS_LABELS else None,
        thematic_area_id=_int_arg("area"),
        region=request.args.get("region", "").strip() or None,
        country=request.args.get("country", "").strip().upper() or None,
        organisation_id=_int_arg("organisation"),
        q=request.args.get("q", "").strip(),
        sort=request.args.get("sort", "submitted"),
        direction="asc" if request.args.get("dir") == "asc" else "desc",
    )


def _filter_options() -> dict:
    used_countries = sa.select(sa.distinct(services.concept_note_countries.c.country_code))
    return {
        "calls": db.session.execute(sa.select(Call.id, Call.title).order_by(Call.opens_on.desc())).all(),
        "statuses": list(STATUS_LABELS.items()),
        "areas": db.session.execute(
            sa.select(ThematicArea.id, ThematicArea.code, ThematicArea.name).order_by(ThematicArea.position)
        ).all(),
        "regions": db.session.execute(
            sa.select(Region.code, Region.name).where(Region.level.in_(("region", "sub_region"))).order_by(Region.name)
        ).all(),
        "countries": db.session.execute(
            sa.select(Country.code, Country.name).where(Country.code.in_(used_countries)).order_by(Country.name)
        ).all(),
        "organisations": db.session.execute(
            sa.select(Organisation.id, Organisation.code)
            .where(Organisation.type == OrganisationType.un_entity)
            .order_by(Organisation.code)
        ).all(),
    }


@bp.route("/")
@role_required(*permissions.LIST_ROLES)
def index():
    filters = _filters()
    page = db.paginate(services.notes_query(filters), per_page=25, max_per_page=100, error_out=False)
    return render_template(
        "concept_notes/index.html",
        page=page,
        filters=filters,
        options=_filter_options(),
        totals=services.totals(services.notes_query(filters)),
    )


CSV_HEADER = [
    "reference",
    "title",
    "call",
    "status",
    "lead_organization",
    "participating_organizations",
    "thematic_area",
    "gcm_objectives",
    "scope",
    "countries",
    "duration_months",
    "direct_costs_usd",
    "indirect_support_costs_usd",
    "total_budget_usd",
    "gender_budget_share_percent",
    "first_submitted_on",
    "last_submitted_on",
    "versions",
]


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _notes_csv(query, filename: str) -> Response:
    """The notes a list shows, with its filters, one row per note (the list page and "mine" share it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for note in db.session.scalars(query):
        writer.writerow(
            [
                note.reference,
                _csv_safe(note.title),
                _csv_safe(note.call.title),
                note.status,
                note.organisation.code,
                " ".join(p.organisation.code.replace(" ", "_") for p in note.participants),
                note.thematic_area.code if note.thematic_area else "",
                " ".join(str(o.number) for o in note.objectives),
                note.scope.value if note.scope else "",
                " ".join(c.code for c in note.countries),
                note.duration_months or "",
                f"{note.direct_costs_total:.2f}",
                f"{note.indirect_costs_total:.2f}",
                f"{note.budget_total:.2f}",
                "" if note.gender_budget_share is None else f"{note.gender_budget_share:.2f}",
                note.first_submitted_on or "",
                note.last_submitted_on or "",
                note.version_count,
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@bp.route("/export.csv")
@role_required(*permissions.LIST_ROLES)
def export_csv():
    return _notes_csv(services.notes_query(_filters()), "concept-notes.csv")


@bp.route("/mine/export.csv")
@role_required(Role.applicant)
def mine_csv():
    """The organisation's notes, drafts included, with the "mine" page's filters."""
    query = services.notes_query(_filters(), organisation_id=current_user.organisation_id, include_drafts=True)
    return _notes_csv(query, f"concept-notes-{current_user.organisation.code}.csv")


@bp.route("/mine")
@role_required(Role.applicant)
def mine():
    filters = _filters()
    query = services.notes_query(filters, organisation_id=current_user.organisation_id, include_drafts=True)
    page = db.paginate(query, per_page=25, max_per_page=100, error_out=False)
    return render_template(
        "concept_notes/mine.html",
        page=page,
        filters=filters,
        statuses=list(STATUS_LABELS.items()),
        open_calls=services.open_calls(clock.today()),
    )


# One note ----------------------------------------------------------------------------------------


def _visible_note(note_id: int) -> ConceptNote:
    """The note if the user may see it; 404 otherwise, so other organisations cannot even probe ids."""
    note = db.get_or_404(ConceptNote, note_id)
    if not permissions.can_view(current_user, note):
        abort(404)
    return note


def _editable_note(note_id: int) -> ConceptNote:
    note = _visible_note(note_id)
    if not permissions.is_owner(current_user, note):
        abort(404 if not current_user.has_any_role(*permissions.LIST_ROLES) else 403)
    return note


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.applicant)
def new():
    open_calls = services.open_calls(clock.today())
    form = NewNoteForm(call_choices=[(c.id, c.title) for c in open_calls])
    if request.method == "GET" and _int_arg("call"):
        form.call_id.data = _int_arg("call")
    if not open_calls:
        flash("No call for concept notes is open at the moment.", "info")
        return redirect(url_for("concept_notes.mine"))
    if form.validate_on_submit():
        call = db.get_or_404(Call, form.call_id.data)
        try:
            note = services.create_note(current_user, call, current_user.organisation, form.title.data or "")
        except DomainError as exc:
            getattr(form, exc.field or "call_id", form.call_id).errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Draft {note.reference} created. Save it at any time; submit it when it is complete.", "success")
            return redirect(url_for("concept_notes.edit", note_id=note.id))
    return render_template("concept_notes/new.html", form=form)


@bp.route("/<int:note_id>")
@login_required
def detail(note_id: int):
    note = _visible_note(note_id)
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)).all()
    markers = db.session.scalars(sa.select(Marker).order_by(Marker.id)).all()
    return render_template(
        "concept_notes/detail.html",
        note=note,
        narratives=NARRATIVES,
        principles=principles,
        markers=markers,
        texts={s.principle_id: s.text for s in note.principles},
        scores={m.marker_id: m.score for m in note.markers},
        levels={lv.score: lv.label for lv in db.session.scalars(sa.select(MarkerLevel))},
        timeline=services.timeline(note),
        versions=services.versions(note),
        screenings=services.screenings(note),
        can_edit=permissions.can_edit(current_user, note),
        can_withdraw=permissions.can_withdraw(current_user, note),
        can_screen=permissions.can_screen(current_user, note),
        withdraw_form=WithdrawForm(),
        attachment_form=AttachmentForm(),
        problems=services.check_submission(note, clock.today()) if permissions.can_edit(current_user, note) else {},
    )


def _reference_lists():
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)).all()
    markers = db.session.scalars(sa.select(Marker).order_by(Marker.id)).all()
    levels = db.session.scalars(sa.select(MarkerLevel).order_by(MarkerLevel.score)).all()
    return principles, markers, levels


def _note_initial_data(note: ConceptNote, principles, markers) -> dict:
    lead = next((p for p in note.participants if p.is_lead), None)
    texts = {s.principle_id: s.text for s in note.principles}
    scores = {m.marker_id: m.score for m in note.markers}
    data = {
        "title": note.title,
        "lead_direct_costs": lead.direct_costs if lead and lead.direct_costs else None,
        "partners": [
            {"organisation_id": str(p.organisation_id), "direct_costs": p.direct_costs or None} for p in note.partners
        ],
        "thematic_area_id": str(note.thematic_area_id or ""),
        "objective_ids": [o.id for o in note.objectives],
        "scope": note.scope.value if note.scope else "",
        "country_codes": [c.code for c in note.countries],
        "government_partners": note.government_partners,
        "duration_months": note.duration_months,
        "gender_budget_share": note.gender_budget_share,
    }
    for attr, _label, _help in NARRATIVES:
        data[attr] = getattr(note, attr)
    for p in principles:
        data[f"principle_{p.id}"] = texts.get(p.id, "")
    for m in markers:
        data[f"marker_{m.id}"] = "" if m.id not in scores else str(scores[m.id])
    return data


def _note_data(form: NoteForm, principles, markers) -> services.NoteData:
    partners = []
    for row in form.partners:
        org = row.organisation_id.data
        if org and str(org).isdigit():
            partners.append((int(org), row.direct_costs.data))
    area = form.thematic_area_id.data
    return services.NoteData(
        title=form.title.data or "",
        lead_direct_costs=form.lead_direct_costs.data,
        partners=partners,
        thematic_area_id=int(area) if area and str(area).isdigit() else None,
        objective_ids=form.objective_ids.data or [],
        scope=form.scope.data or None,
        country_codes=form.country_codes.data or [],
        government_partners=form.government_partners.data or "",
        duration_months=form.duration_months.data,
        gender_budget_share=form.gender_budget_share.data,
        narratives={attr: getattr(form, attr).data or "" for attr, _l, _h in NARRATIVES},
        principles={p.id: getattr(form, f"principle_{p.id}").data or "" for p in principles},
        markers={
            m.id: int(v) if (v := getattr(form, f"marker_{m.id}").data) not in (None, "") else None for m in markers
        },
    )


def _set_note_choices(form: NoteForm, note: ConceptNote) -> None:
    un_entities = db.session.execute(
        sa.select(Organisation.id, Organisation.code, Organisation.name)
        .where(
            Organisation.type == OrganisationType.un_entity,
            Organisation.is_active,
            Organisation.id != note.organisation_id,
        )
        .order_by(Organisation.code)
    ).all()
    org_choices = [("", "— none —"), *((str(o.id), f"{o.code} – {o.name}") for o in un_entities)]
    while len(form.partners) < len(note.partners) + 2:
        form.partners.append_entry()
    for row in form.partners:
        row.organisation_id.choices = org_choices
    areas = thematic_areas()
    form.thematic_area_id.choices = [("", "— choose —"), *((str(a.id), f"{a.code} {a.name}") for a in areas)]
    by_objective: dict[int, list[str]] = {}
    for area in areas:
        for objective in area.objectives:
            by_objective.setdefault(objective.id, []).append(area.code)
    objectives = db.session.scalars(sa.select(GcmObjective).order_by(GcmObjective.number)).all()
    form.objective_ids.choices = [
        (o.id, f"{o.number}. {o.title} ({', '.join(by_objective.get(o.id, []))})") for o in objectives
    ]
    form.country_codes.choices = [
        (c.code, c.name) for c in db.session.execute(sa.select(Country.code, Country.name).order_by(Country.name))
    ]


#: Where rule messages that belong to a whole section (not one field) are shown.
SECTION_KEYS = ("call", "organisations", "budget", "endorsement", "narratives", "principles", "markers")


@bp.route("/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit(note_id: int):
    note = _editable_note(note_id)
    if not permissions.can_edit(current_user, note):
        flash(f"A note that is {status_label(note.status).lower()} cannot be edited.", "error")
        return redirect(url_for("concept_notes.detail", note_id=note_id))
    principles, markers, levels = _reference_lists()
    form_class = note_form_class(principles, markers, levels)
    if request.method == "POST":
        form = form_class()
    else:
        form = form_class(data=_note_initial_data(note, principles, markers))
    _set_note_choices(form, note)
    section_errors: dict[str, list[str]] = {}
    problems: list[str] = []
    if form.validate_on_submit():
        data = _note_data(form, principles, markers)
        submitting = request.form.get("action") == "submit"
        try:
            if submitting:
                version = services.save_and_submit(current_user, note, data)
            else:
                services.save_draft(current_user, note, data)
        except ValidationFailed as exc:
            db.session.commit()  # the draft is saved; only the submission waits
            for key, messages in exc.errors.items():
                target = getattr(form, key, None)
                if key in SECTION_KEYS or target is None or not hasattr(target, "errors"):
                    section_errors[key] = messages
                else:
                    target.errors = [*target.errors, *messages]
                if not key.startswith(("principle_", "marker_")) and key not in {a for a, _l, _h in NARRATIVES}:
                    problems.extend(messages)
            for attr, label, _help in NARRATIVES:
                if attr in exc.errors and "narratives" not in exc.errors:
                    problems.append(f"Write the section “{label}”.")
            flash("Draft saved. The note cannot be submitted yet: see the problems listed below.", "warning")
        except DomainError as exc:
            db.session.rollback()
            key = exc.field or "title"
            target = getattr(form, key, None)
            if target is not None and hasattr(target, "errors") and key not in SECTION_KEYS:
                target.errors = [*target.errors, exc.message]
            else:
                section_errors.setdefault(key, []).append(exc.message)
            problems.append(exc.message)
        else:
            db.session.commit()
            if submitting:
                flash(
                    f"{note.reference} submitted (version {version.number}). The Fund Management Unit will screen it.",
                    "success",
                )
                return redirect(url_for("concept_notes.detail", note_id=note_id))
            flash("Draft saved.", "success")
            return redirect(url_for("concept_notes.edit", note_id=note_id))
    if request.method == "POST" and form.errors and not problems:
        problems.append("Some fields could not be read: correct the fields marked below. Nothing was saved.")
    status = 422 if problems else 200
    return render_template(
        "concept_notes/edit.html",
        note=note,
        form=form,
        narratives=NARRATIVES,
        principles=principles,
        markers=markers,
        section_errors=section_errors,
        problems=problems,
        attachment_form=AttachmentForm(),
        isc_rate=get_fund().indirect_support_cost_rate,
        last_screening=(services.screenings(note) or [None])[-1] if note.status == "returned" else None,
    ), status


@bp.route("/<int:note_id>/submit", methods=["POST"])
@login_required
def submit(note_id: int):
    note = _editable_note(note_id)
    try:
        version = services.submit(current_user, note)
    except ValidationFailed:
        db.session.rollback()
        flash("The note cannot be submitted yet: open it for editing to see every problem.", "error")
        return redirect(url_for("concept_notes.edit", note_id=note_id))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("concept_notes.detail", note_id=note_id))
    db.session.commit()
    flash(f"{note.reference} submitted (version {version.number}).", "success")
    return redirect(url_for("concept_notes.detail", note_id=note_id))


@bp.route("/<int:note_id>/withdraw", methods=["POST"])
@login_required
def withdraw(note_id: int):
    note = _editable_note(note_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, note, form.reason.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"{note.reference} withdrawn.", "success")
    return redirect(url_for("concept_notes.detail", note_id=note_id))


@bp.route("/<int:note_id>/screen", methods=["GET", "POST"])
@role_required(Role.secretariat)
def screen(note_id: int):
    note = _visible_note(note_id)
    if not permissions.can_screen(current_user, note):
        flash(f"Only submitted notes are screened; this one is {status_label(note.status).lower()}.", "error")
        return redirect(url_for("concept_notes.detail", note_id=note_id))
    form = ScreeningForm(check_choices=services.MANUAL_CHECKS)
    if form.validate_on_submit():
        try:
            services.screen(current_user, note, form.decision.data, form.manual_checks.data or [], form.comments.data)
        except DomainError as exc:
            db.session.rollback()
            getattr(form, exc.field or "decision", form.decision).errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                f"{note.reference} is now {status_label(note.status).lower()}; its focal points are notified.",
                "success",
            )
            return redirect(url_for("concept_notes.detail", note_id=note_id))
    versions = services.versions(note)
    return render_template(
        "concept_notes/screen.html",
        note=note,
        form=form,
        checks=services.automatic_checks(note),
        versions=versions,
        timeline=services.timeline(note),
    )


@bp.route("/<int:note_id>/versions")
@login_required
def compare(note_id: int):
    note = _visible_note(note_id)
    versions = services.versions(note)
    if not versions:
        abort(404)
    numbers = [v.number for v in versions]
    new_number = _int_arg("to") or numbers[-1]
    old_number = _int_arg("from") or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    by_number = {v.number: v for v in versions}
    if old_number not in by_number or new_number not in by_number:
        abort(404)
    old, new_ = by_number[old_number], by_number[new_number]
    return render_template(
        "concept_notes/compare.html",
        note=note,
        versions=versions,
        old=old,
        new=new_,
        changes=services.diff_versions(old, new_),
    )


@bp.route("/<int:note_id>/pdf")
@login_required
def pdf(note_id: int):
    note = _visible_note(note_id)
    principles, markers, _levels = _reference_lists()
    content = concept_note_pdf(note, principles, markers, services.timeline(note), get_fund().code)
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename={note.reference}.pdf"},
    )


# Attachments -------------------------------------------------------------------------------------


@bp.route("/<int:note_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(note_id: int):
    note = _editable_note(note_id)
    form = AttachmentForm()
    back = request.form.get("back") == "edit"
    target = (
        url_for("concept_notes.edit", note_id=note_id) if back else url_for("concept_notes.detail", note_id=note_id)
    )
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(target)
    try:
        upload = uploads.check_upload(form.file.data.filename, uploads.read_limited(form.file.data.stream))
        attachment = services.add_attachment(current_user, note, upload, form.kind.data)
    except DomainError as exc:
        db.session.rollback()
        flash(f"File not attached: {exc.message}", "error")
        return redirect(target)
    try:
        db.session.commit()
    except Exception:
        uploads.remove(attachment.stored_name)  # nothing half-stored when the database refuses
        raise
    flash(f"{attachment.filename} attached.", "success")
    return redirect(target)


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
    try:
        stored_name = services.remove_attachment(current_user, attachment)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        uploads.remove(stored_name)
        flash("Attachment removed.", "success")
    back = request.form.get("back") == "edit"
    return redirect(url_for("concept_notes.edit" if back else "concept_notes.detail", note_id=note_id))
