"""Results pages: the fund-level results framework per thematic area, and the alignment indicators.

Each view loads, checks, validates, calls one service and responds; the edge commits (core.edge).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fundapp.core import args as query_args
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _n
from fundapp.core.permissions import role_required
from fundapp.reference import services as reference
from fundapp.reference.models import ThematicArea
from fundapp.results import bp, permissions, services
from fundapp.results.alignment import DEFAULT_THRESHOLDS
from fundapp.results.forms import (
    ActiveForm,
    AlignmentIndicatorForm,
    DeleteForm,
    IndicatorForm,
    MarkerMinimumsForm,
    OutcomeForm,
)
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome
from fundapp.results.rollup import DISAGGREGATION_LABELS, DISAGGREGATIONS, format_value, plain


def _back_to(area: ThematicArea, anchor: str | None = None) -> str:
    url = url_for("results.framework", area=area.code)
    return f"{url}#{anchor}" if anchor else url


def _active_form() -> ActiveForm:
    """Retire or reinstate: anything but 0 or 1 is a malformed request."""
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    return form


# The framework ------------------------------------------------------------------------------------


@bp.route("/results/framework")
@role_required(*permissions.VIEW_ROLES)
def framework():
    can_edit = permissions.can_edit_framework(current_user)
    page = services.framework_page(
        request.args.get("area", ""), include_retired=request.args.get("retired") == "1", with_links=can_edit
    )
    if page is None:
        abort(404)
    return render_template(
        "results/framework.html",
        **page,
        can_edit=can_edit,
        disaggregations=DISAGGREGATIONS,
        disaggregation_labels=DISAGGREGATION_LABELS,
    )


@bp.route("/results/framework/areas/<int:area_id>/outcomes/new", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def new_outcome(area_id: int):
    area = db.get_or_404(ThematicArea, area_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        with domain_errors(form, default="code") as result:
            created = services.create_outcome(current_user, area, form.code.data, form.statement.data)
        if result.ok:
            flash(_("Outcome %(code)s added to %(area)s.", code=created.code, area=area.code), "success")
            return redirect(_back_to(area, f"outcome-{created.id}"))
    return render_template("results/outcome_form.html", form=form, area=area, outcome=None)


@bp.route("/results/framework/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def edit_outcome(outcome_id: int):
    outcome = db.get_or_404(FundOutcome, outcome_id)
    form = OutcomeForm(obj=outcome)
    if form.validate_on_submit():
        with domain_errors(form, default="code") as result:
            services.update_outcome(current_user, outcome, form.code.data, form.statement.data)
        if result.ok:
            flash(_("Outcome %(code)s saved.", code=outcome.code), "success")
            return redirect(_back_to(outcome.thematic_area, f"outcome-{outcome.id}"))
    return render_template("results/outcome_form.html", form=form, area=outcome.thematic_area, outcome=outcome)


@bp.route("/results/framework/outcomes/<int:outcome_id>/active", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def set_outcome_active(outcome_id: int):
    outcome = db.get_or_404(FundOutcome, outcome_id)
    form = _active_form()
    with domain_errors() as result:
        services.set_outcome_active(current_user, outcome, form.is_active)
    if result.ok:
        message = _("Outcome %(code)s reinstated.") if outcome.is_active else _("Outcome %(code)s retired.")
        flash(message % {"code": outcome.code}, "success")
    return redirect(url_for("results.framework", area=outcome.thematic_area.code, retired="1"))


@bp.route("/results/framework/outcomes/<int:outcome_id>/delete", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def delete_outcome(outcome_id: int):
    """GET asks for confirmation; POST deletes (an outcome with indicators is refused with the reason)."""
    outcome = db.get_or_404(FundOutcome, outcome_id)
    area, code = outcome.thematic_area, outcome.code
    form = DeleteForm()
    if form.validate_on_submit():
        with domain_errors() as result:
            services.delete_outcome(current_user, outcome)
        if result.ok:
            flash(_("Outcome %(code)s deleted.", code=code), "success")
        return redirect(_back_to(area))
    return render_template(
        "results/confirm_delete.html",
        form=form,
        what=_("outcome %(code)s", code=code),
        text=outcome.statement,
        area=area,
        refusal=_("It has indicators: delete them first, or retire the outcome.") if outcome.indicators else None,
    )


# Indicators ---------------------------------------------------------------------------------------


@bp.route("/results/framework/outcomes/<int:outcome_id>/indicators/new", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def new_indicator(outcome_id: int):
    outcome = db.get_or_404(FundOutcome, outcome_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        with domain_errors(form, default="code") as result:
            indicator = services.create_indicator(current_user, outcome, form.indicator_input())
        if result.ok:
            flash(
                _("Indicator %(code)s added to outcome %(outcome)s.", code=indicator.code, outcome=outcome.code),
                "success",
            )
            return redirect(_back_to(outcome.thematic_area, f"indicator-{indicator.id}"))
    return render_template("results/indicator_form.html", form=form, outcome=outcome, indicator=None)


@bp.route("/results/framework/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def edit_indicator(indicator_id: int):
    indicator = db.get_or_404(FundIndicator, indicator_id)
    form = IndicatorForm.for_indicator(indicator)
    if form.validate_on_submit():
        with domain_errors(form, default="code") as result:
            services.update_indicator(current_user, indicator, form.indicator_input())
        if result.ok:
            flash(_("Indicator %(code)s saved.", code=indicator.code), "success")
            return redirect(_back_to(indicator.outcome.thematic_area, f"indicator-{indicator.id}"))
    return render_template("results/indicator_form.html", form=form, outcome=indicator.outcome, indicator=indicator)


@bp.route("/results/framework/indicators/<int:indicator_id>/active", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def set_indicator_active(indicator_id: int):
    indicator = db.get_or_404(FundIndicator, indicator_id)
    form = _active_form()
    with domain_errors() as result:
        services.set_indicator_active(current_user, indicator, form.is_active)
    if result.ok:
        message = _("Indicator %(code)s reinstated.") if indicator.is_active else _("Indicator %(code)s retired.")
        flash(message % {"code": indicator.code}, "success")
    return redirect(url_for("results.framework", area=indicator.outcome.thematic_area.code, retired="1"))


@bp.route("/results/framework/indicators/<int:indicator_id>/delete", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def delete_indicator(indicator_id: int):
    """GET asks for confirmation; POST deletes (a linked indicator is refused: it can only be retired)."""
    indicator = db.get_or_404(FundIndicator, indicator_id)
    area, code = indicator.outcome.thematic_area, indicator.code
    form = DeleteForm()
    if form.validate_on_submit():
        with domain_errors() as result:
            services.delete_indicator(current_user, indicator)
        if result.ok:
            flash(_("Indicator %(code)s deleted.", code=code), "success")
        return redirect(_back_to(area))
    links = services.indicator_links([indicator.id]).get(indicator.id, 0)
    return render_template(
        "results/confirm_delete.html",
        form=form,
        what=_("indicator %(code)s", code=code),
        text=indicator.name,
        area=area,
        refusal=_linked_refusal(links),
    )


def _linked_refusal(links: int) -> str | None:
    """Why an indicator that programme indicators link to cannot be deleted (None: it can)."""
    if not links:
        return None
    return _n(
        "%(num)d programme indicator links to it: retire it instead.",
        "%(num)d programme indicators link to it: retire it instead.",
        links,
    )


# Alignment indicators -----------------------------------------------------------------------------


@bp.route("/results/alignment")
@role_required(*permissions.VIEW_ROLES)
def alignment():
    can_edit = permissions.can_edit_alignment(current_user)
    page = services.alignment_page(with_defaults=can_edit)
    return render_template(
        "results/alignment.html",
        **page,
        minimums_form=MarkerMinimumsForm.for_markers(page["markers"]),
        can_edit=can_edit,
    )


@bp.route("/results/alignment/new", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def new_alignment_indicator():
    principle_id = query_args.identifier("principle") or 0
    form = AlignmentIndicatorForm.for_new(reference.guiding_principles(), reference.markers(), principle_id)
    if form.validate_on_submit():
        with domain_errors(form, default="code") as result:
            indicator = services.create_alignment_indicator(current_user, form.alignment_input())
        if result.ok:
            flash(_("Alignment indicator %(code)s added.", code=indicator.code), "success")
            return redirect(url_for("results.alignment", _anchor=f"alignment-{indicator.id}"))
    return render_template("results/alignment_form.html", form=form, indicator=None, defaults=DEFAULT_THRESHOLDS)


@bp.route("/results/alignment/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.EDIT_ROLES)
def edit_alignment_indicator(indicator_id: int):
    indicator = db.get_or_404(AlignmentIndicator, indicator_id)
    form = AlignmentIndicatorForm.for_indicator(indicator, reference.guiding_principles(), reference.markers())
    if form.validate_on_submit():
        with domain_errors(form, default="code") as result:
            services.update_alignment_indicator(current_user, indicator, form.alignment_input())
        if result.ok:
            flash(_("Alignment indicator %(code)s saved.", code=indicator.code), "success")
            return redirect(url_for("results.alignment", _anchor=f"alignment-{indicator.id}"))
    return render_template("results/alignment_form.html", form=form, indicator=indicator, defaults=DEFAULT_THRESHOLDS)


@bp.route("/results/alignment/<int:indicator_id>/active", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def set_alignment_indicator_active(indicator_id: int):
    indicator = db.get_or_404(AlignmentIndicator, indicator_id)
    form = _active_form()
    with domain_errors() as result:
        services.set_alignment_indicator_active(current_user, indicator, form.is_active)
    if result.ok:
        reinstated, retired = _("Alignment indicator %(code)s reinstated."), _("Alignment indicator %(code)s retired.")
        flash((reinstated if indicator.is_active else retired) % {"code": indicator.code}, "success")
    return redirect(url_for("results.alignment", _anchor=f"alignment-{indicator.id}"))


@bp.route("/results/alignment/load", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def load_alignment_indicators():
    if not DeleteForm().validate_on_submit():
        abort(400)
    created = services.load_alignment_indicators(current_user)
    flash(
        _n(
            "%(num)d alignment indicator loaded from the reference file.",
            "%(num)d alignment indicators loaded from the reference file.",
            created,
        ),
        "success",
    )
    return redirect(url_for("results.alignment"))


@bp.route("/results/alignment/markers", methods=["POST"])
@role_required(*permissions.EDIT_ROLES)
def marker_minimums():
    form = MarkerMinimumsForm()
    if form.validate_on_submit():
        with domain_errors() as result:
            services.set_marker_minimums(current_user, form.minimums_by_marker())
        if result.ok:
            flash(_("Marker minimum scores saved."), "success")
    else:
        flash(_("Each minimum is a whole score from 0 to 3."), "error")
    return redirect(url_for("results.alignment", _anchor="markers"))


@bp.app_template_filter("indicator_value")
def indicator_value(value, unit) -> str:
    return format_value(value, unit)


@bp.app_template_filter("plain_number")
def plain_number(value) -> str:
    return plain(value)
