"""The endpoints of the JSON API v1: public figures, the account, concept notes, contributions, programmes.

Each view parses its arguments (a malformed value is 400), loads and checks the object (one the token's user
may not see is 404, as on the pages), calls one service and answers JSON. Queries live in api/services.py and
the domains' services.

- Concept notes have the pages' scopes: applicants see every note of their organisation, drafts included;
  the secretariat and the committee the notes submitted at least once. Screening comments, scores and
  votes are not part of this API.
- Contributions: the funding status and the contributors' totals are public; agreements, deposits and a
  donor's report take a token and show what the pages show its user (the secretariat every donor, a donor
  user their own).
- Programmes are public: the transparency page's list and programme pages as data, public fields only
  (fundapp/reports/transparency.py builds them): no score, vote, draft or person.
"""

from datetime import date

from flask import Response, abort, jsonify, render_template, send_file, stream_with_context, url_for
from flask_login import current_user

from fundapp.api import bp, openapi, services
from fundapp.api.auth import (
    MAX_PER_PAGE,
    choice_arg,
    date_arg,
    int_arg,
    page_args,
    page_meta,
    text_arg,
    token_required,
)
from fundapp.concept_notes import permissions as note_permissions
from fundapp.concept_notes import services as note_services
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import STATUS_LABELS
from fundapp.contributions import ledger
from fundapp.contributions import permissions as contribution_permissions
from fundapp.contributions import services as contribution_services
from fundapp.contributions.models import Agreement, AgreementStatus, Deposit, Donor
from fundapp.core import cache as public_cache
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, force_locale
from fundapp.core.money import money_str
from fundapp.core.permissions import Role
from fundapp.reports import iati as iati_export
from fundapp.reports import transparency
from fundapp.reports.transparency import ProgrammeFilters, PublicProgramme

#: Who reads concept notes through the API: applicants (their organisation's) and the list pages' roles.
NOTE_READERS = (Role.applicant, *note_permissions.LIST_ROLES)
#: Who reads agreements, deposits and donor reports: the secretariat, and donors (their own).
CONTRIBUTION_VIEWERS = (Role.secretariat, Role.donor)
NARRATIVE = (
    "government_partners",
    "context",
    "theory_of_change",
    "expected_results",
    "target_groups",
    "stakeholder_participation",
    "government_engagement",
    "sustainability",
)
#: Longest programme filter value accepted (codes are short); longer is 400.
MAX_FILTER = 40
#: The donor report's default start: before the fund's first agreement.
REPORT_FROM = date(2019, 1, 1)


# Public and account endpoints, the OpenAPI document and its documentation page ------------------------------


@bp.route("/summary")
def summary():
    """Public: the fund, its thematic areas with their objectives, the guiding principles."""
    return jsonify(public_cache.cached("api.summary", services.public_summary))


@bp.route("/me")
@token_required()
def me():
    """The account the token belongs to: a client checks its token with this."""
    return jsonify(
        {
            "email": current_user.email,
            "name": current_user.name,
            "organisation": current_user.organisation.code,
            "roles": sorted(current_user.role_names),
        }
    )


@bp.route("/openapi.json")
def openapi_json():
    """Public: the OpenAPI 3.1 document of this API."""
    return jsonify(openapi.document(list(STATUS_LABELS)))


@bp.route("/docs")
def docs():
    """Public: the document as a readable page (server-rendered, no script)."""
    document = openapi.document(list(STATUS_LABELS))
    return render_template(
        "api/docs.html",
        document=document,
        by_tag=openapi.operations_by_tag(document),
        schema_name=openapi.schema_name,
    )


@bp.route("/iati.xml")
def iati():
    """Public: the IATI 2.03 activity file of the fund (fundapp/reports/iati.py): the kept file while the records
    have not changed, else streamed an activity at a time (and kept)."""
    name = f"{iati_export.fund_identifier()}.xml"
    kept = iati_export.open_published()
    if kept is not None:
        return send_file(kept.file, "application/xml", download_name=name, etag=kept.etag, last_modified=kept.modified)
    response = Response(stream_with_context(iati_export.stream_published()), mimetype="application/xml")
    response.headers.set("Content-Disposition", "inline", filename=name)  # quoted as send_file quotes it
    return response


# Concept notes -------------------------------------------------------------------------------------------


