"""Sign-in, profile, the role home pages, user administration and the audit log."""

from datetime import datetime, time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import selectinload

from fundapp.auth import bp, services
from fundapp.auth.forms import ApiTokenForm, ChangePasswordForm, LoginForm, UserForm
from fundapp.auth.models import Organisation, OrganisationType, User, UserRole
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db, login_manager
from fundapp.core.models import AuditEntry
from fundapp.core.permissions import COMMITTEE_ROLES, ROLE_LABELS, Role, role_required
from fundapp.reference.services import thematic_areas


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        db.session.commit()  # failures and throttling are recorded too
        if result.ok:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for(services.home_endpoint(result.user)))
        error = result.message
    status = 200 if error is None else 401
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.record_logout(current_user)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            getattr(form, exc.field or "new_password").errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user)  # the session id changed with the password
            flash("Password changed. Your other sessions are signed out.", "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(form)


def _render_profile(form: ChangePasswordForm, token_form: ApiTokenForm | None = None, new_token: str | None = None):
    from fundapp.api import tokens

    return render_template(
        "auth/profile.html",
        form=form,
        token_form=token_form or ApiTokenForm(prefix="token"),
        tokens=tokens.user_tokens(current_user),
        new_token=new_token,
        role_labels=ROLE_LABELS,
    )


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_api_token():
    """The token is rendered in this response only (never flashed: the session cookie is not secret)."""
    from fundapp.api import tokens

    token_form = ApiTokenForm(prefix="token")
    if token_form.validate_on_submit():
        try:
            _row, token = tokens.create_token(current_user, token_form.name.data, token_form.expires_on.data)
        except DomainError as exc:
            getattr(token_form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            response = _render_profile(
                ChangePasswordForm(formdata=None), ApiTokenForm(prefix="token", formdata=None), token
            )
            return response, 200, {"Cache-Control": "no-store"}
    return _render_profile(ChangePasswordForm(formdata=None), token_form), 422


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int):
    from fundapp.api import tokens
    from fundapp.api.models import ApiToken

    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    tokens.revoke_token(current_user, token)
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("auth.profile"))


# Home pages ------------------------------------------------------------------------------------


@bp.route("/home")
@login_required
def home():
    return redirect(url_for(services.home_endpoint(current_user)))


@bp.route("/admin")
@role_required(Role.admin)
def admin_home():
    users_by_role = dict(
        db.session.execute(
            sa.select(UserRole.role, sa.func.count()).join(User).where(User.is_active).group_by(UserRole.role)
        ).all()
    )
    orgs_by_type = dict(
        db.session.execute(
            sa.select(Organisation.type, sa.func.count()).where(Organisation.is_active).group_by(Organisation.type)
        ).all()
    )
    recent = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)).all()
    return render_template(
        "auth/home_admin.html",
        users_by_role=[(r, users_by_role.get(r, 0)) for r in Role],
        orgs_by_type=[(t, orgs_by_type.get(t, 0)) for t in OrganisationType],
        recent=recent,
    )


@bp.route("/secretariat")
@role_required(Role.secretariat)
def secretariat_home():
    from fundapp.contributions import ledger  # the home page reads the fund's figures (contributions)

    return render_template(
        "auth/home_secretariat.html",
        areas=thematic_areas(),
        status=ledger.funding_status(),
        pools=ledger.pool_balances(),
    )


@bp.route("/committee")
@role_required(*COMMITTEE_ROLES)
def committee_home():
    from fundapp.committee.services import member_overview

    return render_template("auth/home_committee.html", areas=thematic_areas(), overview=member_overview(current_user))


@bp.route("/donor")
@role_required(Role.donor)
def donor_home():
    from fundapp.contributions import services as contributions

    donor = contributions.donor_for_user(current_user)
    figures = contributions.donor_figures(donor) if donor else None
    return render_template("auth/home_donor.html", areas=thematic_areas(), donor=donor, figures=figures)


@bp.route("/applicant")
@role_required(Role.applicant)
def applicant_home():
    colleagues = db.session.scalars(
        sa.select(User)
        .join(UserRole)
        .where(User.organisation_id == current_user.organisation_id, User.is_active, UserRole.role == Role.applicant)
        .order_by(User.name)
    ).all()
    from fundapp.concept_notes.services import applicant_overview
    from fundapp.core import clock

    overview = applicant_overview(current_user.organisation_id, clock.today())
    return render_template("auth/home_applicant.html", colleagues=colleagues, overview=overview)


