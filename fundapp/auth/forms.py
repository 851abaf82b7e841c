from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length

from fundapp.core.forms import MultiCheckboxField, choices, coerce_id
from fundapp.core.permissions import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)], render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired()], render_kw={"autocomplete": "current-password"})


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    organisation_id = SelectField("Organisation", coerce=coerce_id)
    roles = MultiCheckboxField("Roles", choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))
    password = PasswordField(
        "Initial password",
        description="At least 10 characters; the user changes it after signing in.",
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, organisation_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(organisation_choices)
