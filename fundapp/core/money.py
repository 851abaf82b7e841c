"""Money: exact decimals in Python, exact storage on both engines, never float."""

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

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


def parse_money(text: str) -> Decimal:
    """Parse user or file input such as '1,234.50'; raises ValueError with a readable message."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "")
    if not cleaned:
        raise ValueError("an amount is required")
    return to_money(cleaned)


def format_money(amount: Decimal | None, currency: str | None = None) -> str:
    """'1,234.50' or 'USD 1,234.50'; Decimal formatting never goes through float."""
    if amount is None:
        return "–"
    text = f"{to_money(amount):,.2f}"
    return f"{currency} {text}" if currency else text


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
