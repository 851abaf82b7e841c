from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.core.forms import choices
from fundapp.programmes.models import BudgetCategory, ExpenditureKind


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
