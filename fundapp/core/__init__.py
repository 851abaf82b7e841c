"""Core: money, audit log, state machines, permissions, errors, CLI. Depends on no domain."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from fundapp.core import views  # noqa: E402,F401  (routes attach to bp)
