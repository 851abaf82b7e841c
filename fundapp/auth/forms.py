from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from fundapp.auth.passwords import MAX_LENGTH
from fundapp.core.forms import MultiCheckboxField, choices, coerce_id
from fundapp.core.permissions import ROLE_LABELS

#: Under every field where a person chooses a password (advice, not a password: hence the noqa).
NEW_PASSWORD_ADVICE = "At least 12 characters, hard to guess: a few unrelated words are strong and easy to remember."  # noqa: S105


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password", validators=[InputRequired(), Length(max=MAX_LENGTH)], render_kw={"autocomplete": "current-password"}
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Authentication code",
        validators=[InputRequired(), Length(max=40)],
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        "Code from the app",
        validators=[InputRequired(), Length(max=10)],
        description="After scanning, type the 6-digit code the app shows.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        description="The address you sign in with.",
        render_kw={"autocomplete": "username"},
    )


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (a password reset)."""

    password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        description=NEW_PASSWORD_ADVICE,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(SetPasswordForm):
    name = StringField("Your full name", validators=[InputRequired(), Length(max=120)])


class InvitationForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    organisation_id = SelectField("Organisation", coerce=coerce_id)
    roles = MultiCheckboxField("Roles", choices=[])

    def __init__(self, *args, organisation_choices: list[tuple[int, str]], role_choices: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(organisation_choices)
        self.roles.choices = choices((r.value, ROLE_LABELS[r]) for r in role_choices)


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    organisation_id = SelectField("Organisation", coerce=coerce_id)
    roles = MultiCheckboxField("Roles", choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))

    def __init__(self, *args, organisation_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(organisation_choices)
