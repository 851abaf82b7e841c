from flask import jsonify

from fundapp.api import bp, services


@bp.route("/summary")
def summary():
    """Public: the fund, its thematic areas with their objectives, the guiding principles."""
    return jsonify(services.public_summary())
