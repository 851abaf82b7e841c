"""The profile page's forms: password, email, two-factor sign-in (auth's services) and API tokens (api's)."""

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from fundapp.auth.forms import NEW_PASSWORD_ADVICE
from fundapp.auth.passwords import MAX_LENGTH
from fundapp.core.i18n import _l


def _current_password() -> PasswordField:
    return PasswordField(
        _l("Your current password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = _current_password()
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        description=NEW_PASSWORD_ADVICE,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New email"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("You sign in with it from now on; your current address is told of the change."),
        render_kw={"autocomplete": "email"},
    )
    current_password = _current_password()


class TwoFactorForm(FlaskForm):
    """Confirm a new authenticator: a code from it, and the password again."""

    code = StringField(
        _l("Code from the app"),
        validators=[InputRequired(), Length(max=10)],
        description=_l("After scanning, type the 6-digit code the app shows."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    current_password = _current_password()


class ConfirmPasswordForm(FlaskForm):
    """The password again, before turning two-factor sign-in off or making new recovery codes."""

    current_password = _current_password()


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[InputRequired(), Length(max=80)],
        description=_l("Where you use it, e.g. “Finance dashboard”."),
    )
    expires_on = DateField(
        _l("Expires on"), validators=[Optional()], description=_l("Optional: last day the token works.")
    )
