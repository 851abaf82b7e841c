from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.committee.models import CONSTITUENCY_LABELS
from fundapp.core.forms import choices


class SeatForm(FlaskForm):
    constituency = SelectField(
        "Constituency", choices=choices((c.value, label) for c, label in CONSTITUENCY_LABELS.items())
    )
    user_id = SelectField("Member", coerce=int, validate_choice=True)
    organisation_id = SelectField(
        "Organisation represented",
        coerce=int,
        validate_choice=True,
        description="Leave as it is to use the member's own organisation.",
    )
    country_code = SelectField("Country", description="Country seats only: the country the seat represents.")
    term_start_on = DateField("Term starts", validators=[InputRequired()])
    term_end_on = DateField("Term ends", validators=[Optional()], description="Leave empty while the term runs.")
    is_voting = BooleanField(
        "Voting seat", default=True, description="Untick for observers (the administrative agent, the secretariat)."
    )

    def __init__(
        self,
        *args,
        user_choices: list[tuple[int, str]],
        organisation_choices: list[tuple[int, str]],
        country_choices: list[tuple[str, str]],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices([(0, "— choose a member —"), *user_choices])
        self.organisation_id.choices = choices([(0, "— the member's organisation —"), *organisation_choices])
        self.country_code.choices = choices([("", "— none —"), *country_choices])


class EndTermForm(FlaskForm):
    term_end_on = DateField("Last day of the term", validators=[InputRequired()])


class CriterionRowForm(Form):
    """One row of the criteria table; a row left entirely empty is ignored."""

    code = StringField("Code", validators=[Optional(), Length(max=20)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    description = StringField("Description", validators=[Optional(), Length(max=1000)])
    weight = IntegerField("Weight", validators=[Optional(), NumberRange(min=1, max=100)])

    @property
    def is_blank(self) -> bool:
        return not (
            (self.code.data or "").strip()
            or (self.name.data or "").strip()
            or (self.description.data or "").strip()
            or (self.weight.raw_data and self.weight.raw_data[0].strip())
        )


class CriteriaForm(FlaskForm):
    rows = FieldList(FormField(CriterionRowForm), min_entries=1)


THRESHOLD_LABELS = [
    ("more_than_half", "More than half (a majority)"),
    ("at_least_half", "At least half"),
    ("two_thirds", "At least two-thirds"),
    ("three_quarters", "At least three-quarters"),
]


class DecisionSettingsForm(FlaskForm):
    decision_rule = RadioField(
        "Decision rule",
        choices=choices(
            [
                ("consensus", "Consensus: any objection blocks; abstentions allowed; at least one approval"),
                ("majority", "Majority: approvals must reach the threshold below"),
            ]
        ),
    )
    quorum_requires_chair = BooleanField("The chair must be present for a quorum")
    quorum = SelectField("Voting seats that must be present", choices=choices(THRESHOLD_LABELS))
    majority = SelectField("Majority threshold", choices=choices(THRESHOLD_LABELS))
    majority_base = RadioField(
        "Counted against",
        choices=choices(
            [
                ("votes_cast", "Votes cast (approvals and objections; abstentions do not count)"),
                ("eligible", "Every eligible voter (present, not recused); abstaining counts against"),
            ]
        ),
    )