# User administration ---------------------------------------------------------------------------


def _organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.code)
        .where(Organisation.is_active)
        .order_by(Organisation.name)
    )
    return [(row.id, f"{row.name} ({row.code})") for row in rows]


def _users_query() -> tuple[sa.Select, dict[str, str]]:
    """The user list's filtered select (the page and its CSV)."""
    args = {"role": request.args.get("role", ""), "status": request.args.get("status", "")}
    args["q"] = request.args.get("q", "").strip()
    query = sa.select(User).options(selectinload(User.role_rows))
    if args["role"] in Role.__members__:
        query = query.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == Role(args["role"]))))
    if args["status"] in ("active", "inactive"):
        query = query.where(User.is_active.is_(args["status"] == "active"))
    if args["q"]:
        like = f"%{args['q'].lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    return query.order_by(User.email), args


@bp.route("/admin/users")
@role_required(Role.admin)
def admin_users():
    query, args = _users_query()
    page = db.paginate(query, per_page=25, max_per_page=100, error_out=False)
    return render_template("auth/users.html", page=page, roles=list(Role), **args)


@bp.route("/admin/users.csv")
@role_required(Role.admin)
def admin_users_csv():
    from fundapp.core.tabular import csv_response

    query, _args = _users_query()
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
        for u in db.session.scalars(query)
    )
    header = ["email", "name", "organisation", "roles", "active", "created_at", "last_login_at"]
    return csv_response("users.csv", header, rows)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(Role.admin)
def new_user():
    form = UserForm(organisation_choices=_organisation_choices())
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        try:
            user = services.create_user(
                current_user, form.email.data, form.name.data, organisation, form.roles.data, form.password.data or ""
            )
        except DomainError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"User {user.email} created.", "success")
            return redirect(url_for("auth.admin_users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, organisation_choices=_organisation_choices())
    del form.email, form.password  # identity is shown, not changed here; passwords are the user's own
    if request.method == "GET":
        form.roles.data = sorted(user.role_names)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        try:
            services.update_user(current_user, user, form.name.data, organisation, form.roles.data)
        except DomainError as exc:
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"User {user.email} saved.", "success")
            return redirect(url_for("auth.admin_users"))
    return render_template("auth/user_form.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.admin)
def set_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_user_active(current_user, user, active)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"{user.email} {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("auth.admin_users"))


# Audit log -------------------------------------------------------------------------------------


def _parse_day(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _audit_query() -> tuple[sa.Select, dict[str, str]]:
    """The audit log's filtered select, newest first (the page and its CSV)."""
    args = {k: request.args.get(k, "").strip() for k in ("action", "object_type", "actor", "since", "until")}
    query = sa.select(AuditEntry)
    if args["action"]:
        query = query.where(AuditEntry.action.like(f"{args['action']}%"))
    if args["object_type"]:
        query = query.where(AuditEntry.object_type == args["object_type"])
    if args["actor"]:
        query = query.where(AuditEntry.actor_email.like(f"%{args['actor'].lower()}%"))
    since, until = _parse_day(args["since"]), _parse_day(args["until"])
    if since:
        query = query.where(AuditEntry.created_at >= since)
    if until:
        query = query.where(AuditEntry.created_at <= datetime.combine(until.date(), time.max))
    return query.order_by(AuditEntry.id.desc()), args


@bp.route("/admin/audit")
@role_required(Role.admin)
def audit_log():
    query, args = _audit_query()
    page = db.paginate(query, per_page=50, max_per_page=200, error_out=False)
    object_types = db.session.scalars(
        sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    ).all()
    return render_template("auth/audit_log.html", page=page, args=args, object_types=object_types)


@bp.route("/admin/audit.csv")
@role_required(Role.admin)
def audit_log_csv():
    from fundapp.core.tabular import csv_response

    query, _args = _audit_query()
    rows = (
        [
            e.id,
            e.created_at,
            e.actor_email or "",
            e.action,
            e.object_type,
            e.object_id,
            e.details,
            e.hash,
        ]
        for e in db.session.scalars(query)
    )
    header = ["id", "created_at", "actor", "action", "object_type", "object_id", "details", "hash"]
    return csv_response("audit-log.csv", header, rows)


@bp.before_app_request
def _forget_cached_user() -> None:
    """Load the user afresh for each request.

    Flask-Login caches the user on `g`, which lives as long as the app context; tests keep one
    context across several requests, and a stale user there would survive a sign-out.
    """
    g.pop("_login_user", None)
