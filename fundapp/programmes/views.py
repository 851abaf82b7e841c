"""Joint programme pages: the portfolio, a programme's page, the secretariat's money actions, the programme's
results framework and progress reports, alignment assessments, the fund results and alignment dashboards.

Each view loads, checks, validates, calls one service and responds; the edge (core.edge) commits.
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from fundapp.committee.models import programme_reference
from fundapp.core import args as query_args
from fundapp.core import clock, tabular
from fundapp.core.edge import domain_errors
from fundapp.core.errors import NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.core.permissions import Role, role_required
from fundapp.notifications import discussions
from fundapp.notifications.forms import MessageForm
from fundapp.programmes import bp, dossier, permissions, reporting, services
from fundapp.programmes.forms import (
    AlignmentForm,
    BudgetForm,
    CloseFinanciallyForm,
    CloseOperationallyForm,
    ExpenditureForm,
    IndicatorForm,
    OutcomeForm,
    OutputForm,
    RefundForm,
    ReleaseForm,
    ReportForm,
    ReviewForm,
    StartReportForm,
    TrancheForm,
)
from fundapp.programmes.models import BudgetCategory, JointProgramme, ProgrammeOutcome, ProgressReport, Tranche
from fundapp.programmes.texts import amount, decimal, long_date
from fundapp.programmes.workflow import REPORT_APPROVED, REPORT_LABELS, STATUS_LABELS, SUBMITTED
from fundapp.results.rollup import format_result, format_value


@bp.context_processor
def _template_helpers() -> dict:
    """The permission predicates (templates ask them, never re-derive a rule) and the display helpers."""
    predicates = {name: getattr(permissions, name) for name in dir(permissions) if name.startswith("can_")}
    return {
        **predicates,
        "status_labels": STATUS_LABELS,
        "report_labels": REPORT_LABELS,
        "format_value": format_value,
        "format_result": format_result,
        "programme_reference": programme_reference,
        "occasion_label": reporting.occasion_label,
    }


def _programme(programme_id: int) -> JointProgramme:
    programme = services.load(programme_id)
    if programme is None or not permissions.can_view(current_user, programme):
        abort(404)
    return programme


def _money_programme(programme_id: int) -> JointProgramme:
    programme = _programme(programme_id)
    if not permissions.can_manage_money(current_user):
        abort(403)
    return programme


def _framework_programme(programme_id: int) -> JointProgramme:
    programme = _programme(programme_id)
    if not permissions.can_edit_framework(current_user, programme):
        abort(403)
    return programme


def _report(report_id: int) -> ProgressReport:
    report = db.get_or_404(ProgressReport, report_id)
    _programme(report.programme_id)  # 404 for those who cannot see the programme
    if not permissions.can_view_report(current_user, report):
        abort(404)
    return report


def _back(programme: JointProgramme, anchor: str = "") -> str:
    return url_for("programmes.programme", programme_id=programme.id) + (f"#{anchor}" if anchor else "")


def _form_page(programme: JointProgramme, form: FlaskForm, heading: str, submit: str, intro: str = "") -> str:
    return render_template(
        "programmes/form.html", programme=programme, form=form, heading=heading, submit=submit, intro=intro
    )


# Portfolio ----------------------------------------------------------------------------------------


@bp.route("/programmes", endpoint="portfolio")
@role_required(*permissions.PORTFOLIO_ROLES)
def portfolio_page():
    filters = services.PortfolioFilters.from_args(request.args)
    page = services.portfolio_page(filters, current_user, query_args.page(), clock.today())
    return render_template("programmes/portfolio.html", filters=filters, **page)


@bp.route("/programmes.csv")
@role_required(*permissions.PORTFOLIO_ROLES)
def portfolio_csv():
    filters = services.PortfolioFilters.from_args(request.args)
    rows = services.portfolio_csv_rows(filters, current_user)
    return tabular.csv_response("joint-programmes.csv", services.PORTFOLIO_CSV_HEADER, rows)


# The programme page -------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>")
@role_required(*permissions.PORTFOLIO_ROLES)
def programme(programme_id: int):
    programme_ = _programme(programme_id)
    return render_template("programmes/programme.html", **services.programme_page(programme_, clock.today()))


@bp.route("/programmes/<int:programme_id>/dossier.zip")
@role_required(*permissions.PORTFOLIO_ROLES)
def dossier_zip(programme_id: int):
    """The programme's dossier for auditors and donors: what the requester may see, in one ZIP."""
    programme_ = services.load(programme_id)
    if programme_ is None or not permissions.can_download_dossier(current_user, programme_):
        abort(404)
    content = dossier.build(current_user, programme_)
    return Response(
        dossier.zip_bytes(content),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{content.filename}"'},
    )


