"""Form helpers shared by the domains."""

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import wtforms
from wtforms import SelectChoice, SelectMultipleField, widgets

from fundapp.core.args import MAX_ID


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
