"""One-time submission keys on the money forms, and imports that record nothing twice."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.contributions import ledger, services
from fundapp.contributions.models import Deposit, EntryKind, ExchangeRate, LedgerEntry
from fundapp.core.forms import new_submission_key
from fundapp.core.models import SubmissionKey
from tests.contributions import factories as cf

D = Decimal
SECRETARIAT = "secretariat@example.org"
REPEAT = "This form was already sent and recorded"


def count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_deposit_form_carries_a_fresh_key_each_time_it_is_drawn(client, login):
    agreement = cf.agreement("MEX", currency="USD")
    login(SECRETARIAT)
    first = client.get(f"/contributions/agreements/{agreement.id}/deposits/new").get_data(as_text=True)
    second = client.get(f"/contributions/agreements/{agreement.id}/deposits/new").get_data(as_text=True)
    key = first.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    assert len(key) >= 16
    assert key not in second


def test_a_deposit_posted_twice_with_its_key_is_recorded_once_and_the_repeat_shows_it(client, login, db):
    agreement = cf.agreement("MEX", currency="USD")
    login(SECRETARIAT)
    data = {"deposited_on": "2020-03-02", "amount": "600.00", "submission_key": new_submission_key()}
    url = f"/contributions/agreements/{agreement.id}/deposits/new"
    first = client.post(url, data=data)
    repeat = client.post(url, data=data)
    assert first.status_code == repeat.status_code == 302
    assert repeat.location == first.location  # the first deposit's page
    deposit_id = int(first.location.rsplit("/", 1)[1])
    assert count(db, Deposit) == 1
    assert count(db, LedgerEntry, LedgerEntry.kind == EntryKind.deposit) == 1
    page = client.get(repeat.location).get_data(as_text=True)
    assert REPEAT in page
    key = db.session.scalar(sa.select(SubmissionKey).where(SubmissionKey.key == data["submission_key"]))
    assert key.result_url == f"/contributions/deposits/{deposit_id}"
    assert key.endpoint == "contributions.new_deposit"


def test_a_refused_post_does_not_use_its_key(client, login, db):
    agreement = cf.agreement("MEX", currency="USD", amount="1000.00")
    login(SECRETARIAT)
    url = f"/contributions/agreements/{agreement.id}/deposits/new"
    data = {"deposited_on": "2020-03-02", "amount": "1600.00", "submission_key": new_submission_key()}
    refused = client.post(url, data=data)
    assert refused.status_code == 200
    assert "Tick the confirmation to record it anyway." in refused.get_data(as_text=True)
    assert count(db, SubmissionKey) == 0
    accepted = client.post(url, data={**data, "confirm_overpayment": "y"})
    assert accepted.status_code == 302
    assert count(db, Deposit) == 1


def test_keys_belong_to_their_user_and_a_post_without_a_key_is_a_new_submission(client, login, db, user):
    login(SECRETARIAT)
    data = {"kind": "interest", "entry_on": "2020-03-02", "amount": "5.00"}
    assert client.post("/contributions/ledger/new", data=data).status_code == 302
    assert client.post("/contributions/ledger/new", data=data).status_code == 302
    assert count(db, LedgerEntry, LedgerEntry.kind == EntryKind.interest) == 2
    key = new_submission_key()
    assert client.post("/contributions/ledger/new", data={**data, "submission_key": key}).status_code == 302
    # Another user sending the same key (never the case with keys drawn at random) is not answered with ours.
    other = user("admin@example.org")
    db.session.add(SubmissionKey(user_id=other.id, key=key, result_url="/elsewhere"))
    client.post("/contributions/ledger/new", data={**data, "submission_key": key})
    assert count(db, LedgerEntry, LedgerEntry.kind == EntryKind.interest) == 3


def test_the_inline_reversal_is_done_once_and_the_repeat_gets_the_first_result(client, login, db):
    entry = ledger.post_interest(None, D("100.00"), date(2020, 6, 30))
    login(SECRETARIAT)
    page = client.get("/contributions/ledger").get_data(as_text=True)
    assert page.count('name="submission_key"') == 1
    data = {"reason": "bank statement corrected", "submission_key": new_submission_key()}
    first = client.post(f"/contributions/ledger/{entry.id}/reverse", data=data)
    repeat = client.post(f"/contributions/ledger/{entry.id}/reverse", data=data, follow_redirects=True)
    assert first.status_code == 302
    body = repeat.get_data(as_text=True)
    assert REPEAT in body
    assert "already reversed" not in body
    assert count(db, LedgerEntry, LedgerEntry.reversal_of_id == entry.id) == 1


def test_the_rates_upload_posted_twice_saves_once(client, login, db):
    login(SECRETARIAT)
    key = new_submission_key()

    def upload():
        return client.post(
            "/contributions/rates/upload",
            data={
                "upload-file": (io.BytesIO(b"currency,month,rate\nEUR,2021-12,0.879\n"), "rates.csv"),
                "upload-submission_key": key,
            },
            content_type="multipart/form-data",
            follow_redirects=True,
        ).get_data(as_text=True)

    assert "1 rate(s) saved." in upload()
    assert REPEAT in upload()
    assert count(db, ExchangeRate) == 1


# Imports: the same payment is not recorded twice --------------------------------------------------------------


def _import(client, content: bytes, key: str | None = None):
    data = {"file": (io.BytesIO(content), "deposits.csv"), "submission_key": key or new_submission_key()}
    return client.post("/contributions/deposits/import", data=data, content_type="multipart/form-data")


FILE = (
    b"agreement,date,amount,reference\n"
    b"P-USD,2020-03-02,1000.00,FT001\n"
    b"P-USD,2020-03-02,1000.00,FT002\n"
    b"P-USD,2020-04-15,250.50,\n"
)


def test_importing_the_same_file_twice_records_nothing_twice(client, login, db):
    cf.agreement("MEX", currency="USD", reference="P-USD")
    login(SECRETARIAT)
    assert _import(client, FILE).status_code == 302
    assert count(db, Deposit) == 3
    again = _import(client, FILE)
    body = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Line 2: the same deposit (P-USD, 2020-03-02, 1,000.00, FT001) is already recorded" in body
    assert "Line 4: the same deposit (P-USD, 2020-04-15, 250.50) is already recorded" in body
    assert "put &#39;yes&#39; in confirm_duplicate" in body
    assert count(db, Deposit) == 3


def test_a_repeated_row_is_imported_when_confirmed(client, login, db):
    cf.agreement("MEX", currency="USD", reference="P-USD")
    login(SECRETARIAT)
    _import(client, FILE)
    confirmed = b"agreement,date,amount,reference,confirm_duplicate\nP-USD,2020-04-15,250.50,,yes\n"
    assert _import(client, confirmed).status_code == 302
    assert count(db, Deposit) == 4


def test_a_row_repeated_inside_one_file_needs_confirming_too(db):
    cf.agreement("MEX", currency="USD", reference="P-USD")
    twice = b"agreement,date,amount\nP-USD,2020-03-02,10.00\nP-USD,2020-03-02,10.00\n"
    with pytest.raises(services.ImportFailed) as failed:
        services.import_deposits(None, twice)
    assert failed.value.rows == [
        (
            3,
            (
                "the same deposit (P-USD, 2020-03-02, 10.00) appears twice in this file; "
                "put 'yes' in confirm_duplicate to record it again"
            ),
        )
    ]
    services.import_deposits(
        None, twice.replace(b"10.00\n", b"10.00,yes\n").replace(b"amount\n", b"amount,confirm_duplicate\n")
    )
    assert count(db, Deposit) == 2


def test_a_reversed_deposit_does_not_count_as_already_recorded(db):
    agreement = cf.agreement("MEX", currency="USD", reference="P-USD")
    deposit = services.record_deposit(None, agreement, D("10.00"), date(2020, 3, 2))
    services.reverse_deposit(None, deposit, "wrong agreement")
    services.import_deposits(None, b"agreement,date,amount\nP-USD,2020-03-02,10.00\n")
    assert count(db, Deposit) == 2


def test_import_refuses_amounts_it_would_have_to_round(db):
    cf.agreement("MEX", currency="USD", reference="P-USD")
    content = b"agreement,date,amount\nP-USD,2020-03-02,1.005\nP-USD,2020-03-02,1e5\nP-USD,2020-03-02,1_000\n"
    with pytest.raises(services.ImportFailed) as failed:
        services.import_deposits(None, content)
    assert failed.value.rows == [
        (2, "amount '1.005': the amount has at most two decimals (cents): nothing is rounded for you"),
        (3, "amount '1e5': write the amount in full, without an exponent (write 100000, not 1e5)"),
        (4, "amount '1_000': write the amount without underscores, e.g. 1,000.00"),
    ]
