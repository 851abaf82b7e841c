"""No 500 on any input: hostile path ids, query parameters and form fields on every route, as every role.

The routes come from the route × role tables (tests/<domain>/routes.py, which test_routes.py keeps complete)
and the app's url_map: every GET route gets hostile query parameters (every parameter name the app reads,
found by reading its source), every route with an id in its path gets hostile ids, every POST route gets
hostile values in every field of its form (the fields of the page's own form, plus the table's data), as
each role. A refused request (anything but a redirect after success) must leave every table as it was.

A few examples per route keep the normal suite quick; FUZZ_EXAMPLES=200 runs a longer campaign.
"""

import ast
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.routing import ROLE_EMAILS, ROLES, Route
from tests.test_routes import ROUTES, Lookup

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PACKAGE = Path(__file__).resolve().parents[1] / "fundapp"

#: What people (and scanners) send: empty, NUL, NaN and infinities, huge exponents and integers, Unicode
#: digits, out-of-range dates, over-long text, markup and share constraints a committee might mistype.
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999999",
    "-1e999999",
    "1E+999999999999",
    "1e-999999",
    "9" * 400,
    "-" + "9" * 400,
    "0." + "9" * 400,
    "-1",
    "0",
    "-0.01",
    "0.001",
    "1.5",
    str(2**63),
    str(2**64),
    "10^23",
    "1e23",
    "٣",
    "²",
    "١٢٣",
    "½",
    "x" * 5000,
    "2021-13-45",
    "99999-01-01",
    "0001-01-01",
    "2021-02-29",
    "<b>bold",
    "' OR 1=1 --",
    "TA9=10",
    "TA1=Infinity",
    "TA1=150",
    "TA1=60, TA2=50",
    "TA1=NaN",
    "true",
    "[]",
]
HOSTILE_IDS = ["0", str(2**63), str(2**64), "9" * 30, "9" * 400, "٣", "-1"]
#: A refused post may still leave these rows: the sign-in throttle counts failed attempts on purpose.
WRITTEN_WHEN_REFUSED = {"login_attempts"}


def _query_parameter_names() -> list[str]:
    """Every name the app reads from a query string: `args.get("x")`, core.args helpers and filters' from_args."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            func = node.func
            owner = func.value if isinstance(func, ast.Attribute) else None
            owner_name = getattr(owner, "attr", None) or getattr(owner, "id", None)
            method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            reads_args = owner_name in {"args", "values"} and method in {"get", "getlist"}
            if reads_args or method.endswith("_arg") or owner_name == "query_args":
                names.add(first.value)
    names.update({"page", "per_page"})
    return sorted(n for n in names if re.fullmatch(r"[a-z_]+", n))


QUERY_NAMES = _query_parameter_names()


class _FormFields(HTMLParser):
    """The names of the fields of the forms of a page that post back (method=post)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: set[str] = set()
        self._in_post_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._in_post_form = (attributes.get("method") or "get").lower() == "post"
        elif self._in_post_form and tag in {"input", "select", "textarea", "button"}:
            name = attributes.get("name")
            if name and name != "csrf_token" and attributes.get("type") != "file":
                self.fields.add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post_form = False


def _row_counts(session) -> dict[str, int]:
    from fundapp.core.extensions import db  # noqa: PLC0415  (the app's metadata, once the app is built)

    tables = [t for t in db.metadata.sorted_tables if t.name not in WRITTEN_WHEN_REFUSED]
    query = sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    return dict(session.execute(query).one()._mapping)


def _allowed(route: Route) -> list[str]:
    return [role for role, status in route.expected.items() if status in (200, 302) and role != "anonymous"]


def _through(route: Route) -> str:
    """A role that gets past the route's role check (its status is not 403 or the sign-in redirect)."""
    if route.expected["anonymous"] not in (302, 401, 403):
        return "anonymous"
    return next((role for role in ROLES[1:] if route.expected[role] in (200, 302, 404, 422)), "secretariat")


def _as(client, login, role: str) -> dict[str, str]:
    with client.session_transaction() as session:
        session.clear()
    if role == "anonymous":
        return {}
    login(ROLE_EMAILS[role])
    return {}


def _headers(lookup: Lookup, role: str, url: str) -> dict[str, str]:
    """API routes authenticate with the role's personal token (one per role and test: tokens are limited)."""
    if role == "anonymous" or not url.startswith("/api/"):
        return {}
    tokens = lookup.__dict__.setdefault("_tokens", {})
    if role not in tokens:
        tokens[role] = lookup.bearer(ROLE_EMAILS[role])
    return tokens[role]


def _label(route: Route) -> str:
    return f"{route.method} {route.endpoint}"


GET_ROUTES = [r for r in ROUTES if r.method == "GET" and r.endpoint != "static"]
POST_ROUTES = [r for r in ROUTES if r.method == "POST"]
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


