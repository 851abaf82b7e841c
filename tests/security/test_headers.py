"""Security headers by kind of response, HSTS only in production, and a Content-Security-Policy the templates
can live with: no inline script, no event-handler attribute, no inline style."""

import re
from pathlib import Path

import pytest

from config import Config, DevelopmentConfig, TestConfig
from fundapp import create_app
from fundapp.core.extensions import db as _db
from fundapp.core.security import CSP
from tests.api.helpers import bearer
from tests.security.downloads import Demo

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC_JS = ROOT / "fundapp" / "static" / "js"

# Content-Security-Policy ------------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_the_policy_allows_no_inline_script_or_style(client):
    policy = client.get("/transparency/").headers["Content-Security-Policy"]
    assert policy == CSP
    directives = _directives(policy)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


#: What the policy would block in a template: a script element with a body, an event-handler attribute, a
#: javascript: URL, a style attribute or element.
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("kind", INLINE)
def test_no_template_holds_inline_script_or_style(kind):
    found = [
        f"{path.relative_to(ROOT)}:{source[: match.start()].count(chr(10)) + 1}"
        for path in _templates()
        for source in [path.read_text()]
        for match in INLINE[kind].finditer(source)
    ]
    assert found == [], f"{kind}: move scripts to fundapp/static/js and styles to app.css"


def test_the_check_finds_inline_script_and_style():
    for sample, kind in [
        ("<script>alert(1)</script>", "inline script"),
        ('<button type="button" onclick="go()">', "event handler attribute"),
        ('<a href="javascript:void(0)">', "javascript: URL"),
        ('<span class="bar" style="width: 5%">', "style attribute"),
        ("<style>p { color: red }</style>", "style element"),
    ]:
        assert INLINE[kind].search(sample), kind
    assert not INLINE["inline script"].search('<script src="/static/js/x.js"></script>')


def test_every_script_is_a_file_under_static_js():
    script = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')
    sources = [m.group(1) for path in _templates() for m in script.finditer(path.read_text())]
    assert sources, "the scan must see the scripts there are"
    for source in sources:
        name = re.fullmatch(r"\{\{ url_for\('static', filename='js/([\w./-]+)'\) \}\}", source)
        assert name, source
        assert (STATIC_JS / name.group(1)).is_file(), source


def test_python_never_writes_inline_script_or_style_into_pages():
    """Server-made markup (the SVG charts) uses presentation attributes (fill, width), which are not styles."""
    found = []
    for path in sorted((ROOT / "fundapp").rglob("*.py")):
        source = path.read_text()
        for kind in ("inline script", "event handler attribute", "style attribute", "style element"):
            found += [f"{path.relative_to(ROOT)} {kind}" for _ in INLINE[kind].finditer(source)]
    assert found == []


@pytest.mark.parametrize(
    ("email", "url"),
    [
        ("secretariat@example.org", "/contributions/capitalization"),
        ("secretariat@example.org", "/programmes/results"),
        ("secretariat@example.org", lambda d: f"/programmes/{d.programme_with_most_reports()}"),
    ],
    ids=["capitalization", "results-dashboard", "programme"],
)
def test_progress_bars_draw_without_a_style_attribute(client, login, email, url):
    login(email)
    page = client.get(url(Demo()) if callable(url) else url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not INLINE["style attribute"].search(html)
    widths = re.findall(r'class="progress-(?:deposited|committed) pct-(\d+)"', html)
    assert widths, "the page draws its progress bars"
    assert all(0 <= int(w) <= 100 for w in widths)


# Cache-Control by kind of response ---------------------------------------------------------------------


def _cache_control(client, url: str, headers: dict | None = None) -> str:
    response = client.get(url, headers=headers or {})
    response.close()
    assert response.status_code in (200, 302, 404), url
    assert (response.status_code == 404) == url.startswith("/no-such"), url
    return response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("email", "url", "private"),
    [
        (None, "/transparency/", False),
        (None, "/transparency/contributors.csv", False),
        (None, "/transparency/results-report/2021.pdf", False),
        (None, "/api/v1/summary", False),
        (None, "/static/css/app.css", False),
        (None, "/home", True),  # the redirect to sign-in stores a message in the session
        ("donor@example.org", "/home", True),
        ("donor@example.org", "/transparency/", True),
        ("donor@example.org", "/contributions/my", True),
        ("secretariat@example.org", "/no-such-page", True),
        ("secretariat@example.org", "/contributions/ledger.csv", True),
        ("secretariat@example.org", "/static/css/app.css", False),
    ],
)
def test_no_store_on_every_response_that_depends_on_who_asks(client, login, email, url, private):
    if email:
        login(email)
    assert ("no-store" in _cache_control(client, url)) is private


def test_no_store_on_private_downloads(client, login):
    login("donor@example.org")
    demo = Demo()
    for suffix in ("pdf", "csv", "xlsx"):
        assert _cache_control(client, f"/contributions/donors/{demo.donor_id()}/report.{suffix}") == "no-store"
    login("secretariat@example.org")
    assert _cache_control(client, f"/programmes/{demo.programme_with_most_reports()}/dossier.zip") == "no-store"


def test_no_store_on_api_answers_to_a_token(client):
    assert _cache_control(client, "/api/v1/me", bearer("donor@example.org")) == "no-store"
    assert _cache_control(client, "/api/v1/summary", bearer("donor@example.org")) == "no-store"
    assert "no-store" not in _cache_control(client, "/api/v1/summary")


# Strict-Transport-Security -------------------------------------------------------------------------------


@pytest.fixture
def app_with():
    """Build an app with another configuration class (on an empty in-memory database: /healthz pings it)."""
    made = []

    def _make(base: type, **overrides):
        config = type("Config", (base,), {"SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides})
        made.append(create_app(config))
        return made[-1]

    yield _make
    for app in made:
        with app.app_context():
            _db.engine.dispose()


def test_hsts_in_production(app_with):
    app = app_with(Config, SECRET_KEY="p" * 64, AUDIT_HMAC_KEY="a" * 64)
    response = app.test_client().get("/healthz")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts).group(1))
    assert max_age >= 365 * 24 * 3600


@pytest.mark.parametrize("base", [DevelopmentConfig, TestConfig])
def test_no_hsts_in_development_and_tests(app_with, base):
    """scripts/run serves plain HTTP on loopback: HSTS there would lock the browser out of it."""
    app = app_with(base, SECRET_KEY="d" * 64)
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers
