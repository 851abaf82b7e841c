"""Forms for donors, agreements, rates, deposits, ledger postings and imports."""

from datetime import date
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from fundapp.contributions.models import DONOR_TYPE_LABELS
from fundapp.core.forms import POSITIVE, MoneyField, OnceForm, RateField, choices, coerce_id

AMOUNT = [InputRequired(message="Enter the amount."), POSITIVE]


class DonorForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=coerce_id, validators=[DataRequired()])
    donor_type = SelectField("Type", choices=choices((t.value, label) for t, label in DONOR_TYPE_LABELS.items()))
    country_code = SelectField("Country", validators=[Optional()])

    def __init__(self, *args, organisation_choices=(), country_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices(organisation_choices)
        self.country_code.choices = choices([("", "Same as the organisation"), *country_choices])


class AgreementForm(OnceForm):
    reference = StringField("Reference", validators=[InputRequired(), Length(max=60)])
    signed_on = DateField("Signed on", validators=[InputRequired()])
    committed_amount = MoneyField("Committed amount", validators=AMOUNT)
    currency = StringField(
        "Currency", validators=[InputRequired(), Length(min=3, max=3)], description="ISO 4217 code, e.g. EUR"
    )
    thematic_area_id = SelectField("Earmarking", coerce=lambda v: int(v) if v else None, validators=[Optional()])
    schedule = TextAreaField(
        "Schedule of expected payments",
        validators=[Optional(), Length(max=4000)],
        description="Optional. One payment a line: YYYY-MM-DD amount (in the agreement's currency).",
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, area_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.thematic_area_id.choices = choices([("", "Unearmarked"), *area_choices])


class DepositForm(OnceForm):
    deposited_on = DateField("Date received", validators=[InputRequired()])
    amount = MoneyField("Amount", validators=AMOUNT)
    confirm_overpayment = BooleanField("Confirm: this payment takes the agreement past its commitment")
    reference = StringField(
        "Bank reference",
        validators=[Optional(), Length(max=60)],
        description="Optional: the bank's reference of the payment.",
    )
    note = StringField("Note", validators=[Optional(), Length(max=300)])


class RateForm(OnceForm):
    currency = StringField("Currency", validators=[InputRequired(), Length(min=3, max=3)])
    month = StringField("Month", validators=[InputRequired(), Length(min=7, max=7)], description="YYYY-MM")
    rate = RateField(
        "Units per US dollar",
        validators=[InputRequired(), NumberRange(min=Decimal("0.000001"), message="Enter a rate above zero.")],
    )

    def validate_month(self, field: StringField) -> None:
        if field.errors:  # already refused for its length
            return
        try:
            date.fromisoformat(f"{field.data}-01")
        except ValueError as exc:
            raise ValidationError("Write the month as YYYY-MM.") from exc

    @property
    def first_day(self) -> date:
        """The month's first day (the form has validated the month)."""
        return date.fromisoformat(f"{self.month.data}-01")


class UploadForm(OnceForm):
    file = FileField("CSV file", validators=[FileRequired(), FileAllowed(["csv", "txt"], "A .csv file, please.")])


class PostingForm(OnceForm):
    """Interest, direct costs and bank charges: the fund-level postings the secretariat records by hand."""

    kind = SelectField(
        "Kind",
        choices=choices(
            [("interest", "Interest income"), ("direct_cost", "Direct cost"), ("bank_charge", "Bank charge")]
        ),
    )
    entry_on = DateField("Date", validators=[InputRequired()])
    amount = MoneyField("Amount (USD)", validators=AMOUNT)
    organisation_id = SelectField(
        "Reported by",
        coerce=lambda v: int(v) if v else None,
        validators=[Optional()],
        description="Interest only: leave empty for the fund's own interest.",
    )
    description = StringField("Description", validators=[Optional(), Length(max=300)])

    def __init__(self, *args, organisation_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices([("", "The fund (administrative agent)"), *organisation_choices])


class ReverseForm(OnceForm):
    reason = StringField("Reason", validators=[InputRequired(), Length(max=200)])


class CloseMonthForm(OnceForm):
    reconciled = BooleanField(
        "I have reconciled this month: the bank statements and the participating organizations' reports agree "
        "with these figures",
        validators=[DataRequired(message="Confirm that the month is reconciled before closing it.")],
    )


class ReopenMonthForm(OnceForm):
    reason = TextAreaField(
        "Reason for reopening",
        validators=[InputRequired(message="Give the reason for reopening the month."), Length(max=2000)],
        description="Recorded in the audit log and sent to the Fund Management Unit.",
    )
