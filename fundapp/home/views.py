"""The role home pages, the profile page (password, email, two-factor sign-in, sessions, API tokens), the audit log."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import pgettext
from flask_login import current_user, login_required, login_user, logout_user

from fundapp.api import tokens
from fundapp.api.models import ApiToken
from fundapp.auth import services as auth_services
from fundapp.auth import sessions as auth_sessions
from fundapp.auth.ratelimit import password_attempt
from fundapp.auth.two_factor import setup_page
from fundapp.auth.web import client
from fundapp.core import args as query_args
from fundapp.core import clock
from fundapp.core.edge import domain_errors
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _n
from fundapp.core.permissions import COMMITTEE_ROLES, Role, role_required
from fundapp.core.tabular import csv_response
from fundapp.home import bp, permissions, services
from fundapp.home import search as home_search
from fundapp.home.forms import ApiTokenForm, ChangeEmailForm, ChangePasswordForm, ConfirmPasswordForm, TwoFactorForm
from fundapp.programmes.texts import month_label


@bp.context_processor
def _display_helpers() -> dict:
    """Month names and what an API token's state is called on the profile page (in the reader's language)."""
    token_states = {
        "active": pgettext("API token", "Active"),
        "revoked": pgettext("API token", "Revoked"),
        "expired": pgettext("API token", "Expired"),
    }
    return {"month_label": month_label, "token_states": token_states}


# Home pages ------------------------------------------------------------------------------------


@bp.route("/home")
@login_required
def index():
    return redirect(url_for(services.home_endpoint(current_user)))


@bp.route("/admin")
@role_required(Role.admin)
def admin():
    return render_template("home/admin.html", **services.admin_page(current_user, clock.today()))


@bp.route("/secretariat")
@role_required(Role.secretariat)
def secretariat():
    return render_template("home/secretariat.html", **services.secretariat_page(current_user, clock.today()))


@bp.route("/committee")
@role_required(*COMMITTEE_ROLES)
def committee():
    return render_template("home/committee.html", **services.committee_page(current_user, clock.today()))


@bp.route("/donor")
@role_required(Role.donor)
def donor():
    return render_template("home/donor.html", **services.donor_page(current_user, clock.today()))


@bp.route("/applicant")
@role_required(Role.applicant)
def applicant():
    return render_template("home/applicant.html", **services.applicant_page(current_user, clock.today()))


@bp.route("/inbox/<key>")
@login_required
def inbox_section(key: str):
    """One section of the user's inbox, whole (another role's section is a 404)."""
    section = services.inbox_section_page(current_user, key, clock.today())
    if section is None:
        abort(404)
    return render_template("home/inbox_section.html", section=section)


# Search ----------------------------------------------------------------------------------------


@bp.route("/search")
@login_required
def search():
    results = home_search.search(
        current_user,
        query_args.text("q", max_length=10_000)[:200],  # a pasted paragraph searches its start
        query_args.text("kind"),
        query_args.page(),
    )
    return render_template(
        "home/search.html", results=results, kinds=home_search.KINDS, kind_labels=home_search.KIND_LABELS
    )


# Profile: password, email, two-factor sign-in, sessions, personal API tokens ---------------------

#: Pages that show a secret once (recovery codes, a new token) are not kept by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store"}


def _render_profile(status: int = 200, new_token: str | None = None, **forms):
    """The profile page; the forms not given are empty (each posts to its own URL)."""
    blank = {
        "form": lambda: ChangePasswordForm(formdata=None),
        "email_form": lambda: ChangeEmailForm(prefix="email", formdata=None),
        "off_form": lambda: ConfirmPasswordForm(prefix="off", formdata=None),
        "codes_form": lambda: ConfirmPasswordForm(prefix="codes", formdata=None),
        "token_form": lambda: ApiTokenForm(prefix="token", formdata=None),
    }
    forms = {name: forms.get(name) or make() for name, make in blank.items()}
    page = render_template("home/profile.html", new_token=new_token, **forms, **services.profile_page(current_user))
    return page, status, NO_STORE if new_token else {}


@bp.route("/profile", methods=["GET", "POST"])
@password_attempt
@login_required
def profile():
    """The profile page; its POST changes the password (every other session ends, this one is renewed)."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _render_profile(422 if form.errors else 200, form=form)
    with domain_errors(form, default="new_password") as outcome:
        auth_services.change_password(current_user, form.current_password.data, form.new_password.data, client())
    if not outcome.ok:
        return _render_profile(422, form=form)
    login_user(current_user._get_current_object())  # the fresh session's key: a copy of the old cookie is dead
    flash(_("Password changed. Every other session of your account is signed out."), "success")
    return redirect(url_for("home.profile"))


