"""Money: exact decimals in Python, exact storage on both engines, never float."""

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from babel.numbers import format_currency, format_decimal
from sqlalchemy.types import TypeDecorator

from fundapp.core.i18n import DEFAULT_LANGUAGE, _, _l, language

CENTS = Decimal("0.01")
K = TypeVar("K")
#: Amounts up to 999,999,999,999.99 with two decimals.
MAX_MONEY = Decimal("999999999999.99")


class FixedDecimal(TypeDecorator):
    """Exact decimals on both engines: NUMERIC(p, s) on PostgreSQL, a scaled integer on SQLite,
    whose NUMERIC goes through float. SUM() keeps this type, so aggregates come back as Decimal."""

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int = 14, scale: int = 2) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._factor = Decimal(10) ** scale

    def load_dialect_impl(self, dialect: sa.Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale))

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("Exact decimals must not be built from float.")
        number = Decimal(value).quantize(self._quantum, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(number * self._factor)
        return number

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / self._factor).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)


def MoneyType() -> FixedDecimal:  # noqa: N802  (reads like a type in column definitions)
    return FixedDecimal(14, 2)


def RateType() -> FixedDecimal:  # noqa: N802
    """Rates and exchange rates: six decimals."""
    return FixedDecimal(16, 6)


class _Kind:
    """Marker inside Annotated[] so the declarative base maps each kind to its column type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: `amount: Mapped[Money]` gives an exact two-decimal column; `Mapped[Rate]` a six-decimal one.
Money = Annotated[Decimal, _Kind("money")]
Rate = Annotated[Decimal, _Kind("rate")]


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents, half up. Floats are refused: 0.1 + 0.2 is not 0.3."""
    if isinstance(value, float):
        raise TypeError("Money must not be built from float; pass a str or Decimal.")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"{value!r} is not an amount") from exc
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


class MoneyInputError(ValueError):
    """Typed or imported input that is not an exact amount; the message says what to fix."""


#: The words parse_decimal's `what` names, as people read them (another word is shown as it is given).
WHAT = {"amount": _l("amount"), "rate": _l("rate")}


#: Digits, optionally grouped by thousands with commas or spaces, and an optional decimal point.
_NUMBER = re.compile(r"(?P<sign>[-+]?)(?P<whole>\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.(?P<fraction>\d+))?")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def parse_decimal(
    value: Decimal | int | str | None,
    *,
    places: int = 2,
    maximum: Decimal = MAX_MONEY,
    negative: bool = False,
    what: str = "amount",
) -> Decimal:
    """Input from a person, a file or the API as an exact decimal, or MoneyInputError saying why not.

    Refused rather than rounded: more than `places` decimals, NaN and infinities, exponents (`1e5`),
    underscores (`1_000`), a sign (a minus only where `negative` allows one), a decimal comma, and magnitudes
    beyond `maximum`. Thousands may be grouped with commas or spaces (`1,234,567.50`). Floats are a TypeError.
    """
    if isinstance(value, float):
        raise TypeError("Amounts must not be built from float; pass a str or Decimal.")
    what = str(WHAT.get(what, what))
    if isinstance(value, bool) or value is None:
        raise MoneyInputError(_("Enter the %(what)s.", what=what))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite():
            raise MoneyInputError(_("That is not a valid %(what)s.", what=what))
    else:
        number = _parse_text(str(value), what)
    if number.as_tuple().exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise MoneyInputError(_too_precise(places, what))
    if number < 0 and not negative:
        raise MoneyInputError(_("Enter the %(what)s without a minus sign.", what=what))
    if abs(number) > maximum:
        raise MoneyInputError(
            _("That %(what)s is too large: at most %(maximum)s.", what=what, maximum=format(maximum, f",.{places}f"))
        )
    return number.quantize(Decimal(1).scaleb(-places))


