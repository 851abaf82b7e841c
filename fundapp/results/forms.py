from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.core.forms import choices
from fundapp.results.alignment import MEASURE_KIND_LABELS
from fundapp.results.rollup import UNIT_LABELS


class OutcomeForm(FlaskForm):
    code = StringField(
        "Code", validators=[InputRequired(), Length(max=20)], description="Unique in the area, e.g. 1.2."
    )
    statement = TextAreaField("Outcome statement", validators=[InputRequired(), Length(max=600)])


class IndicatorForm(FlaskForm):
    code = StringField(
        "Code", validators=[InputRequired(), Length(max=20)], description="Unique in the thematic area, e.g. 1.2.a."
    )
    name = TextAreaField("Indicator", validators=[InputRequired(), Length(max=600)])
    unit = SelectField("Unit", choices=choices((u.value, label) for u, label in UNIT_LABELS.items()))
    baseline_value = DecimalField(
        "Baseline value",
        places=None,
        validators=[InputRequired()],
        description="Numbers are whole; amounts US$ with cents; percentages 0–100; yes / no is 1 or 0.",
    )
    baseline_year = IntegerField("Baseline year", validators=[InputRequired()])
    target_value = DecimalField("Target value", places=None, validators=[InputRequired()])
    target_year = IntegerField("Target year", validators=[InputRequired()])
    means_of_verification = TextAreaField(
        "Means of verification", validators=[Optional(), Length(max=2000)], description="Where the figure comes from."
    )
    by_sex = BooleanField("Disaggregated by sex")
    by_age_group = BooleanField("Disaggregated by age group")
    by_migratory_status = BooleanField("Disaggregated by migratory status")


class ActiveForm(FlaskForm):
    """Retire (active=0) or reinstate (active=1)."""

    active = HiddenField(validators=[InputRequired()])


class DeleteForm(FlaskForm):
    pass


class AlignmentIndicatorForm(FlaskForm):
    principle_id = SelectField("Guiding principle", coerce=int, validate_choice=True)
    code = StringField("Code", validators=[InputRequired(), Length(max=20)])
    name = StringField("Indicator", validators=[InputRequired(), Length(max=300)])
    measurement = TextAreaField("How it is measured", validators=[Optional(), Length(max=2000)])
    kind = SelectField("Measure", choices=choices((k.value, label) for k, label in MEASURE_KIND_LABELS.items()))
    marker_id = SelectField(
        "Marker", coerce=int, validate_choice=True, description="Marker scores only: which marker is measured."
    )
    threshold_1 = DecimalField("Score 1 from", places=None, validators=[Optional()])
    threshold_2 = DecimalField("Score 2 from", places=None, validators=[Optional()])
    threshold_3 = DecimalField("Score 3 from", places=None, validators=[Optional()])

    def __init__(
        self, *args, principle_choices: list[tuple[int, str]], marker_choices: list[tuple[int, str]], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.principle_id.choices = choices([(0, "— choose a principle —"), *principle_choices])
        self.marker_id.choices = choices([(0, "— none —"), *marker_choices])


class MarkerMinimumRow(Form):
    marker_id = HiddenField()
    minimum = IntegerField("Minimum score", validators=[InputRequired(), NumberRange(min=0, max=3)])


class MarkerMinimumsForm(FlaskForm):
    minimums = FieldList(FormField(MarkerMinimumRow))
