"""JSON API v1. Public endpoints need no token; money is a string with two decimals."""

from flask import Blueprint

from fundapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, never cookie-authenticated for writes

from fundapp.api import contributions, views  # noqa: E402,F401
