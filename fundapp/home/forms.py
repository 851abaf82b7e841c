"""The profile page's forms: the password change (auth's service) and personal API tokens (api's service)."""

from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        "New password",
        validators=[InputRequired(), Length(min=10, max=200)],
        description="At least 10 characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("new_password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[InputRequired(), Length(max=80)],
        description="Where you use it, e.g. “Finance dashboard”.",
    )
    expires_on = DateField("Expires on", validators=[Optional()], description="Optional: last day the token works.")
