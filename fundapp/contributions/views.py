"""Pages: donors and agreements, deposits, exchange rates, ledger, funding status, capitalization,
the donor portal and contribution reports."""

import csv
import io
from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from fundapp.auth.models import Organisation, OrganisationType
from fundapp.contributions import bp, charts, ledger, permissions, services
from fundapp.contributions.forms import (
    AgreementForm,
    DepositForm,
    DonorForm,
    PostingForm,
    RateForm,
    ReverseForm,
    UploadForm,
)
from fundapp.contributions.models import Agreement, Deposit, Donor, EntryKind, ExchangeRate, LedgerEntry
from fundapp.contributions.pdf import contribution_report_pdf
from fundapp.core import clock
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.permissions import Role, role_required
from fundapp.reference.models import Country
from fundapp.reference.services import get_fund, thematic_areas


def _parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{name} must be a date written YYYY-MM-DD, not {value!r}.")


def _visible_donor(donor_id: int) -> Donor:
    donor = db.get_or_404(Donor, donor_id)
    if not permissions.can_view_donor(current_user, donor):
        abort(404)
    return donor


def _field_error(form, exc: DomainError, default: str) -> None:
    field = getattr(form, exc.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, exc.message]


# Donors and agreements ----------------------------------------------------------------------------


@bp.route("/donors")
@role_required(Role.secretariat)
def donors():
    rows = services.agreement_rows()
    totals = services.deposits_by_donor()
    all_donors = list(db.session.scalars(sa.select(Donor).join(Donor.organisation).order_by(Organisation.name)))
    by_donor: dict[int, list] = {d.id: [] for d in all_donors}
    for row in rows:
        by_donor[row.agreement.donor_id].append(row)
    return render_template(
        "contributions/donors.html",
        donors=all_donors,
        by_donor=by_donor,
        totals=totals,
        deposit_kind=EntryKind.deposit,
    )


@bp.route("/donors.csv")
@role_required(Role.secretariat)
def donors_csv():
    """The donors page's agreements table, one row per agreement."""
    from fundapp.core.tabular import csv_response

    rows = (
        [
            r.agreement.donor.name,
            r.agreement.donor.organisation.code,
            r.agreement.reference,
            r.agreement.signed_on,
            r.agreement.thematic_area.code if r.agreement.thematic_area else "unearmarked",
            r.agreement.currency,
            r.agreement.committed_amount,
            r.paid,
            r.outstanding,
            r.paid_usd,
            r.commitment_usd,
            r.status.value,
        ]
        for r in services.agreement_rows()
    )
    header = [
        "donor", "donor_code", "agreement", "signed_on", "earmark", "currency", "committed", "paid", "outstanding",
        "paid_usd", "commitment_usd", "status",
    ]  # fmt: skip
    return csv_response("agreements.csv", header, rows)


@bp.route("/donors/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_donor():
    taken = sa.select(Donor.organisation_id)
    orgs = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.type == OrganisationType.donor, Organisation.is_active, Organisation.id.not_in(taken))
        .order_by(Organisation.name)
    ).all()
    countries = db.session.execute(sa.select(Country.code, Country.name).order_by(Country.name)).all()
    form = DonorForm(
        organisation_choices=[(o.id, f"{o.name} ({o.code})") for o in orgs],
        country_choices=[(c.code, c.name) for c in countries],
    )
    if form.validate_on_submit():
        try:
            donor = services.create_donor(
                current_user,
                db.session.get(Organisation, form.organisation_id.data),
                form.donor_type.data,
                form.country_code.data or None,
            )
        except DomainError as exc:
            _field_error(form, exc, "organisation_id")
        else:
            db.session.commit()
            flash(f"{donor.name} is now a contributor.", "success")
            return redirect(url_for("contributions.donor", donor_id=donor.id))
    return render_template("contributions/donor_form.html", form=form, has_choices=bool(orgs))


