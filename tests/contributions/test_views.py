"""Pages, downloads and the JSON API of contributions."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from fundapp.contributions import ledger, services
from fundapp.contributions.models import Deposit, LedgerEntry
from tests.api.helpers import bearer
from tests.contributions import factories as cf

D = Decimal


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# Another donor's records: 404, pages and API ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda: f"/contributions/agreements/{cf.agreement_id(None, 'NLD')}",
        lambda: f"/contributions/deposits/{cf.deposit_id(None, 'NLD')}",
        lambda: f"/contributions/donors/{cf.donor_id(None, 'NLD')}",
        lambda: f"/contributions/donors/{cf.donor_id(None, 'NLD')}/report",
        lambda: f"/contributions/donors/{cf.donor_id(None, 'NLD')}/report.pdf",
        lambda: f"/contributions/donors/{cf.donor_id(None, 'NLD')}/report.csv",
        lambda: f"/api/v1/contributions/agreements/{cf.agreement_id(None, 'NLD')}",
        lambda: f"/api/v1/contributions/deposits/{cf.deposit_id(None, 'NLD')}",
        lambda: f"/api/v1/contributions/donors/{cf.donor_id(None, 'NLD')}/report",
    ],
)
def test_donor_asking_for_another_donors_record_gets_404(client, login, url):
    cf.deposit("DEU")
    target = url()
    if target.startswith("/api/"):  # the API takes a token, never the session
        response = client.get(target, headers=bearer("donor@example.org"))  # Germany
        assert response.status_code == 404
        assert response.json["error"]["status"] == 404
    else:
        login("donor@example.org")  # Germany
        assert client.get(target).status_code == 404


def test_donor_sees_own_records_through_the_api(client):
    deposit = cf.deposit("DEU")
    url = f"/api/v1/contributions/agreements/{deposit.agreement_id}"
    body = client.get(url, headers=bearer("donor@example.org")).json
    assert body["deposits"][0]["amount"] == "400000.00"
    assert body["deposits"][0]["amount_usd"] == "444444.44"
    assert body["status"] == "partially_paid"


# Recording deposits -------------------------------------------------------------------------------------


def test_secretariat_records_a_deposit_through_the_form(client, login, db):
    cf.rate("EUR", date(2020, 5, 1), "0.917351")
    agreement = cf.agreement("DEU", amount="5000000.00")
    login("secretariat@example.org")
    response = client.post(
        f"/contributions/agreements/{agreement.id}/deposits/new",
        data={"deposited_on": "2020-05-12", "amount": "2500000.00"},
    )
    assert response.status_code == 302
    deposit = db.session.scalar(sa.select(Deposit).where(Deposit.agreement_id == agreement.id))
    assert (deposit.amount_usd, deposit.fee_usd) == (D("2725238.21"), D("27252.38"))
    page = client.get(response.location).get_data(as_text=True)
    assert "2,725,238.21" in page
    assert "EUR 2,500,000.00" in page


def test_missing_rate_is_shown_next_to_the_date(client, login):
    agreement = cf.agreement("DEU", currency="NOK", amount="5000000.00")
    login("secretariat@example.org")
    response = client.post(
        f"/contributions/agreements/{agreement.id}/deposits/new",
        data={"deposited_on": "2021-02-03", "amount": "100.00"},
    )
    assert response.status_code == 200
    assert 'id="deposited_on-error">There is no UN operational rate of exchange for NOK in February 2021' in (
        response.get_data(as_text=True)
    )
    assert cf.entry_count() == 0


def test_overpayment_through_the_form_needs_the_box_ticked(client, login, db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    agreement = cf.agreement("DEU", amount="1000.00")
    login("secretariat@example.org")
    url = f"/contributions/agreements/{agreement.id}/deposits/new"
    refused = client.post(url, data={"deposited_on": "2020-03-02", "amount": "1500.00"})
    assert "confirm_overpayment-error" in refused.get_data(as_text=True)
    accepted = client.post(url, data={"deposited_on": "2020-03-02", "amount": "1500.00", "confirm_overpayment": "y"})
    assert accepted.status_code == 302
    assert db.session.scalar(sa.select(Deposit.is_overpayment).where(Deposit.agreement_id == agreement.id))


def test_import_page_with_one_bad_row_imports_nothing_and_names_the_line(client, login, db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    cf.agreement("DEU", reference="SAA-DEU")
    rows = [f"SAA-DEU,2020-03-{d:02d},1000.00" for d in range(1, 29)]
    rows[14] = "SAA-DEU,2020-03-15,-1000.00"
    content = ("agreement,date,amount\n" + "\n".join(rows) + "\n").encode()
    login("secretariat@example.org")
    response = client.post(
        "/contributions/deposits/import",
        data={"file": (io.BytesIO(content), "deposits.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Line 16: amount -1000.00 is not above zero" in response.get_data(as_text=True)
    assert cf.entry_count() == 0


def test_rates_page_saves_a_rate(client, login):
    login("secretariat@example.org")
    response = client.post("/contributions/rates", data={"currency": "dkk", "month": "2021-03", "rate": "6.232"})
    assert response.status_code == 302
    assert services.rate_for("DKK", date(2021, 3, 9)) == D("6.232000")


# Funding status -----------------------------------------------------------------------------------------


def test_funding_status_api_rejects_a_bad_date_with_json(client):
    response = client.get("/api/v1/funding-status?as_of=2021-13-01")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.json["error"]["message"]


def test_funding_status_is_the_same_in_page_csv_and_json(client, login):
    cf.deposit("DEU")  # US$ 444,444.44, fee 4,444.44
    ledger.post_interest(None, D("55.55"), date(2020, 6, 30))
    body = client.get("/api/v1/funding-status?as_of=2020-12-31").json
    assert body["sources"]["contributions_from_donors"] == "444444.44"
    assert body["uses"]["administrative_agent_fee"] == "4444.44"
    assert body["balances"]["balance_with_administrative_agent"] == "440055.55"
    login("member1@example.org")
    page = client.get("/contributions/funding-status?as_of=2020-12-31").get_data(as_text=True)
    assert "440,055.55" in page
    csv_text = client.get("/contributions/funding-status.csv?as_of=2020-12-31").get_data(as_text=True)
    assert "Balance with Administrative Agent,440055.55" in csv_text
    early = client.get("/api/v1/funding-status?as_of=2020-03-09").json
    assert early["sources"]["total"] == "0.00"


def test_summary_reports_donors_and_contributions(client):
    cf.deposit("DEU")
    body = client.get("/api/v1/summary").json
    assert body["donors"]["count"] == 1
    assert body["donors"]["deposits_by_donor"] == [{"name": cf.donor("DEU").name, "deposits_usd": "444444.44"}]
    assert body["contributions"] == {
        "commitments_usd": "1111111.11",  # 444,444.44 paid + EUR 600,000 at 0.9
        "deposits_usd": "444444.44",
        "fees_usd": "4444.44",
        "available_usd": "440000.00",
    }


# Contribution report ------------------------------------------------------------------------------------


def test_report_page_pdf_and_csv_show_the_ledger_figures(client, login, db):
    ta1 = db.session.scalar(sa.text("SELECT id FROM thematic_areas WHERE code = 'TA1'"))
    cf.rate("EUR", date(2020, 3, 1), "0.893")
    plain = cf.agreement("DEU", reference="DEU-PLAIN", amount="3000000.00")
    earmarked = cf.agreement("DEU", reference="DEU-TA1", amount="3000000.00", area_id=ta1)
    services.record_deposit(None, plain, D("1000000.00"), date(2020, 3, 10))  # 1,119,820.83
    services.record_deposit(None, earmarked, D("100.00"), date(2020, 3, 11))  # 111.98
    ledger.allocate(None, D("50000.00"), ta1, 4, date(2020, 4, 1))
    ledger_total = db.session.scalar(
        sa.select(sa.func.sum(LedgerEntry.amount_usd)).where(LedgerEntry.category == "deposit")
    )
    assert ledger_total == D("1119932.81")
    donor_id = plain.donor_id
    login("donor@example.org")
    query = "from=2020-01-01&to=2020-12-31"
    page = client.get(f"/contributions/donors/{donor_id}/report?{query}").get_data(as_text=True)
    csv_text = client.get(f"/contributions/donors/{donor_id}/report.csv?{query}").get_data(as_text=True)
    pdf = pdf_text(client.get(f"/contributions/donors/{donor_id}/report.pdf?{query}").data)
    assert "1,119,932.81" in page
    assert "Deposits in period (USD),1119932.81" in csv_text
    assert "1,119,932.81" in pdf
    # Attribution: all of TA1's 110.86 net, the rest from the unearmarked pool, all of it Germany's.
    assert "Total attributed (USD),,,,50000.00" in csv_text
    assert "50,000.00" in pdf
    assert "50,000.00" in page


def test_report_with_a_bad_period_is_400(client, login):
    login("donor@example.org")
    donor_id = cf.donor_id(None, "DEU")
    assert client.get(f"/contributions/donors/{donor_id}/report?from=2021-01-01&to=2020-01-01").status_code == 400
    assert client.get(f"/contributions/donors/{donor_id}/report?from=yesterday").status_code == 400


def test_donor_home_and_portal_show_the_donors_figures(client, login):
    cf.deposit("DEU")
    cf.deposit("NLD")
    login("donor@example.org")
    home = client.get("/donor").get_data(as_text=True)
    assert "444,444.44" in home
    assert "50.00%" in home
    portal = client.get("/contributions/my").get_data(as_text=True)
    assert "EUR 400,000.00" in portal
    assert "444,444.44" in portal
    assert "TEST-NLD-EUR" not in portal


def test_capitalization_page_draws_the_chart(client, login):
    cf.deposit("DEU")
    login("chair@example.org")
    page = client.get("/contributions/capitalization").get_data(as_text=True)
    assert "<svg" in page
    assert "Germany, Federal Foreign Office: US$ 444,444.44" in page


# Secretariat forms -------------------------------------------------------------------------------------


def test_secretariat_registers_a_donor_and_an_earmarked_agreement_with_a_schedule(client, login, db):
    login("secretariat@example.org")
    org_id = db.session.scalar(sa.text("SELECT id FROM organisations WHERE code = 'ESP'"))
    response = client.post(
        "/contributions/donors/new", data={"organisation_id": str(org_id), "donor_type": "member_state"}
    )
    assert response.status_code == 302
    donor_id = cf.donor("ESP").id
    ta4 = db.session.scalar(sa.text("SELECT id FROM thematic_areas WHERE code = 'TA4'"))
    form = {
        "reference": "SAA-ESP-9",
        "signed_on": "2021-02-01",
        "committed_amount": "1500000.00",
        "currency": "eur",
        "thematic_area_id": str(ta4),
        "schedule": "2021-03-31 1000000\n2021-09-30 600000",
    }
    refused = client.post(f"/contributions/donors/{donor_id}/agreements/new", data=form)
    assert 'id="schedule-error">The schedule adds up to EUR 1,600,000.00' in refused.get_data(as_text=True)
    form["schedule"] = "2021-03-31 1000000\n2021-09-30 500000"
    created = client.post(f"/contributions/donors/{donor_id}/agreements/new", data=form)
    assert created.status_code == 302
    page = client.get(created.location).get_data(as_text=True)
    assert "TA4 (earmarked)" in page
    assert "EUR 500,000.00" in page


def test_secretariat_reverses_a_deposit_from_its_page(client, login):
    deposit = cf.deposit("DEU")
    login("secretariat@example.org")
    response = client.post(f"/contributions/deposits/{deposit.id}/reverse", data={"reason": "entered twice"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Reversal of #" in page
    assert ledger.funding_status().contributions == 0
    again = client.post(
        f"/contributions/deposits/{deposit.id}/reverse", data={"reason": "again"}, follow_redirects=True
    )
    assert "already reversed" in again.get_data(as_text=True)


def test_secretariat_uploads_rates(client, login):
    login("secretariat@example.org")
    content = b"currency,month,rate\nNOK,2021-01,8.531\nDKK,2021-01,6.157\n"
    response = client.post(
        "/contributions/rates/upload",
        data={"upload-file": (io.BytesIO(content), "rates.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "2 rate(s) saved." in response.get_data(as_text=True)
    assert services.rate_for("NOK", date(2021, 1, 20)) == D("8.531000")


def test_secretariat_records_interest_and_a_refused_bank_charge(client, login):
    login("secretariat@example.org")
    ok = client.post(
        "/contributions/ledger/new", data={"kind": "interest", "entry_on": "2021-06-30", "amount": "12.50"}
    )
    assert ok.status_code == 302
    refused = client.post(
        "/contributions/ledger/new", data={"kind": "bank_charge", "entry_on": "2021-06-30", "amount": "12.51"}
    )
    assert "would make it negative" in refused.get_data(as_text=True)
    assert ledger.funding_status().interest_fund == D("12.50")


# Downloads go through the safe writer; predicates guard the actions the pages offer ------------------------


def test_report_csv_neutralises_the_donors_name_and_the_agreement_reference(client, login, db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    agreement = cf.agreement("DEU", reference='=HYPERLINK("http://x.example","ref")')
    services.record_deposit(None, agreement, D("900.00"), date(2020, 3, 10), note="@SUM(1+1)")
    agreement.donor.organisation.name = "=cmd|' /C calc'!A0"
    db.session.flush()
    login("donor@example.org")
    body = client.get(f"/contributions/donors/{agreement.donor_id}/report.csv?from=2020-01-01&to=2020-12-31")
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True))))
    assert rows[0] == ["Contribution report", "'=cmd|' /C calc'!A0"]
    (deposit_row,) = [r for r in rows if r[:1] == ["2020-03-10"]]
    assert deposit_row[1] == '\'=HYPERLINK("http://x.example","ref")'
    assert deposit_row[4:7] == ["900.00", "0.900000", "1000.00"]  # numbers stay numbers
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_ledger_page_offers_reversal_of_hand_postings_only_and_the_route_agrees(client, login, db):
    deposit = cf.deposit("DEU")
    interest = ledger.post_interest(None, D("5.00"), date(2020, 6, 30))
    deposit_entry = services.deposit_ledger_entry(deposit)
    login("secretariat@example.org")
    page = client.get("/contributions/ledger").get_data(as_text=True)
    assert f"/contributions/ledger/{interest.id}/reverse" in page
    assert f"/contributions/ledger/{deposit_entry.id}/reverse" not in page
    refused = client.post(f"/contributions/ledger/{deposit_entry.id}/reverse", data={"reason": "from the ledger"})
    assert refused.status_code == 403
    assert ledger.funding_status().contributions == D("444444.44")
    done = client.post(f"/contributions/ledger/{interest.id}/reverse", data={"reason": "bank error"})
    assert done.status_code == 302
    assert ledger.funding_status().interest_fund == 0


def test_deposit_page_hides_the_reversal_form_once_reversed(client, login):
    deposit = cf.deposit("DEU")
    login("secretariat@example.org")
    url = f"/contributions/deposits/{deposit.id}"
    assert "Reverse this deposit" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/reverse", data={"reason": "entered twice"})
    page = client.get(url).get_data(as_text=True)
    assert "Reverse this deposit" not in page
    assert "Reversed" in page


def test_rates_form_refuses_a_month_that_is_not_a_month(client, login):
    login("secretariat@example.org")
    response = client.post("/contributions/rates", data={"currency": "DKK", "month": "2021-13", "rate": "6.2"})
    assert response.status_code == 200
    assert 'id="month-error">Write the month as YYYY-MM.' in response.get_data(as_text=True)


def test_import_page_shows_the_problems_next_to_the_file_field(client, login):
    login("secretariat@example.org")
    response = client.post(
        "/contributions/deposits/import",
        data={"file": (io.BytesIO(b"agreement,date,amount\nNOPE,2020-03-01,1.00\n"), "deposits.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error">Nothing was imported: 1 row(s) need correcting.' in page
    assert "Line 2: unknown agreement &#39;NOPE&#39;" in page
