"""Core routes: a health check for load balancers."""

from flask import jsonify

from fundapp.core import bp
from fundapp.core.extensions import csrf, ping


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """Liveness plus a database round trip."""
    ping()
    return jsonify({"status": "ok"})
