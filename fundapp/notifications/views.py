"""The signed-in user's notifications: list, open (marks read), mark all read."""

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fundapp.core.extensions import db
from fundapp.notifications import bp, services
from fundapp.notifications.models import Notification


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
    query = sa.select(Notification).where(Notification.user_id == current_user.id)
    if show == "unread":
        query = query.where(Notification.read_at.is_(None))
    page = db.paginate(query.order_by(Notification.id.desc()), per_page=25, max_per_page=100, error_out=False)
    return render_template("notifications/index.html", page=page, show=show)


def _own(notification_id: int) -> Notification:
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    """Mark read, then follow the notification's link when asked to open it."""
    notification = _own(notification_id)
    services.mark_read(current_user, notification)
    db.session.commit()
    link = notification.link if request.form.get("open") == "1" else None
    if link and link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))
