"""Build contributions data inside a test's transaction (the session database holds accounts only)."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import Organisation
from fundapp.contributions import ledger, periods, services
from fundapp.contributions.models import Agreement, Deposit, Donor, DonorType, ExchangeRate, LedgerEntry
from fundapp.core.extensions import db


def rate(currency: str, month: date, value: str) -> ExchangeRate:
    return services.set_rate(None, currency, month, Decimal(value))


def donor(code: str) -> Donor:
    found = db.session.scalar(sa.select(Donor).join(Donor.organisation).where(Organisation.code == code))
    if found:
        return found
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
    return services.create_donor(None, org, DonorType.member_state, org.country_code)


def agreement(
    code: str,
    currency: str = "EUR",
    amount: str = "1000000.00",
    area_id: int | None = None,
    reference: str | None = None,
    signed_on: date = date(2020, 1, 1),
) -> Agreement:
    reference = reference or f"TEST-{code}-{currency}"
    found = db.session.scalar(sa.select(Agreement).where(Agreement.reference == reference))
    if found:
        return found
    return services.create_agreement(None, donor(code), reference, signed_on, Decimal(amount), currency, area_id)


def deposit(code: str, amount: str = "400000.00", on: date = date(2020, 3, 10)) -> Deposit:
    """An EUR deposit against the donor's test agreement (rate 0.9 for its month)."""
    agr = agreement(code)
    found = db.session.scalar(sa.select(Deposit).where(Deposit.agreement_id == agr.id).limit(1))
    if found:
        return found
    if not db.session.scalar(
        sa.select(ExchangeRate.id).where(ExchangeRate.currency == "EUR", ExchangeRate.month == on.replace(day=1))
    ):
        rate("EUR", on, "0.9")
    return services.record_deposit(None, agr, Decimal(amount), on)


def donor_id(_lookup, code: str) -> int:
    return donor(code).id


def agreement_id(_lookup, code: str) -> int:
    deposit(code)
    return agreement(code).id


def deposit_id(_lookup, code: str) -> int:
    return deposit(code).id


def interest_entry_id(_lookup) -> int:
    return ledger.post_interest(None, Decimal("100.00"), date(2020, 6, 30)).id


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))


def closed_month(_lookup) -> str:
    """Close the books' first month (May 2019) and return it as the URL spells it."""
    periods.close_period(None, date(2019, 5, 1))
    return "2019-05"