@bp.route("/donors/<int:donor_id>")
@role_required(Role.secretariat, Role.donor)
def donor(donor_id: int):
    donor = _visible_donor(donor_id)
    if not current_user.has_role(Role.secretariat):
        return redirect(url_for("contributions.portal"))
    figures = services.donor_figures(donor)
    page = db.paginate(
        sa.select(Deposit)
        .options(joinedload(Deposit.agreement))
        .where(Deposit.donor_id == donor.id)
        .order_by(Deposit.deposited_on.desc(), Deposit.id.desc()),
        per_page=25,
        max_per_page=100,
        error_out=False,
    )
    return render_template(
        "contributions/donor.html",
        donor=donor,
        figures=figures,
        page=page,
        reversed_ids=_reversed_among([d.id for d in page.items]),
    )


def _reversed_among(deposit_ids: list[int]) -> set[int]:
    if not deposit_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(LedgerEntry.deposit_id).where(
                LedgerEntry.kind == EntryKind.reversal,
                LedgerEntry.category == EntryKind.deposit,
                LedgerEntry.deposit_id.in_(deposit_ids),
            )
        )
    )


@bp.route("/donors/<int:donor_id>/agreements/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_agreement(donor_id: int):
    donor = db.get_or_404(Donor, donor_id)
    form = AgreementForm(area_choices=[(a.id, f"{a.code} {a.name}") for a in thematic_areas()])
    if form.validate_on_submit():
        try:
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
        except DomainError as exc:
            _field_error(form, exc, "reference")
        else:
            db.session.commit()
            flash(f"Agreement {agreement.reference} recorded.", "success")
            return redirect(url_for("contributions.agreement", agreement_id=agreement.id))
    return render_template("contributions/agreement_form.html", form=form, donor=donor)


@bp.route("/agreements/<int:agreement_id>")
@role_required(Role.secretariat, Role.donor)
def agreement(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    if not permissions.can_view_agreement(current_user, agreement):
        abort(404)
    deposits = db.session.scalars(
        sa.select(Deposit).where(Deposit.agreement_id == agreement.id).order_by(Deposit.deposited_on, Deposit.id)
    ).all()
    paid, paid_usd = services.paid_by_agreement([agreement.id]).get(agreement.id, (ledger.ZERO, ledger.ZERO))
    return render_template(
        "contributions/agreement.html",
        agreement=agreement,
        deposits=deposits,
        paid=paid,
        paid_usd=paid_usd,
        status=services.agreement_status(agreement.committed_amount, paid),
        reversed_ids=_reversed_among([d.id for d in deposits]),
        can_manage=permissions.can_manage(current_user),
    )


# Deposits ---------------------------------------------------------------------------------------


@bp.route("/agreements/<int:agreement_id>/deposits/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_deposit(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    form = DepositForm()
    if form.validate_on_submit():
        try:
            deposit = services.record_deposit(
                current_user,
                agreement,
                form.amount.data,
                form.deposited_on.data,
                confirm_overpayment=form.confirm_overpayment.data,
                note=form.note.data,
            )
        except DomainError as exc:
            _field_error(form, exc, "amount")
        else:
            db.session.commit()
            flash(
                f"Deposit of {deposit.currency} {deposit.amount:,.2f} recorded: US$ {deposit.amount_usd:,.2f} "
                f"at {deposit.rate}, fee US$ {deposit.fee_usd:,.2f}.",
                "success",
            )
            return redirect(url_for("contributions.deposit", deposit_id=deposit.id))
    paid, _usd = services.paid_by_agreement([agreement.id]).get(agreement.id, (ledger.ZERO, ledger.ZERO))
    return render_template("contributions/deposit_form.html", form=form, agreement=agreement, paid=paid)


@bp.route("/deposits/<int:deposit_id>")
@role_required(Role.secretariat, Role.donor)
def deposit(deposit_id: int):
    deposit = db.get_or_404(Deposit, deposit_id)
    if not permissions.can_view_deposit(current_user, deposit):
        abort(404)
    entries = db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.deposit_id == deposit.id).order_by(LedgerEntry.id)
    ).all()
    return render_template(
        "contributions/deposit.html",
        deposit=deposit,
        entries=entries,
        is_reversed=any(e.kind is EntryKind.reversal for e in entries),
        can_manage=permissions.can_manage(current_user),
        form=ReverseForm(),
    )


@bp.route("/deposits/<int:deposit_id>/reverse", methods=["POST"])
@role_required(Role.secretariat)
def reverse_deposit(deposit_id: int):
    deposit = db.get_or_404(Deposit, deposit_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash("Say why the deposit is reversed.", "error")
        return redirect(url_for("contributions.deposit", deposit_id=deposit.id))
    try:
        services.reverse_deposit(current_user, deposit, form.reason.data, clock.today())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("Deposit reversed in the ledger.", "success")
    return redirect(url_for("contributions.deposit", deposit_id=deposit.id))


@bp.route("/deposits/import", methods=["GET", "POST"])
@role_required(Role.secretariat)
def import_deposits():
    form = UploadForm()
    problems: list[tuple[int, str]] = []
    if form.validate_on_submit():
        try:
            imported = services.import_deposits(current_user, form.file.data.read())
        except services.ImportFailed as exc:
            db.session.rollback()
            problems = exc.rows
        except DomainError as exc:
            db.session.rollback()
            problems = [(0, exc.message)]
        else:
            db.session.commit()
            flash(f"{len(imported)} deposit(s) imported.", "success")
            return redirect(url_for("contributions.ledger_entries", kind="deposit"))
    status = 422 if problems else 200
    return render_template("contributions/import.html", form=form, problems=problems), status


# Exchange rates ---------------------------------------------------------------------------------


@bp.route("/rates", methods=["GET", "POST"])
@role_required(Role.secretariat)
def rates():
    form = RateForm()
    upload = UploadForm(prefix="upload")
    if form.validate_on_submit():
        try:
            month = date.fromisoformat(f"{form.month.data}-01")
        except ValueError:
            form.month.errors = ["Write the month as YYYY-MM."]
        else:
            try:
                row = services.set_rate(current_user, form.currency.data, month, form.rate.data)
            except DomainError as exc:
                _field_error(form, exc, "rate")
            else:
                db.session.commit()
                flash(f"Rate for {row.currency} in {services.month_label(row.month)} saved: {row.rate}.", "success")
                return redirect(url_for("contributions.rates", currency=row.currency))
    currency = request.args.get("currency", "").strip().upper()
    query = sa.select(ExchangeRate)
    if currency:
        query = query.where(ExchangeRate.currency == currency)
    page = db.paginate(
        query.order_by(ExchangeRate.month.desc(), ExchangeRate.currency), per_page=50, max_per_page=200, error_out=False
    )
    currencies = db.session.scalars(sa.select(ExchangeRate.currency).distinct().order_by(ExchangeRate.currency)).all()
    return render_template(
        "contributions/rates.html", form=form, upload=upload, page=page, currency=currency, currencies=currencies
    )


@bp.route("/rates/upload", methods=["POST"])
@role_required(Role.secretariat)
def upload_rates():
    upload = UploadForm(prefix="upload")
    if not upload.validate_on_submit():
        flash("Choose a CSV file with the columns currency, month, rate.", "error")
        return redirect(url_for("contributions.rates"))
    try:
        count = services.import_rates(current_user, upload.file.data.read())
    except services.ImportFailed as exc:
        db.session.rollback()
        for line, reason in exc.rows:
            flash(f"Line {line}: {reason}", "error")
        flash("Nothing was imported.", "error")
    else:
        db.session.commit()
        flash(f"{count} rate(s) saved.", "success")
    return redirect(url_for("contributions.rates"))


# Ledger -----------------------------------------------------------------------------------------


def _ledger_query() -> tuple[sa.Select, str, str]:
    """The ledger page's filtered select, newest first (the page and its CSV)."""
    kind = request.args.get("kind", "")
    area = request.args.get("pool", "")
    query = sa.select(LedgerEntry).options(
        joinedload(LedgerEntry.thematic_area), joinedload(LedgerEntry.donor), joinedload(LedgerEntry.organisation)
    )
    if kind in EntryKind.__members__:
        query = query.where(LedgerEntry.kind == EntryKind(kind))
    if area == "unearmarked":
        query = query.where(LedgerEntry.thematic_area_id.is_(None))
    elif area.isdigit():
        query = query.where(LedgerEntry.thematic_area_id == int(area))
    return query.order_by(LedgerEntry.entry_on.desc(), LedgerEntry.id.desc()), kind, area


@bp.route("/ledger.csv")
@role_required(Role.secretariat)
def ledger_csv():
    from fundapp.core.tabular import csv_response

    query, _kind, _area = _ledger_query()
    rows = (
        [
            e.id,
            e.entry_on,
            e.kind.value,
            e.category.value,
            e.amount_usd,
            e.thematic_area.code if e.thematic_area else "unearmarked",
            e.donor.name if e.donor else "",
            e.agreement_id,
            e.deposit_id,
            e.organisation.code if e.organisation else "",
            e.programme_id,
            e.reversal_of_id,
            e.description,
        ]
        for e in db.session.scalars(query)
    )
    header = [
        "id", "entry_on", "kind", "category", "amount_usd", "pool", "donor", "agreement_id", "deposit_id",
        "organisation", "programme_id", "reversal_of_id", "description",
    ]  # fmt: skip
    return csv_response("fund-ledger.csv", header, rows)


@bp.route("/ledger")
@role_required(Role.secretariat)
def ledger_entries():
    query, kind, area = _ledger_query()
    page = db.paginate(
        query,
        per_page=50,
        max_per_page=200,
        error_out=False,
    )
    reversed_ids = set(
        db.session.scalars(
            sa.select(LedgerEntry.reversal_of_id).where(LedgerEntry.reversal_of_id.in_([e.id for e in page.items]))
        )
    )
    areas = thematic_areas()
    return render_template(
        "contributions/ledger.html",
        page=page,
        kinds=list(EntryKind),
        kind=kind,
        pool=area,
        areas=areas,
        pools=ledger.pool_balances(areas=areas),
        reversed_ids=reversed_ids,
        form=ReverseForm(),
    )


@bp.route("/ledger/new", methods=["GET", "POST"])
@role_required(Role.secretariat)
def new_posting():
    orgs = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.type == OrganisationType.un_entity, Organisation.is_active)
        .order_by(Organisation.name)
    ).all()
    form = PostingForm(organisation_choices=[(o.id, o.name) for o in orgs])
    if form.validate_on_submit():
        try:
            if form.kind.data == "interest":
                ledger.post_interest(
                    current_user, form.amount.data, form.entry_on.data, form.organisation_id.data, form.description.data
                )
            elif form.kind.data == "direct_cost":
                ledger.post_direct_cost(current_user, form.amount.data, form.entry_on.data, form.description.data)
            else:
                ledger.post_bank_charge(current_user, form.amount.data, form.entry_on.data, form.description.data)
        except DomainError as exc:
            _field_error(form, exc, "amount")
        else:
            db.session.commit()
            flash("Posted to the ledger.", "success")
            return redirect(url_for("contributions.ledger_entries"))
    return render_template("contributions/posting_form.html", form=form)


