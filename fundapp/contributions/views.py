"""Pages: donors and agreements, deposits, exchange rates, ledger, funding status, capitalization,
the donor portal and contribution reports.

Each view loads, checks, validates, calls one service and responds; the edge (core.edge) commits. The
queries are services' (services.py, ledger.py); the downloads' layouts are in sheets.py.
"""

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fundapp.auth.models import Organisation
from fundapp.contributions import bp, charts, ledger, periods, permissions, services, sheets
from fundapp.contributions.forms import (
    AgreementForm,
    CloseMonthForm,
    DepositForm,
    DonorForm,
    PostingForm,
    RateForm,
    ReopenMonthForm,
    ReverseForm,
    UploadForm,
)
from fundapp.contributions.models import Agreement, Deposit, Donor, EntryKind, LedgerEntry
from fundapp.contributions.pdf import contribution_report_pdf
from fundapp.core import args as query_args
from fundapp.core import clock
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, _, _n, force_locale
from fundapp.core.permissions import Role, role_required
from fundapp.core.tabular import csv_response, xlsx_response
from fundapp.reference.services import country_choices, thematic_areas


@bp.context_processor
def inject_permissions() -> dict:
    """The predicates templates ask before showing an action (never re-deriving a rule), and the entry kinds."""
    return {
        "can_manage": permissions.can_manage,
        "can_reverse_deposit": permissions.can_reverse_deposit,
        "can_reverse_entry": permissions.can_reverse_entry,
        "can_close_period": permissions.can_close_period,
        "can_reopen_period": permissions.can_reopen_period,
        "EntryKind": EntryKind,
        "month_label": ledger.month_label,
        # Attribution rows name each programme by its one reference, with its concept note: 'JP-0007 (CN-0037) …'.
        "programme_label": services.programme_label,
    }


def _parse_date(name: str) -> date | None:
    return query_args.date_value(name)


def _as_of() -> date:
    return _parse_date("as_of") or clock.today()


def _page() -> int:
    return query_args.page()


def _visible_donor(donor_id: int) -> Donor:
    donor = db.get_or_404(Donor, donor_id)
    if not permissions.can_view_donor(current_user, donor):
        abort(404)
    return donor


# Donors and agreements ----------------------------------------------------------------------------


@bp.route("/donors")
@role_required(Role.secretariat)
def donors():
    return render_template("contributions/donors.html", page=services.donor_list(_page()))


@bp.route("/donors.csv")
@role_required(Role.secretariat)
def donors_csv():
    """The donors page's agreements table, one row per agreement."""
    return csv_response("agreements.csv", *sheets.agreements_table(services.agreement_rows()))


