"""Schemathesis against the WSGI app: generated requests (well-formed and malformed) for every operation of
the OpenAPI document, sent anonymously and with the tokens of a donor, the secretariat and an applicant.

call_and_validate runs schemathesis' checks: no 5xx, documented status codes, bodies and headers that match
the document, malformed requests refused, well-formed ones accepted. tests/api/test_openapi.py adds a
hypothesis test that uses real ids and checks every endpoint answers 200 somewhere.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from fundapp.api.openapi import document
from tests.api.helpers import bearer
from tests.concept_notes.helpers import make_call, make_note
from tests.contributions import factories as cf

schema = schemathesis.openapi.from_dict(document())
CALLERS = ("donor@example.org", "secretariat@example.org", "applicant@example.org")


@pytest.fixture
def callers(db):
    """Some records to find, and one header set per caller (anonymous first)."""
    cf.deposit("DEU")
    cf.deposit("NLD")
    make_note("UNDP", "applicant@example.org", call=make_call())
    return [{}, *(bearer(email) for email in CALLERS)]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_document(case, app, callers):
    case.operation.schema.app = app  # in-process WSGI calls, no network
    generated = dict(case.headers or {})
    for headers in callers:
        # Where schemathesis put a bearer token, put a real one (or none); where a negative case removed
        # it, leave it removed, so the request stays as malformed as it was generated.
        case.headers = {k: v for k, v in generated.items() if k.lower() != "authorization"}
        if any(k.lower() == "authorization" for k in generated):
            case.headers.update(headers)
        case.call_and_validate(app=app)
