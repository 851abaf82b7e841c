"""Contributions routes × roles. The ids come from records built inside each test (tests/contributions/factories)."""

from tests.contributions import factories as cf
from tests.routing import Route, statuses

SECRETARIAT = ("secretariat",)
STATEMENT = ("secretariat", "committee_member", "committee_chair", "donor")
#: The accounting periods: the secretariat closes months, an administrator may reopen the last closed one.
PERIODS = ("secretariat", "admin")
#: The donor role plays donor@ (Germany): its own records are visible, other donors' are 404.
OWN = ("secretariat", "donor")


def other_donor(ok: int = 200) -> dict[str, int]:
    """Secretariat sees it; the donor (Germany) asking for another donor's record gets 404."""
    table = statuses(SECRETARIAT, ok=ok)
    table["donor"] = 404
    return table


ROUTES = [
    Route("contributions.donors", "/contributions/donors", statuses(SECRETARIAT)),
    Route("contributions.new_donor", "/contributions/donors/new", statuses(SECRETARIAT)),
    Route("contributions.donor", lambda f: f"/contributions/donors/{cf.donor_id(f, 'NLD')}", other_donor()),
    Route(
        "contributions.new_agreement",
        lambda f: f"/contributions/donors/{cf.donor_id(f, 'NLD')}/agreements/new",
        statuses(SECRETARIAT),
    ),
    Route("contributions.agreement", lambda f: f"/contributions/agreements/{cf.agreement_id(f, 'DEU')}", statuses(OWN)),
    Route(
        "contributions.new_deposit",
        lambda f: f"/contributions/agreements/{cf.agreement_id(f, 'DEU')}/deposits/new",
        statuses(SECRETARIAT),
    ),
    Route("contributions.deposit", lambda f: f"/contributions/deposits/{cf.deposit_id(f, 'NLD')}", other_donor()),
    Route(
        "contributions.reverse_deposit",
        lambda f: f"/contributions/deposits/{cf.deposit_id(f, 'NLD')}/reverse",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"reason": "entered twice"},
    ),
    Route("contributions.import_deposits", "/contributions/deposits/import", statuses(SECRETARIAT)),
    Route("contributions.rates", "/contributions/rates", statuses(SECRETARIAT)),
    Route("contributions.upload_rates", "/contributions/rates/upload", statuses(SECRETARIAT, ok=302), method="POST"),
    Route("contributions.ledger_entries", "/contributions/ledger", statuses(SECRETARIAT)),
    Route("contributions.new_posting", "/contributions/ledger/new", statuses(SECRETARIAT)),
    Route(
        "contributions.reverse_entry",
        lambda f: f"/contributions/ledger/{cf.interest_entry_id(f)}/reverse",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"reason": "bank statement corrected"},
    ),
    Route("contributions.periods_list", "/contributions/periods", statuses(PERIODS)),
    Route("contributions.period", "/contributions/periods/2019-05", statuses(PERIODS)),
    Route(
        "contributions.close_period",
        "/contributions/periods/2019-05/close",
        statuses(SECRETARIAT, ok=302),
        method="POST",
        data={"reconciled": "y"},
    ),
    Route(
        "contributions.reopen_period",
        lambda f: f"/contributions/periods/{cf.closed_month(f)}/reopen",
        statuses(("admin",), ok=302),
        method="POST",
        data={"reason": "A bank charge of May 2019 was missed"},
    ),
    Route("contributions.funding_status", "/contributions/funding-status?as_of=2021-12-31", statuses(STATEMENT)),
    Route("contributions.funding_status_csv", "/contributions/funding-status.csv", statuses(STATEMENT)),
    Route("contributions.capitalization", "/contributions/capitalization", statuses(STATEMENT)),
    Route("contributions.portal", "/contributions/my", statuses(("donor",))),
    Route("contributions.report", lambda f: f"/contributions/donors/{cf.donor_id(f, 'DEU')}/report", statuses(OWN)),
    Route(
        "contributions.report_pdf", lambda f: f"/contributions/donors/{cf.donor_id(f, 'DEU')}/report.pdf", statuses(OWN)
    ),
    Route(
        "contributions.report_csv", lambda f: f"/contributions/donors/{cf.donor_id(f, 'NLD')}/report.csv", other_donor()
    ),
    Route("api.funding_status", "/api/v1/funding-status?as_of=2021-12-31", statuses("public")),
    Route(
        "api.agreement",
        lambda f: f"/api/v1/contributions/agreements/{cf.agreement_id(f, 'NLD')}",
        {**other_donor(), "anonymous": 401},
    ),
    Route(
        "api.deposit",
        lambda f: f"/api/v1/contributions/deposits/{cf.deposit_id(f, 'DEU')}",
        {**statuses(OWN), "anonymous": 401},
    ),
    Route(
        "api.report",
        lambda f: f"/api/v1/contributions/donors/{cf.donor_id(f, 'NLD')}/report",
        {**other_donor(), "anonymous": 401},
    ),
]