@bp.route("/ledger/<int:entry_id>/reverse", methods=["POST"])
@role_required(Role.secretariat)
def reverse_entry(entry_id: int):
    entry = db.get_or_404(LedgerEntry, entry_id)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash("Say why the entry is reversed.", "error")
        return redirect(url_for("contributions.ledger_entries"))
    try:
        ledger.reverse_entry(current_user, entry, form.reason.data, clock.today())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Entry #{entry.id} reversed.", "success")
    return redirect(url_for("contributions.ledger_entries"))


# Funding status, capitalization -----------------------------------------------------------------


@bp.route("/funding-status")
@role_required(*permissions.STATEMENT_ROLES)
def funding_status():
    as_of = _parse_date(request.args.get("as_of"), "as_of") or clock.today()
    areas = thematic_areas()
    return render_template(
        "contributions/funding_status.html",
        status=ledger.funding_status(as_of),
        pools=ledger.pool_balances(as_of, areas=areas),
        as_of=as_of,
    )


@bp.route("/funding-status.csv")
@role_required(*permissions.STATEMENT_ROLES)
def funding_status_csv():
    as_of = _parse_date(request.args.get("as_of"), "as_of") or clock.today()
    status = ledger.funding_status(as_of)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"Funding status as of {as_of.isoformat()}", "USD"])
    for section, rows in status.sections():
        writer.writerow([section, ""])
        for label, value, kind in rows:
            writer.writerow([label, "" if value is None else f"{value:.2f}" + ("%" if kind == "percent" else "")])
    body = out.getvalue()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="funding-status-{as_of.isoformat()}.csv"'},
    )


