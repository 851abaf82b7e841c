"""Results pages: the fund-level results framework per thematic area, and the alignment indicators."""

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import role_required
from fundapp.reference.models import GuidingPrinciple, Marker, ThematicArea
from fundapp.reference.services import thematic_areas
from fundapp.results import bp, permissions, services
from fundapp.results.alignment import DEFAULT_THRESHOLDS, MeasureKind
from fundapp.results.forms import (
    ActiveForm,
    AlignmentIndicatorForm,
    DeleteForm,
    IndicatorForm,
    MarkerMinimumsForm,
    OutcomeForm,
)
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome
from fundapp.results.rollup import DISAGGREGATIONS, format_value, plain


def _attach_errors(form: FlaskForm, exc: DomainError, default: str) -> None:
    """Put each message of a refused action next to its field (or on the default field)."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or default: [exc.message]}
    for name, messages in errors.items():
        field = form[name] if name in form else form[default]
        field.errors = [*field.errors, *messages]


def _back_to(area: ThematicArea, anchor: str | None = None) -> str:
    url = url_for("results.framework", area=area.code)
    return f"{url}#{anchor}" if anchor else url


# The framework ------------------------------------------------------------------------------------


@bp.route("/results/framework")
@role_required(*permissions.VIEW_ROLES)
def framework():
    areas = thematic_areas()
    if not areas:
        abort(404)
    code = request.args.get("area", "")
    area = next((a for a in areas if a.code == code), areas[0])
    include_retired = request.args.get("retired") == "1"
    rows = services.framework(area.id, include_retired=include_retired)
    can_edit = permissions.can_edit_framework(current_user)
    return render_template(
        "results/framework.html",
        areas=areas,
        area=area,
        outcomes=rows,
        counts=services.framework_counts(),
        include_retired=include_retired,
        can_edit=can_edit,
        # Linked indicators can be retired but not deleted: the page offers only what will work.
        links=services.indicator_links([i.id for r in rows for i in r.indicators]) if can_edit else {},
        disaggregations=DISAGGREGATIONS,
    )


@bp.route("/results/framework/areas/<int:area_id>/outcomes/new", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def new_outcome(area_id: int):
    area = db.get_or_404(ThematicArea, area_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            outcome = services.create_outcome(current_user, area, form.code.data, form.statement.data)
        except DomainError as exc:
            _attach_errors(form, exc, "code")
        else:
            db.session.commit()
            flash(f"Outcome {outcome.code} added to {area.code}.", "success")
            return redirect(_back_to(area, f"outcome-{outcome.id}"))
    return render_template("results/outcome_form.html", form=form, area=area, outcome=None)


@bp.route("/results/framework/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def edit_outcome(outcome_id: int):
    outcome = db.get_or_404(FundOutcome, outcome_id)
    form = OutcomeForm(obj=outcome)
    if form.validate_on_submit():
        try:
            services.update_outcome(current_user, outcome, form.code.data, form.statement.data)
        except DomainError as exc:
            _attach_errors(form, exc, "code")
        else:
            db.session.commit()
            flash(f"Outcome {outcome.code} saved.", "success")
            return redirect(_back_to(outcome.thematic_area, f"outcome-{outcome.id}"))
    return render_template("results/outcome_form.html", form=form, area=outcome.thematic_area, outcome=outcome)


@bp.route("/results/framework/outcomes/<int:outcome_id>/active", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def set_outcome_active(outcome_id: int):
    outcome = db.get_or_404(FundOutcome, outcome_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        services.set_outcome_active(current_user, outcome, form.active.data == "1")
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Outcome {outcome.code} {'reinstated' if outcome.is_active else 'retired'}.", "success")
    return redirect(url_for("results.framework", area=outcome.thematic_area.code, retired="1"))


@bp.route("/results/framework/outcomes/<int:outcome_id>/delete", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def delete_outcome(outcome_id: int):
    """GET asks for confirmation; POST deletes (an outcome with indicators is refused with the reason)."""
    outcome = db.get_or_404(FundOutcome, outcome_id)
    area, code = outcome.thematic_area, outcome.code
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            services.delete_outcome(current_user, outcome)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"Outcome {code} deleted.", "success")
        return redirect(_back_to(area))
    return render_template(
        "results/confirm_delete.html",
        form=form,
        what=f"outcome {code}",
        text=outcome.statement,
        area=area,
        refusal="It has indicators: delete them first, or retire the outcome." if outcome.indicators else None,
    )


# Indicators ---------------------------------------------------------------------------------------


def _indicator_input(form: IndicatorForm) -> services.IndicatorInput:
    return services.IndicatorInput(
        code=form.code.data or "",
        name=form.name.data or "",
        unit=form.unit.data,
        baseline_value=form.baseline_value.data,
        baseline_year=form.baseline_year.data,
        target_value=form.target_value.data,
        target_year=form.target_year.data,
        means_of_verification=form.means_of_verification.data or "",
        by_sex=form.by_sex.data,
        by_age_group=form.by_age_group.data,
        by_migratory_status=form.by_migratory_status.data,
    )


@bp.route("/results/framework/outcomes/<int:outcome_id>/indicators/new", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def new_indicator(outcome_id: int):
    outcome = db.get_or_404(FundOutcome, outcome_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(current_user, outcome, _indicator_input(form))
        except DomainError as exc:
            _attach_errors(form, exc, "code")
        else:
            db.session.commit()
            flash(f"Indicator {indicator.code} added to outcome {outcome.code}.", "success")
            return redirect(_back_to(outcome.thematic_area, f"indicator-{indicator.id}"))
    return render_template("results/indicator_form.html", form=form, outcome=outcome, indicator=None)


@bp.route("/results/framework/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def edit_indicator(indicator_id: int):
    indicator = db.get_or_404(FundIndicator, indicator_id)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.unit.data = indicator.unit.value
        form.baseline_value.data = Decimal(plain(indicator.baseline_value))
        form.target_value.data = Decimal(plain(indicator.target_value))
    if form.validate_on_submit():
        try:
            services.update_indicator(current_user, indicator, _indicator_input(form))
        except DomainError as exc:
            _attach_errors(form, exc, "code")
        else:
            db.session.commit()
            flash(f"Indicator {indicator.code} saved.", "success")
            return redirect(_back_to(indicator.outcome.thematic_area, f"indicator-{indicator.id}"))
    return render_template("results/indicator_form.html", form=form, outcome=indicator.outcome, indicator=indicator)


@bp.route("/results/framework/indicators/<int:indicator_id>/active", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def set_indicator_active(indicator_id: int):
    indicator = db.get_or_404(FundIndicator, indicator_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        services.set_indicator_active(current_user, indicator, form.active.data == "1")
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Indicator {indicator.code} {'reinstated' if indicator.is_active else 'retired'}.", "success")
    return redirect(url_for("results.framework", area=indicator.outcome.thematic_area.code, retired="1"))


@bp.route("/results/framework/indicators/<int:indicator_id>/delete", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def delete_indicator(indicator_id: int):
    """GET asks for confirmation; POST deletes (a linked indicator is refused: it can only be retired)."""
    indicator = db.get_or_404(FundIndicator, indicator_id)
    area, code = indicator.outcome.thematic_area, indicator.code
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            services.delete_indicator(current_user, indicator)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"Indicator {code} deleted.", "success")
        return redirect(_back_to(area))
    links = services.indicator_links([indicator.id]).get(indicator.id, 0)
    return render_template(
        "results/confirm_delete.html",
        form=form,
        what=f"indicator {code}",
        text=indicator.name,
        area=area,
        refusal=f"{links} programme indicator{'s' if links != 1 else ''} link to it: retire it instead."
        if links
        else None,
    )


# Alignment indicators -----------------------------------------------------------------------------


@bp.route("/results/alignment")
@role_required(*permissions.VIEW_ROLES)
def alignment():
    indicators = services.alignment_indicators(include_retired=True)
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position)).all()
    markers = db.session.scalars(sa.select(Marker).order_by(Marker.id)).all()
    can_edit = permissions.can_edit_alignment(current_user)
    minimums_form = MarkerMinimumsForm(
        data={"minimums": [{"marker_id": m.id, "minimum": m.minimum_score} for m in markers]}
    )
    return render_template(
        "results/alignment.html",
        principles=principles,
        by_principle={p.id: [i for i in indicators if i.principle_id == p.id] for p in principles},
        markers=markers,
        minimums_form=minimums_form,
        can_edit=can_edit,
        missing_defaults=can_edit and _missing_defaults(indicators),
    )


def _missing_defaults(indicators: list[AlignmentIndicator]) -> int:
    have = {i.code.lower() for i in indicators}
    return sum(1 for entry in services.alignment_from_file() if entry["code"].lower() not in have)


def _alignment_form(**kwargs) -> AlignmentIndicatorForm:
    principles = db.session.scalars(sa.select(GuidingPrinciple).order_by(GuidingPrinciple.position))
    markers = db.session.scalars(sa.select(Marker).order_by(Marker.id))
    return AlignmentIndicatorForm(
        principle_choices=[(p.id, f"({p.code}) {p.name}") for p in principles],
        marker_choices=[(m.id, m.name) for m in markers],
        **kwargs,
    )


def _alignment_input(form: AlignmentIndicatorForm) -> services.AlignmentInput:
    return services.AlignmentInput(
        principle_id=form.principle_id.data or None,
        code=form.code.data or "",
        name=form.name.data or "",
        kind=form.kind.data,
        thresholds=(form.threshold_1.data, form.threshold_2.data, form.threshold_3.data),
        measurement=form.measurement.data or "",
        marker_id=form.marker_id.data or None,
    )


@bp.route("/results/alignment/new", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def new_alignment_indicator():
    form = _alignment_form()
    if request.method == "GET":
        form.principle_id.data = request.args.get("principle", 0, type=int)
        t1, t2, t3 = DEFAULT_THRESHOLDS[MeasureKind.marker]
        form.threshold_1.data, form.threshold_2.data, form.threshold_3.data = t1, t2, t3
    if form.validate_on_submit():
        try:
            indicator = services.create_alignment_indicator(current_user, _alignment_input(form))
        except DomainError as exc:
            _attach_errors(form, exc, "code")
        else:
            db.session.commit()
            flash(f"Alignment indicator {indicator.code} added.", "success")
            return redirect(url_for("results.alignment", _anchor=f"alignment-{indicator.id}"))
    return render_template("results/alignment_form.html", form=form, indicator=None, defaults=DEFAULT_THRESHOLDS)


@bp.route("/results/alignment/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def edit_alignment_indicator(indicator_id: int):
    indicator = db.get_or_404(AlignmentIndicator, indicator_id)
    form = _alignment_form(obj=indicator)
    if request.method == "GET":
        form.kind.data = indicator.kind.value
        form.marker_id.data = indicator.marker_id or 0
        for field, value in zip(
            (form.threshold_1, form.threshold_2, form.threshold_3), indicator.thresholds, strict=True
        ):
            field.data = Decimal(plain(value))
    if form.validate_on_submit():
        try:
            services.update_alignment_indicator(current_user, indicator, _alignment_input(form))
        except DomainError as exc:
            _attach_errors(form, exc, "code")
        else:
            db.session.commit()
            flash(f"Alignment indicator {indicator.code} saved.", "success")
            return redirect(url_for("results.alignment", _anchor=f"alignment-{indicator.id}"))
    return render_template("results/alignment_form.html", form=form, indicator=indicator, defaults=DEFAULT_THRESHOLDS)


@bp.route("/results/alignment/<int:indicator_id>/active", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def set_alignment_indicator_active(indicator_id: int):
    indicator = db.get_or_404(AlignmentIndicator, indicator_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        services.set_alignment_indicator_active(current_user, indicator, form.active.data == "1")
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Alignment indicator {indicator.code} {'reinstated' if indicator.is_active else 'retired'}.", "success")
    return redirect(url_for("results.alignment", _anchor=f"alignment-{indicator.id}"))


@bp.route("/results/alignment/load", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def load_alignment_indicators():
    if not DeleteForm().validate_on_submit():
        abort(400)
    created = services.load_alignment_indicators(current_user)
    db.session.commit()
    flash(f"{created} alignment indicator{'s' if created != 1 else ''} loaded from the reference file.", "success")
    return redirect(url_for("results.alignment"))


@bp.route("/results/alignment/markers", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def marker_minimums():
    form = MarkerMinimumsForm()
    if form.validate_on_submit():
        try:
            services.set_marker_minimums(
                current_user, {int(row.marker_id.data): row.minimum.data for row in form.minimums}
            )
        except (DomainError, ValueError, TypeError) as exc:
            flash(getattr(exc, "message", "Unknown marker."), "error")
        else:
            db.session.commit()
            flash("Marker minimum scores saved.", "success")
    else:
        flash("Each minimum is a whole score from 0 to 3.", "error")
    return redirect(url_for("results.alignment", _anchor="markers"))


@bp.app_template_filter("indicator_value")
def indicator_value(value, unit) -> str:
    return format_value(value, unit)


@bp.app_template_filter("plain_number")
def plain_number(value) -> str:
    return plain(value)
