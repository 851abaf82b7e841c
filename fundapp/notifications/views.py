"""The signed-in user's notifications: list, open (marks read), mark all read."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fundapp.core import args as query_args
from fundapp.core.extensions import db
from fundapp.notifications import bp, discussions, permissions, services
from fundapp.notifications.models import Notification


@bp.app_context_processor
def inject_discussion_body() -> dict:
    """Discussion threads render a message's text with its mentions highlighted (escaped first)."""
    return {"discussion_body": discussions.render_body}


@bp.app_context_processor
def inject_unread() -> dict:
    """The unread count for the top bar badge (one COUNT query, signed-in users only)."""
    if not getattr(current_user, "is_authenticated", False):
        return {"unread_notifications": 0}
    return {"unread_notifications": services.unread_count(current_user)}


@bp.route("/")
@login_required
def index():
    show = request.args.get("show", "")
    page = services.notification_page(current_user, unread_only=show == "unread", page=query_args.page())
    return render_template("notifications/index.html", page=page, show=show)


def _own(notification_id: int) -> Notification:
    notification = db.get_or_404(Notification, notification_id)
    if not permissions.can_read(current_user, notification):
        abort(404)
    return notification


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark read, then follow the notification's link when asked to open it."""
    notification = _own(notification_id)
    services.mark_read(current_user, notification)
    link = notification.link if request.form.get("open") == "1" else None
    if link and link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
