"""Programme results pages: the programme's framework, progress reports and the fund results dashboard."""

import json

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fundapp.core import clock
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.forms import choices
from fundapp.core.permissions import role_required
from fundapp.programmes import bp, permissions, results
from fundapp.programmes.forms import IndicatorForm, OutcomeForm, OutputForm, ReportTextForm, ReviewForm, StartReportForm
from fundapp.programmes.models import JointProgramme, ProgrammeIndicator, ProgressReport
from fundapp.programmes.views import _attach_errors, _programme
from fundapp.programmes.workflow import PROGRESS_REPORT, REPORT_LABELS
from fundapp.results.models import FundIndicator
from fundapp.results.rollup import DISAGGREGATIONS, format_value


def _framework_programme(programme_id: int) -> JointProgramme:
    programme = _programme(programme_id)
    if not permissions.can_edit_framework(current_user, programme):
        abort(403)
    return programme


def _back(programme: JointProgramme) -> str:
    return url_for("programmes.programme", programme_id=programme.id) + "#results"


def _outcome_choices(programme: JointProgramme) -> list:
    return choices((o.id, f"{o.code} {o.statement[:80]}") for o in results.framework(programme.id))


@bp.route("/programmes/<int:programme_id>/results/outcomes/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_outcome(programme_id: int):
    programme = _framework_programme(programme_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            results.add_outcome(current_user, programme, form.code.data, form.statement.data)
        except DomainError as exc:
            _attach_errors(form, exc, "statement")
        else:
            db.session.commit()
            flash("Outcome added.", "success")
            return redirect(_back(programme))
    return render_template(
        "programmes/form.html", programme=programme, form=form, heading="New outcome", submit="Add outcome", intro=""
    )


@bp.route("/programmes/<int:programme_id>/results/outputs/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_output(programme_id: int):
    programme = _framework_programme(programme_id)
    form = OutputForm()
    form.outcome_id.choices = _outcome_choices(programme)
    if form.validate_on_submit():
        outcome = next(o for o in results.framework(programme.id) if o.id == form.outcome_id.data)
        try:
            results.add_output(current_user, outcome, form.code.data, form.statement.data)
        except DomainError as exc:
            _attach_errors(form, exc, "statement")
        else:
            db.session.commit()
            flash("Output added.", "success")
            return redirect(_back(programme))
    return render_template(
        "programmes/form.html", programme=programme, form=form, heading="New output", submit="Add output", intro=""
    )


@bp.route("/programmes/<int:programme_id>/results/indicators/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_indicator(programme_id: int):
    programme = _framework_programme(programme_id)
    outcomes = results.framework(programme.id)
    form = IndicatorForm()
    form.outcome_id.choices = _outcome_choices(programme)
    form.output_id.choices = choices(
        [(0, "— the outcome itself —")]
        + [(o.id, f"{o.code} {o.statement[:80]}") for oc in outcomes for o in oc.outputs]
    )
    area_id = programme.document.concept_note.thematic_area_id
    fund = db.session.scalars(
        sa.select(FundIndicator)
        .where(FundIndicator.thematic_area_id == area_id, FundIndicator.is_active)
        .order_by(FundIndicator.code)
    )
    form.fund_indicator_id.choices = choices(
        [(0, "— not linked —")] + [(f.id, f"{f.code} ({f.unit.label}) {f.name[:70]}") for f in fund]
    )
    if form.validate_on_submit():
        data = results.IndicatorInput(
            outcome_id=form.outcome_id.data,
            output_id=form.output_id.data or None,
            code=form.code.data,
            name=form.name.data,
            unit=form.unit.data,
            baseline_value=form.baseline_value.data,
            baseline_year=form.baseline_year.data,
            target_value=form.target_value.data,
            fund_indicator_id=form.fund_indicator_id.data or None,
            disaggregations=form.disaggregations.data or [],
        )
        try:
            results.add_indicator(current_user, programme, data)
        except DomainError as exc:
            _attach_errors(form, exc, "name")
        else:
            db.session.commit()
            flash("Indicator added.", "success")
            return redirect(_back(programme))
    return render_template(
        "programmes/form.html",
        programme=programme,
        form=form,
        heading="New indicator",
        submit="Add indicator",
        intro="",
    )


# Progress reports -----------------------------------------------------------------------------------


def _report(report_id: int) -> ProgressReport:
    report = db.session.get(ProgressReport, report_id)
    if report is None:
        abort(404)
    _programme(report.programme_id)  # 404 for those who cannot see the programme
    if not permissions.can_view_report(current_user, report):
        abort(404)
    return report


@bp.route("/programmes/<int:programme_id>/reports/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_report(programme_id: int):
    programme = _programme(programme_id)
    if not permissions.can_start_report(current_user, programme):
        abort(403)
    started = {r.period for r in results.reports(programme.id)}
    form = StartReportForm()
    form.period.choices = choices(
        (p.period, f"{p.label}, due {p.due_on:%d %b %Y}")
        for p in results.calendar(programme)
        if p.period not in started
    )
    if form.validate_on_submit():
        try:
            report = results.start_report(current_user, programme, form.period.data)
        except DomainError as exc:
            _attach_errors(form, exc, "period")
        else:
            db.session.commit()
            return redirect(url_for("programmes.edit_report", report_id=report.id))
    return render_template(
        "programmes/form.html",
        programme=programme,
        form=form,
        heading="Start a progress report",
        submit="Start report",
        intro="",
    )


def _report_context(report: ProgressReport) -> dict:
    outcomes = results.framework(report.programme_id)
    values = {v.indicator_id: (v.actual, json.loads(v.disaggregation or "{}")) for v in report.values}
    return {
        "report": report,
        "programme": report.programme,
        "outcomes": outcomes,
        "values": values,
        "disaggregations": DISAGGREGATIONS,
        "format_value": format_value,
        "labels": REPORT_LABELS,
        "period_label": results.period_label(report.period),
        "timeline": PROGRESS_REPORT.timeline(report.id),
    }


@bp.route("/programmes/reports/<int:report_id>")
@role_required(*permissions.PORTFOLIO_ROLES)
def report(report_id: int):
    report_ = _report(report_id)
    return render_template(
        "programmes/report.html",
        **_report_context(report_),
        can_edit=permissions.can_edit_report(current_user, report_),
        review_form=ReviewForm() if permissions.can_review_report(current_user, report_) else None,
    )


@bp.route("/programmes/reports/<int:report_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def edit_report(report_id: int):
    report_ = _report(report_id)
    if not permissions.can_edit_report(current_user, report_):
        abort(403)
    form = ReportTextForm(obj=report_ if request.method == "GET" else None)
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        values = {}
        for indicator in db.session.scalars(
            sa.select(ProgrammeIndicator).where(ProgrammeIndicator.programme_id == report_.programme_id)
        ):
            key = f"actual-{indicator.id}"
            dis = {
                dim: {cat: request.form.get(f"{key}-{dim}-{cat}", "") for cat in DISAGGREGATIONS[dim]}
                for dim in indicator.disaggregations
            }
            values[indicator.id] = (request.form.get(key, ""), dis)
        try:
            results.save_report(current_user, report_, form.narrative.data, form.challenges.data, values)
        except ValidationFailed as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"_": [exc.message]}
        else:
            submit_error = None
            if "submit_report" in request.form:
                try:
                    results.submit_report(current_user, report_, clock.today())
                except DomainError as exc:
                    submit_error = exc.message
            db.session.commit()  # what was entered is kept even when the submission is refused
            if submit_error:
                errors = {"_": [f"Saved, not submitted: {submit_error}"]}
            else:
                flash(
                    "Report submitted to the secretariat." if report_.status == "submitted" else "Report saved.",
                    "success",
                )
                return redirect(url_for("programmes.report", report_id=report_.id))
    return render_template(
        "programmes/report_form.html",
        **_report_context(report_),
        form=form,
        errors=errors,
        posted=request.form if request.method == "POST" else None,
    )


@bp.route("/programmes/reports/<int:report_id>/review", methods=["POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def review_report(report_id: int):
    report_ = _report(report_id)
    if not permissions.can_review_report(current_user, report_):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if request.form.get("decision") == "approve":
            results.approve_report(current_user, report_, clock.today(), form.comment.data)
        else:
            results.return_report(current_user, report_, form.comment.data)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("programmes.report", report_id=report_.id))
    db.session.commit()
    flash(
        "Report approved: its period is locked."
        if report_.status == "approved"
        else "Report returned to the focal points.",
        "success",
    )
    return redirect(url_for("programmes.report", report_id=report_.id))


# Fund results dashboard -----------------------------------------------------------------------------


@bp.route("/programmes/results")
@role_required(*permissions.PORTFOLIO_ROLES)
def results_dashboard():
    return render_template(
        "programmes/results_dashboard.html", areas=results.fund_dashboard(), format_value=format_value
    )
