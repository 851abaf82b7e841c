"""Budget arithmetic, tranches, expenditure, refunds, delivery and closure of joint programmes."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.committee import services as committee_services
from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.contributions.services import programme_label
from fundapp.core import clock
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db as _db
from fundapp.programmes import reporting, services
from fundapp.programmes.models import BudgetCategory, JointProgramme
from tests.committee.decision_helpers import funding_item, ready_note, vote_all
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import CHAIR, SECRETARIAT, deposit, make_programme

D = Decimal


def _flow(programme, code):
    return services.money_flows([programme.id])[programme.id][org(code).id]


def _active(budget=None):
    """A programme with a released first tranche of US$ 300,000 to UNICEF."""
    programme = make_programme(budget)
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    return programme


# Budget -------------------------------------------------------------------------------------------


def test_budget_by_category_adds_indirect_costs_exact_to_the_cent(db):
    programme = make_programme({"UNICEF": "1000000.00", "ILO": "214000.00"})
    amounts = {
        "staff": "123456.78",
        "supplies": "0.01",
        "equipment": "9999.99",
        "contractual": "50000.00",
        "travel": "12345.67",
        "transfers": "100000.00",
        "operating": "4321.09",
    }
    row = services.save_budget(user(SECRETARIAT), programme, org("UNICEF").id, amounts)
    direct = D("300123.54")
    assert row.direct == direct
    # 7% of 300,123.54 = 21,008.6478 → 21,008.65 (half up)
    assert row.indirect == D("21008.65")
    assert row.total == D("321132.19")
    budget = services.budget(programme)
    assert budget.approved == D("321132.19") + D("214000.00")
    assert budget.category_total(BudgetCategory.staff) == D("123456.78")
    assert budget.direct == direct
    assert _flow(programme, "UNICEF").budget == D("321132.19")


def test_indirect_costs_round_half_up():
    assert services.indirect_costs(D("0.07"), D("0.07")) == D("0.00")
    assert services.indirect_costs(D("0.50"), D("0.07")) == D("0.04")  # 0.035 → 0.04
    assert services.indirect_costs(D("1000000.00"), D("0.07")) == D("70000.00")


def test_budget_refused_above_the_allocation(db):
    programme = make_programme()
    with pytest.raises(DomainError, match="above its allocation"):
        services.save_budget(user(SECRETARIAT), programme, org("UNICEF").id, {"staff": "600000.00"})


def test_budget_refused_below_what_was_received(db):
    programme = _active()
    with pytest.raises(DomainError, match="already received"):
        services.save_budget(user(SECRETARIAT), programme, org("UNICEF").id, {"staff": "100000.00"})


# Tranches -----------------------------------------------------------------------------------------


def test_first_transfer_activates_the_programme_through_the_ledger(db):
    programme = make_programme()
    assert programme.status == "approved"
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    assert programme.status == "active"
    assert tranche.ledger_entry_id is not None
    assert _flow(programme, "UNICEF").transferred == D("300000.00")


def test_planned_tranches_never_exceed_the_organisation_budget(db):
    programme = make_programme()
    services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 1, 15), "200000.00")
    with pytest.raises(DomainError, match="above its approved budget"):
        services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 7, 15), "14000.01")
    services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 7, 15), "14000.00")


def test_release_refused_above_budget_after_a_budget_cut(db):
    programme = make_programme()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 1, 15), "214000.00")
    services.save_budget(user(SECRETARIAT), programme, org("ILO").id, {"staff": "100000.00"})  # 107,000 with ISC
    with pytest.raises(DomainError, match="above its approved"):
        services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    assert _flow(programme, "ILO").transferred == 0


def test_tranche_blocked_below_the_spending_threshold(db):
    programme = _active()
    services.record_expenditure(
        user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", "200000.00", date(2026, 6, 30)
    )
    second = services.plan_tranche(
        user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 7, 1), "235000.00", min_spent_percent="70"
    )
    reasons = services.unmet_conditions(second, _flow(programme, "UNICEF"), date(2026, 7, 1))
    assert reasons == ["UNICEF has spent 66.67% of the US$ 300,000.00 it received; this tranche needs 70.00%."]
    with pytest.raises(NotAllowed, match="Only the chair"):
        services.release_tranche(user(SECRETARIAT), second, date(2026, 7, 1))
    with pytest.raises(DomainError, match="justification"):
        services.release_tranche(user(CHAIR), second, date(2026, 7, 1), "")
    services.release_tranche(user(CHAIR), second, date(2026, 7, 1), "Spending was delayed by floods; the plan holds.")
    assert second.override_justification.startswith("Spending was delayed")
    assert "66.67%" in second.unmet_at_release
    assert _flow(programme, "UNICEF").transferred == D("535000.00")


def test_tranche_released_once_the_threshold_is_met(db):
    programme = _active()
    services.record_expenditure(
        user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", "210000.00", date(2026, 6, 30)
    )
    second = services.plan_tranche(
        user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 7, 1), "235000.00", min_spent_percent="70"
    )
    assert services.unmet_conditions(second, _flow(programme, "UNICEF"), date(2026, 7, 1)) == []
    services.release_tranche(user(SECRETARIAT), second, date(2026, 7, 1))
    assert second.override_justification == ""


def test_report_condition_blocks_without_an_approved_report(db):
    programme = _active()
    tranche = services.plan_tranche(
        user(SECRETARIAT), programme, org("ILO").id, date(2026, 8, 15), "100000.00", needs_report_approved=True
    )
    reasons = services.unmet_conditions(tranche, _flow(programme, "ILO"), date(2026, 8, 15))
    assert reasons == ["The progress report for January–June 2026 (semi-annual) is not approved (not started)."]


def test_a_released_tranche_cannot_be_released_again(db):
    programme = make_programme()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 1, 15), "1000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    with pytest.raises(DomainError, match="already been released"):
        services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 16))


# Expenditure, refunds, delivery -------------------------------------------------------------------


def test_expenditure_never_above_the_net_funded_amount(db):
    programme = _active()
    with pytest.raises(ledger.InsufficientFunds):
        services.record_expenditure(
            user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", "300000.01", date(2026, 6, 30)
        )
    services.record_refund(user(SECRETARIAT), programme, org("UNICEF").id, "50000.00", date(2026, 6, 1))
    with pytest.raises(ledger.InsufficientFunds):
        services.record_expenditure(
            user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", "250000.01", date(2026, 6, 30)
        )
    services.record_expenditure(
        user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", "250000.00", date(2026, 6, 30)
    )
    assert _flow(programme, "UNICEF").balance == 0


def test_final_expenditure_posts_the_difference_and_certifies_the_year(db):
    programme = _active()
    unicef = org("UNICEF").id
    services.record_expenditure(user(SECRETARIAT), programme, unicef, 2026, "interim", "100000.00", date(2026, 6, 30))
    with clock.frozen(date(2027, 3, 15)):  # the certification comes in March 2027: postings are never dated ahead
        with pytest.raises(DomainError, match="cannot be lower"):
            services.record_expenditure(
                user(SECRETARIAT), programme, unicef, 2026, "final", "99999.99", date(2027, 3, 1)
            )
        final = services.record_expenditure(
            user(SECRETARIAT), programme, unicef, 2026, "final", "180000.50", date(2027, 3, 1)
        )
        assert final.amount == D("80000.50")
        assert final.certified_total == D("180000.50")
        assert _flow(programme, "UNICEF").spent == D("180000.50")
        with pytest.raises(DomainError, match="already certified"):
            services.record_expenditure(user(SECRETARIAT), programme, unicef, 2026, "interim", "1.00", date(2027, 3, 2))
    assert services.certification_deadline(2026) == date(2027, 4, 30)


def test_refund_never_above_the_balance(db):
    programme = _active()
    with pytest.raises(ledger.InsufficientFunds):
        services.record_refund(user(SECRETARIAT), programme, org("UNICEF").id, "300000.01", date(2026, 6, 1))
    pools_before = sum((p.available for p in ledger.pool_balances()), D(0))
    services.record_refund(user(SECRETARIAT), programme, org("UNICEF").id, "1000.00", date(2026, 6, 1))
    assert sum((p.available for p in ledger.pool_balances()), D(0)) == pools_before + D("1000.00")


@pytest.mark.parametrize(
    ("spent", "refunded", "rate"),
    [
        ("0.00", "0.00", "0.00"),
        ("100000.00", "0.00", "33.33"),
        ("200000.00", "100000.00", "100.00"),
        ("150000.00", "0.00", "50.00"),
    ],
)
def test_delivery_rate_is_expenditure_over_net_funded(db, spent, refunded, rate):
    programme = _active()
    if D(refunded):
        services.record_refund(user(SECRETARIAT), programme, org("UNICEF").id, refunded, date(2026, 6, 1))
    if D(spent):
        services.record_expenditure(
            user(SECRETARIAT), programme, org("UNICEF").id, 2026, "interim", spent, date(2026, 6, 30)
        )
    assert _flow(programme, "UNICEF").delivery_rate == D(rate)
    assert _flow(programme, "ILO").delivery_rate is None
    total = services.programme_total(services.money_flows([programme.id])[programme.id])
    assert total.delivery_rate == D(rate)


# Lifecycle ----------------------------------------------------------------------------------------


def _closed_programme():
    programme = make_programme({"UNICEF": "300000.00"}, starts_on=date(2024, 1, 1), ends_on=date(2025, 12, 31))
    unicef = org("UNICEF").id
    tranche = services.plan_tranche(user(SECRETARIAT), programme, unicef, date(2024, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2024, 1, 15))
    services.record_expenditure(user(SECRETARIAT), programme, unicef, 2024, "final", "120000.00", date(2025, 3, 1))
    services.record_expenditure(user(SECRETARIAT), programme, unicef, 2025, "final", "170000.00", date(2026, 3, 1))
    services.close_operationally(
        user(SECRETARIAT), programme, date(2026, 2, 1), "All results achieved.", date(2026, 3, 1)
    )
    assert programme.status == "operationally_closed"
    with pytest.raises(DomainError, match=r"unspent balance of US\$ 10,000\.00"):
        services.close_financially(user(SECRETARIAT), programme, date(2026, 3, 1))
    services.record_refund(user(SECRETARIAT), programme, unicef, "10000.00", date(2026, 3, 2))
    services.close_financially(user(SECRETARIAT), programme, date(2026, 3, 3))
    return programme


def test_operational_closure_needs_the_end_date_passed(db):
    programme = _active()
    with pytest.raises(DomainError, match="runs until"):
        services.close_operationally(user(SECRETARIAT), programme, date(2027, 6, 1), "Done.", date(2027, 6, 1))


def test_financial_closure_needs_every_year_certified(db):
    programme = make_programme({"UNICEF": "300000.00"}, starts_on=date(2024, 1, 1), ends_on=date(2025, 12, 31))
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2024, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2024, 1, 15))
    services.record_expenditure(
        user(SECRETARIAT), programme, org("UNICEF").id, 2024, "final", "300000.00", date(2025, 3, 1)
    )
    services.close_operationally(user(SECRETARIAT), programme, date(2026, 2, 1), "Done.", date(2026, 3, 1))
    with pytest.raises(DomainError, match="2025 expenditure not certified"):
        services.close_financially(user(SECRETARIAT), programme, date(2026, 3, 1))


def test_financially_closed_programme_refuses_every_money_event(db):
    programme = _closed_programme()
    assert programme.status == "financially_closed"
    unicef = org("UNICEF").id
    actor = user(SECRETARIAT)
    attempts = [
        lambda: ledger.post_transfer(actor, "1.00", programme.id, unicef, date(2026, 4, 1)),
        lambda: ledger.post_expenditure(actor, "1.00", programme.id, unicef, date(2026, 4, 1)),
        lambda: ledger.post_refund(actor, "1.00", programme.id, unicef, date(2026, 4, 1)),
        lambda: ledger.allocate(actor, "1.00", None, programme.id, date(2026, 4, 1)),
    ]
    for attempt in attempts:
        with pytest.raises(ledger.LedgerError, match="financially closed"):
            attempt()
    transfer = next(e for e in ledger_entries(programme.id) if e.kind is EntryKind.transfer)
    with pytest.raises(ledger.LedgerError, match="financially closed"):
        ledger.reverse_entry(actor, transfer, "Mistake")


def ledger_entries(programme_id):
    return list(_db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.programme_id == programme_id)))


def test_programme_label_is_the_reference_the_note_and_the_title(db):
    programme = make_programme()
    note = programme.document.concept_note.reference
    assert programme_label(programme.id) == f"JP-{programme.id:04d} ({note}) Fair recruitment for migrant workers"
    assert programme_label(999999) == "Programme 999999"


def test_committee_funding_decision_creates_the_programme(db):
    deposit("3000000.00")
    note = ready_note()
    item = funding_item(note)
    vote_all(item)
    committee_services.record_decision(user(CHAIR), item, committee_services.DecisionInput("approve_funding"))
    document = committee_services.programme_document(note)
    programme = db.session.get(JointProgramme, document.id)
    assert programme.status == "approved"
    assert programme.title == note.title
    assert programme.approved_on == item.meeting.held_on
    # Each participating organization holds its budget share of the allocation (issue 11, item 5), which here
    # is its whole budget line: the decision allocated the document's total.
    flows = services.money_flows([programme.id])[programme.id]
    assert services.programme_total(flows).allocated == document.total
    assert {line.organisation_id: flows[line.organisation_id].allocated for line in document.budget_lines} == {
        line.organisation_id: line.amount for line in document.budget_lines
    }


def test_ready_note_carries_a_pipeline_programme_until_funded(db):
    deposit("3000000.00")
    note = ready_note()
    programme = db.session.get(JointProgramme, committee_services.programme_document(note).id)
    assert programme.status == "pipeline"
    assert [e.to_state for e in services.PROGRAMME.timeline(programme.id)] == ["pipeline"]
    unicef = note.organisation_id
    services.save_budget(user(SECRETARIAT), programme, unicef, {"staff": "500000.00", "travel": "100000.00"})
    with pytest.raises(DomainError, match="approved or active"):
        services.plan_tranche(user(SECRETARIAT), programme, unicef, date(2026, 9, 1), "1000.00")
    with pytest.raises(DomainError, match="once the programme is funded"):
        reporting.start_report(user("applicant2@example.org"), programme, "2027")
    item = funding_item(note)
    vote_all(item)
    committee_services.record_decision(user(CHAIR), item, committee_services.DecisionInput("approve_funding"))
    assert programme.status == "approved"
    assert programme.approved_on == item.meeting.held_on
    assert services.budget(programme).rows[0].direct == D("600000.00")


def test_portfolio_lists_pipeline_documents_only_when_asked(db, client, login):
    funded = make_programme()
    pipeline = make_programme({"UNDP": "100000.00"}, lead="UNDP", email="applicant@example.org", fund=False)
    pipeline.status = "pipeline"
    db.session.commit()
    login("secretariat@example.org")
    page = client.get("/programmes").get_data(as_text=True)
    assert funded.reference in page
    assert pipeline.reference not in page
    page = client.get("/programmes?status=pipeline").get_data(as_text=True)
    assert pipeline.reference in page
    assert funded.reference not in page
    assert db.session.get(JointProgramme, pipeline.id).status == "pipeline"
