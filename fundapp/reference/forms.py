from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from fundapp.auth.models import ORGANISATION_TYPE_LABELS
from fundapp.core.forms import MultiCheckboxField, choices, coerce_id
from fundapp.core.i18n import _l


class RenameForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Length(max=300)],
        description=_l("In English; the French, Spanish and Arabic names keep the Compact's official wording."),
    )


class ThematicAreaForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(), Length(max=300)],
        description=_l("In English; the French, Spanish and Arabic names keep the Compact's official wording."),
    )
    objectives = MultiCheckboxField(_l("GCM objectives in this area"), coerce=coerce_id)

    def __init__(self, *args, objective_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.objectives.choices = choices(objective_choices)


class OrganisationForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$", message=_l("Letters, digits, spaces, dots, dashes.")),
        ],
        description=_l("A short unique code, e.g. IOM or DEU-MFA."),
    )
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    type = SelectField(_l("Type"), choices=choices((t.value, label) for t, label in ORGANISATION_TYPE_LABELS.items()))
    country_code = SelectField(_l("Country"), validate_choice=True)

    def __init__(self, *args, country_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country_code.choices = choices([("", _l("— none —")), *country_choices])
