"""JSON API v1 (documented by /api/v1/openapi.json, readable at /api/v1/docs).

Public endpoints need no token; the others take a personal API token (``Authorization: Bearer``),
never the session cookie (see fundapp/api/auth.py). Money is a string with two decimals.

Modules: models.py (ApiToken), tokens.py (token services), auth.py (request authentication and the
request's argument and pagination helpers), openapi.py (the document), services.py (the API's queries and
the public summary), views.py (the endpoints).
"""

from flask import Blueprint

from fundapp.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, never cookie-authenticated

from fundapp.api import auth, models, tokens, views  # noqa: E402,F401  (the request hooks and the routes attach to bp)
from fundapp.core import signals  # noqa: E402

signals.describe_objects.connect(tokens.describe_objects)
