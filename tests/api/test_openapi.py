"""The OpenAPI document: valid, complete both ways, and true of the real responses.

The schema-driven test generates requests from the document with hypothesis (schemathesis is not used:
it needs network-oriented extras; this test drives the WSGI app directly) and checks every response
against the document: no 5xx, a documented status, and a JSON body that validates against the schema.
"""

import html
import re
from datetime import date

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from fundapp.contributions.models import Agreement, Deposit, Donor
from fundapp.core.extensions import db
from tests.api.helpers import bearer
from tests.concept_notes.helpers import make_call, make_note
from tests.contributions import factories as cf
from tests.transparency.helpers import funded_programme


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def _rule_to_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerToken"]["description"],
    }


def test_every_api_route_is_documented_and_every_documented_path_exists(app, document):
    routes = {
        (_rule_to_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "the document describes routes that do not exist"


def test_every_path_parameter_and_token_endpoint_is_described(document):
    for path, ops in document["paths"].items():
        for op in ops.values():
            names = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert names == set(re.findall(r"{([a-z_]+)}", path)), path
            assert "200" in op["responses"], path
            if path != "/docs":  # the page ignores tokens
                assert "401" in op["responses"], path
            if op["security"] == [{"bearerToken": []}]:
                assert "403" in op["responses"], path


def test_docs_page_describes_every_endpoint_without_scripts(client, document):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for path, ops in document["paths"].items():
        assert f"/api/v1{path}" in page
        for op in ops.values():
            assert op["summary"] in html.unescape(page)
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert "<script" not in page
    assert "http://" not in page.replace("http://localhost", "")


# Schema-driven requests --------------------------------------------------------------------------------


def _validator(document: dict, schema: dict) -> jsonschema.Draft202012Validator:
    root = {"components": document["components"], **schema}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())


JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "1", "99999999999", "2021-02-30", "2021-06-30", "%00", "null"]),
)


def _valid(schema: dict) -> st.SearchStrategy:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("type") == "integer":
        return st.integers(min_value=schema.get("minimum", 0), max_value=10**6).map(str)
    if schema.get("format") == "date":
        return st.dates(date(2018, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    return st.text(max_size=8)


def _request(operation: dict, ids: dict[str, list[int]], valid: bool) -> st.SearchStrategy:
    """Parameters for one call: all well-formed (valid=True), or any mixture with junk."""
    params = {}
    for p in operation["parameters"]:
        if p["in"] == "path":
            params[p["name"]] = st.one_of(st.sampled_from(ids.get(p["name"], [1])), st.integers(1, 10**9)).map(str)
        elif valid:
            params[p["name"]] = st.one_of(st.none(), _valid(p["schema"]))
        else:
            params[p["name"]] = st.one_of(st.none(), _valid(p["schema"]), JUNK)
    return st.fixed_dictionaries(params)


CALLERS = ("anonymous", "secretariat@example.org", "donor@example.org", "applicant@example.org", "member1@example.org")


def test_generated_requests_get_documented_responses(client, document):
    cf.deposit("DEU")
    cf.deposit("NLD")
    call = make_call()
    notes = [
        make_note("UNDP", "applicant@example.org", call=call),
        make_note("UNICEF", "applicant2@example.org", call=call, submit=True, attach=True),
    ]

    ids = {
        "note_id": [n.id for n in notes],
        "agreement_id": list(db.session.scalars(db.select(Agreement.id))),
        "deposit_id": list(db.session.scalars(db.select(Deposit.id))),
        "donor_id": list(db.session.scalars(db.select(Donor.id))),
        "programme_id": [funded_programme().id],
    }
    headers = {caller: {} if caller == "anonymous" else bearer(caller) for caller in CALLERS}
    operations = [
        (path, method, op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if path not in ("/docs", "/iati.xml", "/openapi.json")  # not JSON; tested on their own
    ]
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(
        st.tuples(st.sampled_from(operations), st.booleans()).flatmap(
            lambda ov: st.tuples(st.just(ov[0]), _request(ov[0][2], ids, ov[1]), st.sampled_from(CALLERS))
        )
    )
    def check(case):
        (path, method, op), params, caller = case
        url = path
        query = {}
        for p in op["parameters"]:
            value = params[p["name"]]
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", value)
            elif value is not None:
                query[p["name"]] = value
        response = client.open("/api/v1" + url, method=method.upper(), query_string=query, headers=headers[caller])
        status = str(response.status_code)
        assert response.status_code < 500, (url, query, caller)
        assert status in op["responses"], (url, query, caller, status, response.get_data(as_text=True)[:200])
        assert response.is_json, (url, status)
        schema = op["responses"][status]["content"]["application/json"]["schema"]
        errors = sorted(_validator(document, schema).iter_errors(response.json), key=str)
        assert not errors, (url, query, caller, [e.message for e in errors[:3]])
        seen.add((path, status))

    check()
    # The generated requests met the refusals too, not only successes.
    assert {s for _p, s in seen} >= {"200", "400", "401", "403", "404"}
    # And every operation succeeds for some caller with real ids (deterministic, whatever was generated).
    for path, method, op in operations:
        successes = []
        for caller in CALLERS:
            url = path
            for p in op["parameters"]:
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", str(ids[p["name"]][0]))
            response = client.open("/api/v1" + url, method=method.upper(), headers=headers[caller])
            if response.status_code == 200:
                schema = op["responses"]["200"]["content"]["application/json"]["schema"]
                assert not list(_validator(document, schema).iter_errors(response.json)), (url, caller)
                successes.append(caller)
        assert successes, f"no caller gets 200 from {method.upper()} {path}"


@pytest.mark.parametrize("path", ["/docs", "/iati.xml", "/openapi.json"])
def test_non_json_endpoints_answer_with_their_documented_media_type(client, document, path):
    response = client.get(f"/api/v1{path}")
    assert response.status_code == 200
    media = next(iter(document["paths"][path]["get"]["responses"]["200"]["content"]))
    assert response.mimetype == media


def test_docs_page_ignores_tokens_and_keeps_the_session(client, login):
    assert client.get("/api/v1/docs", headers={"Authorization": "Bearer fa_nonsense"}).status_code == 200
    login("donor@example.org")
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "your API tokens" in page
