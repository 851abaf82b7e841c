"""Committee pages: the seats (secretariat), the read-only committee page, the scoring criteria."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from fundapp.auth.models import Organisation, User
from fundapp.committee import bp, permissions, services
from fundapp.committee.forms import CriteriaForm, DecisionSettingsForm, EndTermForm, SeatForm
from fundapp.committee.models import CommitteeSeat, Constituency
from fundapp.committee.rules import DecisionRule
from fundapp.core import clock
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import role_required
from fundapp.reference.models import Country

#: Blank rows offered under the criteria, to add new ones.
SPARE_CRITERIA_ROWS = 2


def _attach_errors(form: FlaskForm, exc: DomainError, default: str) -> None:
    """Put each message of a refused action next to its field (or at the top)."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or default: [exc.message]}
    for name, messages in errors.items():
        field = form[name] if name in form else form[default]
        field.errors = [*field.errors, *messages]


# Seats (secretariat) ------------------------------------------------------------------------------


def _seat_form(**kwargs) -> SeatForm:
    users = db.session.execute(
        sa.select(User.id, User.name, User.email, Organisation.code)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.is_active)
        .order_by(User.name)
    )
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.code)
        .where(Organisation.is_active)
        .order_by(Organisation.name)
    )
    countries = db.session.execute(sa.select(Country.code, Country.name).order_by(Country.name))
    return SeatForm(
        user_choices=[(r.id, f"{r.name} ({r.code}) · {r.email}") for r in users],
        organisation_choices=[(r.id, f"{r.name} ({r.code})") for r in organisations],
        country_choices=[(r.code, r.name) for r in countries],
        **kwargs,
    )


def _seat_input(form: SeatForm) -> services.SeatInput:
    return services.SeatInput(
        constituency=form.constituency.data,
        user_id=form.user_id.data,
        organisation_id=form.organisation_id.data or None,
        country_code=form.country_code.data or None,
        term_start_on=form.term_start_on.data,
        term_end_on=form.term_end_on.data,
        is_voting=form.is_voting.data,
    )


@bp.route("/committee/seats")
@role_required(*permissions.MANAGE_ROLES)
def seats():
    status = request.args.get("status", "active")
    constituency = request.args.get("constituency", "")
    active = {"active": True, "ended": False}.get(status)
    query = services.seats_query(active=active)
    if constituency in Constituency.__members__:
        query = query.where(CommitteeSeat.constituency == Constituency(constituency))
    page = db.paginate(query, per_page=25, max_per_page=100, error_out=False)
    counts = dict(
        db.session.execute(
            sa.select(CommitteeSeat.is_voting, sa.func.count())
            .where(CommitteeSeat.is_active)
            .group_by(CommitteeSeat.is_voting)
        ).all()
    )
    return render_template(
        "committee/seats.html",
        page=page,
        status=status,
        constituency=constituency,
        constituencies=list(Constituency),
        voting=counts.get(True, 0),
        observers=counts.get(False, 0),
    )


