"""Joint programme pages: the portfolio, a programme's page, and the secretariat's money actions."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from fundapp.concept_notes import permissions as note_permissions
from fundapp.concept_notes.models import ConceptNote
from fundapp.core import clock
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.forms import choices
from fundapp.core.permissions import Role, role_required
from fundapp.programmes import alignment, bp, dossier, permissions, portfolio, results, services
from fundapp.programmes.forms import (
    BudgetForm,
    CloseFinanciallyForm,
    CloseOperationallyForm,
    ExpenditureForm,
    RefundForm,
    ReleaseForm,
    TrancheForm,
)
from fundapp.programmes.models import BudgetCategory, JointProgramme, Tranche
from fundapp.programmes.workflow import PROGRAMME, STATUS_LABELS
from fundapp.results.rollup import format_value

PER_PAGE = 20


def _attach_errors(form: FlaskForm, exc: DomainError, default: str) -> None:
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or default: [exc.message]}
    for name, messages in errors.items():
        target = form[name] if name in form else form[default]
        target.errors = [*target.errors, *messages]


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


def _org_choices(programme: JointProgramme) -> list:
    """Participating organizations by code (stable in links and tests, unlike ids)."""
    return choices(
        (line.organisation.code, f"{line.organisation.code} {line.organisation.name}")
        for line in programme.document.budget_lines
    )


def _org_id(programme: JointProgramme, code: str) -> int:
    return next(line.organisation_id for line in programme.document.budget_lines if line.organisation.code == code)


def _back(programme: JointProgramme, anchor: str = "") -> str:
    return url_for("programmes.programme", programme_id=programme.id) + (f"#{anchor}" if anchor else "")


# Portfolio ----------------------------------------------------------------------------------------


@bp.route("/programmes", endpoint="portfolio")
@role_required(*permissions.PORTFOLIO_ROLES)
def portfolio_page():
    filters = portfolio.Filters.from_args(request.args)
    page = db.paginate(
        portfolio.with_details(portfolio.query(filters, current_user)),
        per_page=PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    return render_template(
        "programmes/portfolio.html",
        page=page,
        rows=portfolio.rows(list(page.items)),
        filters=filters,
        options=portfolio.filter_options(),
        overdue=results.overdue_counts([p.id for p in page.items], clock.today()),
        geography=portfolio.geography(filters, current_user),
        status_labels=STATUS_LABELS,
    )


@bp.route("/programmes.csv")
@role_required(*permissions.PORTFOLIO_ROLES)
def portfolio_csv():
    filters = portfolio.Filters.from_args(request.args)
    items = list(db.session.scalars(portfolio.with_details(portfolio.query(filters, current_user))))
    body = portfolio.to_csv(portfolio.rows(items))
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="joint-programmes.csv"'}
    )


# The programme page -------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>")
@role_required(*permissions.PORTFOLIO_ROLES)
def programme(programme_id: int):
    programme_ = _programme(programme_id)
    now = clock.today()
    flows = services.money_flows([programme_.id])[programme_.id]
    budget = services.budget(programme_)
    tranche_rows = [
        (t, [] if t.is_released else services.unmet_conditions(t, flows[t.organisation_id], now))
        for t in programme_.tranches
    ]
    note: ConceptNote = programme_.document.concept_note
    return render_template(
        "programmes/programme.html",
        programme=programme_,
        note=note,
        budget=budget,
        categories=list(BudgetCategory),
        flows=flows,
        total=services.programme_total(flows),
        tranche_rows=tranche_rows,
        expenditures=services.expenditure_reports(programme_.id),
        certifications=services.certifications(programme_, now),
        timeline=PROGRAMME.timeline(programme_.id),
        status_labels=STATUS_LABELS,
        today=now,
        can_open_note=note_permissions.can_view(current_user, note),
        can_download_dossier=dossier.can_download(current_user, programme_),
        can_manage=permissions.can_manage_money(current_user),
        can_release_blocked=permissions.can_release_blocked(current_user),
        outcomes=(outcomes := results.framework(programme_.id)),
        progress=results.programme_progress(programme_.id, outcomes),
        reporting=(reporting := results.reporting_status(programme_, now)),
        viewable={r.report.id for r in reporting if r.report and permissions.can_view_report(current_user, r.report)},
        can_edit_framework=permissions.can_edit_framework(current_user, programme_),
        can_start_report=permissions.can_start_report(current_user, programme_),
        format_value=format_value,
        alignment=(current_alignment := alignment.latest([programme_.id]).get(programme_.id)),
        alignment_chart=alignment.chart(current_alignment.principle_scores, alignment.principles())
        if current_alignment
        else None,
        alignment_history=alignment.history(programme_.id),
        self_assessment=alignment.self_assessment(note),
        occasion_label=alignment.occasion_label,
        closure_blockers=services.closure_blockers(programme_, now)
        if programme_.status == "operationally_closed"
        else [],
    )


# Money actions ------------------------------------------------------------------------------------


def _form_page(programme_: JointProgramme, form: FlaskForm, heading: str, submit: str, intro: str = ""):
    return render_template(
        "programmes/form.html", programme=programme_, form=form, heading=heading, submit=submit, intro=intro
    )


@bp.route("/programmes/<int:programme_id>/budget", methods=["GET", "POST"])
@role_required(Role.secretariat)
def edit_budget(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = BudgetForm()
    form.organisation.choices = _org_choices(programme_)
    if request.method == "GET":
        code = request.args.get("organisation", "")
        if code in {c.value for c in form.organisation.choices}:
            form.organisation.data = code
            org = _org_id(programme_, code)
            for item in programme_.budget_items:
                if item.organisation_id == org:
                    form[item.category.value].data = item.amount
    if form.validate_on_submit():
        amounts = {c.value: form[c.value].data for c in BudgetCategory}
        try:
            row = services.save_budget(current_user, programme_, _org_id(programme_, form.organisation.data), amounts)
        except DomainError as exc:
            _attach_errors(form, exc, BudgetCategory.staff.value)
        else:
            db.session.commit()
            flash(
                f"Budget of {row.organisation.code} saved: US$ {row.direct:,.2f} direct + US$ {row.indirect:,.2f} "
                f"indirect support costs = US$ {row.total:,.2f}.",
                "success",
            )
            return redirect(_back(programme_, "budget"))
    rate = services.isc_rate()
    return _form_page(
        programme_,
        form,
        "Budget by UN category",
        "Save budget",
        f"Direct costs per category; indirect support costs of {rate * 100:.2f}% are added to their total.",
    )


@bp.route("/programmes/<int:programme_id>/tranches/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_tranche(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = TrancheForm()
    form.organisation.choices = _org_choices(programme_)
    if form.validate_on_submit():
        try:
            services.plan_tranche(
                current_user,
                programme_,
                _org_id(programme_, form.organisation.data),
                form.planned_on.data,
                form.amount.data,
                form.needs_report_approved.data,
                form.min_spent_percent.data,
            )
        except DomainError as exc:
            _attach_errors(form, exc, "amount")
        else:
            db.session.commit()
            flash("Tranche planned.", "success")
            return redirect(_back(programme_, "tranches"))
    return _form_page(programme_, form, "Plan a tranche", "Plan tranche")


@bp.route("/programmes/tranches/<int:tranche_id>/release", methods=["GET", "POST"])
@role_required(Role.secretariat, Role.committee_chair)
def release_tranche(tranche_id: int):
    tranche = db.session.get(Tranche, tranche_id)
    if tranche is None:
        abort(404)
    programme_ = _programme(tranche.programme_id)
    now = clock.today()
    flow = services.money_flows([programme_.id])[programme_.id][tranche.organisation_id]
    unmet = [] if tranche.is_released else services.unmet_conditions(tranche, flow, now)
    if unmet and not permissions.can_release_blocked(current_user):
        abort(403)
    if not unmet and not permissions.can_manage_money(current_user):
        abort(403)
    form = ReleaseForm()
    if request.method == "GET":
        form.released_on.data = now
    if form.validate_on_submit():
        try:
            services.release_tranche(current_user, tranche, form.released_on.data, form.justification.data or "")
        except NotAllowed:
            abort(403)
        except DomainError as exc:
            _attach_errors(form, exc, "justification")
        else:
            db.session.commit()
            flash(f"US$ {tranche.amount:,.2f} transferred to {tranche.organisation.code}.", "success")
            return redirect(_back(programme_, "tranches"))
    intro = f"US$ {tranche.amount:,.2f} to {tranche.organisation.code}, planned for {tranche.planned_on:%d %B %Y}."
    if unmet:
        intro += " Blocked: " + " ".join(unmet) + " As chair you may release it with a recorded justification."
    return _form_page(programme_, form, "Release tranche", "Release and transfer", intro)


@bp.route("/programmes/<int:programme_id>/expenditure", methods=["GET", "POST"])
@role_required(Role.secretariat)
def record_expenditure(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = ExpenditureForm()
    form.organisation.choices = _org_choices(programme_)
    if request.method == "GET":
        form.reported_on.data = clock.today()
        form.year.data = clock.today().year
    if form.validate_on_submit():
        try:
            services.record_expenditure(
                current_user,
                programme_,
                _org_id(programme_, form.organisation.data),
                form.year.data,
                form.kind.data,
                form.amount.data,
                form.reported_on.data,
            )
        except DomainError as exc:
            _attach_errors(form, exc, "amount")
        else:
            db.session.commit()
            flash("Expenditure recorded.", "success")
            return redirect(_back(programme_, "expenditure"))
    return _form_page(
        programme_,
        form,
        "Record expenditure",
        "Record",
        "Interim figures any time; the certified final figure for a year is due by 30 April of the next year.",
    )


@bp.route("/programmes/<int:programme_id>/refund", methods=["GET", "POST"])
@role_required(Role.secretariat)
def record_refund(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = RefundForm()
    form.organisation.choices = _org_choices(programme_)
    if request.method == "GET":
        form.refunded_on.data = clock.today()
    if form.validate_on_submit():
        try:
            services.record_refund(
                current_user,
                programme_,
                _org_id(programme_, form.organisation.data),
                form.amount.data,
                form.refunded_on.data,
            )
        except DomainError as exc:
            _attach_errors(form, exc, "amount")
        else:
            db.session.commit()
            flash("Refund recorded.", "success")
            return redirect(_back(programme_, "money"))
    return _form_page(programme_, form, "Record a refund", "Record refund", "An unspent balance returned to the fund.")


@bp.route("/programmes/<int:programme_id>/close-operationally", methods=["GET", "POST"])
@role_required(Role.secretariat)
def close_operationally(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = CloseOperationallyForm()
    if form.validate_on_submit():
        try:
            services.close_operationally(
                current_user, programme_, form.report_on.data, form.summary.data, clock.today()
            )
        except DomainError as exc:
            _attach_errors(form, exc, "summary")
        else:
            db.session.commit()
            flash(f"{programme_.reference} is operationally closed.", "success")
            return redirect(_back(programme_))
    return _form_page(
        programme_,
        form,
        "Close operationally",
        "Close operationally",
        "After the end date, on the final narrative report.",
    )


@bp.route("/programmes/<int:programme_id>/close-financially", methods=["GET", "POST"])
@role_required(Role.secretariat)
def close_financially(programme_id: int):
    programme_ = _money_programme(programme_id)
    form = CloseFinanciallyForm()
    if form.validate_on_submit():
        try:
            services.close_financially(current_user, programme_, clock.today())
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                f"{programme_.reference} is financially closed: the ledger refuses any further money event.", "success"
            )
            return redirect(_back(programme_))
    return _form_page(
        programme_,
        form,
        "Close financially",
        "Close financially",
        "Every year's final expenditure must be certified and every unspent balance refunded. "
        "After closure no money event can touch the programme.",
    )


# Programme dossier ------------------------------------------------------------------------------------


@bp.route("/programmes/<int:programme_id>/dossier.zip")
@role_required(*permissions.PORTFOLIO_ROLES)
def dossier_zip(programme_id: int):
    """The programme's dossier for auditors and donors: what the requester may see, in one ZIP."""
    programme_ = services.load(programme_id)
    if programme_ is None or not dossier.can_download(current_user, programme_):
        abort(404)
    content = dossier.build(current_user, programme_)
    stamp = programme_.document.approved_at or programme_.approved_on
    return Response(
        dossier.zip_bytes(content, stamp),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{content.filename}"'},
    )
