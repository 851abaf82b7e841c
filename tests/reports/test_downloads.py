"""CSV behind the admin and reference lists (same filters as the pages), XLSX statements (same figures)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fundapp.contributions import ledger, services
from fundapp.core.audit import record_change
from fundapp.core.tabular import csv_text, safe_text
from tests.concept_notes.helpers import make_call, make_note
from tests.contributions import factories as cf


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_users_csv_applies_the_page_filters(client, login):
    login("admin@example.org")
    rows = _csv(client.get("/admin/users.csv?role=donor"))
    assert len(rows) == 12
    assert {r["roles"] for r in rows} == {"donor"}
    assert all(r["email"].startswith("donor") for r in rows)
    page = client.get("/admin/users?role=donor").get_data(as_text=True)
    assert "12 in all" in page
    searched = _csv(client.get("/admin/users.csv?q=applicant2"))
    assert [r["email"] for r in searched] == ["applicant2@example.org"]
    assert searched[0]["organisation"] == "UNICEF"
    assert searched[0]["active"] == "yes"


def test_organisations_csv_applies_the_page_filters(client, login):
    login("admin@example.org")
    rows = _csv(client.get("/admin/organisations.csv?type=un_entity&q=unicef"))
    assert [r["code"] for r in rows] == ["UNICEF"]
    assert {r["type"] for r in _csv(client.get("/admin/organisations.csv?type=government"))} <= {"government"}


def test_audit_log_csv_applies_the_page_filters(client, login, user):
    record_change(user("admin@example.org"), "test.thing", "things", 7, {"note": "=cmd|' /C calc'!A0"})
    login("admin@example.org")
    rows = _csv(client.get("/admin/audit.csv?action=test."))
    assert [(r["action"], r["object_type"], r["object_id"], r["actor"]) for r in rows] == [
        ("test.thing", "things", "7", "admin@example.org")
    ]
    assert len(rows[0]["hash"]) == 64
    assert _csv(client.get("/admin/audit.csv?action=test.&since=2999-01-01")) == []


def test_reference_csvs_match_the_pages(client, login):
    login("secretariat@example.org")
    africa = _csv(client.get("/reference/countries.csv?region=002"))
    assert africa
    assert {r["region"] for r in africa} == {"Africa"}
    assert "NGA" in {r["iso3"] for r in africa}
    assert len(_csv(client.get("/reference/countries.csv"))) > len(africa)
    currencies = {r["code"]: r for r in _csv(client.get("/reference/currencies.csv"))}
    assert currencies["EUR"]["numeric"] == "978"


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx"])
def test_spreadsheet_formulas_are_neutralised(value):
    assert safe_text(value).startswith("'")
    assert csv_text(["a"], [[value]]).splitlines()[1].lstrip('"').startswith("'")


def test_funding_status_xlsx_has_the_page_figures(client, login):
    cf.deposit("DEU")  # US$ 444,444.44, fee 4,444.44
    ledger.post_interest(None, Decimal("55.55"), date(2020, 6, 30))
    login("member1@example.org")
    sheets = _sheets(client.get("/contributions/funding-status.xlsx?as_of=2020-12-31"))
    statement = {row[0]: row[1] for row in sheets["Funding status 2020-12-31"]}
    status = ledger.funding_status(date(2020, 12, 31))
    assert statement["Contributions from donors"] == 444444.44
    assert Decimal(str(statement["Balance with Administrative Agent"])) == status.balance_with_agent
    assert Decimal(str(statement["Administrative Agent fee"])) == Decimal("4444.44")
    page = client.get("/contributions/funding-status?as_of=2020-12-31").get_data(as_text=True)
    assert "440,055.55" in page
    pools = sheets["Available by pool"]
    assert pools[-1][0] == "All pools"
    assert Decimal(str(pools[-1][-1])) == sum(p.available for p in ledger.pool_balances(date(2020, 12, 31)))


def test_contribution_report_xlsx_matches_the_csv(client, login):
    deposit = cf.deposit("DEU")
    login("donor@example.org")
    url = f"/contributions/donors/{deposit.donor_id}/report"
    sheets = _sheets(client.get(f"{url}.xlsx?from=2020-01-01&to=2020-12-31"))
    summary = dict(sheets["Summary"][1:])
    assert Decimal(str(summary["Deposits in period (USD)"])) == Decimal("444444.44")
    assert Decimal(str(summary["Net deposits in period (USD)"])) == Decimal("440000.00")
    deposits = sheets["Deposits"]
    assert deposits[0][:3] == ("Date", "Agreement", "Earmark")
    assert deposits[1][1] == deposit.agreement.reference
    assert Decimal(str(deposits[1][6])) == Decimal("444444.44")
    csv_body = client.get(f"{url}.csv?from=2020-01-01&to=2020-12-31").get_data(as_text=True)
    assert "Deposits in period (USD),444444.44" in csv_body
    report = services.contribution_report(deposit.donor, date(2020, 1, 1), date(2020, 12, 31))
    assert Decimal(str(summary["Cumulative deposits to period end (USD)"])) == report.figures.deposits_usd


def test_applicant_exports_own_notes_with_the_mine_filters(client, login):
    call = make_call()
    draft = make_note("UNDP", "applicant@example.org", call=call)
    submitted = make_note("UNDP", "applicant@example.org", call=call, submit=True, attach=True)
    make_note("UNICEF", "applicant2@example.org", call=call, submit=True, attach=True)
    login("applicant@example.org")
    rows = _csv(client.get("/concept-notes/mine/export.csv"))
    assert sorted(r["reference"] for r in rows) == sorted([draft.reference, submitted.reference])
    drafts = _csv(client.get("/concept-notes/mine/export.csv?status=draft"))
    assert [r["reference"] for r in drafts] == [draft.reference]


def test_ledger_and_agreements_csv_match_the_ledger(client, login):
    cf.deposit("DEU")
    cf.deposit("NLD")
    login("secretariat@example.org")
    deposits = _csv(client.get("/contributions/ledger.csv?kind=deposit"))
    assert len(deposits) == 2
    assert sum(Decimal(r["amount_usd"]) for r in deposits) == ledger.category_totals()[ledger.EntryKind.deposit]
    fees = _csv(client.get("/contributions/ledger.csv?kind=fee"))
    assert {r["kind"] for r in fees} == {"fee"}
    agreements = _csv(client.get("/contributions/donors.csv"))
    assert {r["donor_code"] for r in agreements} == {"DEU", "NLD"}
    assert sum(Decimal(r["commitment_usd"]) for r in agreements) == services.capitalization().commitments_usd