@bp.route("/profile/email", methods=["POST"])
@password_attempt
@login_required
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        with domain_errors(form, default="email") as outcome:
            auth_services.change_email(current_user, form.current_password.data, form.email.data)
        if outcome.ok:
            flash(_("You now sign in with %(email)s.", email=current_user.email), "success")
            return redirect(url_for("home.profile"))
    return _render_profile(422, email_form=form)


@bp.route("/profile/two-factor", methods=["GET", "POST"])
@password_attempt
@login_required
def two_factor_setup():
    """Set up (or replace) the authenticator app: scan, type a code, give the password again."""
    form = TwoFactorForm()
    if form.validate_on_submit():
        with domain_errors(form, default="code") as outcome:
            codes = auth_services.enable_two_factor(current_user, form.current_password.data, form.code.data)
        if outcome.ok:
            next_url = url_for("home.profile")
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url), 200, NO_STORE
    setup = setup_page(current_user, auth_services.start_two_factor_setup(current_user))
    page = render_template("home/two_factor_setup.html", form=form, setup=setup)
    return page, 422 if form.errors else 200, NO_STORE


@bp.route("/profile/two-factor/off", methods=["POST"])
@password_attempt
@login_required
def disable_two_factor():
    form = ConfirmPasswordForm(prefix="off")
    if form.validate_on_submit():
        with domain_errors(form, default="current_password") as outcome:
            auth_services.disable_two_factor(current_user, form.current_password.data)
        if outcome.ok:
            flash(_("Two-factor sign-in is off; your recovery codes no longer work."), "success")
            return redirect(url_for("home.profile"))
    return _render_profile(422, off_form=form)


@bp.route("/profile/two-factor/recovery-codes", methods=["POST"])
@password_attempt
@login_required
def new_recovery_codes():
    form = ConfirmPasswordForm(prefix="codes")
    if form.validate_on_submit():
        with domain_errors(form, default="current_password") as outcome:
            codes = auth_services.renew_recovery_codes(current_user, form.current_password.data)
        if outcome.ok:
            next_url = url_for("home.profile")
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url), 200, NO_STORE
    return _render_profile(422, codes_form=form)


@bp.route("/profile/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """End one signed-in browser (this one signs out); another person's session, or an ended one, is a 404."""
    if auth_sessions.own_open_session(current_user, session_id) is None:
        abort(404)
    with domain_errors() as outcome:
        was_this_one = auth_sessions.end_one_session(current_user, session_id)
    if outcome.ok and was_this_one:
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    if outcome.ok:
        flash(_("That session is signed out."), "success")
    return redirect(url_for("home.profile") + "#sessions")


@bp.route("/profile/sessions/end-all", methods=["POST"])
@login_required
def sign_out_everywhere():
    count = auth_sessions.sign_out_everywhere(current_user)
    logout_user()
    flash(_n("Signed out everywhere (%(num)d session).", "Signed out everywhere (%(num)d sessions).", count), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_api_token():
    """The token is rendered in this response only (never flashed: the session cookie is not secret)."""
    token_form = ApiTokenForm(prefix="token")
    if token_form.validate_on_submit():
        with domain_errors(token_form, default="name") as outcome:
            _row, token = tokens.create_token(current_user, token_form.name.data, token_form.expires_on.data)
        if outcome.ok:
            return _render_profile(new_token=token)
    return _render_profile(422, token_form=token_form)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_api_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not permissions.can_revoke_token(current_user, token):
        abort(404)
    tokens.revoke_token(current_user, token)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("home.profile"))


# Audit log -------------------------------------------------------------------------------------


def _audit_filters() -> services.AuditFilters:
    return services.AuditFilters(**{name: query_args.text(name) for name in services.AuditFilters.FIELDS})


@bp.route("/admin/audit")
@role_required(Role.admin)
def audit_log():
    filters = _audit_filters()
    page = services.audit_log_page(filters, page=query_args.page())
    return render_template("home/audit_log.html", args=filters, **page)


@bp.route("/admin/audit.csv")
@role_required(Role.admin)
def audit_log_csv():
    rows = services.audit_csv_rows(_audit_filters())
    return csv_response("audit-log.csv", services.AUDIT_CSV_HEADER, rows)