@bp.route("/committee/seats/new", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def new_seat():
    form = _seat_form()
    if form.validate_on_submit():
        try:
            seat = services.create_seat(current_user, _seat_input(form))
        except DomainError as exc:
            _attach_errors(form, exc, "constituency")
        else:
            db.session.commit()
            flash(f"Seat created: {seat.constituency.label}, {seat.user.name}.", "success")
            return redirect(url_for("committee.seats"))
    return render_template("committee/seat_form.html", form=form, seat=None)


@bp.route("/committee/seats/<int:seat_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def edit_seat(seat_id: int):
    seat = db.get_or_404(CommitteeSeat, seat_id)
    form = _seat_form(obj=seat)
    if request.method == "GET":
        form.constituency.data = seat.constituency.value
        form.country_code.data = seat.country_code or ""
    if form.validate_on_submit():
        try:
            services.update_seat(current_user, seat, _seat_input(form))
        except DomainError as exc:
            _attach_errors(form, exc, "constituency")
        else:
            db.session.commit()
            flash(f"Seat saved: {seat.constituency.label}, {seat.user.name}.", "success")
            return redirect(url_for("committee.seats", status="active" if seat.is_active else "ended"))
    return render_template("committee/seat_form.html", form=form, seat=seat)


@bp.route("/committee/seats/<int:seat_id>/end", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def end_term(seat_id: int):
    seat = db.get_or_404(CommitteeSeat, seat_id)
    form = EndTermForm(data={"term_end_on": clock.today()} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.end_term(current_user, seat, form.term_end_on.data)
        except DomainError as exc:
            _attach_errors(form, exc, "term_end_on")
        else:
            db.session.commit()
            flash(f"Term ended: {seat.constituency.label}, {seat.user.name}.", "success")
            return redirect(url_for("committee.seats"))
    return render_template("committee/end_term.html", form=form, seat=seat)


# The committee (members and chair) ----------------------------------------------------------------


@bp.route("/committee/members")
@role_required(*permissions.VIEW_ROLES)
def members():
    seats = services.active_seats()
    config = services.decision_config()
    voting = [s for s in seats if s.is_voting]
    return render_template(
        "committee/members.html",
        seats=seats,
        voting=voting,
        observers=[s for s in seats if not s.is_voting],
        config=config,
        quorum_needed=config.quorum.needed(len(voting)),
        consensus=config.rule is DecisionRule.consensus,
        criteria=services.criteria_for(None),
        my_seat=next((s for s in seats if s.user_id == current_user.id), None),
    )


# Scoring criteria (secretariat) -------------------------------------------------------------------


def _running_total(form: CriteriaForm) -> int:
    """The sum of the weights as entered (what the page shows beside the total)."""
    return sum(row.weight.data for row in form.rows if isinstance(row.weight.data, int))


@bp.route("/committee/criteria", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def criteria():
    return _criteria_page(None)


@bp.route("/committee/calls/<int:call_id>/criteria", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def call_criteria(call_id: int):
    """A call's own criteria set (starts from the fund's default set; the same rules apply)."""
    from fundapp.concept_notes.models import Call

    return _criteria_page(db.get_or_404(Call, call_id))


def _criteria_page(call):
    call_id = call.id if call is not None else None
    form = CriteriaForm()
    own = [c for c in services.criteria_for(call_id) if c.call_id == call_id]
    saved = own or (services.criteria_for(None) if call_id is not None else [])
    if request.method == "GET":
        rows = (
            [(c.code, c.name, c.weight, c.description) for c in saved]
            if saved
            else services.default_criteria_from_file()
        )
        while len(form.rows) > 0:
            form.rows.pop_entry()
        for code, name, weight, description in rows:
            form.rows.append_entry({"code": code, "name": name, "weight": weight, "description": description})
        for _ in range(SPARE_CRITERIA_ROWS):
            form.rows.append_entry()
    total_errors: list[str] = []
    if form.validate_on_submit():
        filled = [(i, row) for i, row in enumerate(form.rows) if not row.form.is_blank]
        values = [(r.form.code.data, r.form.name.data, r.form.weight.data, r.form.description.data) for _i, r in filled]
        try:
            services.set_criteria(current_user, values, call_id=call_id)
        except ValidationFailed as exc:
            for key, messages in exc.errors.items():
                if key == "total":
                    total_errors.extend(messages)
                    continue
                _rows, index, name = key.split("-")
                field = form.rows[filled[int(index)][0]][name]
                field.errors = [*field.errors, *messages]
        else:
            db.session.commit()
            flash("Scoring criteria saved.", "success")
            if call is not None:
                return redirect(url_for("committee.call_criteria", call_id=call.id))
            return redirect(url_for("committee.criteria"))
    elif request.method == "POST" and _running_total(form) != 100:
        total_errors.append(f"The weights add up to {_running_total(form)}; they must add up to 100.")
    return render_template(
        "committee/criteria.html",
        form=form,
        saved=bool(own) if call is not None else bool(saved),
        call=call,
        total=_running_total(form),
        total_errors=total_errors,
    )


# Decision settings (secretariat) ------------------------------------------------------------------


@bp.route("/committee/rules", methods=["GET", "POST"])
@role_required(*permissions.MANAGE_ROLES)
def decision_settings():
    config = services.decision_config()
    form = DecisionSettingsForm(
        data={
            "decision_rule": config.rule.value,
            "quorum_requires_chair": config.quorum_requires_chair,
            "quorum": services.threshold_key(config.quorum) or "more_than_half",
            "majority": services.threshold_key(config.majority) or "more_than_half",
            "majority_base": config.majority_base.value,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            services.set_decision_settings(
                current_user,
                form.decision_rule.data,
                services.THRESHOLDS[form.quorum.data],
                form.quorum_requires_chair.data,
                services.THRESHOLDS[form.majority.data],
                form.majority_base.data,
            )
        except DomainError as exc:
            _attach_errors(form, exc, "decision_rule")
        else:
            db.session.commit()
            flash("Decision rules saved.", "success")
            return redirect(url_for("committee.decision_settings"))
    voting = len(services.roll(clock.today()).voting)
    return render_template(
        "committee/decision_settings.html",
        form=form,
        config=config,
        voting=voting,
        quorum_needed=config.quorum.needed(voting),
        majority_needed=config.majority.needed(voting),
    )
