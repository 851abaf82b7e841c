"""Jinja filters and globals: formatting only, no decisions."""

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, request, url_for
from flask_login import current_user

from fundapp.core.forms import new_submission_key
from fundapp.core.money import format_money
from fundapp.core.navigation import nav_groups


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d %b %Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d %b %Y %H:%M UTC")


def format_percent(value: Decimal | float | None, places: int = 1) -> str:
    if value is None:
        return "–"
    return f"{Decimal(str(value)):.{places}f}%"


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
        money=format_money, date=format_date, datetime=format_datetime, percent=format_percent, humanize=humanize
    )
    # new_submission_key: the one-time key of a form drawn by hand (macros/forms.html `once()`).
    app.jinja_env.globals.update(url_with=url_with, new_submission_key=new_submission_key)

    @app.context_processor
    def inject_navigation() -> dict:
        return {"nav_groups": nav_groups(current_user)}
