"""The shared form fields: money typed by a person, and one-time submission keys."""

from decimal import Decimal

import pytest
from wtforms.validators import InputRequired, Optional

from fundapp.core.forms import POSITIVE, MoneyField, OnceForm, RateField, new_submission_key


class AmountForm(OnceForm):
    amount = MoneyField("Amount", validators=[InputRequired(message="Enter the amount."), POSITIVE])
    optional = MoneyField("Optional", validators=[Optional()])
    signed = MoneyField("Signed", validators=[Optional()], negative=True)
    rate = RateField("Rate", validators=[Optional()])


def _post(app, **data) -> AmountForm:
    with app.test_request_context(method="POST", data=data):
        form = AmountForm()
        form.validate()
        return form


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1000", "1000.00"), ("1,000.50", "1000.50"), (" 25 000 ", "25000.00"), ("0.01", "0.01")],
)
def test_money_field_reads_exact_amounts(app, typed, expected):
    form = _post(app, amount=typed)
    assert form.errors == {}
    assert form.amount.data == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.005", "The amount has at most two decimals (cents): nothing is rounded for you."),
        ("NaN", "Write the amount in digits, e.g. 1,234.50."),
        ("inf", "Write the amount in digits, e.g. 1,234.50."),
        ("1e5", "Write the amount in full, without an exponent (write 100000, not 1e5)."),
        ("1_000", "Write the amount without underscores, e.g. 1,000.00."),
        ("-5", "Enter the amount without a minus sign."),
        ("+5", "Enter the amount without a sign."),
        ("1000000000000", "That amount is too large: at most 999,999,999,999.99."),
        ("0", "Enter an amount above zero."),
        ("", "Enter the amount."),
    ],
)
def test_money_field_refuses_next_to_the_field_with_one_message(app, typed, message):
    form = _post(app, amount=typed)
    assert form.errors == {"amount": [message]}
    assert form.amount.data is None or form.amount.data == 0


def test_money_field_keeps_what_was_typed_for_correction(app):
    with app.test_request_context(method="POST", data={"amount": "1.005"}):
        form = AmountForm()
        form.validate()
        assert 'value="1.005"' in form.amount()
        assert 'inputmode="decimal"' in form.amount()


def test_optional_and_signed_money_fields(app):
    form = _post(app, amount="10", optional="", signed="-12.50")
    assert form.errors == {}
    assert form.optional.data is None
    assert form.signed.data == Decimal("-12.50")


def test_rate_field_takes_six_decimals_and_no_more(app):
    assert _post(app, amount="1", rate="0.851234").rate.data == Decimal("0.851234")
    assert _post(app, amount="1", rate="0.8512345").errors == {
        "rate": ["The rate has at most 6 decimals: nothing is rounded for you."]
    }


def test_a_drawn_form_carries_a_fresh_one_time_key(app):
    with app.test_request_context():
        first, second = AmountForm(), AmountForm()
        assert first.submission_key.data != second.submission_key.data
        assert len(first.submission_key.data) >= 16
        assert f'value="{first.submission_key.data}"' in str(first.hidden_tag())


def test_a_posted_key_is_kept_and_a_malformed_or_missing_one_replaced(app):
    key = new_submission_key()
    assert _post(app, amount="1", submission_key=key).submission_key.data == key
    for bad in ("", "short", "<script>alert(1)</script>-padding-padding"):
        replaced = _post(app, amount="1", submission_key=bad).submission_key.data
        assert replaced != bad
        assert len(replaced) >= 16
    assert _post(app, amount="1").submission_key.data
