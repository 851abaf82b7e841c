"""Public and account endpoints, the OpenAPI document and its documentation page."""

from flask import Response, jsonify, render_template
from flask_login import current_user

from fundapp.api import bp, openapi, services
from fundapp.api.auth import token_required


@bp.route("/summary")
def summary():
    """Public: the fund, its thematic areas with their objectives, the guiding principles."""
    return jsonify(services.public_summary())


@bp.route("/me")
@token_required()
def me():
    """The account the token belongs to: a client checks its token with this."""
    return jsonify(
        {
            "email": current_user.email,
            "name": current_user.name,
            "organisation": current_user.organisation.code,
            "roles": sorted(current_user.role_names),
        }
    )


def _document() -> dict:
    from fundapp.concept_notes.workflow import STATUS_LABELS

    return openapi.document(list(STATUS_LABELS))


@bp.route("/openapi.json")
def openapi_json():
    """Public: the OpenAPI 3.1 document of this API."""
    return jsonify(_document())


@bp.route("/docs")
def docs():
    """Public: the document as a readable page (server-rendered, no script)."""
    document = _document()
    by_tag: dict[str, list] = {tag["name"]: [] for tag in document["tags"]}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            by_tag[operation["tags"][0]].append((method.upper(), path, operation))
    return render_template("api/docs.html", document=document, by_tag=by_tag, schema_name=openapi.schema_name)


@bp.route("/iati.xml")
def iati():
    """Public: the IATI 2.03 activity file of the fund (fundapp/reports/iati.py)."""
    from fundapp.reports import iati

    return Response(
        iati.export(),
        mimetype="application/xml",
        headers={"Content-Disposition": f'inline; filename="{iati.fund_identifier()}.xml"'},
    )
