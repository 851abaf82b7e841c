"""The OpenAPI 3.1 document of API v1, built here and served at /api/v1/openapi.json.

Every /api/v1 route is described (a test checks both directions) and every JSON response has a schema
that the schema-driven test validates real responses against. Money is a string with two decimals.
"""

import re
from functools import cache
from typing import Any

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1250000.00"]}
#: Ids and counts are 32-bit: a larger number is refused (400 in a query, 404 in a path).
MAX_INT = 2**31 - 1
PERCENT = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$"}
DATE = {"type": "string", "format": "date"}
#: An alignment score 0–100 with two decimals, or null before any programme is assessed.
SCORE = {
    "type": ["string", "null"],
    "pattern": r"^\d{1,3}\.\d{2}$",
    "description": "Budget-weighted guiding-principle alignment score (0–100); null until a programme is assessed.",
}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _obj(properties: dict[str, Any], required: list[str] | None = None, extra: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": extra,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict[str, Any]:
    return _obj({"data": {"type": "array", "items": _ref(name)}, "meta": _ref("Meta")})


SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        {
            "error": _obj(
                {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "reference": {"type": "string"},
                },
                required=["status", "code", "message"],
            )
        }
    ),
    "Meta": _obj(
        {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
        }
    ),
    "Summary": _obj(
        {
            "fund": {
                "oneOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                            "currency": {"type": "string"},
                            "capitalization_target_usd": MONEY,
                        }
                    ),
                ]
            },
            "thematic_areas": {
                "type": "array",
                "items": _obj(
                    {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "objectives": {"type": "array", "items": {"type": "integer"}},
                        "allocations_usd": MONEY,
                        "transfers_usd": MONEY,
                        "expenditure_usd": MONEY,
                        "alignment_score": SCORE,
                    }
                ),
            },
            "alignment_score": SCORE,
            "guiding_principles": {
                "type": "array",
                "items": _obj({"code": {"type": "string"}, "name": {"type": "string"}}),
            },
            "concept_notes": {"type": "object"},
            "donors": {"type": "object"},
            "contributions": {"type": "object"},
            "steering_committee": {"type": "object"},
            "pipeline": _obj(
                {
                    "identified": {"type": "integer", "minimum": 0},
                    "ready_for_implementation": {"type": "integer", "minimum": 0},
                }
            ),
            "joint_programmes": _obj(
                {
                    "funded": {"type": "integer", "minimum": 0},
                    "participating_un_organizations": {"type": "integer", "minimum": 0},
                }
            ),
            "programme_money": _obj(
                {
                    "allocated_usd": MONEY,
                    "transferred_usd": MONEY,
                    "refunded_usd": MONEY,
                    "expenditure_usd": MONEY,
                }
            ),
        },
        required=["fund", "thematic_areas", "guiding_principles", "concept_notes", "contributions"],
        extra=True,  # each capability adds its part
    ),
    "FundingStatus": _obj(
        {
            "as_of": NULLABLE_DATE,
            "currency": {"const": "USD"},
            "sources": _obj(
                {
                    "contributions_from_donors": MONEY,
                    "interest_fund": MONEY,
                    "interest_participating_organizations": MONEY,
                    "total": MONEY,
                }
            ),
            "uses": _obj(
                {
                    "transferred_to_participating_organizations": MONEY,
                    "refunds_from_participating_organizations": MONEY,
                    "administrative_agent_fee": MONEY,
                    "direct_costs": MONEY,
                    "bank_charges": MONEY,
                    "total": MONEY,
                }
            ),
            "balances": _obj(
                {
                    "balance_with_administrative_agent": MONEY,
                    "balance_with_administrative_agent_percent_of_deposits": PERCENT,
                    "net_transfers_to_participating_organizations": MONEY,
                    "participating_organizations_expenditure": MONEY,
                    "balance_with_participating_organizations": MONEY,
                    "balance_with_participating_organizations_percent_of_transfers": PERCENT,
                    "total_balance_of_funds": MONEY,
                }
            ),
        }
    ),
    "Contributors": _obj(
        {
            "target_usd": MONEY,
            "commitments_usd": MONEY,
            "deposits_usd": MONEY,
            "contributors": {
                "type": "array",
                "items": _obj({"donor": {"type": "string"}, "commitments_usd": MONEY, "deposits_usd": MONEY}),
            },
            "meta": _ref("Meta"),
        }
    ),
    "Organizations": _obj(
        {
            "organizations": {
                "type": "array",
                "items": _obj(
                    {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "joint_programmes": {"type": "integer"},
                        "allocated_usd": MONEY,
                        "transferred_usd": MONEY,
                        "refunded_usd": MONEY,
                        "expenditure_usd": MONEY,
                    }
                ),
            },
        }
    ),
    "Me": _obj(
        {
            "email": {"type": "string"},
            "name": {"type": "string"},
            "organisation": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "ConceptNote": _obj(
        {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "string"},
            "call": _obj({"id": {"type": "integer"}, "title": {"type": "string"}}),
            "lead_organisation": {"type": "string"},
            "participants": {
                "type": "array",
                "items": _obj(
                    {
                        "organisation": {"type": "string"},
                        "is_lead": {"type": "boolean"},
                        "direct_costs": MONEY,
                        "indirect_costs": MONEY,
                        "currency": {"type": "string"},
                    }
                ),
            },
            "thematic_area": {"type": ["string", "null"]},
            "objectives": {"type": "array", "items": {"type": "integer"}},
            "scope": {"type": ["string", "null"]},
            "countries": {"type": "array", "items": {"type": "string"}},
            "duration_months": {"type": ["integer", "null"]},
            "direct_costs": MONEY,
            "indirect_costs": MONEY,
            "budget": MONEY,
            "currency": {"type": "string"},
            "gender_budget_share_percent": PERCENT,
            "first_submitted_on": NULLABLE_DATE,
            "last_submitted_on": NULLABLE_DATE,
            "version_count": {"type": "integer"},
        }
    ),
    "Agreement": _obj(
        {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "donor": {"type": "string"},
            "signed_on": DATE,
            "committed_amount": MONEY,
            "currency": {"type": "string"},
            "earmark": {"type": ["string", "null"], "description": "Thematic area code, or null (unearmarked)."},
            "status": {"enum": ["signed", "partially_paid", "fully_paid"]},
            "paid": MONEY,
            "paid_usd": MONEY,
            "outstanding": MONEY,
            "commitment_usd": MONEY,
        }
    ),
    "Deposit": _obj(
        {
            "id": {"type": "integer"},
            "agreement": {"type": "string"},
            "donor": {"type": "string"},
            "deposited_on": DATE,
            "amount": MONEY,
            "currency": {"type": "string"},
            "rate": {"type": "string", "pattern": r"^\d+\.\d{6}$"},
            "amount_usd": MONEY,
            "fee_usd": MONEY,
            "is_overpayment": {"type": "boolean"},
        }
    ),
}