def _too_precise(places: int, what: str) -> str:
    if places == 2:
        return _("The %(what)s has at most two decimals (cents): nothing is rounded for you.", what=what)
    return _("The %(what)s has at most %(places)s decimals: nothing is rounded for you.", what=what, places=places)


def _parse_text(text: str, what: str) -> Decimal:
    cleaned = text.translate(_SPACES).strip()
    if not cleaned:
        raise MoneyInputError(_("Enter the %(what)s.", what=what))
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        lowered = cleaned.lower()
        if "_" in cleaned:
            message = _("Write the %(what)s without underscores, e.g. 1,000.00.", what=what)
        elif re.search(r"\d\s*e\s*[-+]?\d", lowered):
            message = _("Write the %(what)s in full, without an exponent (write 100000, not 1e5).", what=what)
        elif re.fullmatch(r"[-+]?\d+,\d{1,2}", cleaned):
            message = _("Write the %(what)s with a decimal point, not a comma (1234.50).", what=what)
        else:
            message = _("Write the %(what)s in digits, e.g. 1,234.50.", what=what)
        raise MoneyInputError(message)
    if match["sign"] == "+":
        raise MoneyInputError(_("Enter the %(what)s without a sign.", what=what))
    whole = match["whole"].replace(",", "").replace(" ", "")
    fraction = match["fraction"]
    return Decimal(f"{match['sign']}{whole}.{fraction}" if fraction is not None else f"{match['sign']}{whole}")


def parse_money(value: Decimal | int | str | None, *, negative: bool = False) -> Decimal:
    """An amount from a form, a CSV file or the API: exact cents or MoneyInputError (see parse_decimal)."""
    return parse_decimal(value, places=2, maximum=MAX_MONEY, negative=negative)


def format_money(amount: Decimal | None, currency: str | None = None) -> str:
    """An amount for people, in the language being spoken (core.i18n.language()): in English '1,234.50' or
    'USD 1,234.50'; in French '1 234,50' or '1 234,50 $US', in Spanish '1.234,50 US$' (Babel's patterns).
    Decimal formatting never goes through float. Machine exports use `money_str`, never this."""
    if amount is None:
        return "–"
    money = to_money(amount)
    code = language()
    if code == DEFAULT_LANGUAGE:
        text = f"{money:,.2f}"
        return f"{currency} {text}" if currency else text
    if currency:
        return format_currency(money, currency, locale=code, currency_digits=False)
    return format_decimal(money, format="#,##0.00", locale=code)


def money_str(amount: Decimal | None) -> str | None:
    """Money in JSON: a string with two decimals, never a float."""
    return None if amount is None else f"{to_money(amount):.2f}"


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Split a total into parts that add back up exactly; the first part absorbs the rounding."""
    base = (total / parts).quantize(CENTS, rounding=ROUND_HALF_UP)
    shares = [base] * parts
    shares[0] += total - sum(shares)
    return shares


def split_by_weights(total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Split a total in proportion to weights by the largest remainder, so the parts add up to it to the cent.

    Each key gets its exact share rounded down to cents; the cents left over go one each to the keys with
    the largest remainders (ties to the key listed first). Keys of weight zero or less get nothing; with no
    positive weight at all, nothing is split (an empty dict). A negative total is split as its opposite,
    negated. Used for donors' attribution and for organizations' shares of an allocation.
    """
    positive = {key: Fraction(Decimal(w)) for key, w in weights.items() if Decimal(w) > 0}
    if not positive:
        return {}
    cents = int(to_money(total) * 100)
    sign, cents = (-1, -cents) if cents < 0 else (1, cents)
    whole = sum(positive.values())
    exact = {key: cents * w / whole for key, w in positive.items()}
    parts = {key: math.floor(value) for key, value in exact.items()}
    left = cents - sum(parts.values())
    order = sorted(positive, key=lambda k: exact[k] - parts[k], reverse=True)  # stable: ties keep their order
    for key in order[:left]:
        parts[key] += 1
    return {key: (sign * Decimal(parts[key]) / 100).quantize(CENTS) for key in weights if key in parts}
