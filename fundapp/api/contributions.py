"""JSON API for contributions: the public funding status, and a donor's own records.

The donor endpoints authenticate like the pages (the signed-in session) and see exactly what the
pages show: another donor's agreement, deposit or report is 404.
"""

from datetime import date

from flask import abort, jsonify, request
from flask_login import current_user

from fundapp.api import bp
from fundapp.contributions import ledger, permissions, services
from fundapp.contributions.models import Agreement, Deposit, Donor
from fundapp.core.money import money_str
from fundapp.core.permissions import Role
from fundapp.extensions import db


def _date_arg(name: str, default: date | None = None) -> date | None:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{name} must be a date written YYYY-MM-DD, not {value!r}.")


def _require_viewer() -> None:
    if not current_user.is_authenticated:
        abort(401, "Sign in first.")
    if not current_user.has_any_role(Role.secretariat, Role.donor):
        abort(403, "Only the secretariat and donors see contribution records.")


def _deposit_json(d: Deposit) -> dict:
    return {
        "id": d.id,
        "agreement": d.agreement.reference,
        "deposited_on": d.deposited_on.isoformat(),
        "amount": money_str(d.amount),
        "currency": d.currency,
        "rate": f"{d.rate}",
        "amount_usd": money_str(d.amount_usd),
        "fee_usd": money_str(d.fee_usd),
        "is_overpayment": d.is_overpayment,
    }


@bp.route("/funding-status")
def funding_status():
    """Public: the GATEWAY funding status statement as of a date (default today)."""
    as_of = _date_arg("as_of", services.today())
    return jsonify(ledger.funding_status(as_of).as_json())


@bp.route("/contributions/agreements/<int:agreement_id>")
def agreement(agreement_id: int):
    _require_viewer()
    agreement = db.get_or_404(Agreement, agreement_id)
    if not permissions.can_view_agreement(current_user, agreement):
        abort(404)
    paid, paid_usd = services.paid_by_agreement([agreement.id]).get(agreement.id, (ledger.ZERO, ledger.ZERO))
    deposits = db.session.scalars(
        db.select(Deposit).where(Deposit.agreement_id == agreement.id).order_by(Deposit.deposited_on, Deposit.id)
    ).all()
    return jsonify(
        {
            "id": agreement.id,
            "reference": agreement.reference,
            "donor": agreement.donor.name,
            "signed_on": agreement.signed_on.isoformat(),
            "committed_amount": money_str(agreement.committed_amount),
            "currency": agreement.currency,
            "earmark": agreement.thematic_area.code if agreement.thematic_area else None,
            "status": services.agreement_status(agreement.committed_amount, paid).value,
            "paid": money_str(paid),
            "paid_usd": money_str(paid_usd),
            "deposits": [_deposit_json(d) for d in deposits],
        }
    )


@bp.route("/contributions/deposits/<int:deposit_id>")
def deposit(deposit_id: int):
    _require_viewer()
    deposit = db.get_or_404(Deposit, deposit_id)
    if not permissions.can_view_deposit(current_user, deposit):
        abort(404)
    return jsonify(_deposit_json(deposit))


@bp.route("/contributions/donors/<int:donor_id>/report")
def report(donor_id: int):
    _require_viewer()
    donor = db.get_or_404(Donor, donor_id)
    if not permissions.can_view_donor(current_user, donor):
        abort(404)
    date_from = _date_arg("from", date(2019, 1, 1))
    date_to = _date_arg("to", services.today())
    report = services.contribution_report(donor, date_from, date_to)
    figures = report.figures
    return jsonify(
        {
            "donor": donor.name,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "deposits": [_deposit_json(d) | {"reversed": d.id in report.reversed_ids} for d in report.deposits],
            "period_deposits_usd": money_str(report.period_deposits_usd),
            "period_fees_usd": money_str(report.period_fees_usd),
            "period_net_usd": money_str(report.period_net_usd),
            "cumulative_deposits_usd": money_str(figures.deposits_usd),
            "share_of_all_deposits_percent": None if figures.share_percent is None else f"{figures.share_percent:.2f}",
            "attribution": [
                {
                    "pool": r.pool,
                    "programme_id": r.programme_id,
                    "allocated_from_pool_usd": money_str(r.pool_allocated),
                    "attributed_usd": money_str(r.attributed),
                }
                for r in figures.attribution
            ],
            "attributed_usd": money_str(figures.attributed_usd),
        }
    )
