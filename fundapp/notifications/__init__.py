"""In-app notifications with an unread count, and email when MAIL_SERVER is configured."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from fundapp.notifications import cli, views  # noqa: E402,F401