@bp.route("/funding-status.xlsx")
@role_required(*permissions.STATEMENT_ROLES)
def funding_status_xlsx():
    """The page's statement and pools as a workbook (fundapp/contributions/sheets.py)."""
    from fundapp.contributions import sheets
    from fundapp.core import tabular

    as_of = _parse_date(request.args.get("as_of"), "as_of") or clock.today()
    sheets = sheets.funding_status_sheets(
        ledger.funding_status(as_of), ledger.pool_balances(as_of, areas=thematic_areas())
    )
    return tabular.xlsx_response(f"funding-status-{as_of.isoformat()}.xlsx", sheets)


@bp.route("/capitalization")
@role_required(*permissions.STATEMENT_ROLES)
def capitalization():
    cap = services.capitalization()
    return render_template(
        "contributions/capitalization.html",
        cap=cap,
        chart=charts.cumulative_by_donor(cap.monthly, cap.target_usd, "Cumulative deposits by donor"),
    )


# Donor portal and contribution reports ----------------------------------------------------------


@bp.route("/my")
@role_required(Role.donor)
def portal():
    donor = services.donor_for_user(current_user)
    if donor is None:
        return render_template("contributions/portal_none.html")
    figures = services.donor_figures(donor)
    page = db.paginate(
        sa.select(Deposit)
        .options(joinedload(Deposit.agreement))
        .where(Deposit.donor_id == donor.id)
        .order_by(Deposit.deposited_on.desc(), Deposit.id.desc()),
        per_page=25,
        max_per_page=100,
        error_out=False,
    )
    return render_template(
        "contributions/portal.html",
        donor=donor,
        figures=figures,
        page=page,
        reversed_ids=_reversed_among([d.id for d in page.items]),
        programme_label=services.programme_label,
    )


