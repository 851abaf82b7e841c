"""Sign-in (password, then the second factor), sign-out, password reset, invitations, user administration."""

import time
from dataclasses import asdict
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from fundapp.auth import bp, invitations, permissions, ratelimit, resets, services, sessions, throttle, two_factor
from fundapp.auth.forms import (
    AcceptInvitationForm,
    CodeForm,
    ForgotPasswordForm,
    InvitationForm,
    LanguageForm,
    LoginForm,
    SetPasswordForm,
    TwoFactorSetupForm,
    UserForm,
)
from fundapp.auth.models import INVITATION_STATUS_LABELS, Invitation, Organisation, User
from fundapp.auth.ratelimit import email_request, password_attempt
from fundapp.auth.web import client
from fundapp.core import args as query_args
from fundapp.core.edge import domain_errors
from fundapp.core.errors import wants_json
from fundapp.core.extensions import csrf, db, login_manager
from fundapp.core.i18n import _, language, remember_language, speak
from fundapp.core.permissions import Role, role_required
from fundapp.core.tabular import csv_response

#: Where the cookie keeps a sign-in waiting for its second factor, and the page asked for before it.
PENDING = "_pending_sign_in"
NEXT = "_sign_in_next"
#: Pages that show a secret once (recovery codes, a link) are not kept by browsers or proxies.
NO_STORE = {"Cache-Control": "no-store"}


@login_manager.user_loader
def load_user(key: str) -> User | None:
    return sessions.user_for_session(key)


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


def _enter(user: User) -> str:
    """The sign-in is complete: Flask-Login keeps the session's key (user.session_key) in the cookie.
    Returns where to go: the page asked for before signing in, else the user's home page."""
    next_url = session.pop(NEXT, None)
    session.pop(PENDING, None)
    login_user(user)
    return next_url or _landing(user)


def _password_accepted(result: services.SignInResult):
    """Signed in, or on to the second step; a fresh cookie session either way (no fixation)."""
    next_url = _safe_next(request.args.get("next"))
    session.clear()
    session[NEXT] = next_url
    if result.step is None:
        return redirect(_enter(result.user))
    session[PENDING] = result.key
    return redirect(url_for("auth.login_code" if result.step == "code" else "auth.login_setup"))


def _refused(template: str, form, result: services.SignInResult):
    if result.restart:
        session.pop(PENDING, None)
        flash(result.message, "error")
        return redirect(url_for("auth.login"))
    if result.retry_after:
        return render_template(template, form=form, error=result.message), 429, {"Retry-After": str(result.retry_after)}
    return render_template(template, form=form, error=result.message), 401


@bp.route("/login", methods=["GET", "POST"])
@password_attempt
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm(email=request.args.get("email", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, error=None)
    result = services.authenticate(form.email.data, form.password.data, client())
    if result.ok:
        return _password_accepted(result)
    return _refused("auth/login.html", form, result)  # recorded all the same: the edge commits a 401 too


@bp.route("/login/code", methods=["GET", "POST"])
@password_attempt
def login_code():
    """The second step of a sign-in: a code from the authenticator app, or a recovery code."""
    form = CodeForm()
    if form.validate_on_submit():
        result = services.check_second_factor(session.get(PENDING), form.code.data, client())
        if not result.ok:
            return _refused("auth/login_code.html", form, result)
        if result.message:  # e.g. few recovery codes left
            flash(result.message, "warning")
        return redirect(_enter(result.user))
    if services.pending_step(session.get(PENDING)) != "code":
        flash(_("Your sign-in has expired. Sign in again."), "error")
        return redirect(url_for("auth.login"))
    return render_template("auth/login_code.html", form=form, error=None)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@password_attempt
def login_setup():
    """A role that requires a second factor, and none yet: set one up before going further."""
    setup = services.pending_setup(session.get(PENDING))
    if setup is None:
        flash(_("Your sign-in has expired. Sign in again."), "error")
        return redirect(url_for("auth.login"))
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        with domain_errors(form, default="code") as outcome:
            user, codes = services.complete_setup(session.get(PENDING), form.code.data, client())
        if outcome.ok:
            next_url = _enter(user)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url), 200, NO_STORE
    page = render_template("auth/login_setup.html", form=form, setup=two_factor.setup_page(setup.user, setup.secret))
    return page, 422 if form.errors else 200, NO_STORE