NARRATIVE_FIELDS = (
    "government_partners",
    "context",
    "theory_of_change",
    "expected_results",
    "target_groups",
    "stakeholder_participation",
    "government_engagement",
    "sustainability",
)


def _extended(base: str, extra: dict[str, Any]) -> dict[str, Any]:
    """base's fields plus extra ones, still closed (a closed base cannot be combined with allOf)."""
    schema = SCHEMAS[base]
    return {
        "type": "object",
        "description": f"The fields of {base}, and {', '.join(extra)}.",
        "properties": {**schema["properties"], **extra},
        "required": [*schema["required"], *extra],
        "additionalProperties": False,
    }


SCHEMAS["ConceptNoteDetail"] = _extended(
    "ConceptNote",
    {
        **{name: {"type": "string"} for name in NARRATIVE_FIELDS},
        "principles": {"type": "array", "items": _obj({"code": {"type": "string"}, "text": {"type": "string"}})},
    },
)
SCHEMAS["AgreementDetail"] = _extended("Agreement", {"deposits": {"type": "array", "items": _ref("Deposit")}})
SCHEMAS["ReportDeposit"] = _extended("Deposit", {"reversed": {"type": "boolean"}})
SCHEMAS["ContributionReport"] = _obj(
    {
        "donor": {"type": "string"},
        "from": DATE,
        "to": DATE,
        "deposits": {"type": "array", "items": _ref("ReportDeposit")},
        "period_deposits_usd": MONEY,
        "period_fees_usd": MONEY,
        "period_net_usd": MONEY,
        "cumulative_deposits_usd": MONEY,
        "share_of_all_deposits_percent": PERCENT,
        "attribution": {
            "type": "array",
            "items": _obj(
                {
                    "pool": {"type": "string"},
                    "programme_id": {"type": ["integer", "null"]},
                    "allocated_from_pool_usd": MONEY,
                    "attributed_usd": MONEY,
                }
            ),
        },
        "attributed_usd": MONEY,
    }
)
SCHEMAS["ConceptNoteList"] = _list_of("ConceptNote")
SCHEMAS["Programme"] = _obj(
    {
        "id": {"type": "integer"},
        "reference": {"type": "string", "description": "The programme's reference, e.g. JP-0007."},
        "concept_note_reference": {"type": "string", "description": "The concept note it came from, e.g. CN-0037."},
        "title": {"type": "string"},
        "thematic_area": _obj({"code": {"type": "string"}, "name": {"type": "string"}}),
        "countries": {"type": "array", "items": _obj({"code": {"type": "string"}, "name": {"type": "string"}})},
        "region": {"type": "string"},
        "lead_organization": {"type": "string"},
        "participating_organizations": {
            "type": "array",
            "items": _obj(
                {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "budget_usd": {"oneOf": [MONEY, {"type": "null"}]},
                    "allocated_usd": {"oneOf": [MONEY, {"type": "null"}]},
                }
            ),
        },
        "starts_on": DATE,
        "ends_on": DATE,
        "budget_usd": MONEY,
        "allocated_usd": MONEY,
        "transferred_usd": MONEY,
        "refunded_usd": MONEY,
        "expenditure_usd": MONEY,
        "gender_marker": {"type": ["integer", "null"], "minimum": 0, "maximum": 3},
        "page_url": {"type": "string"},
    }
)
SCHEMAS["ProgrammeDetail"] = _extended(
    "Programme",
    {
        "summary": {"type": "string"},
        "objectives": {"type": "array", "items": {"type": "integer"}},
        "transactions": {
            "type": "array",
            "items": _obj(
                {"date": DATE, "kind": {"type": "string"}, "organization": {"type": "string"}, "amount_usd": MONEY}
            ),
        },
    },
)
SCHEMAS["ProgrammeList"] = _list_of("Programme")
SCHEMAS["AgreementList"] = _list_of("Agreement")
SCHEMAS["DepositList"] = _list_of("Deposit")


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _q(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _path_id(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    }


PAGE = [
    _q("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": MAX_INT, "default": 1}),
    _q(
        "per_page",
        "Items per page; more than 100 is read as 100.",
        {"type": "integer", "minimum": 1, "maximum": MAX_INT, "default": 25},
    ),
]