@bp.route("/donors/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_donor():
    organisations = services.donor_organisation_choices()
    form = DonorForm(organisation_choices=organisations, country_choices=country_choices())
    if form.validate_on_submit():
        organisation = db.get_or_404(Organisation, form.organisation_id.data)
        with domain_errors(form, default="organisation_id") as outcome:
            donor = services.create_donor(
                current_user, organisation, form.donor_type.data, form.country_code.data or None
            )
        if outcome.ok:
            flash(_("%(donor)s is now a contributor.", donor=donor.name), "success")
            return redirect(url_for("contributions.donor", donor_id=donor.id))
    return render_template("contributions/donor_form.html", form=form, has_choices=bool(organisations))


@bp.route("/donors/<int:donor_id>")
@role_required(Role.secretariat, Role.donor)
def donor(donor_id: int):
    donor = _visible_donor(donor_id)
    if not permissions.can_manage(current_user):
        return redirect(url_for("contributions.portal"))
    data = services.donor_page(donor, _page(), uses_page=query_args.page("uses"))
    return render_template(
        "contributions/donor.html",
        donor=donor,
        figures=data.figures,
        page=data.deposits,
        reversed_ids=data.reversed_ids,
        uses=data.uses,
    )


@bp.route("/donors/<int:donor_id>/agreements/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_agreement(donor_id: int):
    donor = db.get_or_404(Donor, donor_id)
    form = AgreementForm(area_choices=[(a.id, a.label) for a in thematic_areas()])
    if form.validate_on_submit():
        with domain_errors(form, default="reference") as outcome:
            agreement = services.create_agreement(
                current_user,
                donor,
                form.reference.data,
                form.signed_on.data,
                form.committed_amount.data,
                form.currency.data,
                form.thematic_area_id.data,
                services.parse_schedule(form.schedule.data),
                form.notes.data,
            )
        if outcome.ok:
            flash(_("Agreement %(reference)s recorded.", reference=agreement.reference), "success")
            return redirect(url_for("contributions.agreement", agreement_id=agreement.id))
    return render_template("contributions/agreement_form.html", form=form, donor=donor)


@bp.route("/agreements/<int:agreement_id>")
@role_required(Role.secretariat, Role.donor)
def agreement(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    if not permissions.can_view_agreement(current_user, agreement):
        abort(404)
    detail = services.agreement_detail(agreement)
    return render_template(
        "contributions/agreement.html",
        agreement=agreement,
        deposits=detail.deposits,
        reversed_ids=detail.reversed_ids,
        paid=detail.paid,
        paid_usd=detail.paid_usd,
        status=detail.status,
        schedule=detail.schedule,
    )


# Deposits ---------------------------------------------------------------------------------------


def _deposit_recorded(deposit: Deposit) -> str:
    return _(
        "Deposit of %(currency)s %(amount)s recorded: US$ %(usd)s at %(rate)s, fee US$ %(fee)s.",
        currency=deposit.currency,
        amount=ledger.usd(deposit.amount),
        usd=ledger.usd(deposit.amount_usd),
        rate=ledger.shown("rate", deposit.rate),
        fee=ledger.usd(deposit.fee_usd),
    )


@bp.route("/agreements/<int:agreement_id>/deposits/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_deposit(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    form = DepositForm()
    if form.validate_on_submit():
        with domain_errors(form, default="amount") as outcome:
            deposit = services.record_deposit(
                current_user,
                agreement,
                form.amount.data,
                form.deposited_on.data,
                confirm_overpayment=form.confirm_overpayment.data,
                note=form.note.data,
                reference=form.reference.data or "",
            )
        if outcome.ok:
            flash(_deposit_recorded(deposit), "success")
            return redirect(url_for("contributions.deposit", deposit_id=deposit.id))
    paid, _usd = services.paid_to_date(agreement)
    return render_template("contributions/deposit_form.html", form=form, agreement=agreement, paid=paid)


@bp.route("/deposits/<int:deposit_id>")
@role_required(Role.secretariat, Role.donor)
def deposit(deposit_id: int):
    deposit = db.get_or_404(Deposit, deposit_id)
    if not permissions.can_view_deposit(current_user, deposit):
        abort(404)
    detail = services.deposit_detail(deposit)
    return render_template("contributions/deposit.html", deposit=deposit, detail=detail, form=ReverseForm())


@bp.route("/deposits/<int:deposit_id>/reverse", methods=["POST"])
@role_required(Role.secretariat)
def reverse_deposit(deposit_id: int):
    deposit = db.get_or_404(Deposit, deposit_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(_("Say why the deposit is reversed."), "error")
        return redirect(url_for("contributions.deposit", deposit_id=deposit_id))
    with domain_errors(once=form) as outcome:
        services.reverse_deposit(current_user, deposit, form.reason.data, clock.today())
    if outcome.ok:
        flash(_("Deposit reversed in the ledger."), "success")
    return redirect(url_for("contributions.deposit", deposit_id=deposit_id))


@bp.route("/deposits/import", methods=["GET", "POST"])
@role_required(Role.secretariat)
def import_deposits():
    """All or nothing: a bad row's line and reason show next to the file field, and nothing is recorded."""
    form = UploadForm()
    if form.validate_on_submit():
        with domain_errors(form, default="file") as outcome:
            imported = services.import_deposits(current_user, form.file.data.read())
        if outcome.ok:
            flash(_n("%(num)d deposit(s) imported.", "%(num)d deposit(s) imported.", len(imported)), "success")
            return redirect(url_for("contributions.ledger_entries", kind="deposit"))
        return render_template("contributions/import.html", form=form), 422
    return render_template("contributions/import.html", form=form)


# Exchange rates ---------------------------------------------------------------------------------


def _rate_saved(row) -> str:
    return _(
        "Rate for %(currency)s in %(month)s saved: %(rate)s.",
        currency=row.currency,
        month=services.month_label(row.month),
        rate=ledger.shown("rate", row.rate),
    )


@bp.route("/rates", methods=["GET", "POST"])
@role_required(Role.secretariat)
def rates():
    form = RateForm()
    if form.validate_on_submit():
        with domain_errors(form, default="rate") as outcome:
            row = services.set_rate(current_user, form.currency.data, form.first_day, form.rate.data)
        if outcome.ok:
            flash(_rate_saved(row), "success")
            return redirect(url_for("contributions.rates", currency=row.currency))
    currency = query_args.text("currency", max_length=3).upper()
    data = services.rates_page(currency, _page())
    return render_template(
        "contributions/rates.html",
        form=form,
        upload=UploadForm(prefix="upload"),
        page=data.rates,
        currency=currency,
        currencies=data.currencies,
    )


@bp.route("/rates/upload", methods=["POST"])
@role_required(Role.secretariat)
def upload_rates():
    upload = UploadForm(prefix="upload")
    if not upload.validate_on_submit():
        flash(_("Choose a CSV file with the columns currency, month, rate."), "error")
        return redirect(url_for("contributions.rates"))
    with domain_errors(once=upload) as outcome:
        count = services.import_rates(current_user, upload.file.data.read())
    if outcome.ok:
        flash(_n("%(num)d rate(s) saved.", "%(num)d rate(s) saved.", count), "success")
    return redirect(url_for("contributions.rates"))


# Ledger -----------------------------------------------------------------------------------------


@bp.route("/ledger.csv")
@role_required(Role.secretariat)
def ledger_csv():
    """The ledger page's entries with the page's filters, every page of them."""
    entries = ledger.ledger_csv_entries(ledger.LedgerFilter.from_args(request.args))
    return csv_response("fund-ledger.csv", *sheets.ledger_table(entries))


@bp.route("/ledger")
@role_required(Role.secretariat)
def ledger_entries():
    filters = ledger.LedgerFilter.from_args(request.args)
    data = ledger.ledger_page(filters, _page())
    return render_template(
        "contributions/ledger.html",
        page=data.entries,
        kinds=list(EntryKind),
        kind=filters.kind,
        pool=filters.pool,
        areas=data.areas,
        pools=data.pools,
        reversed_ids=data.reversed_ids,
    )


@bp.route("/ledger/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_posting():
    form = PostingForm(organisation_choices=services.un_entity_choices())
    if form.validate_on_submit():
        with domain_errors(form, default="amount") as outcome:
            ledger.post_by_hand(
                current_user,
                form.kind.data,
                form.amount.data,
                form.entry_on.data,
                form.organisation_id.data,
                form.description.data,
            )
        if outcome.ok:
            flash(_("Posted to the ledger."), "success")
            return redirect(url_for("contributions.ledger_entries"))
    return render_template("contributions/posting_form.html", form=form)


@bp.route("/ledger/<int:entry_id>/reverse", methods=["POST"])
@role_required(Role.secretariat)
def reverse_entry(entry_id: int):
    entry = db.get_or_404(LedgerEntry, entry_id)
    if not permissions.can_reverse_entry(current_user, entry):
        abort(403)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(_("Say why the entry is reversed."), "error")
        return redirect(url_for("contributions.ledger_entries"))
    with domain_errors(once=form) as outcome:
        ledger.reverse_entry(current_user, entry, form.reason.data, clock.today())
    if outcome.ok:
        flash(_("Entry #%(id)s reversed.", id=entry_id), "success")
    return redirect(url_for("contributions.ledger_entries"))


# Accounting periods -------------------------------------------------------------------------------


def _month(text: str) -> date:
    month = periods.parse_month(text)
    if month is None:
        abort(404)
    return month


def _month_page(month: date, close_form: CloseMonthForm, reopen_form: ReopenMonthForm) -> str:
    data = periods.month_page(month, clock.today())
    return render_template("contributions/period.html", data=data, form=close_form, reopen_form=reopen_form)


@bp.route("/periods")
@role_required(*permissions.PERIOD_ROLES)
def periods_list():
    data = periods.periods_page(query_args.integer("page", None, 1, query_args.MAX_PAGE), clock.today())
    return render_template("contributions/periods.html", data=data)


@bp.route("/periods/<month>")
@role_required(*permissions.PERIOD_ROLES)
def period(month: str):
    """A month's figures and what changed since the last close; the secretariat closes it from here."""
    return _month_page(_month(month), CloseMonthForm(), ReopenMonthForm())


@bp.route("/periods/<month>/close", methods=["POST"])
@role_required(Role.secretariat)
def close_period(month: str):
    day = _month(month)
    form = CloseMonthForm()
    if form.validate_on_submit():
        with domain_errors(form, default="reconciled") as outcome:
            periods.close_period(current_user, day, clock.today())
        if outcome.ok:
            flash(
                _(
                    "%(month)s is closed: its figures are stored and no posting can be dated in it.",
                    month=ledger.month_label(day),
                ),
                "success",
            )
            return redirect(url_for("contributions.period", month=month))
    return _month_page(day, form, ReopenMonthForm()), 422


@bp.route("/periods/<month>/reopen", methods=["POST"])
@role_required(Role.admin)
def reopen_period(month: str):
    day = _month(month)
    form = ReopenMonthForm()
    if form.validate_on_submit():
        with domain_errors(form, default="reason") as outcome:
            periods.reopen_period(current_user, day, form.reason.data)
        if outcome.ok:
            flash(
                _("%(month)s is open again; the Fund Management Unit has been told.", month=ledger.month_label(day)),
                "success",
            )
            return redirect(url_for("contributions.period", month=month))
    return _month_page(day, CloseMonthForm(), form), 422


# Funding status, capitalization -----------------------------------------------------------------


@bp.route("/funding-status")
@role_required(*permissions.STATEMENT_ROLES)
def funding_status():
    as_of = _as_of()
    statement = ledger.statement(as_of)
    return render_template(
        "contributions/funding_status.html", status=statement.status, pools=statement.pools, as_of=as_of
    )


@bp.route("/funding-status.csv")
@role_required(*permissions.STATEMENT_ROLES)
def funding_status_csv():
    as_of = _as_of()
    with force_locale(DEFAULT_LANGUAGE):  # exports keep English labels, like their headers
        table = sheets.funding_status_table(ledger.funding_status(as_of))
    return csv_response(f"funding-status-{as_of.isoformat()}.csv", *table)


@bp.route("/funding-status.xlsx")
@role_required(*permissions.STATEMENT_ROLES)
def funding_status_xlsx():
    """The page's statement and pools as a workbook (fundapp/contributions/sheets.py)."""
    as_of = _as_of()
    with force_locale(DEFAULT_LANGUAGE):
        workbook = sheets.funding_status_sheets(ledger.statement(as_of))
    return xlsx_response(f"funding-status-{as_of.isoformat()}.xlsx", workbook)


@bp.route("/capitalization")
@role_required(*permissions.STATEMENT_ROLES)
def capitalization():
    cap = services.capitalization_page(_page())
    return render_template(
        "contributions/capitalization.html",
        cap=cap,
        chart=charts.cumulative_by_donor(cap.monthly, cap.target_usd, _("Cumulative deposits by donor")),
    )


# Donor portal and contribution reports ----------------------------------------------------------


@bp.route("/my")
@role_required(Role.donor)
def portal():
    donor = services.donor_for_user(current_user)
    if donor is None:
        return render_template("contributions/portal_none.html")
    data = services.donor_page(donor, _page(), uses_page=query_args.page("uses"))
    return render_template(
        "contributions/portal.html",
        donor=donor,
        figures=data.figures,
        page=data.deposits,
        reversed_ids=data.reversed_ids,
        uses=data.uses,
    )


def _report(donor_id: int) -> services.ContributionReport:
    """The report a donor may see, for the period the query string asks (from the fund's start to today)."""
    donor = _visible_donor(donor_id)
    date_from = _parse_date("from") or services.report_start()
    date_to = _parse_date("to") or clock.today()
    if date_to < date_from:
        abort(400, _("The end of the period is before its start."))
    return services.contribution_report(donor, date_from, date_to)


def _report_filename(report: services.ContributionReport, extension: str) -> str:
    period = f"{report.date_from.isoformat()}-{report.date_to.isoformat()}"
    return f"contribution-report-{report.donor.organisation.code}-{period}.{extension}"


@bp.route("/donors/<int:donor_id>/report")
@role_required(Role.secretariat, Role.donor)
def report(donor_id: int):
    report = _report(donor_id)
    return render_template(
        "contributions/report.html",
        report=report,
        uses=services.attribution_page(report.figures.attribution, query_args.page("uses")),
        chart=charts.bars_by_year(report.by_year, _("Deposits by year, US$, to the end of the period")),
    )


@bp.route("/donors/<int:donor_id>/report.pdf")
@role_required(Role.secretariat, Role.donor)
def report_pdf(donor_id: int):
    report = _report(donor_id)
    return Response(
        contribution_report_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_report_filename(report, "pdf")}"'},
    )


@bp.route("/donors/<int:donor_id>/report.csv")
@role_required(Role.secretariat, Role.donor)
def report_csv(donor_id: int):
    """The report's figures as CSV, every free-text cell (names, references) through the safe writer."""
    with force_locale(DEFAULT_LANGUAGE):
        report = _report(donor_id)
        table = sheets.contribution_report_table(report)
    return csv_response(_report_filename(report, "csv"), *table)


@bp.route("/donors/<int:donor_id>/report.xlsx")
@role_required(Role.secretariat, Role.donor)
def report_xlsx(donor_id: int):
    with force_locale(DEFAULT_LANGUAGE):
        report = _report(donor_id)
        workbook = sheets.contribution_report_sheets(report)
    return xlsx_response(_report_filename(report, "xlsx"), workbook)
