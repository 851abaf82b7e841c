"""Jinja filters and globals: formatting only, no decisions."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from babel import dates as babel_dates
from babel.numbers import Locale as _Locale
from babel.numbers import format_decimal, parse_pattern
from flask import Flask, request, url_for
from flask_babel import gettext
from flask_login import current_user

from fundapp.core import clock
from fundapp.core.forms import new_submission_key
from fundapp.core.i18n import DEFAULT_LANGUAGE, RIGHT_TO_LEFT, _l, language
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


#: Labels the committee keeps in its records in English (committee.services.on_record: an agenda item's kind, a
#: decision's outcome); marked where they are defined, so gettext finds them in the merged catalogue.
_RECORDED_LABELS = (
    "Concept note for endorsement|Joint programme for funding|Other business|Endorsed into the pipeline|Rejected|"
    "Deferred|Returned for revision|Funding approved|Approved"
)
#: Named groups whose text is itself such a label (translated with gettext, not kept as written).
_LABEL_GROUPS = frozenset({"kind", "label"})

#: Sentences the application itself stores (event reasons, ledger descriptions), in English, as patterns; shown
#: translated by the `system_text` filter (None: the whole text is one recorded label). What a person wrote (a
#: reason typed in a form) matches none and is shown as written; so is the reason inside a reversal's description.
SYSTEM_TEXTS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"(?P<count>\d+) ledger entries; figures stored"), _l("%(count)s ledger entries; figures stored")),
    (re.compile(r"Version (?P<number>\d+)"), _l("Version %(number)s")),
    (
        re.compile(r"Final expenditure certified, balances refunded"),
        _l("Final expenditure certified, balances refunded"),
    ),
    (
        re.compile(r"Final narrative report received (?P<date>\d{1,2} [A-Z][a-z]+ \d{4})"),
        _l("Final narrative report received %(date)s"),
    ),
    (re.compile(r"Deposit (?P<reference>\S+)"), _l("Deposit %(reference)s")),
    (re.compile(r"Administrative agent fee (?P<reference>\S+)"), _l("Administrative agent fee %(reference)s")),
    (re.compile(r"Reversal of #(?P<id>\d+): (?P<reason>.*)", re.DOTALL), _l("Reversal of #%(id)s: %(reason)s")),
    (re.compile(rf"meeting (?P<id>\d+): (?P<kind>{_RECORDED_LABELS})"), _l("meeting %(id)s: %(kind)s")),
    (re.compile(rf"(?P<label>{_RECORDED_LABELS})"), None),
]


def system_text(value: str | None) -> str:
    """A stored text in the reader's language when the application wrote it (one of SYSTEM_TEXTS), else as it
    is: what people wrote is never translated."""
    if not value or language() == DEFAULT_LANGUAGE:
        return value or ""
    for pattern, message in SYSTEM_TEXTS:
        found = pattern.fullmatch(value)
        if found is None:
            continue
        parts = found.groupdict()
        for group in _LABEL_GROUPS & parts.keys():
            parts[group] = gettext(parts[group])
        if "date" in parts:
            parts["date"] = format_long_date(datetime.strptime(parts["date"], "%d %B %Y").replace(tzinfo=UTC).date())
        if message is None:
            return parts["label"]
        return str(message) % parts if parts else str(message)
    return value


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
        system_text=system_text,
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
