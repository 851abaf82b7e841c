"""Agreements' schedules: what each line still owes, overdue lines (the inboxes, the overdue notices, the agreement
page), the donors in the search box and the names in the audit log."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.contributions import permissions, services
from fundapp.contributions.models import Donor
from fundapp.core import clock
from fundapp.core.extensions import db
from tests.concept_notes.helpers import user
from tests.contributions import factories

D = Decimal
SCHEDULE = [
    (date(2026, 3, 31), D("400000.00")),
    (date(2026, 6, 30), D("300000.00")),
    (date(2026, 10, 31), D("300000.00")),
]


def _agreement(code="DEU", reference="SCHED-DEU", schedule=SCHEDULE, amount="1000000.00"):
    for month in (3, 4, 5, 6, 7, 8, 9, 10, 11):
        if not db.session.scalar(
            sa.select(sa.func.count()).where(
                services.ExchangeRate.currency == "EUR", services.ExchangeRate.month == date(2026, month, 1)
            )
        ):
            factories.rate("EUR", date(2026, month, 1), "0.9")
    return services.create_agreement(
        None, factories.donor(code), reference, date(2026, 1, 15), D(amount), "EUR", schedule=schedule
    )


@pytest.mark.parametrize(
    ("paid", "owed", "overdue"),
    [
        ("0.00", ["400000.00", "300000.00", "300000.00"], [True, True, False]),
        ("400000.00", ["0.00", "300000.00", "300000.00"], [False, True, False]),
        ("500000.00", ["0.00", "200000.00", "300000.00"], [False, True, False]),
        ("700000.00", ["0.00", "0.00", "300000.00"], [False, False, False]),
        ("1000000.00", ["0.00", "0.00", "0.00"], [False, False, False]),
    ],
)
def test_deposits_settle_the_schedule_in_date_order(db, paid, owed, overdue):
    agreement = _agreement()
    if D(paid):
        services.record_deposit(None, agreement, D(paid), date(2026, 4, 10))
    on = date(2026, 8, 15)
    lines = services.schedule_status(agreement.schedule, services.paid_to_date(agreement)[0], on)
    assert [str(line.outstanding) for line in lines] == owed
    assert [line.overdue for line in lines] == overdue
    # The SQL running total agrees with the page's arithmetic, line by line.
    in_sql = services.instalments_owed(on, within_days=365, donor_id=agreement.donor_id)
    assert [(i.payment.id, i.outstanding, i.overdue) for i in in_sql] == [
        (line.payment.id, line.outstanding, line.overdue) for line in lines if line.outstanding > 0
    ]


def test_a_reversed_deposit_pays_nothing(db):
    agreement = _agreement()
    deposit = services.record_deposit(None, agreement, D("400000.00"), date(2026, 4, 10))
    assert [i.outstanding for i in services.instalments_owed(date(2026, 8, 15), overdue_only=True)] == [D("300000.00")]
    services.reverse_deposit(None, deposit, "Wrong agreement", date(2026, 4, 11))
    assert [i.outstanding for i in services.instalments_owed(date(2026, 8, 15), overdue_only=True)] == [
        D("400000.00"),
        D("300000.00"),
    ]


def test_instalments_owed_by_donor_horizon_and_overdue_only(db):
    germany = _agreement()
    netherlands = _agreement("NLD", "SCHED-NLD", [(date(2026, 5, 31), D("50000.00"))], "50000.00")
    on = date(2026, 8, 15)
    overdue = services.instalments_owed(on, overdue_only=True)
    assert [(i.agreement, i.payment.due_on) for i in overdue] == [
        (germany, date(2026, 3, 31)),
        (netherlands, date(2026, 5, 31)),
        (germany, date(2026, 6, 30)),
    ]
    assert len(services.instalments_owed(on, within_days=30)) == 3  # 31 October is beyond 30 days
    assert len(services.instalments_owed(on, within_days=90)) == 4
    assert {i.agreement for i in services.instalments_owed(on, 90, donor_id=netherlands.donor_id)} == {netherlands}


def test_the_first_instalments_owed_with_the_number_and_the_overdue_of_all(db, queries):
    germany = _agreement()
    netherlands = _agreement("NLD", "SCHED-NLD", [(date(2026, 5, 31), D("50000.00"))], "50000.00")
    on = date(2026, 8, 15)
    for within_days, donor_id, overdue_only in (
        (90, None, False),
        (30, None, False),
        (0, None, True),
        (90, netherlands.donor_id, False),
    ):
        every = services.instalments_owed(on, within_days, donor_id=donor_id, overdue_only=overdue_only)
        with queries() as q:
            page = services.instalments_owed_page(on, 2, within_days, donor_id=donor_id, overdue_only=overdue_only)
        assert len(q) == 1
        assert [(i.payment, i.outstanding, i.overdue) for i in page.items] == [
            (i.payment, i.outstanding, i.overdue) for i in every[:2]
        ]
        assert page.total == len(every)
        assert page.overdue == len([i for i in every if i.overdue])
    assert services.instalments_owed_page(on, 2, 90).total == 4
    assert services.instalments_owed_page(date(2026, 1, 1), 2, overdue_only=True) == services.InstalmentsOwed(0, 0, [])
    assert germany.schedule


def test_the_agreement_page_flags_overdue_lines(client, login, db):
    agreement = _agreement()
    services.record_deposit(None, agreement, D("500000.00"), date(2026, 4, 10))
    login("secretariat@example.org")

    with clock.frozen(date(2026, 8, 15)):
        page = client.get(f"/contributions/agreements/{agreement.id}").get_data(as_text=True)
    schedule = page[page.index("Schedule of expected payments") :]
    schedule = schedule[schedule.index("<tbody>") : schedule.index("</tbody>")]
    assert schedule.count(">Paid<") == 1
    assert schedule.count(">Overdue<") == 1
    assert schedule.count(">Due<") == 1
    assert "EUR 200,000.00" in schedule


@pytest.mark.parametrize(
    "email",
    [
        "secretariat@example.org",
        "donor@example.org",
        "donor2@example.org",
        "applicant@example.org",
        "admin@example.org",
    ],
)
def test_visible_donors_is_the_sql_twin_of_can_view_donor(db, email):
    factories.donor("DEU")
    factories.donor("NLD")
    viewer = user(email)
    visible = set(db.session.scalars(sa.select(Donor.id).where(services.visible_donors(viewer))))
    assert visible == {d.id for d in db.session.scalars(sa.select(Donor)) if permissions.can_view_donor(viewer, d)}


def test_search_donors_by_name_or_code(db):
    germany = factories.donor("DEU")
    factories.donor("NLD")

    def found(email, query):
        return {row.id for row in db.session.execute(services.search_donors(user(email), query))}

    assert found("secretariat@example.org", "federal") == {germany.id}
    assert found("secretariat@example.org", "deu") == {germany.id}
    assert found("donor@example.org", "foreign") == {germany.id}  # the Netherlands' ministry too, but not its own
    assert found("donor2@example.org", "federal") == set()


def test_describe_objects_names_agreements_deposits_and_rates(db):
    agreement = _agreement()
    deposit = services.record_deposit(None, agreement, D("1000.00"), date(2026, 4, 10))
    assert services.describe_objects("agreements", [str(agreement.id)]) == {str(agreement.id): "agreement SCHED-DEU"}
    assert services.describe_objects("deposits", [str(deposit.id)]) == {
        str(deposit.id): "deposit of EUR 1,000.00 on SCHED-DEU (10 Apr 2026)"
    }
    donor = agreement.donor
    assert services.describe_objects("donors", [str(donor.id)]) == {str(donor.id): f"donor {donor.name}"}
    assert services.describe_objects("calls", ["1"]) is None
