from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from fundapp.auth.passwords import MAX_LENGTH
from fundapp.core.forms import MultiCheckboxField, choices, coerce_id
from fundapp.core.i18n import LANGUAGES, _l
from fundapp.core.permissions import ROLE_LABELS

#: Under every field where a person chooses a password (advice, not a password: hence the noqa).
NEW_PASSWORD_ADVICE = _l(
    "At least 12 characters, hard to guess: a few unrelated words are strong and easy to remember."
)


class LanguageForm(FlaskForm):
    """The switcher on every page and the profile's choice: a language, and the page to go back to."""

    language = SelectField(_l("Language"), choices=choices(LANGUAGES.items()), validators=[InputRequired()])
    next = HiddenField()


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[InputRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Authentication code"),
        validators=[InputRequired(), Length(max=40)],
        description=_l("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        validators=[InputRequired(), Length(max=10)],
        description=_l("After scanning, type the 6-digit code the app shows."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("The address you sign in with."),
        render_kw={"autocomplete": "username"},
    )


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (a password reset)."""

    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        description=NEW_PASSWORD_ADVICE,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(SetPasswordForm):
    name = StringField(_l("Your full name"), validators=[InputRequired(), Length(max=120)])


class InvitationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    organisation_id = SelectField(_l("Organisation"), coerce=coerce_id)
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    language = SelectField(
        _l("Their language"),
        choices=choices(LANGUAGES.items()),
        validators=[Optional()],  # left out: the language the inviting person is using (the form's default)
        description=_l("The invitation email and the welcome page are written in it; they can change it later."),
    )

    def __init__(self, *args, organisation_choices: list[tuple[int, str]], role_choices: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(organisation_choices)
        self.roles.choices = choices((r.value, ROLE_LABELS[r]) for r in role_choices)


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    organisation_id = SelectField(_l("Organisation"), coerce=coerce_id)
    roles = MultiCheckboxField(_l("Roles"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))

    def __init__(self, *args, organisation_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(organisation_choices)