def _report_period() -> tuple[date, date]:
    fund = get_fund()
    default_from = (fund.established_on if fund and fund.established_on else date(2019, 1, 1)).replace(day=1)
    date_from = _parse_date(request.args.get("from"), "from") or default_from
    date_to = _parse_date(request.args.get("to"), "to") or clock.today()
    if date_to < date_from:
        abort(400, "The end of the period is before its start.")
    return date_from, date_to


@bp.route("/donors/<int:donor_id>/report")
@role_required(Role.secretariat, Role.donor)
def report(donor_id: int):
    donor = _visible_donor(donor_id)
    date_from, date_to = _report_period()
    report = services.contribution_report(donor, date_from, date_to)
    return render_template(
        "contributions/report.html",
        report=report,
        programme_label=services.programme_label,
        chart=charts.bars_by_year(report.by_year, "Deposits by year, US$, to the end of the period"),
    )


@bp.route("/donors/<int:donor_id>/report.pdf")
@role_required(Role.secretariat, Role.donor)
def report_pdf(donor_id: int):
    donor = _visible_donor(donor_id)
    date_from, date_to = _report_period()
    pdf = contribution_report_pdf(services.contribution_report(donor, date_from, date_to))
    name = f"contribution-report-{donor.organisation.code}-{date_from.isoformat()}-{date_to.isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/donors/<int:donor_id>/report.csv")
@role_required(Role.secretariat, Role.donor)
def report_csv(donor_id: int):
    donor = _visible_donor(donor_id)
    date_from, date_to = _report_period()
    body = services.report_csv(services.contribution_report(donor, date_from, date_to))
    name = f"contribution-report-{donor.organisation.code}-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/donors/<int:donor_id>/report.xlsx")
@role_required(Role.secretariat, Role.donor)
def report_xlsx(donor_id: int):
    from fundapp.contributions import sheets
    from fundapp.core import tabular

    donor = _visible_donor(donor_id)
    date_from, date_to = _report_period()
    sheets = sheets.contribution_report_sheets(services.contribution_report(donor, date_from, date_to))
    name = f"contribution-report-{donor.organisation.code}-{date_from.isoformat()}-{date_to.isoformat()}.xlsx"
    return tabular.xlsx_response(name, sheets)
