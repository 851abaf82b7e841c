"""Form helpers shared by the domains: choices, checkbox lists, the money field and one-time submission keys."""

import re
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import wtforms
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectMultipleField, widgets
from wtforms.validators import NumberRange, StopValidation

from fundapp.core.args import MAX_ID
from fundapp.core.money import MAX_MONEY, MoneyInputError, parse_decimal


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier to use with a keyboard than a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Numbers as people type them, bounded ---------------------------------------------------------------
#
# WTForms' own fields hand `Decimal("NaN")`, `Decimal("1e999999")` and 400-digit integers to the validators and
# the services, where they fail as a 500 (a NaN cannot be compared; a huge exponent cannot be quantized; a huge
# integer overflows the database column). These read only plain numbers written with ASCII digits and answer
# anything else with a message next to the field. Every domain form imports its number fields from here
# (tests/core/test_args.py checks it).

#: Digits before the decimal point: a trillion is the largest amount the money columns hold.
MAX_WHOLE_DIGITS = 15
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _plain(valuelist: list[Any]) -> str | None:
    """The submitted text, stripped; None when blank."""
    if not valuelist or valuelist[0] is None:
        return None
    text = str(valuelist[0]).strip()
    return text or None


class DecimalField(wtforms.DecimalField):
    """A decimal number such as 1250000.00: no NaN, no infinity, no exponent, at most 15 whole digits."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = _plain(valuelist)
        if text is None:
            self.data = None
            return
        whole = text.lstrip("+-").split(".", 1)[0].lstrip("0")
        if not _DECIMAL.fullmatch(text) or len(whole) > MAX_WHOLE_DIGITS:
            self.data = None
            raise ValueError(self.invalid_value_message or self.gettext("Not a valid decimal value."))
        self.data = Decimal(text)


class IntegerField(wtforms.IntegerField):
    """A whole number written with ASCII digits, at most 15 of them."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = _plain(valuelist)
        if text is None:
            self.data = None
            return
        if not _INTEGER.fullmatch(text) or len(text.lstrip("+-").lstrip("0")) > MAX_WHOLE_DIGITS:
            self.data = None
            raise ValueError(self.invalid_value_message or self.gettext("Not a valid integer value."))
        self.data = int(text)


def coerce_id(value: Any) -> int:
    """`coerce=` for select fields whose values are ids: ASCII digits from 0 to MAX_ID, else not a choice."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,10}", text):
            raise ValueError("Not a valid choice.")
        number = int(text)
    if not 0 <= number <= MAX_ID:
        raise ValueError("Not a valid choice.")
    return number


# Money -----------------------------------------------------------------------------------------------


class MoneyField(wtforms.DecimalField):
    """An amount typed by a person, read by core.money's one rule (`parse_decimal`): exact or refused.

    More than two decimals, NaN, infinities, exponents (1e5), underscores (1_000), a sign (a minus only with
    `negative=True`) and amounts beyond 999,999,999,999.99 get a message next to the field; nothing is rounded.
    Thousands may be grouped with commas or spaces. An empty field is None (say InputRequired() if it is
    required). A text input with a decimal keypad: a number input would drop "1,000.00" before we saw it.
    """

    widget = widgets.TextInput()

    def __init__(
        self,
        label: str | None = None,
        validators: list[Any] | None = None,
        *,
        places: int = 2,
        negative: bool = False,
        maximum: Decimal = MAX_MONEY,
        what: str = "amount",
        **kwargs: Any,
    ) -> None:
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, places=places, render_kw=render_kw, **kwargs)
        self.negative = negative
        self.maximum = maximum
        self.what = what

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        raw = valuelist[0]
        if raw is None or not str(raw).strip():
            self.data = None
            return
        try:
            self.data = parse_decimal(
                raw, places=self.places, maximum=self.maximum, negative=self.negative, what=self.what
            )
        except MoneyInputError as exc:
            self.data = None
            raise ValueError(str(exc)) from exc

    def pre_validate(self, form: Any) -> None:
        # The parse message says it all: no second "enter an amount above zero" under it.
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:.{self.places}f}"


class RateField(MoneyField):
    """An exchange rate (units of a currency per US dollar): the same rule with six decimals."""

    def __init__(self, label: str | None = None, validators: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(label, validators, places=6, what="rate", **kwargs)


#: The usual range of a money field that must be above zero.
POSITIVE = NumberRange(min=Decimal("0.01"), message="Enter an amount above zero.")


# One-time submission keys ------------------------------------------------------------------------------

_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKeyField(HiddenField):
    """A one-time key, made when the form is drawn. A post carrying a key already used by the same user is
    answered with the first post's result instead of doing the work again (core.edge.domain_errors).

    A post without a (well-formed) key gets a fresh one: it is a new submission.
    """

    def __init__(self, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, default=new_submission_key, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and valuelist[0] and _KEY.fullmatch(str(valuelist[0])):
            self.data = str(valuelist[0])


class OnceForm(FlaskForm):
    """A form whose submission must happen once: deposits, postings, transfers, decisions, votes…"""

    submission_key = SubmissionKeyField()
