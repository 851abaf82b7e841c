"""What arrives in a URL, read once and bounded: ids in paths, and query arguments with a message when wrong.

Ids. Every ``<int:…>`` in a route is the bounded converter below (registered for ``int`` and ``id`` before the
blueprints): ASCII digits only, at most MAX_ID, the largest value an id column holds. ``/notes/99999999999999999999``
or ``/notes/٣`` is then a 404 like any id that does not exist, never an overflow in the database driver.

Query arguments. ``page()``, ``identifier()``, ``integer()``, ``date_value()``, ``choice()`` and ``text()`` read
``request.args`` (or any mapping given) and answer 400 with a message naming the argument when a value cannot be
what it says: a page that is not a whole number from 1 to MAX_PAGE (``?page=10^23``, ``?page=-1``, ``?page=٣``),
an id filter out of range, a malformed date. An argument that is absent or blank takes its default, as a filter
form sends blank fields. ``as_id()`` is the same check as a plain function, for services' ``from_args``.

NUL bytes. PostgreSQL refuses them in text, so a NUL in any query argument or form field is refused before any
view runs (400), instead of failing inside the transaction (the JSON API answers its own query parameters).
"""

import re
from collections.abc import Collection, Mapping
from datetime import date

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import Map
from werkzeug.routing.converters import IntegerConverter

from fundapp.core.i18n import _

#: The largest id a row can have: id columns are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1
#: Pages beyond this are refused rather than turned into an offset no list reaches.
MAX_PAGE = 100_000
#: Whole numbers in query arguments: ASCII digits with an optional sign, at most 18 of them (fits in 64 bits).
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_ID = re.compile(r"[0-9]{1,10}")
#: A text argument longer than this is refused: no code, name or search needs more.
MAX_TEXT = 200


class BadArgument(BadRequest):
    """A query argument that cannot be read: 400 with the message (an HTML page, or JSON under /api/)."""


class IdConverter(IntegerConverter):
    """``<int:x>`` and ``<id:x>``: ASCII digits, 0 to MAX_ID; anything else does not match the route (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False
    ) -> None:
        # Signed ids do not exist; a bound given by the route can only narrow the range.
        upper = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits, min, upper, signed=False)


def register(app: Flask) -> None:
    """Install the bounded id converter (before any blueprint adds its rules) and the NUL guard."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul_bytes)


def refuse_nul_bytes() -> None:
    """400 for a NUL character in any query argument or form field (PostgreSQL cannot store it).

    The JSON API reads its own query parameters (api.auth: a text filter with a control character matches
    nothing, as its document says), so only its form posts are checked here.
    """
    sources = [request.form] if request.path.startswith("/api/") else [request.args, request.form]
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadArgument(
                    _(
                        "The field %(field)s contains a NUL character, which no field accepts.",
                        field=repr(_printable(key)),
                    )
                )


def _printable(text: str) -> str:
    return text.replace("\x00", "\\0")[:40]


def _raw(name: str, args: Mapping[str, str] | None) -> str | None:
    value = (request.args if args is None else args).get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def as_id(value: str | None) -> int | None:
    """A positive id from a string of ASCII digits (at most MAX_ID); None for anything else."""
    if value is None or not _ID.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if 1 <= number <= MAX_ID else None


def integer(
    name: str,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    args: Mapping[str, str] | None = None,
) -> int | None:
    """A whole number (ASCII digits) within [minimum, maximum]; 400 otherwise, the default when absent."""
    value = _raw(name, args)
    if value is None:
        return default
    number = int(value) if _INTEGER.fullmatch(value) else None
    if number is None or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadArgument(_not_a_whole_number(name, value, minimum, maximum))
    return number


def page(name: str = "page", args: Mapping[str, str] | None = None) -> int:
    """The page of a list: a whole number from 1 to MAX_PAGE (default 1)."""
    return integer(name, 1, 1, MAX_PAGE, args)  # type: ignore[return-value]


def identifier(name: str, args: Mapping[str, str] | None = None) -> int | None:
    """An id filter (``?call=12``): None when absent, 400 when it is not a whole number from 1 to MAX_ID."""
    value = _raw(name, args)
    if value is None:
        return None
    number = as_id(value)
    if number is None:
        raise BadArgument(_("%(name)s must be the number of a record, not %(value)s.", name=name, value=_shown(value)))
    return number


def date_value(name: str, default: date | None = None, args: Mapping[str, str] | None = None) -> date | None:
    """An ISO date (YYYY-MM-DD); 400 for anything else."""
    value = _raw(name, args)
    if value is None:
        return default
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadArgument(
            _("%(name)s must be a date written YYYY-MM-DD, not %(value)s.", name=name, value=_shown(value))
        ) from None


def choice(
    name: str,
    allowed: Collection[str],
    default: str = "",
    strict: bool = False,
    args: Mapping[str, str] | None = None,
) -> str:
    """One of the allowed values; an unknown one is the default (a stale bookmark), or 400 when strict."""
    value = _raw(name, args)
    if value is None:
        return default
    if value in allowed:
        return value
    if strict:
        raise BadArgument(
            _(
                "%(name)s must be one of %(allowed)s, not %(value)s.",
                name=name,
                allowed=", ".join(sorted(allowed)),
                value=_shown(value),
            )
        )
    return default


def text(name: str, default: str = "", max_length: int = MAX_TEXT, args: Mapping[str, str] | None = None) -> str:
    """A text filter, stripped; 400 when longer than max_length or holding a control character."""
    value = _raw(name, args)
    if value is None:
        return default
    if len(value) > max_length:
        raise BadArgument(_("%(name)s must be at most %(count)s characters.", name=name, count=max_length))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BadArgument(_("%(name)s must not contain control characters.", name=name))
    return value


def _not_a_whole_number(name: str, value: str, minimum: int | None, maximum: int | None) -> str:
    """The refusal of a number out of its bounds, one whole sentence per case (translators see each)."""
    shown = _shown(value)
    if minimum is not None and maximum is not None:
        return _(
            "%(name)s must be a whole number from %(minimum)s to %(maximum)s, not %(value)s.",
            name=name,
            minimum=format(minimum, ","),
            maximum=format(maximum, ","),
            value=shown,
        )
    if minimum is not None:
        return _(
            "%(name)s must be a whole number of at least %(minimum)s, not %(value)s.",
            name=name,
            minimum=format(minimum, ","),
            value=shown,
        )
    if maximum is not None:
        return _(
            "%(name)s must be a whole number of at most %(maximum)s, not %(value)s.",
            name=name,
            maximum=format(maximum, ","),
            value=shown,
        )
    return _("%(name)s must be a whole number, not %(value)s.", name=name, value=shown)


def _shown(value: str) -> str:
    """The value as the message quotes it, cut short."""
    return repr(value if len(value) <= 30 else value[:30] + "…")