ID_FILTER = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
CODE = {"type": "string", "maxLength": 40}
NOTE_STATUSES = [
    "draft",
    "submitted",
    "returned",
    "eligible",
    "ineligible",
    "withdrawn",
]


def _operation(
    summary: str,
    description: str,
    ok: dict[str, Any],
    tag: str,
    *,
    token: bool = False,
    parameters: list[dict[str, Any]] | None = None,
    not_found: bool = False,
    checks_token: bool = True,
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    if checks_token:  # the checks of every data endpoint: query parameters, then the token
        responses["400"] = _error("A query parameter is unknown or malformed.")
    if token:
        responses["401"] = _error(
            "No token, or a token that is unknown, revoked or expired, or of a deactivated account."
        )
    elif checks_token:
        responses["401"] = _error("A token was sent that is unknown, revoked or expired, or of a deactivated account.")
    if token:
        responses["403"] = _error("The token's user has no role that gives access to this endpoint.")
    if not_found:
        responses["404"] = _error("No such record, or one the token's user may not see.")
    operation: dict[str, Any] = {
        "summary": summary,
        "description": description,
        "tags": [tag],
        "parameters": parameters or [],
        "responses": responses,
        "security": [{"bearerToken": []}] if token else ([{}, {"bearerToken": []}] if checks_token else [{}]),
    }
    return operation


def document(statuses: list[str] | None = None) -> dict[str, Any]:
    """The whole document; statuses are the concept note states (from the workflow)."""
    note_statuses = statuses or NOTE_STATUSES
    paths: dict[str, Any] = {
        "/summary": {
            "get": _operation(
                "Fund summary",
                "Public. The fund, thematic areas and objectives, guiding principles, and each capability's "
                "public figures (concept note counts, contributions, committee). `donors.deposits_by_donor` names "
                "the largest depositors only (`donors.count` counts them all; /contributors lists every one).",
                _json("The summary.", "Summary"),
                "Public",
            )
        },
        "/funding-status": {
            "get": _operation(
                "Funding status statement",
                "Public. The administrative agent's funding status statement (sources, uses, balances; USD) "
                "as of a date. The same figures as the Funding status page.",
                _json("The statement.", "FundingStatus"),
                "Public",
                parameters=[
                    _q("as_of", "Statement date (YYYY-MM-DD); default today.", {"type": "string", "format": "date"})
                ],
            )
        },
        "/contributors": {
            "get": _operation(
                "Contributors' totals",
                "Public. The fund's totals, and per donor, a page at a time, commitments and deposits in USD, "
                "largest depositor first (no agreement details).",
                _json("The totals and a page of contributors.", "Contributors"),
                "Public",
                parameters=PAGE,
            )
        },
        "/organizations": {
            "get": _operation(
                "Participating organizations' money",
                "Public. Per participating UN organization: funded joint programmes, its allocations (its share "
                "of each programme's allocation in proportion to its approved budget), transfers, refunds and "
                "expenditure in USD. The transparency page's table by organization.",
                _json("The organizations.", "Organizations"),
                "Public",
            )
        },
        "/iati.xml": {
            "get": _operation(
                "IATI 2.03 activity file",
                "Public. The fund as an IATI 2.03 hierarchy-1 activity: participating organisations, incoming "
                "commitments (agreements) and incoming funds (deposits), sectors (thematic areas).",
                {
                    "description": "An iati-activities document.",
                    "content": {"application/xml": {"schema": {"type": "string"}}},
                },
                "Public",
            )
        },
        "/programmes": {
            "get": _operation(
                "Funded joint programmes",
                "Public. The joint programmes the ledger shows an allocation to, newest start first, with their "
                "public fields and ledger totals (USD). Filters as the transparency page.",
                _json("One page of programmes.", "ProgrammeList"),
                "Public",
                parameters=[
                    _q("area", "Thematic area code, e.g. TA1.", CODE),
                    _q("region", "UN M49 region code of a country of the programme, e.g. 002.", CODE),
                    _q("organisation", "Code of a participating organization, e.g. IOM.", CODE),
                    _q("country", "ISO 3166-1 alpha-3 code of a country of the programme.", CODE),
                    *PAGE,
                ],
            )
        },
        "/programmes/{programme_id}": {
            "get": _operation(
                "One funded joint programme",
                "Public. A funded joint programme with its summary, Global Compact objectives and money "
                "movements. 404 for a programme document that has not been funded.",
                _json("The programme.", "ProgrammeDetail"),
                "Public",
                not_found=True,
                parameters=[_path_id("programme_id", "programme document")],
            )
        },
        "/openapi.json": {
            "get": _operation(
                "This document",
                "Public. The OpenAPI 3.1 description of API v1.",
                {"description": "The document.", "content": {"application/json": {"schema": {"type": "object"}}}},
                "Public",
            )
        },
        "/docs": {
            "get": _operation(
                "Documentation page",
                "Public. This document as a readable HTML page (it ignores tokens and shows no data).",
                {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}},
                "Public",
                checks_token=False,
            )
        },
        "/me": {
            "get": _operation(
                "The token's account",
                "The account the token belongs to: email, name, organisation code and roles.",
                _json("The account.", "Me"),
                "Account",
                token=True,
            )
        },
        "/concept-notes": {
            "get": _operation(
                "Concept notes",
                "Applicants: every note of their organisation, drafts included. Secretariat and committee: "
                "the notes submitted at least once. Filters as the list pages.",
                _json("One page of notes.", "ConceptNoteList"),
                "Concept notes",
                token=True,
                parameters=[
                    _q("call", "Call id.", ID_FILTER),
                    _q("status", "Status.", {"enum": note_statuses}),
                    _q("area", "Thematic area id.", ID_FILTER),
                    _q("region", "UN M49 region or sub-region code of a country of the note.", {"type": "string"}),
                    _q("country", "ISO 3166-1 alpha-3 code of a country of the note.", {"type": "string"}),
                    _q("organisation", "Id of a participating organisation.", ID_FILTER),
                    _q("q", "Words in the title.", {"type": "string"}),
                    _q(
                        "sort",
                        "Sort key.",
                        {
                            "enum": ["reference", "title", "submitted", "budget", "status", "duration"],
                            "default": "submitted",
                        },
                    ),
                    _q("dir", "Sort direction.", {"enum": ["asc", "desc"], "default": "desc"}),
                    *PAGE,
                ],
            )
        },
        "/concept-notes/{note_id}": {
            "get": _operation(
                "One concept note",
                "A note with its narrative sections and guiding-principle statements. 404 when the token's "
                "user may not see it (another organisation's, or a draft for reviewers).",
                _json("The note.", "ConceptNoteDetail"),
                "Concept notes",
                token=True,
                not_found=True,
                parameters=[_path_id("note_id", "concept note")],
            )
        },
        "/contributions/agreements": {
            "get": _operation(
                "Contribution agreements",
                "Secretariat: every agreement; donor users: their donor's. Oldest first.",
                _json("One page of agreements.", "AgreementList"),
                "Contributions",
                token=True,
                parameters=[
                    _q("donor", "Donor id.", ID_FILTER),
                    _q("status", "Payment status.", {"enum": ["signed", "partially_paid", "fully_paid"]}),
                    *PAGE,
                ],
            )
        },
        "/contributions/agreements/{agreement_id}": {
            "get": _operation(
                "One agreement with its deposits",
                "404 for another donor's agreement.",
                _json("The agreement.", "AgreementDetail"),
                "Contributions",
                token=True,
                not_found=True,
                parameters=[_path_id("agreement_id", "agreement")],
            )
        },
        "/contributions/deposits": {
            "get": _operation(
                "Deposits",
                "Secretariat: every deposit; donor users: their donor's. Newest first.",
                _json("One page of deposits.", "DepositList"),
                "Contributions",
                token=True,
                parameters=[
                    _q("donor", "Donor id.", ID_FILTER),
                    _q("agreement", "Agreement id.", ID_FILTER),
                    _q("from", "Received on or after (YYYY-MM-DD).", {"type": "string", "format": "date"}),
                    _q("to", "Received on or before (YYYY-MM-DD).", {"type": "string", "format": "date"}),
                    *PAGE,
                ],
            )
        },
        "/contributions/deposits/{deposit_id}": {
            "get": _operation(
                "One deposit",
                "404 for another donor's deposit.",
                _json("The deposit.", "Deposit"),
                "Contributions",
                token=True,
                not_found=True,
                parameters=[_path_id("deposit_id", "deposit")],
            )
        },
        "/contributions/donors/{donor_id}/report": {
            "get": _operation(
                "Contribution report",
                "A donor's deposits in a period, with its cumulative share and attribution (the report page's "
                "figures). 404 for another donor.",
                _json("The report.", "ContributionReport"),
                "Contributions",
                token=True,
                not_found=True,
                parameters=[
                    _path_id("donor_id", "donor"),
                    _q("from", "Period start (YYYY-MM-DD); default 2019-01-01.", {"type": "string", "format": "date"}),
                    _q("to", "Period end (YYYY-MM-DD); default today.", {"type": "string", "format": "date"}),
                ],
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fundapp API",
            "version": "1.0.0",
            "description": (
                "Read access to the trust fund's public figures, and to what a signed-in user may see, with a "
                "personal API token created on the profile page (Authorization: Bearer <token>). Money is a "
                'string with two decimals. Errors are JSON: {"error": {"status", "code", "message"}}. Lists take '
                "page and per_page (at most 100) and return a meta block. An error's message is in the language "
                "the Accept-Language header asks for (English, French, Spanish or Arabic; English otherwise); its "
                "status and code never change with the language."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [
            {"name": "Public", "description": "No token needed."},
            {"name": "Account", "description": "The token's own account."},
            {"name": "Concept notes", "description": "Notes the token's user may see."},
            {"name": "Contributions", "description": "Agreements and deposits the token's user may see."},
        ],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token from your profile page (stored hashed, shown once).",
                }
            },
        },
    }


def schema_name(schema: dict[str, Any]) -> str:
    """A short readable type for the documentation page."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    if "oneOf" in schema:
        return " or ".join(schema_name(s) for s in schema["oneOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"array of {schema_name(schema.get('items', {}))}"
    if schema.get("pattern") == MONEY["pattern"] and "string" in kind:
        kind = kind.replace("string", "money string")
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    return kind


def operations_by_tag(document: dict[str, Any]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """tag -> (METHOD, path, operation) of each operation, in the document's order: the docs page's sections."""
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {tag["name"]: [] for tag in document["tags"]}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            by_tag[operation["tags"][0]].append((method.upper(), path, operation))
    return by_tag


def flask_path(rule: str) -> str:
    """A Flask rule under /api/v1 as the document's path: /concept-notes/<int:note_id> -> /concept-notes/{note_id}."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1"))


@cache
def query_parameters() -> dict[str, frozenset[str]]:
    """Path -> the query parameters its GET takes (the document is the one list of them)."""
    return {
        path: frozenset(p["name"] for p in ops["get"]["parameters"] if p["in"] == "query")
        for path, ops in document().get("paths", {}).items()
        if "get" in ops
    }
