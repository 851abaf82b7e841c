"""Figures and dates inside sentences, in the reader's language (the marked messages of services, views, notices
and PDFs take them as named placeholders): `long_date` "31 March 2027", `short_date` "31 Mar 2027", `amount`
"1,234.50" (the `money` filter's rule), `decimal` "66.67" (two places, the locale's separators)."""

from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_decimal

from fundapp.core.money import format_money


def long_date(value: date) -> str:
    return format_date(value, "dd MMMM y")


def short_date(value: date) -> str:
    return format_date(value, "dd MMM y")


def amount(value: Decimal) -> str:
    return format_money(value)


def decimal(value: Decimal) -> str:
    return format_decimal(value, "#,##0.00")


def month_label(value: date) -> str:
    """'November 2026'."""
    return format_date(value, "MMMM y")
