"""Sign-in, sign-out and user administration."""

from dataclasses import asdict
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from fundapp.auth import bp, permissions, services
from fundapp.auth.forms import LoginForm, UserForm
from fundapp.auth.models import Organisation, User
from fundapp.core import args as query_args
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db, login_manager
from fundapp.core.permissions import Role, role_required
from fundapp.core.tabular import csv_response


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return services.load_user_from_session(session_id)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so the sign-in page cannot be used as an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _landing(user: User) -> str:
    """The user's home page (the top layer answers which one), else the site's front page."""
    endpoint = services.landing_endpoint(user)
    return url_for(endpoint) if endpoint else "/"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.ok:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or _landing(result.user))
        error = result.message  # the failure is recorded all the same: the edge commits a 401 too
    status = 200 if error is None else 401
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.record_logout(current_user)
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


# User administration ---------------------------------------------------------------------------


def _user_filters() -> services.UserFilters:
    return services.UserFilters(
        role=request.args.get("role", ""),
        status=request.args.get("status", ""),
        q=query_args.text("q"),
    )


@bp.route("/admin/users")
@role_required(Role.admin)
def admin_users():
    filters = _user_filters()
    page = services.user_page(filters, page=query_args.page())
    return render_template(
        "auth/users.html",
        page=page,
        roles=list(Role),
        can_deactivate_user=permissions.can_deactivate_user,
        **asdict(filters),
    )


@bp.route("/admin/users.csv")
@role_required(Role.admin)
def admin_users_csv():
    rows = (
        [
            u.email,
            u.name,
            u.organisation.code,
            " ".join(sorted(u.role_names)),
            u.is_active,
            u.created_at,
            u.last_login_at,
        ]
        for u in services.users(_user_filters())
    )
    header = ["email", "name", "organisation", "roles", "active", "created_at", "last_login_at"]
    return csv_response("users.csv", header, rows)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(Role.admin)
def new_user():
    form = UserForm(organisation_choices=services.organisation_choices())
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        with domain_errors(form, default="email") as outcome:
            user = services.create_user(
                current_user, form.email.data, form.name.data, organisation, form.roles.data, form.password.data or ""
            )
        if outcome.ok:
            flash(f"User {user.email} created.", "success")
            return redirect(url_for("auth.admin_users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, organisation_choices=services.organisation_choices())
    del form.email, form.password  # identity is shown, not changed here; passwords are the user's own
    if request.method == "GET":
        form.roles.data = sorted(user.role_names)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        with domain_errors(form, default="name") as outcome:
            services.update_user(current_user, user, form.name.data, organisation, form.roles.data)
        if outcome.ok:
            flash(f"User {user.email} saved.", "success")
            return redirect(url_for("auth.admin_users"))
    return render_template("auth/user_form.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.admin)
def set_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    with domain_errors() as outcome:
        services.set_user_active(current_user, user, active)
    if outcome.ok:
        flash(f"{user.email} {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("auth.admin_users"))


@bp.before_app_request
def _forget_cached_user() -> None:
    """Load the user afresh for each request.

    Flask-Login caches the user on `g`, which lives as long as the app context; tests keep one
    context across several requests, and a stale user there would survive a sign-out.
    """
    g.pop("_login_user", None)
