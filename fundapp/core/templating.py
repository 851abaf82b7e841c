"""Jinja filters and globals: formatting only, no decisions."""

from datetime import date, datetime
from decimal import Decimal

from babel import dates as babel_dates
from babel.numbers import Locale as _Locale
from babel.numbers import format_decimal, parse_pattern
from flask import Flask, request, url_for
from flask_login import current_user

from fundapp.core import clock
from fundapp.core.forms import new_submission_key
from fundapp.core.i18n import DEFAULT_LANGUAGE, RIGHT_TO_LEFT, language
from fundapp.core.money import format_money
from fundapp.core.navigation import nav_groups

#: Directional isolates (plain characters, so the filters' output stays text, safe in attributes too): in
#: Arabic an amount or a percentage is a left-to-right island (LRI … PDI), a date an island of its own
#: direction (FSI … PDI), so neither is reordered by the Arabic around it.
_LRI, _FSI, _PDI = "\u2066", "\u2068", "\u2069"


def _isolated(text: str, start: str = _LRI) -> str:
    return f"{start}{text}{_PDI}" if language() in RIGHT_TO_LEFT and text != "–" else text


def format_date(value: date | datetime | None) -> str:
    """'05 Dec 2026' in English; the language's long date elsewhere ('5 décembre 2026', '5 de diciembre…')."""
    if value is None:
        return "–"
    code = language()
    if code == DEFAULT_LANGUAGE:
        return value.strftime("%d %b %Y")
    return babel_dates.format_date(value, "long", locale=code)


def format_long_date(value: date | datetime | None) -> str:
    """'30 November 2021' in English; the language's long date elsewhere ('30 novembre 2021')."""
    if value is None:
        return "–"
    code = language()
    if code == DEFAULT_LANGUAGE:
        return f"{value.day} {value:%B %Y}"
    return babel_dates.format_date(value, "long", locale=code)


def format_datetime(value: datetime | None) -> str:
    """Times are UTC everywhere (the clock's), said so after the time."""
    if value is None:
        return "–"
    code = language()
    if code == DEFAULT_LANGUAGE:
        return value.strftime("%d %b %Y %H:%M UTC")
    return f"{babel_dates.format_date(value, 'long', locale=code)} {value:%H:%M} UTC"


def format_percent(value: Decimal | float | None, places: int = 1) -> str:
    """'12.5%' in English; the language's percent pattern elsewhere ('12,5 %'), with `places` decimals."""
    if value is None:
        return "–"
    number = Decimal(str(value))
    code = language()
    if code == DEFAULT_LANGUAGE:
        return f"{number:.{places}f}%"
    locale = _Locale.parse(code)
    pattern = parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (places, places)
    return pattern.apply(number / 100, locale)


#: An exchange rate is shown with the six decimals it is stored with (UN operational rates carry up to six
#: significant figures: 0.851000, 3,800.000000), grouped and separated as the language writes numbers.
RATE_DECIMALS = 6


def format_rate(value: Decimal | None) -> str:
    """'3,800.250000' in English; '3 800,250000' in French, '3.800,250000' in Spanish (Babel's patterns)."""
    if value is None:
        return "–"
    number = Decimal(str(value))
    code = language()
    if code == DEFAULT_LANGUAGE:
        return f"{number:,.{RATE_DECIMALS}f}"
    return format_decimal(number, format="#,##0." + "0" * RATE_DECIMALS, locale=code, decimal_quantization=True)


def rate_filter(value: Decimal | None) -> str:
    return _isolated(format_rate(value))


def money_filter(amount: Decimal | None, currency: str | None = None) -> str:
    return _isolated(format_money(amount, currency))


def date_filter(value: date | datetime | None) -> str:
    return _isolated(format_date(value), _FSI)


def long_date_filter(value: date | datetime | None) -> str:
    return _isolated(format_long_date(value), _FSI)


def datetime_filter(value: datetime | None) -> str:
    return _isolated(format_datetime(value), _FSI)


def percent_filter(value: Decimal | float | None, places: int = 1) -> str:
    return _isolated(format_percent(value, places))


def humanize(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (filters, sorting, pages)."""
    args = request.args.to_dict()
    args.update(changes)
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money_filter,
        date=date_filter,
        long_date=long_date_filter,
        datetime=datetime_filter,
        percent=percent_filter,
        rate=rate_filter,
        humanize=humanize,
    )
    # new_submission_key: the one-time key of a form drawn by hand (macros/forms.html `once()`).
    app.jinja_env.globals.update(url_with=url_with, new_submission_key=new_submission_key)

    @app.context_processor
    def inject_navigation() -> dict:
        return {"nav_groups": nav_groups(current_user)}

    @app.context_processor
    def inject_fixed_today() -> dict:
        """The instance's fixed date (FIXED_TODAY, the demo): base.html shows it in a banner on every page."""
        return {"fixed_today": clock.fixed_today()}
