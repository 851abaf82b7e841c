from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from fundapp.auth.models import ORGANISATION_TYPE_LABELS
from fundapp.core.forms import MultiCheckboxField, choices, coerce_id


class RenameForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=300)])


class ThematicAreaForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=300)])
    objectives = MultiCheckboxField("GCM objectives in this area", coerce=coerce_id)

    def __init__(self, *args, objective_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.objectives.choices = choices(objective_choices)


class OrganisationForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[
            InputRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$", message="Letters, digits, spaces, dots, dashes."),
        ],
        description="A short unique code, e.g. IOM or DEU-MFA.",
    )
    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    type = SelectField("Type", choices=choices((t.value, label) for t, label in ORGANISATION_TYPE_LABELS.items()))
    country_code = SelectField("Country", validate_choice=True)

    def __init__(self, *args, country_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country_code.choices = choices([("", "— none —"), *country_choices])