def _note_json(note: ConceptNote) -> dict:
    return {
        "id": note.id,
        "reference": note.reference,
        "title": note.title,
        "status": note.status,
        "call": {"id": note.call.id, "title": note.call.title},
        "lead_organisation": note.organisation.code,
        "participants": [
            {
                "organisation": p.organisation.code,
                "is_lead": p.is_lead,
                "direct_costs": money_str(p.direct_costs),
                "indirect_costs": money_str(p.indirect_costs),
                "currency": p.currency,
            }
            for p in note.participants
        ],
        "thematic_area": note.thematic_area.code if note.thematic_area else None,
        "objectives": [o.number for o in note.objectives],
        "scope": note.scope.value if note.scope else None,
        "countries": [c.code for c in note.countries],
        "duration_months": note.duration_months,
        "direct_costs": money_str(note.direct_costs_total),
        "indirect_costs": money_str(note.indirect_costs_total),
        "budget": money_str(note.budget_total),
        "currency": note.currency,
        "gender_budget_share_percent": None if note.gender_budget_share is None else f"{note.gender_budget_share:.2f}",
        "first_submitted_on": note.first_submitted_on.isoformat() if note.first_submitted_on else None,
        "last_submitted_on": note.last_submitted_on.isoformat() if note.last_submitted_on else None,
        "version_count": note.version_count,
    }


def _note_filters() -> note_services.NoteFilters:
    """The list pages' filters; a malformed value is 400 rather than silently ignored."""
    return note_services.NoteFilters(
        call_id=int_arg("call", minimum=1),
        status=choice_arg("status", list(STATUS_LABELS)),
        thematic_area_id=int_arg("area", minimum=1),
        region=text_arg("region"),
        country=(text_arg("country") or "").upper() or None,
        organisation_id=int_arg("organisation", minimum=1),
        q=text_arg("q") or "",
        sort=choice_arg("sort", list(note_services.SORTS), "submitted"),
        direction=choice_arg("dir", ["asc", "desc"], "desc"),
    )


@bp.route("/concept-notes")
@token_required(*NOTE_READERS)
def concept_notes():
    pagination = services.concept_notes(current_user, _note_filters(), *page_args())
    return jsonify({"data": [_note_json(n) for n in pagination.items], "meta": page_meta(pagination)})


@bp.route("/concept-notes/<int:note_id>")
@token_required(*NOTE_READERS)
def concept_note(note_id: int):
    note = db.get_or_404(ConceptNote, note_id)
    if not note_permissions.can_view(current_user, note):
        abort(404)
    body = _note_json(note) | {name: getattr(note, name) for name in NARRATIVE}
    body["principles"] = [{"code": s.principle.code, "text": s.text} for s in note.principles]
    return jsonify(body)


# Contributions -------------------------------------------------------------------------------------------


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


def _agreement_json(row: contribution_services.AgreementRow) -> dict:
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


