"""Form helpers shared by the domains: choices, checkbox lists, the money field and one-time submission keys."""

import re
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectChoice, SelectMultipleField, widgets
from wtforms.validators import NumberRange, StopValidation

from fundapp.core.money import MAX_MONEY, MoneyInputError, parse_decimal


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier to use with a keyboard than a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Money -----------------------------------------------------------------------------------------------


class MoneyField(DecimalField):
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
