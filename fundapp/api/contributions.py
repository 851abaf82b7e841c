"""JSON API for contributions: the public funding status and contributors' totals, and a donor's own records.

The donor endpoints take a personal API token and see exactly what the pages show the token's user:
the secretariat every donor, a donor user their own; another donor's agreement, deposit or report is 404.
"""

from datetime import date

import sqlalchemy as sa
from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy.orm import joinedload

from fundapp.api import bp
from fundapp.api.auth import DEFAULT_PER_PAGE, MAX_PER_PAGE, choice_arg, date_arg, int_arg, paginate, token_required
from fundapp.contributions import ledger, permissions, services
from fundapp.contributions.models import Agreement, AgreementStatus, Deposit, Donor
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.money import money_str
from fundapp.core.permissions import Role

VIEWERS = (Role.secretariat, Role.donor)


def _deposit_json(d: Deposit) -> dict:
    return {
        "id": d.id,
        "agreement": d.agreement.reference,
        "donor": d.donor.name,
        "deposited_on": d.deposited_on.isoformat(),
        "amount": money_str(d.amount),
        "currency": d.currency,
        "rate": f"{d.rate}",
        "amount_usd": money_str(d.amount_usd),
        "fee_usd": money_str(d.fee_usd),
        "is_overpayment": d.is_overpayment,
    }


def _agreement_json(row: services.AgreementRow) -> dict:
    agreement = row.agreement
    return {
        "id": agreement.id,
        "reference": agreement.reference,
        "donor": agreement.donor.name,
        "signed_on": agreement.signed_on.isoformat(),
        "committed_amount": money_str(agreement.committed_amount),
        "currency": agreement.currency,
        "earmark": agreement.thematic_area.code if agreement.thematic_area else None,
        "status": row.status.value,
        "paid": money_str(row.paid),
        "paid_usd": money_str(row.paid_usd),
        "outstanding": money_str(row.outstanding),
        "commitment_usd": money_str(row.commitment_usd),
    }


def _visible_donor_ids() -> sa.Select | None:
    """None: every donor (secretariat); otherwise the donors of the user's organisation."""
    if current_user.has_role(Role.secretariat):
        return None
    return sa.select(Donor.id).where(Donor.organisation_id == current_user.organisation_id)


@bp.route("/funding-status")
def funding_status():
    """Public: the GATEWAY funding status statement as of a date (default today)."""
    as_of = date_arg("as_of", clock.today())
    return jsonify(ledger.funding_status(as_of).as_json())


@bp.route("/contributors")
def contributors():
    """Public: per donor, the commitments and deposits in USD (the capitalization page's table)."""
    cap = services.capitalization()
    return jsonify(
        {
            "target_usd": money_str(cap.target_usd),
            "commitments_usd": money_str(cap.commitments_usd),
            "deposits_usd": money_str(cap.deposits_usd),
            "contributors": [
                {"donor": name, "commitments_usd": money_str(committed), "deposits_usd": money_str(deposited)}
                for name, committed, deposited in cap.by_donor
            ],
        }
    )


@bp.route("/contributions/agreements")
@token_required(*VIEWERS)
def agreements():
    """The agreements the user may see, oldest first; filter by donor (id) and status."""
    donor_id = int_arg("donor", minimum=1)
    status = choice_arg("status", [s.value for s in AgreementStatus])
    scope = _visible_donor_ids()
    visible = None if scope is None else set(db.session.scalars(scope))
    rows = [
        r
        for r in services.agreement_rows(donor_id)
        if (visible is None or r.agreement.donor_id in visible) and (status is None or r.status.value == status)
    ]
    page, meta = _paginate_list(rows)
    return jsonify({"data": [_agreement_json(r) for r in page], "meta": meta})


def _paginate_list(items: list) -> tuple[list, dict[str, int]]:
    page = int_arg("page", 1, minimum=1)
    per_page = min(int_arg("per_page", DEFAULT_PER_PAGE, minimum=1), MAX_PER_PAGE)
    total = len(items)
    start = (page - 1) * per_page
    return items[start : start + per_page], {
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": -(-total // per_page),
    }


@bp.route("/contributions/agreements/<int:agreement_id>")
@token_required(*VIEWERS)
def agreement(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    if not permissions.can_view_agreement(current_user, agreement):
        abort(404)
    row = next(r for r in services.agreement_rows(agreement.donor_id) if r.agreement.id == agreement.id)
    deposits = db.session.scalars(
        db.select(Deposit).where(Deposit.agreement_id == agreement.id).order_by(Deposit.deposited_on, Deposit.id)
    ).all()
    return jsonify(_agreement_json(row) | {"deposits": [_deposit_json(d) for d in deposits]})


@bp.route("/contributions/deposits")
@token_required(*VIEWERS)
def deposits():
    """The deposits the user may see, newest first; filter by donor, agreement and a date range."""
    query = (
        sa.select(Deposit)
        .options(joinedload(Deposit.agreement), joinedload(Deposit.donor).joinedload(Donor.organisation))
        .order_by(Deposit.deposited_on.desc(), Deposit.id.desc())
    )
    scope = _visible_donor_ids()
    if scope is not None:
        query = query.where(Deposit.donor_id.in_(scope))
    if donor_id := int_arg("donor", minimum=1):
        query = query.where(Deposit.donor_id == donor_id)
    if agreement_id := int_arg("agreement", minimum=1):
        query = query.where(Deposit.agreement_id == agreement_id)
    if date_from := date_arg("from"):
        query = query.where(Deposit.deposited_on >= date_from)
    if date_to := date_arg("to"):
        query = query.where(Deposit.deposited_on <= date_to)
    items, meta = paginate(query)
    return jsonify({"data": [_deposit_json(d) for d in items], "meta": meta})


@bp.route("/contributions/deposits/<int:deposit_id>")
@token_required(*VIEWERS)
def deposit(deposit_id: int):
    deposit = db.get_or_404(Deposit, deposit_id)
    if not permissions.can_view_deposit(current_user, deposit):
        abort(404)
    return jsonify(_deposit_json(deposit))


@bp.route("/contributions/donors/<int:donor_id>/report")
@token_required(*VIEWERS)
def report(donor_id: int):
    donor = db.get_or_404(Donor, donor_id)
    if not permissions.can_view_donor(current_user, donor):
        abort(404)
    date_from = date_arg("from", date(2019, 1, 1))
    date_to = date_arg("to", clock.today())
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