def _report_json(report: contribution_services.ContributionReport) -> dict:
    figures = report.figures
    return {
        "donor": report.donor.name,
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
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


@bp.route("/funding-status")
def funding_status():
    """Public: the GATEWAY funding status statement as of a date (default today)."""
    as_of = date_arg("as_of", clock.today())
    # Fund-wide sums over the ledger, the same for every reader: kept until the records change (core.cache).
    return jsonify(public_cache.cached(("api.funding-status", as_of), lambda: ledger.funding_status(as_of).as_json()))


@bp.route("/contributors")
def contributors():
    """Public: the totals, and per donor, a page at a time, the commitments and deposits in USD (the
    capitalization page's table), paginated in SQL; each page kept in the public cache while the records hold."""
    page, per_page = page_args()

    def listed() -> dict:
        rows, pagination = transparency.contributors(page, per_page)
        return {
            "contributors": [
                {"donor": name, "commitments_usd": money_str(committed), "deposits_usd": money_str(deposited)}
                for name, committed, deposited in rows
            ],
            "meta": page_meta(pagination),
        }

    def totals_and_page() -> dict:  # the totals are shared by every page
        return public_cache.cached("api.contributors.totals", services.contribution_totals) | listed()

    return jsonify(public_cache.cached(("api.contributors", page, per_page), totals_and_page))


@bp.route("/organizations")
def organizations():
    """Public: per participating organization, allocations (its budget share of each programme's), transfers,
    refunds and expenditure (the transparency page's table), kept in the public cache while the records hold."""
    return jsonify(public_cache.cached("api.organizations", services.organization_totals))


@bp.route("/contributions/agreements")
@token_required(*CONTRIBUTION_VIEWERS)
def agreements():
    """The agreements the user may see, oldest first; filter by donor (id) and status."""
    donor_id = int_arg("donor", minimum=1)
    status = choice_arg("status", [s.value for s in AgreementStatus])
    pagination = services.agreements(current_user, donor_id, status, *page_args())
    return jsonify({"data": [_agreement_json(r) for r in pagination.items], "meta": page_meta(pagination)})


@bp.route("/contributions/agreements/<int:agreement_id>")
@token_required(*CONTRIBUTION_VIEWERS)
def agreement(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    if not contribution_permissions.can_view_agreement(current_user, agreement):
        abort(404)
    row, deposits = services.agreement_detail(agreement)
    return jsonify(_agreement_json(row) | {"deposits": [_deposit_json(d) for d in deposits]})


@bp.route("/contributions/deposits")
@token_required(*CONTRIBUTION_VIEWERS)
def deposits():
    """The deposits the user may see, newest first; filter by donor, agreement and a date range."""
    filters = services.DepositFilters(
        donor_id=int_arg("donor", minimum=1),
        agreement_id=int_arg("agreement", minimum=1),
        date_from=date_arg("from"),
        date_to=date_arg("to"),
    )
    pagination = services.deposits(current_user, filters, *page_args())
    return jsonify({"data": [_deposit_json(d) for d in pagination.items], "meta": page_meta(pagination)})


@bp.route("/contributions/deposits/<int:deposit_id>")
@token_required(*CONTRIBUTION_VIEWERS)
def deposit(deposit_id: int):
    deposit = db.get_or_404(Deposit, deposit_id)
    if not contribution_permissions.can_view_deposit(current_user, deposit):
        abort(404)
    return jsonify(_deposit_json(deposit))


@bp.route("/contributions/donors/<int:donor_id>/report")
@token_required(*CONTRIBUTION_VIEWERS)
def report(donor_id: int):
    """A donor's contribution report for a period (default from the fund's start to today)."""
    donor = db.get_or_404(Donor, donor_id)
    if not contribution_permissions.can_view_donor(current_user, donor):
        abort(404)
    date_from = date_arg("from", REPORT_FROM)
    date_to = date_arg("to", clock.today())
    with force_locale(DEFAULT_LANGUAGE):  # JSON values (pool names) stay English whatever the Accept-Language
        report = _report_json(contribution_services.contribution_report(donor, date_from, date_to))
    return jsonify(report)


# Programmes ----------------------------------------------------------------------------------------------


def _programme_json(p: PublicProgramme) -> dict:
    budgets = dict(p.budget_by_organisation)
    allocated = p.allocated_by_code
    return {
        "id": p.id,
        "reference": p.reference,
        "concept_note_reference": p.note_reference,
        "title": p.title,
        "thematic_area": {"code": p.area_code, "name": p.area_name},
        "countries": [{"code": code, "name": name} for code, name in p.countries],
        "region": p.region,
        "lead_organization": p.lead,
        "participating_organizations": [
            {
                "code": code,
                "name": name,
                "budget_usd": money_str(budgets[name]) if name in budgets else None,
                "allocated_usd": money_str(allocated[code]) if code in allocated else None,
            }
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
        area=text_arg("area", MAX_FILTER),
        region=text_arg("region", MAX_FILTER),
        organisation=text_arg("organisation", MAX_FILTER),
        country=(text_arg("country", MAX_FILTER) or "").upper() or None,
    )
    page, per_page = page_args()
    # Public data, the same for every reader of the filters and page: kept until the records change (core.cache).
    key = ("api.programmes", *filters.as_args().items(), page, per_page)
    return jsonify(public_cache.cached(key, lambda: _programme_list(filters, page, per_page)))


def _programme_list(filters: ProgrammeFilters, page: int, per_page: int) -> dict:
    with force_locale(DEFAULT_LANGUAGE):  # JSON values (area and country names) stay English
        items, pagination = transparency.paginate_programmes(filters, page, per_page, MAX_PER_PAGE)
    return {"data": [_programme_json(p) for p in items], "meta": page_meta(pagination)}


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    """Public: one funded joint programme with its summary, objectives and money movements."""
    with force_locale(DEFAULT_LANGUAGE):  # JSON values (names, movement kinds) stay English
        item = transparency.get_programme(programme_id)
    if item is None:
        abort(404)
    with force_locale(DEFAULT_LANGUAGE):
        transactions = [
            {"date": day.isoformat(), "kind": kind, "organization": org, "amount_usd": money_str(amount)}
            for day, kind, org, amount in transparency.programme_transactions(item.id)
        ]
    return jsonify(
        _programme_json(item)
        | {"summary": item.summary, "objectives": [n for n, _title in item.objectives], "transactions": transactions}
    )
