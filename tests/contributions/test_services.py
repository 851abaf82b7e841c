"""Business rules of contributions and the ledger."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import Organisation
from fundapp.contributions import ledger, services
from fundapp.contributions.models import AgreementStatus, Deposit, EntryKind, LedgerEntry
from fundapp.core import clock
from fundapp.core.errors import AppendOnlyError, DomainError
from fundapp.reference.models import ThematicArea
from tests.contributions import factories as cf

D = Decimal


def area_id(db, code: str) -> int:
    return db.session.scalar(sa.select(ThematicArea.id).where(ThematicArea.code == code))


def org_id(db, code: str) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.code == code))


# Rounding -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "usd"),
    [
        ("0.01", "2", "0.01"),  # 0.005 rounds half up, not to even
        ("0.05", "2", "0.03"),  # 0.025: banker's rounding would give 0.02
        ("0.10", "0.8", "0.13"),  # 0.125
        ("1.01", "4", "0.25"),  # 0.2525
        ("10.00", "3", "3.33"),
        ("20.00", "3", "6.67"),
        ("100.00", "0.893", "111.98"),
        ("1000000.00", "0.893", "1119820.83"),  # 1,119,820.8287
        ("15000000.00", "8.623", "1739533.80"),  # 1,739,533.8049
        ("2500000.00", "0.917351", "2725238.21"),
        ("1.00", "0.000003", "333333.33"),
        ("33.33", "0.333333", "99.99"),  # 99.990099…
        ("12345.67", "1", "12345.67"),
    ],
)
def test_to_usd_rounds_half_up_to_cents(amount, rate, usd):
    assert services.to_usd(D(amount), D(rate)) == D(usd)


@pytest.mark.parametrize(
    ("usd", "fee"),
    [("0.49", "0.00"), ("0.50", "0.01"), ("250.00", "2.50"), ("1119820.83", "11198.21"), ("1739533.80", "17395.34")],
)
def test_fee_is_one_percent_rounded_half_up(usd, fee):
    assert services.fee_on(D(usd), D("0.01")) == D(fee)


def test_deposit_converts_at_the_month_rate_and_deducts_the_fee(db):
    cf.rate("EUR", date(2020, 3, 1), "0.893")
    agreement = cf.agreement("DEU")
    deposit = services.record_deposit(None, agreement, D("1000000.00"), date(2020, 3, 31))
    assert (deposit.rate, deposit.amount_usd, deposit.fee_usd) == (D("0.893000"), D("1119820.83"), D("11198.21"))
    rows = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.deposit_id == deposit.id)).all()
    assert sorted((r.kind, r.amount_usd) for r in rows) == [
        (EntryKind.deposit, D("1119820.83")),
        (EntryKind.fee, D("11198.21")),
    ]
    assert ledger.available_in(None) == D("1108622.62")


def test_deposit_without_rate_is_refused_naming_currency_and_month(db):
    agreement = cf.agreement("DEU", currency="GBP")
    with pytest.raises(services.MissingRate, match="GBP in April 2020"):
        services.record_deposit(None, agreement, D("100.00"), date(2020, 4, 2))
    assert cf.entry_count() == 0


@pytest.mark.parametrize(
    ("on", "message"),
    [(date(2019, 12, 31), "before the agreement was signed"), (clock.today().replace(year=2999), "in the future")],
)
def test_deposit_date_must_fall_between_signature_and_today(db, on, message):
    agreement = cf.agreement("MEX", currency="USD")
    with pytest.raises(DomainError, match=message):
        services.record_deposit(None, agreement, D("1.00"), on)


def test_usd_deposit_needs_no_rate(db):
    agreement = cf.agreement("MEX", currency="USD")
    deposit = services.record_deposit(None, agreement, D("1000.00"), date(2020, 4, 2))
    assert (deposit.amount_usd, deposit.fee_usd) == (D("1000.00"), D("10.00"))


def test_overpayment_needs_confirmation_and_is_flagged(db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    agreement = cf.agreement("DEU", amount="1000.00")
    services.record_deposit(None, agreement, D("900.00"), date(2020, 3, 2))
    with pytest.raises(services.Overpayment) as refused:
        services.record_deposit(None, agreement, D("100.01"), date(2020, 3, 3))
    assert refused.value.field == "confirm_overpayment"
    deposit = services.record_deposit(None, agreement, D("100.01"), date(2020, 3, 3), confirm_overpayment=True)
    assert deposit.is_overpayment


@pytest.mark.parametrize(
    ("deposits", "status"),
    [([], AgreementStatus.signed), (["400.00"], AgreementStatus.partially_paid), (["400.00", "600.00"], "fully_paid")],
)
def test_agreement_status_is_derived_from_deposits(db, deposits, status):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    agreement = cf.agreement("DEU", amount="1000.00")
    for amount in deposits:
        services.record_deposit(None, agreement, D(amount), date(2020, 3, 5))
    (row,) = services.agreement_rows(agreement.donor_id)
    assert row.status == AgreementStatus(status)


def test_reversed_deposit_no_longer_counts_as_paid(db):
    deposit = cf.deposit("DEU")
    services.reverse_deposit(None, deposit, "entered twice")
    (row,) = services.agreement_rows(deposit.donor_id)
    assert row.status is AgreementStatus.signed
    assert ledger.funding_status().contributions == 0
    assert ledger.funding_status().fee == 0


# Append-only -----------------------------------------------------------------------------------------


def test_ledger_rows_cannot_be_changed_or_deleted(db):
    entry = ledger.post_interest(None, D("10.00"), date(2020, 1, 1))
    entry.amount_usd = D("11.00")
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    entry = ledger.post_interest(None, D("10.00"), date(2020, 1, 1))
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_deposits_cannot_be_edited(db):
    deposit = cf.deposit("DEU")
    deposit.amount = D("1.00")
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_reversal_negates_and_cannot_repeat(db):
    entry = ledger.post_interest(None, D("10.00"), date(2020, 1, 1))
    (reversal,) = ledger.reverse_entry(None, entry, "wrong account")
    assert (reversal.kind, reversal.category, reversal.amount_usd) == (
        EntryKind.reversal,
        EntryKind.interest,
        D("-10.00"),
    )
    with pytest.raises(ledger.LedgerError, match="already reversed"):
        ledger.reverse_entry(None, entry, "again")
    with pytest.raises(ledger.LedgerError, match="cannot itself be reversed"):
        ledger.reverse_entry(None, reversal, "undo")
    assert ledger.category_totals()[EntryKind.interest] == 0


def test_reversing_a_deposit_whose_money_is_allocated_is_refused(db):
    deposit = cf.deposit("DEU")  # EUR 400,000 at 0.9 = US$ 444,444.44, net 440,000.00
    ledger.allocate(None, D("440000.00"), None, 1, date(2020, 5, 1))
    with pytest.raises(ledger.InsufficientFunds, match="unearmarked pool negative"):
        services.reverse_deposit(None, deposit, "bounced")


def test_a_fee_is_only_reversed_with_its_deposit(db):
    deposit = cf.deposit("DEU")
    fee = db.session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.deposit_id == deposit.id, LedgerEntry.kind == "fee")
    )
    with pytest.raises(ledger.LedgerError, match="together with the deposit"):
        ledger.reverse_entry(None, fee, "waived")


# Pools and allocations ------------------------------------------------------------------------------


def _fund_pools(db):
    """US$ 1,000 net in TA1's earmarked pool and US$ 500 net unearmarked (USD agreements, fee 1%)."""
    ta1 = area_id(db, "TA1")
    earmarked = cf.agreement("NLD", currency="USD", area_id=ta1, reference="EAR-TA1")
    plain = cf.agreement("NOR", currency="USD", reference="UNEAR")
    services.record_deposit(None, earmarked, D("1010.10"), date(2020, 2, 1))  # fee 10.10 -> 1000.00
    services.record_deposit(None, plain, D("505.05"), date(2020, 2, 1))  # fee 5.05 -> 500.00
    return ta1