# Money actions ------------------------------------------------------------------------------------


def _budget_saved(row: services.BudgetRow) -> str:
    return _(
        "Budget of %(organization)s saved: US$ %(direct)s direct + US$ %(indirect)s indirect support costs = "
        "US$ %(total)s.",
        organization=row.organisation.code,
        direct=amount(row.direct),
        indirect=amount(row.indirect),
        total=amount(row.total),
    )


@bp.route("/programmes/<int:programme_id>/budget", methods=["GET", "POST"])
@role_required(Role.secretariat)
def edit_budget(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = BudgetForm(programme=programme_)
    if request.method == "GET":
        form.prefill(request.args.get("organisation", ""))
    if form.validate_on_submit():
        with domain_errors(form, default=BudgetCategory.staff.value) as outcome:
            row = services.save_budget(current_user, programme_, form.organisation_id, form.amounts())
        if outcome.ok:
            flash(_budget_saved(row), "success")
            return redirect(_back(programme_, "budget"))
    rate = services.isc_rate()
    intro = _(
        "Direct costs per category; indirect support costs of %(rate)s%% are added to their total.",
        rate=decimal(rate * 100),
    )
    return _form_page(programme_, form, _("Budget by UN category"), _("Save budget"), intro)


@bp.route("/programmes/<int:programme_id>/tranches/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_tranche(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = TrancheForm(programme=programme_)
    if form.validate_on_submit():
        with domain_errors(form, default="amount") as outcome:
            services.plan_tranche(
                current_user,
                programme_,
                form.organisation_id,
                form.planned_on.data,
                form.amount.data,
                form.needs_report_approved.data,
                form.min_spent_percent.data,
            )
        if outcome.ok:
            flash(_("Tranche planned."), "success")
            return redirect(_back(programme_, "tranches"))
    return _form_page(programme_, form, _("Plan a tranche"), _("Plan tranche"))


def _release_intro(tranche: Tranche, blockers: list[str]) -> str:
    intro = _(
        "US$ %(amount)s to %(organization)s, planned for %(date)s.",
        amount=amount(tranche.amount),
        organization=tranche.organisation.code,
        date=long_date(tranche.planned_on),
    )
    if blockers:
        intro += " " + _(
            "Blocked: %(reasons)s As chair you may release it with a recorded justification.",
            reasons=" ".join(blockers),
        )
    return intro


@bp.route("/programmes/tranches/<int:tranche_id>/release", methods=["GET", "POST"])
@role_required(Role.secretariat, Role.committee_chair)
def release_tranche(tranche_id: int):
    tranche = db.get_or_404(Tranche, tranche_id)
    programme_ = _programme(tranche.programme_id)
    blockers = services.release_blockers(tranche, clock.today())
    if not permissions.can_release(current_user, blocked=bool(blockers)):
        abort(403)
    form = ReleaseForm(data={"released_on": clock.today()})
    if form.validate_on_submit():
        with domain_errors(form, default="justification") as outcome:
            services.release_tranche(current_user, tranche, form.released_on.data, form.justification.data or "")
        if isinstance(outcome.error, NotAllowed):
            abort(403)
        if outcome.ok:
            flash(
                _(
                    "US$ %(amount)s transferred to %(organization)s.",
                    amount=amount(tranche.amount),
                    organization=tranche.organisation.code,
                ),
                "success",
            )
            return redirect(_back(programme_, "tranches"))
    return _form_page(
        programme_, form, _("Release tranche"), _("Release and transfer"), _release_intro(tranche, blockers)
    )


@bp.route("/programmes/<int:programme_id>/expenditure", methods=["GET", "POST"])
@role_required(Role.secretariat)
def record_expenditure(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = ExpenditureForm(programme=programme_, data={"reported_on": clock.today(), "year": clock.today().year})
    if form.validate_on_submit():
        with domain_errors(form, default="amount") as outcome:
            services.record_expenditure(
                current_user,
                programme_,
                form.organisation_id,
                form.year.data,
                form.kind.data,
                form.amount.data,
                form.reported_on.data,
            )
        if outcome.ok:
            flash(_("Expenditure recorded."), "success")
            return redirect(_back(programme_, "expenditure"))
    intro = _("Interim figures any time; the certified final figure for a year is due by 30 April of the next year.")
    return _form_page(programme_, form, _("Record expenditure"), _("Record"), intro)


@bp.route("/programmes/<int:programme_id>/refund", methods=["GET", "POST"])
@role_required(Role.secretariat)
def record_refund(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = RefundForm(programme=programme_, data={"refunded_on": clock.today()})
    if form.validate_on_submit():
        with domain_errors(form, default="amount") as outcome:
            services.record_refund(
                current_user, programme_, form.organisation_id, form.amount.data, form.refunded_on.data
            )
        if outcome.ok:
            flash(_("Refund recorded."), "success")
            return redirect(_back(programme_, "money"))
    return _form_page(
        programme_, form, _("Record a refund"), _("Record refund"), _("An unspent balance returned to the fund.")
    )


@bp.route("/programmes/<int:programme_id>/close-operationally", methods=["GET", "POST"])
@role_required(Role.secretariat)
def close_operationally(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = CloseOperationallyForm()
    if form.validate_on_submit():
        with domain_errors(form, default="summary") as outcome:
            services.close_operationally(
                current_user, programme_, form.report_on.data, form.summary.data, clock.today()
            )
        if outcome.ok:
            flash(_("%(reference)s is operationally closed.", reference=programme_.reference), "success")
            return redirect(_back(programme_))
    intro = _("After the end date, on the final narrative report.")
    return _form_page(programme_, form, _("Close operationally"), _("Close operationally"), intro)


@bp.route("/programmes/<int:programme_id>/close-financially", methods=["GET", "POST"])
@role_required(Role.secretariat)
def close_financially(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = CloseFinanciallyForm()
    if form.validate_on_submit():
        with domain_errors(once=form) as outcome:
            services.close_financially(current_user, programme_, clock.today())
        if outcome.ok:
            flash(
                _(
                    "%(reference)s is financially closed: the ledger refuses any further money event.",
                    reference=programme_.reference,
                ),
                "success",
            )
            return redirect(_back(programme_))
    intro = _(
        "Every year's final expenditure must be certified and every unspent balance refunded. "
        "After closure no money event can touch the programme."
    )
    return _form_page(programme_, form, _("Close financially"), _("Close financially"), intro)


# The programme's results framework ------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/results/outcomes/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_outcome(programme_id: int):
    programme_ = _framework_programme(programme_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        with domain_errors(form, default="statement") as outcome:
            reporting.add_outcome(current_user, programme_, form.code.data, form.statement.data)
        if outcome.ok:
            flash(_("Outcome added."), "success")
            return redirect(_back(programme_, "results"))
    return _form_page(programme_, form, _("New outcome"), _("Add outcome"))


@bp.route("/programmes/<int:programme_id>/results/outputs/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_output(programme_id: int):
    programme_ = _framework_programme(programme_id)
    form = OutputForm(outcomes=reporting.framework(programme_.id))
    if form.validate_on_submit():
        parent = db.get_or_404(ProgrammeOutcome, form.outcome_id.data)  # one of the programme's (the choices)
        with domain_errors(form, default="statement") as outcome:
            reporting.add_output(current_user, parent, form.code.data, form.statement.data)
        if outcome.ok:
            flash(_("Output added."), "success")
            return redirect(_back(programme_, "results"))
    return _form_page(programme_, form, _("New output"), _("Add output"))


@bp.route("/programmes/<int:programme_id>/results/indicators/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_indicator(programme_id: int):
    programme_ = _framework_programme(programme_id)
    fund_indicators = reporting.linkable_fund_indicators(programme_)
    form = IndicatorForm(outcomes=reporting.framework(programme_.id), fund_indicators=fund_indicators)
    if form.validate_on_submit():
        with domain_errors(form, default="name") as outcome:
            reporting.add_indicator(current_user, programme_, form.indicator_input())
        if outcome.ok:
            flash(_("Indicator added."), "success")
            return redirect(_back(programme_, "results"))
    return _form_page(programme_, form, _("New indicator"), _("Add indicator"))


# Progress reports -----------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/reports/new", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def new_report(programme_id: int):
    programme_ = _programme(programme_id)
    if not permissions.can_start_report(current_user, programme_):
        abort(403)
    form = StartReportForm(periods=reporting.open_periods(programme_))
    if form.validate_on_submit():
        with domain_errors(form, default="period") as outcome:
            report_ = reporting.start_report(current_user, programme_, form.period.data)
        if outcome.ok:
            return redirect(url_for("programmes.edit_report", report_id=report_.id))
    return _form_page(programme_, form, _("Start a progress report"), _("Start report"))


@bp.route("/programmes/reports/<int:report_id>")
@role_required(*permissions.PORTFOLIO_ROLES)
def report(report_id: int):
    report_ = _report(report_id)
    return render_template("programmes/report.html", **reporting.report_page(report_), review_form=ReviewForm())


@bp.route("/programmes/reports/<int:report_id>/edit", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def edit_report(report_id: int):
    report_ = _report(report_id)
    if not permissions.can_edit_report(current_user, report_):
        abort(403)
    page = reporting.report_page(report_)
    form = ReportForm.for_report(report_, page["outcomes"], page["values"])
    if form.validate_on_submit():
        submit_on = clock.today() if "submit_report" in request.form else None
        with domain_errors(form) as outcome:
            refused = reporting.update_report(
                current_user, report_, form.narrative.data, form.challenges.data, form.values(), submit_on
            )
        if outcome.ok:
            return _report_saved(report_, refused)
    return render_template("programmes/report_form.html", **page, form=form)


def _report_saved(report_: ProgressReport, refused: str | None) -> ResponseReturnValue:
    """Back to the report once saved (and submitted); a refused submission stays on the form, the draft kept."""
    if refused:
        flash(_("Saved, not submitted: %(reason)s", reason=refused), "error")
        return redirect(url_for("programmes.edit_report", report_id=report_.id))
    flash(_("Report submitted to the secretariat.") if report_.status == SUBMITTED else _("Report saved."), "success")
    return redirect(url_for("programmes.report", report_id=report_.id))


@bp.route("/programmes/reports/<int:report_id>/review", methods=["POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def review_report(report_id: int):
    report_ = _report(report_id)
    if not permissions.can_review_report(current_user, report_):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    with domain_errors() as outcome:
        reporting.review_report(current_user, report_, approve, form.comment.data, clock.today())
    if outcome.ok:
        approved = report_.status == REPORT_APPROVED
        flash(
            _("Report approved: its period is locked.") if approved else _("Report returned to the focal points."),
            "success",
        )
    return redirect(url_for("programmes.report", report_id=report_.id))


# Alignment and the fund dashboards ------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/alignment", methods=["GET", "POST"])
@role_required(Role.secretariat)
def assess_alignment(programme_id: int):
    programme_ = _programme(programme_id)
    page = reporting.alignment_form_page(programme_)
    occasion = request.values.get("occasion", page["occasions"][-1][0])
    if occasion not in dict(page["occasions"]):
        abort(404)
    form = AlignmentForm.for_programme(page["markers"], page["indicators"], page["current"], page["self_assessment"])
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            row = reporting.assess_alignment(
                current_user, programme_, occasion, clock.today(), form.marker_scores(), form.indicator_values()
            )
        if outcome.ok:
            label = reporting.occasion_label(occasion).lower()
            flash(_("Alignment assessed (%(occasion)s): %(score)s/100.", occasion=label, score=row.overall), "success")
            return redirect(_back(programme_, "alignment"))
    return render_template("programmes/alignment_form.html", programme=programme_, form=form, occasion=occasion, **page)


@bp.route("/programmes/alignment")
@role_required(*permissions.PORTFOLIO_ROLES)
def alignment_dashboard():
    return render_template(
        "programmes/alignment_dashboard.html",
        **reporting.alignment_dashboard(query_args.page("flagged"), query_args.page("unassessed")),
    )


@bp.route("/programmes/results")
@role_required(*permissions.PORTFOLIO_ROLES)
def results_dashboard():
    return render_template("programmes/results_dashboard.html", areas=reporting.fund_dashboard())


# The discussion ------------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/discussion", methods=["GET", "POST"])
@role_required(*permissions.PORTFOLIO_ROLES)
def discussion(programme_id: int):
    """The programme's thread: its organizations and the secretariat write, the committee reads; donors and
    administrators, who see the programme, do not see its discussion (404)."""
    programme_ = _programme(programme_id)
    if not permissions.can_read_discussion(current_user, programme_):
        abort(404)
    form = MessageForm(answering=request.args.get("answer", type=int))
    if form.validate_on_submit():
        if not permissions.can_write_discussion(current_user, programme_):
            abort(403)
        with domain_errors(form, default="body") as outcome:
            message = services.post_message(
                current_user, programme_, form.body.data, form.is_question.data, form.answering
            )
        if outcome.ok:
            flash(discussions.posted_label(message), "success")
            return redirect(
                url_for("programmes.discussion", programme_id=programme_.id, _anchor=f"message-{message.id}")
            )
    page = services.discussion_page(programme_)
    return render_template("programmes/discussion.html", form=form, **page), (422 if form.errors else 200)
