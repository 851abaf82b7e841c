"""Tests in another language: `speaking(app, "fr")` makes every request of the block speak French, whatever the
language choice of the day does (a profile, a cookie, Accept-Language), and forgets the choice Flask-Babel cached
in the run's shared app context before and after, so no other test hears it."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g

LANGUAGES = ("fr", "es", "ar")


def _forget() -> None:
    cached = g.get("_flask_babel")
    if cached is not None:
        for key in ("babel_locale", "babel_translations"):
            vars(cached).pop(key, None)


@contextmanager
def speaking(app: Flask, code: str) -> Iterator[None]:
    babel = app.extensions["babel"]
    chosen = babel.locale_selector
    babel.locale_selector = lambda: code
    _forget()
    try:
        yield
    finally:
        babel.locale_selector = chosen
        _forget()