def test_allocation_draws_the_earmarked_pool_first_then_unearmarked(db):
    ta1 = _fund_pools(db)
    entries = ledger.allocate(None, D("1200.00"), ta1, 7, date(2020, 3, 1))
    assert [(e.thematic_area_id, e.amount_usd) for e in entries] == [(ta1, D("1000.00")), (None, D("200.00"))]
    assert ledger.available_in(ta1) == 0
    assert ledger.available_in(None) == D("300.00")


def test_allocation_in_another_area_uses_only_unearmarked_money(db):
    _fund_pools(db)
    ta2 = area_id(db, "TA2")
    with pytest.raises(ledger.InsufficientFunds, match=r"Only US\$ 500.00 is available"):
        ledger.allocate(None, D("500.01"), ta2, 8, date(2020, 3, 1))
    (entry,) = ledger.allocate(None, D("500.00"), ta2, 8, date(2020, 3, 1))
    assert entry.thematic_area_id is None


def test_transfers_refunds_and_expenditure_stay_within_balances(db):
    ta1 = _fund_pools(db)
    undp = org_id(db, "UNDP")
    ledger.allocate(None, D("1200.00"), ta1, 7, date(2020, 3, 1))
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_transfer(None, D("1200.01"), 7, undp, date(2020, 3, 2))
    ledger.post_transfer(None, D("1200.00"), 7, undp, date(2020, 3, 2))
    ledger.post_expenditure(None, D("900.00"), 7, undp, date(2020, 9, 1))
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_refund(None, D("300.01"), 7, undp, date(2020, 12, 1))
    refunds = ledger.post_refund(None, D("300.00"), 7, undp, date(2020, 12, 1))
    # The refund goes back to the earmarked pool the programme drew on first.
    assert [(e.thematic_area_id, e.amount_usd) for e in refunds] == [(ta1, D("300.00"))]
    status = ledger.funding_status()
    assert status.balance_with_organisations == 0
    assert status.total_sources - status.total_uses == status.balance_with_agent


