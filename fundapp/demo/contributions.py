"""Demo contributions: 12 donors, agreements in five currencies, deposits worth exactly US$30,000,000.00.

Each event happens on its date in the demo's story (fundapp/demo/story.py): rates as they are published,
donors and agreements when signed, deposits when received.

Original amounts are round sums in each donor's currency, as donors pay them; the Mexican deposit in US
dollars is the balance that brings the fund's deposits to exactly US$30,000,000.00 (DESIGN.md: "US$30
million from 12 donors" by end-November 2021). Goes through the services, so every rule applies.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.contributions import ledger, periods, services
from fundapp.contributions.models import Agreement, Deposit, Donor, DonorType, ExchangeRate
from fundapp.core.extensions import db
from fundapp.demo.story import Process, agenda, tell
from fundapp.reference.models import ThematicArea

TOTAL_DEPOSITS_USD = Decimal("30000000.00")

#: UN operational rates (units per US$) by quarter, 2019-2021; each month of a quarter uses its quarter's rate.
QUARTERLY_RATES = {
    "EUR": ["0.881", "0.893", "0.906", "0.903", "0.901", "0.918", "0.872", "0.842", "0.826", "0.838", "0.851", "0.879"],
    "GBP": ["0.771", "0.788", "0.815", "0.776", "0.768", "0.812", "0.781", "0.747", "0.728", "0.722", "0.731", "0.748"],
    "NOK": [
        "8.688",
        "8.623",
        "9.027",
        "9.218",
        "9.351",
        "10.612",
        "9.478",
        "9.012",
        "8.531",
        "8.442",
        "8.610",
        "8.893",
    ],
    "DKK": ["6.574", "6.667", "6.759", "6.744", "6.725", "6.851", "6.498", "6.265", "6.157", "6.232", "6.331", "6.538"],
}

#: (donor code, reference, signed on, amount, currency, earmark area code or None,
#:  [(deposited on, amount)], schedule [(due on, amount)])
AGREEMENTS = [
    (
        "DEU",
        "MIG00-SAA-DEU-2019-01",
        date(2019, 6, 20),
        "6000000.00",
        "EUR",
        None,
        [(date(2019, 7, 15), "3000000.00"), (date(2020, 2, 10), "3000000.00")],
        [(date(2019, 7, 31), "3000000.00"), (date(2020, 1, 31), "3000000.00")],
    ),
    (
        "DEU",
        "MIG00-SAA-DEU-2020-02",
        date(2020, 9, 1),
        "4000000.00",
        "EUR",
        "TA2",
        [(date(2020, 10, 5), "2000000.00"), (date(2021, 3, 15), "1000000.00")],
        [(date(2020, 10, 31), "2000000.00"), (date(2021, 3, 31), "1000000.00"), (date(2021, 12, 31), "1000000.00")],
    ),
    (
        "NLD",
        "MIG00-SAA-NLD-2019-01",
        date(2019, 9, 10),
        "3000000.00",
        "EUR",
        None,
        [(date(2019, 10, 1), "1500000.00"), (date(2020, 11, 2), "1500000.00")],
        [],
    ),
    (
        "NOR",
        "MIG00-SAA-NOR-2019-01",
        date(2019, 11, 12),
        "30000000.00",
        "NOK",
        None,
        [(date(2019, 12, 5), "15000000.00"), (date(2021, 1, 20), "15000000.00")],
        [],
    ),
    (
        "DNK",
        "MIG00-SAA-DNK-2020-01",
        date(2020, 1, 15),
        "15000000.00",
        "DKK",
        "TA5",
        [(date(2020, 2, 20), "15000000.00")],
        [],
    ),
    (
        "BEL",
        "MIG00-SAA-BEL-2020-01",
        date(2020, 3, 10),
        "2000000.00",
        "EUR",
        "TA1",
        [(date(2020, 4, 15), "2000000.00")],
        [],
    ),
    (
        "FRA",
        "MIG00-SAA-FRA-2019-01",
        date(2019, 7, 1),
        "2000000.00",
        "EUR",
        None,
        [(date(2019, 8, 20), "1000000.00"), (date(2021, 6, 10), "1000000.00")],
        [],
    ),
    (
        "ESP",
        "MIG00-SAA-ESP-2020-01",
        date(2020, 6, 15),
        "1500000.00",
        "EUR",
        "TA4",
        [(date(2020, 7, 20), "1500000.00")],
        [],
    ),
    (
        "GBR",
        "MIG00-SAA-GBR-2019-01",
        date(2019, 10, 15),
        "2000000.00",
        "GBP",
        "TA3",
        [(date(2019, 11, 20), "1000000.00"), (date(2021, 2, 15), "500000.00")],
        [(date(2019, 11, 30), "1000000.00"), (date(2021, 2, 28), "500000.00"), (date(2022, 2, 28), "500000.00")],
    ),
    (
        "PRT",
        "MIG00-SAA-PRT-2020-01",
        date(2020, 5, 5),
        "500000.00",
        "EUR",
        None,
        [(date(2020, 6, 15), "500000.00")],
        [],
    ),
    (
        "CYP",
        "MIG00-SAA-CYP-2020-01",
        date(2020, 11, 10),
        "100000.00",
        "EUR",
        None,
        [(date(2020, 12, 10), "50000.00")],
        [],
    ),
    (
        "PHL",
        "MIG00-SAA-PHL-2021-01",
        date(2021, 3, 1),
        "100000.00",
        "USD",
        None,
        [(date(2021, 4, 15), "100000.00")],
        [],
    ),
    #: The balancing deposit (None): whatever brings the fund to exactly US$30,000,000.00.
    ("MEX", "MIG00-SAA-MEX-2021-01", date(2021, 5, 1), "2000000.00", "USD", None, [(date(2021, 7, 1), None)], []),
]

#: Fund-level income and costs, in US dollars.
INTEREST = [(date(2020, 12, 31), "48215.37"), (date(2021, 6, 30), "21904.12")]
BANK_CHARGES = [(date(2021, 6, 30), "1250.00")]


#: The fund's books open here: the rates of the months before are entered at once, later ones as published.
BOOKS_OPEN_ON = date(2019, 5, 10)


def _months() -> list[date]:
    return [date(2019 + index // 12, index % 12 + 1, 1) for index in range(36)]


def _rate_published_on(month: date) -> date:
    """UN operational rates are announced shortly before the month they apply to."""
    return max(month - timedelta(days=4), BOOKS_OPEN_ON)


def seed_contributions() -> int:
    """Donors, rates, agreements, deposits, interest and bank charges, each on its date; skips what exists."""
    counter = [0]
    tell(contributions_story(counter))
    return counter[0]


def contributions_story(counter: list[int] | None = None) -> Process:
    """The Fund Management Unit's books from May 2019 to November 2021, as a process of the demo's story."""
    counter = counter if counter is not None else [0]
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    donors = {d.organisation.code: d for d in db.session.scalars(sa.select(Donor))}
    rates = {(r.currency, r.month) for r in db.session.scalars(sa.select(ExchangeRate))}
    areas = {a.code: a.id for a in db.session.scalars(sa.select(ThematicArea))}
    agreements = {a.reference: a for a in db.session.scalars(sa.select(Agreement))}
    paid = set(db.session.scalars(sa.select(Deposit.agreement_id)))
    steps: list[tuple[date, Callable[[], object]]] = []

    def count(value: object) -> object:
        counter[0] += 1
        return value

    for currency, quarterly in QUARTERLY_RATES.items():
        for index, month in enumerate(_months()):
            if (currency, month) not in rates:
                rate = Decimal(quarterly[index // 3])
                steps.append(
                    (
                        _rate_published_on(month),
                        lambda c=currency, m=month, r=rate: count(services.set_rate(None, c, m, r)),
                    )
                )
    seeded = []
    for code, reference, signed_on, amount, currency, earmark, deposits, schedule in AGREEMENTS:
        if code not in donors:
            donors[code] = None  # created with its first agreement

            def create_donor(code=code) -> None:
                donors[code] = count(
                    services.create_donor(None, orgs[code], DonorType.member_state, orgs[code].country_code)
                )

            steps.append((signed_on, create_donor))
        if reference not in agreements:

            def create_agreement(
                code=code,
                reference=reference,
                signed_on=signed_on,
                amount=amount,
                currency=currency,
                earmark=earmark,
                schedule=schedule,
            ) -> None:
                agreements[reference] = count(
                    services.create_agreement(
                        None,
                        donors[code],
                        reference,
                        signed_on,
                        Decimal(amount),
                        currency,
                        areas[earmark] if earmark else None,
                        [(d, Decimal(a)) for d, a in schedule],
                    )
                )

            steps.append((signed_on, create_agreement))
        elif agreements[reference].id in paid:
            continue
        for deposited_on, listed in deposits:

            def deposit(reference=reference, deposited_on=deposited_on, listed=listed) -> None:
                # None marks the balancing deposit: what is left to reach exactly US$30,000,000.00.
                due = TOTAL_DEPOSITS_USD - ledger.funding_status().contributions if listed is None else listed
                count(services.record_deposit(None, agreements[reference], Decimal(due), deposited_on))

            steps.append((deposited_on, deposit))
            seeded.append(deposited_on)
    if seeded:
        for on, amount in INTEREST:
            steps.append(
                (
                    on,
                    lambda on=on, amount=amount: ledger.post_interest(
                        None, Decimal(amount), on, description="Interest on the fund's balance"
                    ),
                )
            )
        for on, amount in BANK_CHARGES:
            steps.append(
                (
                    on,
                    lambda on=on, amount=amount: ledger.post_bank_charge(
                        None, Decimal(amount), on, description="Bank charges"
                    ),
                )
            )
    yield from agenda(steps)


def planned_pools(until: date, fee_rate: Decimal) -> dict[str | None, Decimal]:
    """What the demo's deposits (net of the fee), interest and bank charges put in each pool (thematic area code,
    None unearmarked) by a day: the committee's plan reads it to fund only what the pools hold by then."""
    pools: dict[str | None, Decimal] = {None: Decimal("0.00")}
    total = Decimal("0.00")
    balancing: list[tuple[date, str | None]] = []
    for _code, _ref, _signed, _amount, currency, earmark, deposits, _schedule in AGREEMENTS:
        for on, listed in deposits:
            if listed is None:
                balancing.append((on, earmark))
                continue
            month = (on.year - 2019) * 12 + on.month - 1
            rate = Decimal(1) if currency == "USD" else Decimal(QUARTERLY_RATES[currency][month // 3])
            usd = services.to_usd(Decimal(listed), rate)
            total += usd
            if on <= until:
                pools[earmark] = pools.get(earmark, Decimal("0.00")) + usd - services.fee_on(usd, fee_rate)
    for on, earmark in balancing:
        if on <= until:
            usd = TOTAL_DEPOSITS_USD - total
            pools[earmark] = pools.get(earmark, Decimal("0.00")) + usd - services.fee_on(usd, fee_rate)
    pools[None] += sum((Decimal(a) for on, a in INTEREST if on <= until), Decimal(0))
    pools[None] -= sum((Decimal(a) for on, a in BANK_CHARGES if on <= until), Decimal(0))
    return pools


#: The Fund Management Unit has reconciled and closed its books through the end of June 2021.
CLOSED_THROUGH = date(2021, 6, 30)
#: Each month is closed on this day of the next one, once its bank statement is reconciled.
CLOSES_ON_DAY = 20


def seed_periods() -> int:
    """Close every month from the fund's establishment through CLOSED_THROUGH (skips what is closed)."""
    counter = [0]
    tell(periods_story(counter))
    return counter[0]


def periods_story(counter: list[int] | None = None) -> Process:
    """The secretariat closes each month on the CLOSES_ON_DAY of the next one, through CLOSED_THROUGH."""
    counter = counter if counter is not None else [0]
    month = date(2019, 5, 1)
    while month <= CLOSED_THROUGH:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        yield following.replace(day=CLOSES_ON_DAY)
        secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@example.org"))
        counter[0] += periods.close_through(secretariat, month)
        month = following