def _check(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


@pytest.mark.parametrize("route", GET_ROUTES, ids=_label)
def test_hostile_query_parameters_never_give_a_500(client, login, db, route):
    lookup = Lookup(db.session)
    url = route.url(lookup) if callable(route.url) else route.url
    roles = _allowed(route) or ["anonymous"]
    path, _sep, query = url.partition("?")

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SUPPRESS, database=None)
    @given(
        role=st.sampled_from(roles),
        params=st.dictionaries(st.sampled_from(QUERY_NAMES), st.sampled_from(HOSTILE), min_size=1, max_size=4),
    )
    def run(role, params):
        _as(client, login, role)
        target = f"{path}?{urlencode(params)}" + (f"&{query}" if query else "")
        response = client.get(target, headers=_headers(lookup, role, url))
        response.close()  # file downloads hold an open handle
        _check(response, f"GET {target} as {role}")

    run()


def _id_segments(url: str) -> list[int]:
    parts = urlsplit(url).path.split("/")
    return [i for i, part in enumerate(parts) if re.fullmatch(r"\d+(\.[a-z]+)?", part)]


ID_ROUTES = [r for r in ROUTES if callable(r.url) or _id_segments(r.url)]


@pytest.mark.parametrize("route", ID_ROUTES, ids=_label)
def test_hostile_path_ids_are_not_found(client, login, db, route):
    lookup = Lookup(db.session)
    url = route.url(lookup) if callable(route.url) else route.url
    path = urlsplit(url).path
    parts = path.split("/")
    positions = _id_segments(path)
    if not positions:
        pytest.skip("no id in this route's path")
    role = _through(route)
    headers = _headers(lookup, role, url)
    for position in positions:
        for hostile in HOSTILE_IDS:
            changed = list(parts)
            changed[position] = re.sub(r"^\d+", hostile, changed[position])
            target = "/".join(changed)
            _as(client, login, role)
            before = _row_counts(db.session)
            response = client.open(target, method=route.method, headers=headers, data=route.data)
            response.close()
            _check(response, f"{route.method} {target} as {role}")
            assert response.status_code in (400, 403, 404), f"{route.method} {target} as {role}: {response.status_code}"
            assert _row_counts(db.session) == before, f"{route.method} {target} wrote rows"


def _form_fields(client, lookup, url: str, role: str) -> set[str]:
    """The fields of the page's post form (when the role may GET the same URL)."""
    response = client.get(url, headers=_headers(lookup, role, url))
    fields = set()
    if response.status_code == 200 and response.mimetype == "text/html":
        parser = _FormFields()
        parser.feed(response.get_data(as_text=True))
        fields = parser.fields
    response.close()
    return fields


def _post_targets() -> list[Route]:
    """Every endpoint that takes a POST: its POST row in the table, else its GET row (a GET/POST form page)."""
    from fundapp import create_app  # noqa: PLC0415
    from tests.conftest import make_config  # noqa: PLC0415

    app = create_app(make_config("sqlite://"))
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    targets: dict[str, Route] = {}
    for route in ROUTES:
        current = targets.get(route.endpoint)
        if route.endpoint in posting and (current is None or (route.method == "POST" and current.method != "POST")):
            targets[route.endpoint] = route
    missing = posting - set(targets)
    assert not missing, f"POST endpoints with no row in the route tables: {sorted(missing)}"
    return sorted(targets.values(), key=lambda r: r.endpoint)


POST_TARGETS = _post_targets()


def _refused(client, response) -> bool:
    """The app said no: a 4xx, a form page with errors, or an error flashed for the next page."""
    if response.status_code >= 400:
        return True
    with client.session_transaction() as session:
        if any(category == "error" for category, _message in session.get("_flashes", [])):
            return True
    if response.status_code == 200 and response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        return 'class="error"' in body or "has-error" in body or "flash-error" in body
    return False


@pytest.mark.parametrize("route", POST_TARGETS, ids=lambda r: r.endpoint)
def test_hostile_form_fields_never_give_a_500_nor_a_partial_write(client, login, db, route):
    lookup = Lookup(db.session)
    url = route.url(lookup) if callable(route.url) else route.url
    allowed = _allowed(route)
    refused = [role for role in ROLES if role not in allowed]
    fields_by_role = {}
    for role in allowed:
        _as(client, login, role)
        fields_by_role[role] = sorted(_form_fields(client, lookup, url, role) | set(route.data))

    # Every refused role: one hostile post, refused without a write.
    for role in refused:
        _as(client, login, role)
        headers = _headers(lookup, role, url)
        before = _row_counts(db.session)
        response = client.post(url, data=dict.fromkeys(route.data, "NaN"), headers=headers)
        response.close()
        _check(response, f"POST {url} as {role}")
        assert _row_counts(db.session) == before, f"POST {url} as {role} (refused) wrote rows"

    if not allowed:
        return

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SUPPRESS, database=None)
    @given(data=st.data())
    def run(data):
        role = data.draw(st.sampled_from(allowed))
        values = {}
        for name in fields_by_role[role]:
            choice = data.draw(st.sampled_from(["valid", "hostile", "missing"]))
            if choice == "hostile" or (choice == "valid" and name not in route.data):
                values[name] = data.draw(st.sampled_from(HOSTILE))
            elif choice == "valid":
                values[name] = route.data[name]
        _as(client, login, role)
        headers = _headers(lookup, role, url)
        before = _row_counts(db.session)
        response = client.post(url, data=values, headers=headers)
        refused = _refused(client, response)
        response.close()
        _check(response, f"POST {url} as {role} with {values!r}")
        if refused:
            assert _row_counts(db.session) == before, f"POST {url} as {role} refused, yet wrote rows: {values!r}"

    run()