def test_costs_cannot_take_the_unearmarked_pool_negative(db):
    _fund_pools(db)
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_bank_charge(None, D("500.01"), date(2020, 4, 1))
    ledger.post_direct_cost(None, D("500.00"), date(2020, 4, 1))
    assert ledger.available_in(None) == 0


def test_funding_status_as_of_ignores_later_entries(db):
    _fund_pools(db)
    ledger.post_interest(None, D("12.34"), date(2021, 1, 1))
    assert ledger.funding_status(date(2020, 12, 31)).interest_fund == 0
    assert ledger.funding_status(date(2021, 1, 1)).interest_fund == D("12.34")
    assert ledger.funding_status(date(2020, 1, 31)).contributions == 0


@pytest.mark.postgres_only
def test_allocation_locks_the_pools_it_draws_on_postgresql(db, app):
    """Lock, then re-check: the allocation holds its area's pool and the unearmarked pool until it commits."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    ta1 = _fund_pools(db)
    ledger.allocate(None, D("10.00"), ta1, 7, date(2020, 3, 1))
    held = {
        (row.classid, row.objid)
        for row in db.session.execute(
            sa.text(
                "SELECT classid, objid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
                "AND pid = pg_backend_pid()"
            )
        )
    }
    assert {ledger.pool_key(ta1).pair, ledger.pool_key(None).pair} <= held
    assert ledger.PERIODS_KEY.pair in held  # held shared: a month cannot close under the posting


# Attribution ------------------------------------------------------------------------------------------


def test_attribution_follows_earmarks_and_pro_rata_unearmarked_shares(db):
    ta1 = area_id(db, "TA1")
    deu_plain = cf.agreement("DEU", currency="USD", reference="DEU-U")
    nld_plain = cf.agreement("NLD", currency="USD", reference="NLD-U")
    deu_ta1 = cf.agreement("DEU", currency="USD", area_id=ta1, reference="DEU-TA1")
    services.record_deposit(None, deu_plain, D("3000.00"), date(2020, 2, 1))  # net 2,970.00
    services.record_deposit(None, nld_plain, D("1000.00"), date(2020, 2, 1))  # net 990.00
    services.record_deposit(None, deu_ta1, D("500.00"), date(2020, 2, 1))  # net 495.00
    ledger.allocate(None, D("1000.00"), ta1, 3, date(2020, 3, 1))  # 495.00 TA1 + 505.00 unearmarked
    rows = services.attribution(cf.donor("DEU").id)
    assert [(r.pool, r.programme_id, r.attributed) for r in rows] == [
        ("TA1 earmarked", 3, D("495.00")),
        ("Unearmarked", 3, D("378.75")),  # 505.00 × 2,970 / 3,960
    ]
    assert [r.attributed for r in services.attribution(cf.donor("NLD").id)] == [D("126.25")]


# Imports ----------------------------------------------------------------------------------------------


def _import_setup(db):
    cf.rate("EUR", date(2020, 3, 1), "0.9")
    cf.agreement("DEU", reference="SAA-DEU", amount="1000000.00")
    cf.agreement("NLD", reference="SAA-NLD", amount="1000000.00", currency="GBP")


def test_import_with_one_bad_row_among_many_imports_nothing(db):
    _import_setup(db)
    good = [f"SAA-DEU,2020-03-{day:02d},{day}000.00" for day in range(1, 21)]
    lines = ["agreement,date,amount", *good[:10], "SAA-DEU,2020-03-32,100.00", *good[10:]]
    before = cf.entry_count()
    with pytest.raises(services.ImportFailed) as failed:
        services.import_deposits(None, "\n".join(lines).encode())
    assert failed.value.rows == [(12, "bad date '2020-03-32' (use YYYY-MM-DD)")]
    assert cf.entry_count() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("SAA-XXX,2020-03-02,100.00", "unknown agreement 'SAA-XXX'"),
        ("SAA-DEU,02/03/2020,100.00", "bad date '02/03/2020' (use YYYY-MM-DD)"),
        ("SAA-DEU,2020-03-02,-5.00", "amount -5.00 is not above zero"),
        ("SAA-DEU,2020-03-02,ten", "amount 'ten' is not a number"),
        ("SAA-NLD,2020-03-02,100.00", "no exchange rate for GBP in March 2020"),
        ("SAA-DEU,2020-03-02,2000000.00", "takes SAA-DEU past its commitment"),
        ("SAA-DEU,2999-03-02,100.00", "date is in the future"),
        ("SAA-DEU,2019-03-02,100.00", "date is before SAA-DEU was signed"),
    ],
)
def test_import_reports_each_bad_row_with_its_reason(db, row, reason):
    _import_setup(db)
    with pytest.raises(services.ImportFailed) as failed:
        services.import_deposits(None, f"agreement,date,amount\nSAA-DEU,2020-03-01,10.00\n{row}\n")
    ((line, message),) = failed.value.rows
    assert line == 3
    assert reason in message


def test_import_of_good_rows_records_every_deposit(db):
    _import_setup(db)
    deposits = services.import_deposits(
        None, 'agreement,date,amount,note\nSAA-DEU,2020-03-01,900.00,first\nsaa-deu,2020-03-02,"1,800.00",\n'
    )
    assert [(d.amount, d.amount_usd, d.fee_usd) for d in deposits] == [
        (D("900.00"), D("1000.00"), D("10.00")),
        (D("1800.00"), D("2000.00"), D("20.00")),
    ]


def test_rates_import_is_all_or_nothing(db):
    with pytest.raises(services.ImportFailed) as failed:
        services.import_rates(None, "currency,month,rate\nEUR,2020-01,0.9\nXYZ,2020-01,1\nEUR,2020-02,0\n")
    assert [line for line, _ in failed.value.rows] == [3, 4]
    assert services.import_rates(None, "currency,month,rate\nEUR,2020-01,0.9\nGBP,2020-01,0.77\n") == 2
    assert services.rate_for("GBP", date(2020, 1, 20)) == D("0.770000")


def test_agreement_schedule_cannot_exceed_the_commitment(db):
    donor = cf.donor("DEU")
    schedule = services.parse_schedule("2020-06-30 600000\n2020-12-31 500,000.00")
    with pytest.raises(DomainError, match="more than"):
        services.create_agreement(None, donor, "S-1", date(2020, 1, 1), D("1000000"), "EUR", None, schedule)
    with pytest.raises(DomainError, match="Line 1"):
        services.parse_schedule("30/06/2020 600000")


def test_only_donor_organisations_become_contributors(db):
    undp = db.session.scalar(sa.select(Organisation).where(Organisation.code == "UNDP"))
    with pytest.raises(DomainError, match="type donor"):
        services.create_donor(None, undp, "member_state", None)


# Query services and hand postings -----------------------------------------------------------------------


def test_import_failure_names_each_line_for_the_file_field(db):
    _import_setup(db)
    with pytest.raises(services.ImportFailed) as failed:
        services.import_deposits(None, "agreement,date,amount\nSAA-XXX,2020-03-02,1.00\nSAA-DEU,2020-03-02,0\n")
    assert failed.value.errors == {
        "file": [
            "Nothing was imported: 2 row(s) need correcting.",
            "Line 2: unknown agreement 'SAA-XXX'",
            "Line 3: amount 0 is not above zero",
        ]
    }


@pytest.mark.parametrize(
    ("kind", "category"),
    [("interest", EntryKind.interest), ("direct_cost", EntryKind.direct_cost), ("bank_charge", EntryKind.bank_charge)],
)
def test_post_by_hand_records_the_three_fund_level_kinds(db, kind, category):
    cf.deposit("DEU")
    entry = ledger.post_by_hand(None, kind, D("10.00"), date(2020, 6, 30), None, "statement")
    assert (entry.kind, entry.category, entry.amount_usd, entry.thematic_area_id) == (
        category,
        category,
        D("10.00"),
        None,
    )


@pytest.mark.parametrize("kind", ["allocation", "deposit", "reversal", "nonsense"])
def test_post_by_hand_refuses_every_other_kind(db, kind):
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.post_by_hand(None, kind, D("10.00"), date(2020, 6, 30))
    assert refused.value.field == "kind"
    assert cf.entry_count() == 0


def test_ledger_filter_selects_by_kind_and_pool(db):
    ta1 = area_id(db, "TA1")
    cf.deposit("DEU")  # unearmarked: a deposit and its fee
    earmarked = cf.agreement("NLD", reference="NLD-TA1", area_id=ta1)
    services.record_deposit(None, earmarked, D("900.00"), date(2020, 3, 11))
    fees = ledger.ledger_entries(ledger.LedgerFilter.from_args({"kind": "fee"}))
    assert {e.kind for e in fees} == {EntryKind.fee}
    assert len(fees) == 2
    in_ta1 = ledger.ledger_entries(ledger.LedgerFilter.from_args({"pool": str(ta1)}))
    assert {e.thematic_area_id for e in in_ta1} == {ta1}
    assert len(in_ta1) == 2
    unearmarked = ledger.ledger_entries(ledger.LedgerFilter(kind="deposit", pool="unearmarked"))
    assert [e.donor_id for e in unearmarked] == [cf.donor("DEU").id]
    # A value the page does not know filters nothing.
    assert len(ledger.ledger_entries(ledger.LedgerFilter(kind="drop table", pool="x"))) == 4


def test_ledger_page_marks_reversed_entries(db):
    interest = ledger.post_interest(None, D("5.00"), date(2020, 6, 30))
    ledger.post_interest(None, D("7.00"), date(2020, 6, 30))
    ledger.reverse_entry(None, interest, "typo", date(2020, 7, 1))
    page = ledger.ledger_page(ledger.LedgerFilter(kind="interest"), page=1)
    assert page.entries.total == 2
    assert page.reversed_ids == {interest.id}
    assert [p.label for p in page.pools][:2] == ["Unearmarked", page.areas[0].code]


def test_donor_list_gives_each_donor_its_agreements_and_deposits(db):
    cf.deposit("DEU")
    cf.agreement("NLD")
    summaries = {s.donor.organisation.code: s for s in services.donor_list()}
    assert summaries["DEU"].deposits_usd == D("444444.44")
    assert [r.agreement.reference for r in summaries["DEU"].agreements] == ["TEST-DEU-EUR"]
    assert summaries["NLD"].deposits_usd == 0
    assert [r.status for r in summaries["NLD"].agreements] == [AgreementStatus.signed]


def test_donor_page_and_agreement_detail_name_the_reversed_deposits(db):
    deposit = cf.deposit("DEU")
    services.reverse_deposit(None, deposit, "entered twice", date(2020, 3, 11))
    page = services.donor_page(cf.donor("DEU"), page=1)
    assert [d.id for d in page.deposits.items] == [deposit.id]
    assert page.reversed_ids == {deposit.id}
    detail = services.agreement_detail(deposit.agreement)
    assert (detail.reversed_ids, detail.paid, detail.status) == ({deposit.id}, 0, AgreementStatus.signed)
    assert services.deposit_detail(deposit).is_reversed


def test_donor_form_offers_only_donor_organisations_not_yet_contributors(db):
    cf.donor("DEU")
    offered = {label for _id, label in services.donor_organisation_choices()}
    codes = {label.rsplit("(", 1)[1].rstrip(")") for label in offered}
    assert "DEU" not in codes
    assert "ESP" in codes
    assert "UNDP" not in codes
    assert org_id(db, "UNDP") in {i for i, _name in services.un_entity_choices()}
    assert org_id(db, "DEU") not in {i for i, _name in services.un_entity_choices()}
