from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.core.money import (
    FixedDecimal,
    MoneyInputError,
    format_money,
    money_str,
    parse_decimal,
    parse_money,
    split_evenly,
    to_money,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half up, not banker's rounding
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("-0.005", "-0.01"),
        ("1234567.894999", "1234567.89"),
        (7, "7.00"),
        (Decimal("2.675"), "2.68"),  # float would give 2.67
    ],
)
def test_to_money_rounds_half_up(value, expected):
    assert to_money(value) == Decimal(expected)


def test_to_money_refuses_float():
    with pytest.raises(TypeError):
        to_money(0.1)


@pytest.mark.parametrize("bad", ["", "abc", "1,2,3x", "NaN", "Infinity"])
def test_parse_money_refuses_non_numbers(bad):
    with pytest.raises(ValueError):
        parse_money(bad)


def test_parse_money_accepts_thousands_separators():
    assert parse_money(" 1,234,567.5 ") == Decimal("1234567.50")


def test_format_and_json_output():
    assert format_money(Decimal("30000000")) == "30,000,000.00"
    assert format_money(Decimal("1.5"), "EUR") == "EUR 1.50"
    assert money_str(Decimal("30000000")) == "30000000.00"
    assert money_str(None) is None


@pytest.mark.parametrize(("total", "parts"), [("100.00", 3), ("0.05", 2), ("1000000.01", 7)])
def test_split_evenly_adds_back_up(total, parts):
    shares = split_evenly(Decimal(total), parts)
    assert sum(shares) == Decimal(total)
    assert len(shares) == parts


def test_fixed_decimal_round_trips_exactly_and_sums_as_decimal(db):
    """Stored and summed exactly on both engines: 0.1 + 0.2 is 0.3 here."""
    table = sa.Table(
        "tmp_money_check",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", FixedDecimal(14, 2)),
    )
    conn = db.session.connection()
    table.create(conn)
    conn.execute(table.insert(), [{"v": Decimal("0.10")}, {"v": Decimal("0.20")}, {"v": Decimal("999999999999.99")}])
    values = conn.execute(sa.select(table.c.v).order_by(table.c.id)).scalars().all()
    assert values == [Decimal("0.10"), Decimal("0.20"), Decimal("999999999999.99")]
    total = conn.execute(sa.select(sa.func.sum(table.c.v)).where(table.c.v < 1)).scalar_one()
    assert isinstance(total, Decimal)
    assert total == Decimal("0.30")


# Strict input: refused rather than rounded ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", "1000.00"),
        ("1,234,567.50", "1234567.50"),
        ("1 234 567.5", "1234567.50"),
        ("0.10", "0.10"),
        ("1.500", "1.50"),  # exact: the third decimal is a zero
        ("999999999999.99", "999999999999.99"),
        (Decimal("12.30"), "12.30"),
        (7, "7.00"),
    ],
)
def test_parse_money_accepts_exact_amounts(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.005", "at most two decimals"),
        (Decimal("1.005"), "at most two decimals"),
        ("NaN", "in digits"),
        ("Infinity", "in digits"),
        ("-inf", "in digits"),
        (Decimal("NaN"), "not a valid amount"),
        (Decimal("Infinity"), "not a valid amount"),
        ("1e5", "without an exponent"),
        ("1E+5", "without an exponent"),
        ("1_000", "without underscores"),
        ("-5", "without a minus sign"),
        ("+5", "without a sign"),
        ("1,50", "decimal point, not a comma"),
        ("1,2,3", "in digits"),
        ("0x10", "in digits"),
        ("1000000000000", "too large"),
        ("", "Enter the amount"),
        (None, "Enter the amount"),
    ],
)
def test_parse_money_refuses_what_it_would_have_to_guess(text, message):
    with pytest.raises(MoneyInputError, match=message):
        parse_money(text)


def test_parse_money_takes_a_minus_only_where_allowed():
    assert parse_money("-12.50", negative=True) == Decimal("-12.50")
    with pytest.raises(MoneyInputError, match="too large"):
        parse_money("-1000000000000", negative=True)


def test_parse_decimal_keeps_six_decimals_for_rates():
    assert parse_decimal("0.851234", places=6, what="rate") == Decimal("0.851234")
    with pytest.raises(MoneyInputError, match="at most 6 decimals"):
        parse_decimal("0.8512345", places=6, what="rate")


def test_parse_money_refuses_float():
    with pytest.raises(TypeError):
        parse_money(0.1)