def _leave() -> None:
    """Sign out whoever this browser was signed in as (their server-side session ends too)."""
    if current_user.is_authenticated:
        services.sign_out(current_user)
    logout_user()


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """The session ends on the server: a copy of the cookie opens nothing afterwards."""
    services.sign_out(current_user)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """The language switcher (every page) and the profile's choice: the browser keeps it in a cookie, and a
    signed-in user's profile keeps it for their pages, PDFs and emails. Back to the page it was made on."""
    form = LanguageForm(meta={"csrf": False})
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.choose_language(current_user, form.language.data)
    target = _safe_next(form.next.data) or url_for("reference.landing")
    return remember_language(redirect(target), form.language.data)


# Password reset ---------------------------------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@email_request
def forgot_password():
    """The same answer, after the same time, whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        g.answer_at = time.monotonic() + current_app.config["PASSWORD_RESET_ANSWER_SECONDS"]
        resets.request_reset(form.email.data, request.remote_addr)
        minutes = current_app.config["PASSWORD_RESET_VALID_MINUTES"]
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new password. "
                "The link works once, for %(minutes)s minutes.",
                email=form.email.data.strip().lower(),
                minutes=minutes,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.after_request
def _answer_on_time(response):
    """Hold an answer until its time (set by the view): the email leaves before this, after the commit."""
    answer_at = g.pop("answer_at", None)
    if answer_at is not None:
        time.sleep(max(0.0, answer_at - time.monotonic()))
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if resets.reset_for_token(token) is None:
        return render_template("auth/link_expired.html", kind="reset"), 410, NO_STORE
    form = SetPasswordForm()
    if form.validate_on_submit():
        with domain_errors(form, default="password") as outcome:
            user = resets.reset_password(token, form.password.data, request.remote_addr)
        if outcome.ok:
            _leave()
            flash(_("Your password is changed, and every session of your account is signed out. Sign in."), "success")
            return redirect(url_for("auth.login", email=user.email))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200, NO_STORE


# Invitations ------------------------------------------------------------------------------------


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """The invited person chooses a password: the account exists from now on, and they sign in."""
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render_template("auth/link_expired.html", kind="invitation"), 410, NO_STORE
    speak(invitation.language)  # the welcome page in the invitee's language
    form = AcceptInvitationForm(name=invitation.name)
    if form.validate_on_submit():
        with domain_errors(form, default="password") as outcome:
            user = invitations.accept(token, form.name.data, form.password.data)
        if outcome.ok:
            _leave()
            flash(_("Your account is ready. Sign in with your email and the password you chose."), "success")
            return remember_language(redirect(url_for("auth.login", email=user.email)), language())
    page = render_template("auth/accept_invitation.html", form=form, invitation=invitation)
    return page, 422 if form.errors else 200, NO_STORE


def _invitation_form() -> InvitationForm:
    roles = [r for r in Role if permissions.can_invite_to(current_user, [r])]
    choices = services.organisation_choices()
    return InvitationForm(organisation_choices=choices, role_choices=roles, language=language())


def _sent(sent: invitations.Sent, again: bool = False):
    """Emailed: back to the list. No mail on this instance: the link, on this page only, to pass on."""
    if sent.link is None:
        email = sent.invitation.email
        message = _("Invitation sent again to %(email)s.", email=email) if again else None
        flash(message or _("Invitation sent to %(email)s.", email=email), "success")
        return redirect(url_for("auth.invitation_list"))
    return render_template("auth/invitation_link.html", sent=sent), 200, NO_STORE


@bp.route("/admin/invitations")
@role_required(*permissions.INVITING_ROLES)
def invitation_list():
    page = invitations.open_invitations(page=query_args.page())
    return render_template(
        "auth/invitations.html",
        page=page,
        can_manage=permissions.can_manage_invitation,
        status_labels=INVITATION_STATUS_LABELS,
    )


@bp.route("/admin/invitations/new", methods=["GET", "POST"])
@role_required(*permissions.INVITING_ROLES)
def new_invitation():
    form = _invitation_form()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        with domain_errors(form, default="email") as outcome:
            sent = invitations.invite(
                current_user, form.email.data, form.name.data, organisation, form.roles.data, form.language.data
            )
        if outcome.ok:
            return _sent(sent)
    return render_template("auth/invitation_form.html", form=form), 422 if form.errors else 200


def _managed_invitation(invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    if not permissions.can_manage_invitation(current_user, invitation):
        abort(403)
    return invitation


@bp.route("/admin/invitations/<int:invitation_id>/resend", methods=["POST"])
@role_required(*permissions.INVITING_ROLES)
def resend_invitation(invitation_id: int):
    invitation = _managed_invitation(invitation_id)
    with domain_errors() as outcome:
        sent = invitations.resend(current_user, invitation)
    if outcome.ok:
        return _sent(sent, again=True)
    return redirect(url_for("auth.invitation_list"))


@bp.route("/admin/invitations/<int:invitation_id>/revoke", methods=["POST"])
@role_required(*permissions.INVITING_ROLES)
def revoke_invitation(invitation_id: int):
    invitation = _managed_invitation(invitation_id)
    with domain_errors() as outcome:
        invitations.revoke(current_user, invitation)
    if outcome.ok:
        flash(_("Invitation to %(email)s revoked: its link no longer works.", email=invitation.email), "success")
    return redirect(url_for("auth.invitation_list"))


# User administration ---------------------------------------------------------------------------


def _user_filters() -> services.UserFilters:
    return services.UserFilters(
        role=query_args.text("role"),
        status=query_args.text("status"),
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
            u.has_two_factor,
            u.created_at,
            u.last_login_at,
        ]
        for u in services.users(_user_filters())
    )
    header = ["email", "name", "organisation", "roles", "active", "two_factor", "created_at", "last_login_at"]
    return csv_response("users.csv", header, rows)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.admin)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, organisation_choices=services.organisation_choices())
    if request.method == "GET":
        form.roles.data = sorted(user.role_names)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        with domain_errors(form, default="name") as outcome:
            services.update_user(current_user, user, form.name.data, organisation, form.roles.data)
        if outcome.ok:
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("auth.admin_users"))
    return render_template(
        "auth/user_form.html",
        form=form,
        user=user,
        can_reset_two_factor=permissions.can_reset_two_factor(current_user, user),
        two_factor_required=two_factor.required_for(user),
    )


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.admin)
def set_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    with domain_errors() as outcome:
        services.set_user_active(current_user, user, active)
    if outcome.ok:
        if active:
            flash(_("%(email)s reactivated.", email=user.email), "success")
        else:
            flash(_("%(email)s deactivated: their sessions and API tokens ended.", email=user.email), "success")
    return redirect(url_for("auth.admin_users"))


@bp.route("/admin/users/<int:user_id>/two-factor/reset", methods=["POST"])
@role_required(Role.admin)
def reset_user_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    if not permissions.can_reset_two_factor(current_user, user):
        abort(403)
    with domain_errors() as outcome:
        services.reset_two_factor(current_user, user)
    if outcome.ok:
        flash(_("Two-factor sign-in of %(email)s removed; their sessions ended.", email=user.email), "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))


# Refusals of the per-address limiter ------------------------------------------------------------


@bp.app_errorhandler(RateLimitExceeded)
def too_many_requests(exc: RateLimitExceeded):
    """HTTP 429 with Retry-After, and a page that says how long to wait."""
    db.session.rollback()
    wait = ratelimit.retry_after()
    message = _(
        "Too many attempts from your network address. Wait %(wait)s, then try again. Nothing was changed.",
        wait=throttle.describe(wait),
    )
    headers = {"Retry-After": str(wait)}
    if wants_json():
        return {"error": {"status": 429, "code": "too_many_requests", "message": message}}, 429, headers
    return render_template("errors/error.html", status=429, title=_("Too many attempts"), message=message), 429, headers


@bp.before_app_request
def _forget_cached_user() -> None:
    """Load the user afresh for each request.

    Flask-Login caches the user on `g`, which lives as long as the app context; tests keep one
    context across several requests, and a stale user there would survive a sign-out.
    """
    g.pop("_login_user", None)
