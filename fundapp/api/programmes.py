"""Public JSON API for funded joint programmes: the transparency page's list and programme pages as data.

Public fields only (fundapp/reports/transparency.py builds them): no score, vote, draft or person.
"""

from flask import abort, jsonify, request, url_for

from fundapp.api import bp
from fundapp.api.auth import DEFAULT_PER_PAGE, MAX_PER_PAGE, int_arg
from fundapp.core.money import money_str
from fundapp.reports import transparency
from fundapp.reports.transparency import ProgrammeFilters, PublicProgramme

#: Longest filter value accepted (codes are short); longer is 400.
MAX_FILTER = 40


def _code_arg(name: str) -> str | None:
    value = request.args.get(name)
    if value is None or not value.strip():
        return None
    if len(value) > MAX_FILTER:
        abort(400, f"{name} must be a code of at most {MAX_FILTER} characters.")
    # No code holds a control character: drop them (PostgreSQL refuses NUL in a parameter) and match nothing.
    cleaned = "".join(ch for ch in value if ord(ch) >= 32)
    return cleaned.strip() if cleaned == value else "\u2400"


def _programme_json(p: PublicProgramme) -> dict:
    budgets = dict(p.budget_by_organisation)
    return {
        "id": p.id,
        "reference": p.reference,
        "title": p.title,
        "thematic_area": {"code": p.area_code, "name": p.area_name},
        "countries": [{"code": code, "name": name} for code, name in p.countries],
        "region": p.region,
        "lead_organization": p.lead,
        "participating_organizations": [
            {"code": code, "name": name, "budget_usd": money_str(budgets[name]) if name in budgets else None}
            for code, name in p.organisations
        ],
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat(),
        "budget_usd": money_str(p.budget),
        "allocated_usd": money_str(p.money.allocated),
        "transferred_usd": money_str(p.money.transferred),
        "refunded_usd": money_str(p.money.refunded),
        "expenditure_usd": money_str(p.money.expenditure),
        "gender_marker": p.gender_marker,
        "page_url": url_for("transparency.programme", programme_id=p.id),
    }


@bp.route("/programmes")
def programmes():
    """Public: funded joint programmes, newest start first; filters as the transparency page."""
    filters = ProgrammeFilters(
        area=_code_arg("area"),
        region=_code_arg("region"),
        organisation=_code_arg("organisation"),
        country=(_code_arg("country") or "").upper() or None,
    )
    page = int_arg("page", 1, minimum=1)
    per_page = min(int_arg("per_page", DEFAULT_PER_PAGE, minimum=1), MAX_PER_PAGE)
    items, pagination = transparency.paginate_programmes(filters, page, per_page, MAX_PER_PAGE)
    return jsonify(
        {
            "data": [_programme_json(p) for p in items],
            "meta": {"page": page, "per_page": per_page, "total": pagination.total or 0, "pages": pagination.pages},
        }
    )


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    """Public: one funded joint programme with its summary, objectives and money movements."""
    item = transparency.get_programme(programme_id)
    if item is None:
        abort(404)
    return jsonify(
        _programme_json(item)
        | {
            "summary": item.summary,
            "objectives": [number for number, _title in item.objectives],
            "transactions": [
                {"date": day.isoformat(), "kind": kind, "organization": org, "amount_usd": money_str(amount)}
                for day, kind, org, amount in transparency.programme_transactions(item.id)
            ],
        }
    )
