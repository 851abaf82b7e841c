from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.core.forms import MultiCheckboxField, choices
from fundapp.programmes.models import BudgetCategory, ExpenditureKind
from fundapp.results.rollup import UNIT_LABELS


class BudgetForm(FlaskForm):
    organisation = SelectField("Participating organization", choices=[])


for _category in BudgetCategory:
    setattr(
        BudgetForm,
        _category.value,
        DecimalField(_category.label, places=2, validators=[Optional(), NumberRange(min=0)], default=None),
    )


class TrancheForm(FlaskForm):
    organisation = SelectField("Participating organization", choices=[])
    planned_on = DateField("Planned date", validators=[InputRequired()])
    amount = DecimalField("Amount (US$)", places=2, validators=[InputRequired()])
    needs_report_approved = BooleanField("Condition: the previous progress report is approved")
    min_spent_percent = DecimalField(
        "Condition: at least this % of funds received is spent",
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100)],
        description="Leave empty for no spending condition; 70 is usual for a second tranche.",
    )


class ReleaseForm(FlaskForm):
    released_on = DateField("Transfer date", validators=[InputRequired()])
    justification = TextAreaField(
        "Justification (chair, for a blocked tranche)", validators=[Optional(), Length(max=2000)]
    )


class ExpenditureForm(FlaskForm):
    organisation = SelectField("Participating organization", choices=[])
    year = IntegerField("Year", validators=[InputRequired()])
    kind = SelectField(
        "Kind",
        choices=choices(
            [
                (ExpenditureKind.interim.value, "Interim: an amount spent"),
                (ExpenditureKind.final.value, "Certified final: the year's total"),
            ]
        ),
    )
    amount = DecimalField("Amount (US$)", places=2, validators=[InputRequired()])
    reported_on = DateField("Reported on", validators=[InputRequired()])


class RefundForm(FlaskForm):
    organisation = SelectField("Participating organization", choices=[])
    amount = DecimalField("Amount (US$)", places=2, validators=[InputRequired()])
    refunded_on = DateField("Refunded on", validators=[InputRequired()])


class CloseOperationallyForm(FlaskForm):
    report_on = DateField("Final narrative report received on", validators=[InputRequired()])
    summary = TextAreaField("Summary of the final narrative report", validators=[InputRequired(), Length(max=4000)])


class CloseFinanciallyForm(FlaskForm):
    pass


class OutcomeForm(FlaskForm):
    code = StringField("Code", validators=[InputRequired(), Length(max=20)], description="e.g. 1")
    statement = TextAreaField("Outcome statement", validators=[InputRequired(), Length(max=600)])


class OutputForm(FlaskForm):
    outcome_id = SelectField("Outcome", coerce=int, choices=[])
    code = StringField("Code", validators=[InputRequired(), Length(max=20)], description="e.g. 1.1")
    statement = TextAreaField("Output statement", validators=[InputRequired(), Length(max=600)])


class IndicatorForm(FlaskForm):
    outcome_id = SelectField("Outcome", coerce=int, choices=[])
    output_id = SelectField("Output (optional)", coerce=int, choices=[])
    code = StringField("Code", validators=[InputRequired(), Length(max=20)], description="e.g. 1.1.a")
    name = TextAreaField("Indicator", validators=[InputRequired(), Length(max=600)])
    unit = SelectField("Unit", choices=choices((u.value, label) for u, label in UNIT_LABELS.items()))
    baseline_value = DecimalField("Baseline value", places=None, validators=[InputRequired()])
    baseline_year = IntegerField("Baseline year", validators=[InputRequired()])
    target_value = DecimalField("Target", places=None, validators=[InputRequired()])
    disaggregations = MultiCheckboxField(
        "Disaggregated by",
        choices=choices([("sex", "Sex"), ("age_group", "Age group"), ("migratory_status", "Migratory status")]),
    )
    fund_indicator_id = SelectField(
        "Contributes to fund indicator",
        coerce=int,
        choices=[],
        description="Linked indicators roll up into the fund's results framework; same unit required.",
    )


class StartReportForm(FlaskForm):
    period = SelectField("Period", choices=[])


class ReportTextForm(FlaskForm):
    narrative = TextAreaField("Narrative: progress in the period", validators=[Length(max=20000)])
    challenges = TextAreaField("Challenges and how they are addressed", validators=[Length(max=20000)])


class ReviewForm(FlaskForm):
    comment = TextAreaField("Comments to the programme's focal points", validators=[Length(max=4000)])
