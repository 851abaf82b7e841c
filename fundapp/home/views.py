"""The role home pages, the profile page (password, personal API tokens) and the audit log."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from fundapp.api import tokens
from fundapp.api.models import ApiToken
from fundapp.auth import services as auth_services
from fundapp.core import args as query_args
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.permissions import COMMITTEE_ROLES, ROLE_LABELS, Role, role_required
from fundapp.core.tabular import csv_response
from fundapp.home import bp, permissions, services
from fundapp.home.forms import ApiTokenForm, ChangePasswordForm

# Home pages ------------------------------------------------------------------------------------


@bp.route("/home")
@login_required
def index():
    return redirect(url_for(services.home_endpoint(current_user)))


@bp.route("/admin")
@role_required(Role.admin)
def admin():
    return render_template("home/admin.html", **services.admin_page())


@bp.route("/secretariat")
@role_required(Role.secretariat)
def secretariat():
    return render_template("home/secretariat.html", **services.secretariat_page())


@bp.route("/committee")
@role_required(*COMMITTEE_ROLES)
def committee():
    return render_template("home/committee.html", **services.committee_page(current_user))


@bp.route("/donor")
@role_required(Role.donor)
def donor():
    return render_template("home/donor.html", **services.donor_page(current_user))


@bp.route("/applicant")
@role_required(Role.applicant)
def applicant():
    return render_template("home/applicant.html", **services.applicant_page(current_user))


# Profile: password and personal API tokens -----------------------------------------------------


def _render_profile(form: ChangePasswordForm, token_form: ApiTokenForm | None = None, new_token: str | None = None):
    return render_template(
        "home/profile.html",
        form=form,
        token_form=token_form or ApiTokenForm(prefix="token"),
        tokens=tokens.user_tokens(current_user),
        new_token=new_token,
        role_labels=ROLE_LABELS,
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with domain_errors(form, default="new_password") as outcome:
            auth_services.change_password(current_user, form.current_password.data, form.new_password.data)
        if outcome.ok:
            login_user(current_user)  # the session id changed with the password
            flash("Password changed. Your other sessions are signed out.", "success")
            return redirect(url_for("home.profile"))
    return _render_profile(form)


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_api_token():
    """The token is rendered in this response only (never flashed: the session cookie is not secret)."""
    token_form = ApiTokenForm(prefix="token")
    if token_form.validate_on_submit():
        with domain_errors(token_form, default="name") as outcome:
            _row, token = tokens.create_token(current_user, token_form.name.data, token_form.expires_on.data)
        if outcome.ok:
            fresh = ApiTokenForm(prefix="token", formdata=None)
            response = _render_profile(ChangePasswordForm(formdata=None), fresh, token)
            return response, 200, {"Cache-Control": "no-store"}
    return _render_profile(ChangePasswordForm(formdata=None), token_form), 422


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not permissions.can_revoke_token(current_user, token):
        abort(404)
    tokens.revoke_token(current_user, token)
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("home.profile"))


# Audit log -------------------------------------------------------------------------------------


def _audit_filters() -> services.AuditFilters:
    return services.AuditFilters(
        **{name: query_args.text(name) for name in ("action", "object_type", "actor", "since", "until")}
    )


@bp.route("/admin/audit")
@role_required(Role.admin)
def audit_log():
    filters = _audit_filters()
    page = services.audit_page(filters, page=query_args.page())
    return render_template("home/audit_log.html", page=page, args=filters, object_types=services.audit_object_types())


@bp.route("/admin/audit.csv")
@role_required(Role.admin)
def audit_log_csv():
    rows = (
        [e.id, e.created_at, e.actor_email or "", e.action, e.object_type, e.object_id, e.details, e.hash]
        for e in services.audit_entries(_audit_filters())
    )
    header = ["id", "created_at", "actor", "action", "object_type", "object_id", "details", "hash"]
    return csv_response("audit-log.csv", header, rows)
