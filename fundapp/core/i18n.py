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
from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user

#: The languages of the interface, in the switcher's order, each named in itself.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
#: The cookie that keeps the choice of a browser (signed in or not; it outlives sign-out).
LANGUAGE_COOKIE = "fundapp_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

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


def _(string: str, **variables: object) -> str:
    """gettext, and the English text (placeholders filled) where no app with Babel runs: a unit test of a
    money parser, a bare Flask app in a test, a script."""
    if not has_app_context() or "babel" not in current_app.extensions:
        return string % variables if variables else string
    return gettext(string, **variables)


_l = lazy_gettext
_n = ngettext

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAINS",
    "LANGUAGES",
    "RIGHT_TO_LEFT",
    "Labels",
    "_",
    "_l",
    "_n",
    "force_locale",
    "get_locale",
    "known_language",
    "language",
    "recipient_locale",
    "register",
    "remember_language",
    "select_language",
    "speak",
    "text_direction",
]

babel = Babel()


class Labels(dict):
    """A mapping of stored values to labels marked with `_l`: reading one (`labels[key]`, `.get`) gives the
    text in the language being spoken, a plain `str` (safe to join, sort or put in an f-string)."""

    def __getitem__(self, key):
        return str(super().__getitem__(key))

    def get(self, key, default=None):
        return self[key] if key in self else default  # noqa: SIM401  (self.get would recurse)


def language() -> str:
    """The code of the language this request (or `force_locale` block) speaks."""
    locale = get_locale()
    return locale.language if isinstance(locale, Locale) and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def text_direction() -> str:
    return "rtl" if language() in RIGHT_TO_LEFT else "ltr"


def known_language(code: object) -> str | None:
    """`code` when it is one of LANGUAGES, else None (cookies, forms and rows are read through this)."""
    return code if isinstance(code, str) and code in LANGUAGES else None


def _api_request() -> bool:
    """A program's call to the JSON API (core.errors.wants_json): its language is its Accept-Language header
    alone. A browser asking for a page under /api/ (the documentation, with its switcher) is a person's."""
    if not request.path.startswith("/api/"):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html"


def _accepted_language() -> str:
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def browser_language() -> str:
    """The language this browser asks for without reading the database (the kept choice, else
    Accept-Language, else English): for pages drawn when the database is failing."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if _api_request():
        return _accepted_language()
    return known_language(request.cookies.get(LANGUAGE_COOKIE)) or _accepted_language()


def select_language() -> str:
    """The request's language: under /api/, the Accept-Language header's best match (else English).
    Elsewhere the signed-in user's profile, else the choice this browser kept (the switcher's
    cookie), else the language the page's reader is known to read (`speak`), else the best match of the
    browser's Accept-Language, else English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if _api_request():  # programs say which language their people read in the header; no cookie, no profile
        return _accepted_language()
    user = current_user
    chosen = known_language(getattr(user, "language", None)) if user and user.is_authenticated else None
    return (
        chosen
        or known_language(request.cookies.get(LANGUAGE_COOKIE))
        or known_language(g.get("fundapp_page_language"))
        or browser_language()
    )


def speak(code: str | None) -> None:
    """This request's page is for someone whose language is known without a profile (an invitation's welcome
    page: the language the invitation was written in); a signed-in user's profile and the switcher's choice
    still come first. The request then chooses its language afresh (what was translated before keeps its own)."""
    if has_request_context() and known_language(code):
        g.fundapp_page_language = code
        _choose_afresh()


def remember_language(response: Response, code: str) -> Response:
    """Keep a browser's choice in a long-lived cookie (it is not a secret: the code of a language)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_AGE,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def recipient_locale(person: object) -> str:
    """The language to write to someone in (emails, PDFs made for them): theirs, else the fund's default."""
    return known_language(getattr(person, "language", None)) or DEFAULT_LANGUAGE


def _choose_afresh() -> None:
    """Each request picks its language anew. Flask-Babel caches the choice in `g`, which lives as long as the
    app context: one request in production, but a whole run where tests share one app context (so it is
    also forgotten when a request ends, or code run after it in the same context would keep its language)."""
    cached = g.get("_flask_babel")
    if cached is not None and not hasattr(cached, "forced_babel_locale"):
        for key in ("babel_locale", "babel_translations"):
            cached.__dict__.pop(key, None)


def _begin_afresh() -> None:
    """A request starts, or ends, knowing nothing of its reader's language (`speak` forgotten too)."""
    g.pop("fundapp_page_language", None)
    _choose_afresh()


def _vary_by_language(response: Response) -> Response:
    """Pages differ by the browser's language and the switcher's cookie: caches must keep them apart."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def register(app: Flask, locale_selector=None) -> None:
    """Flask-Babel with every area's catalogue; `locale_selector` (default `select_language`) picks the
    request's language."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join([str(TRANSLATIONS)] * len(DOMAINS)))
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    babel.init_app(app, locale_selector=locale_selector or select_language)
    app.before_request(_begin_afresh)
    app.teardown_request(lambda _exc: _begin_afresh())
    app.after_request(_vary_by_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, language=language, text_direction=text_direction)
