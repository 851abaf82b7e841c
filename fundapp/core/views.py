"""Core routes: a health check for load balancers."""

import sqlalchemy as sa
from flask import jsonify

from fundapp.core import bp
from fundapp.core.extensions import csrf, db


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """Liveness plus a database round trip."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify({"status": "ok"})
