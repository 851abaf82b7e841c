"""Languages: the catalogues, the marking functions every layer uses, and the request's language.

Mark a user-facing string where it is written: `_("Save draft")` in code that runs when the text is shown
(views, services raising a DomainError, emails, PDFs), `_l("Title")` where it is defined once at import time
(form labels, constants), `_n("%(num)d note", "%(num)d notes", n)` for plurals; `{{ _("…") }}` or
`{% trans %}…{% endtrans %}` in templates. Keep placeholders named (`%(name)s`), never glue sentences.

Translations live in one catalogue per area (`translations/<lang>/LC_MESSAGES/<domain>.po`, the domains in
DOMAINS), so people can work on areas apart; Flask-Babel merges them. `scripts/translations` extracts,
updates, compiles and checks them; compiled `.mo` files are built by the set-up, never committed.
"""

from pathlib import Path

from babel import Locale
from flask import Flask
from flask_babel import Babel, force_locale, get_locale, gettext, lazy_gettext, ngettext

#: The languages of the interface, in the switcher's order, each named in itself.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})

#: One catalogue per area, each extracted from these sources (paths from the project's root).
DOMAINS: dict[str, tuple[str, ...]] = {
    "core": (
        "fundapp/core",
        "fundapp/__init__.py",
        "templates/base.html",
        "templates/macros",
        "templates/errors",
    ),
    "auth": ("fundapp/auth", "templates/auth"),
    "home": ("fundapp/home", "templates/home"),
    "notifications": ("fundapp/notifications", "templates/notifications"),
    "reference": ("fundapp/reference", "templates/reference"),
    "concept_notes": ("fundapp/concept_notes", "templates/concept_notes"),
    "contributions": ("fundapp/contributions", "templates/contributions"),
    "results": ("fundapp/results", "templates/results"),
    "committee": ("fundapp/committee", "templates/committee"),
    "programmes": ("fundapp/programmes", "templates/programmes"),
    "reports": ("fundapp/reports", "templates/reports"),
    "api": ("fundapp/api", "templates/api"),
}

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"

_ = gettext
_l = lazy_gettext
_n = ngettext

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAINS",
    "LANGUAGES",
    "RIGHT_TO_LEFT",
    "_",
    "_l",
    "_n",
    "force_locale",
    "get_locale",
    "language",
    "register",
    "text_direction",
]

babel = Babel()


def language() -> str:
    """The code of the language this request (or `force_locale` block) speaks."""
    locale = get_locale()
    return locale.language if isinstance(locale, Locale) and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def text_direction() -> str:
    return "rtl" if language() in RIGHT_TO_LEFT else "ltr"


def register(app: Flask, locale_selector=None) -> None:
    """Flask-Babel with every area's catalogue; `locale_selector` picks the request's language."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join([str(TRANSLATIONS)] * len(DOMAINS)))
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    babel.init_app(app, locale_selector=locale_selector)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, language=language, text_direction=text_direction)
