from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.committee.models import CONSTITUENCY_LABELS
from fundapp.core.forms import MultiCheckboxField, choices


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


# Reviews, meetings and decisions ------------------------------------------------------------------


class ScoreForm(FlaskForm):
    """The comment and CSRF; the scores (score_<code>) are read per criterion, whose set varies per call."""

    comment = TextAreaField(
        "Comment", validators=[Length(max=4000)], description="Shared with the committee once the review closes."
    )


class ConflictForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A bare POST with CSRF (open/close a review or a meeting)."""


class MeetingForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    held_on = DateField("Date", validators=[InputRequired()])
    location = StringField("Location", validators=[Optional(), Length(max=200)])


class AgendaItemForm(FlaskForm):
    kind = SelectField(
        "Item",
        choices=choices(
            [
                ("endorsement", "Concept note for endorsement"),
                ("funding", "Joint programme for funding"),
                ("other", "Other business"),
            ]
        ),
    )
    concept_note_id = SelectField("Concept note", coerce=int, validators=[Optional()], validate_choice=False)
    title = StringField("Title (other business)", validators=[Optional(), Length(max=250)])


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField("Present", coerce=int, validate_choice=False)


class VoteForm(FlaskForm):
    vote = RadioField(
        "Your vote",
        choices=choices([("approve", "Approve"), ("object", "Object"), ("abstain", "Abstain")]),
        validators=[InputRequired()],
    )
    rationale = TextAreaField("Rationale (optional)", validators=[Optional(), Length(max=2000)])


class DecisionForm(FlaskForm):
    outcome = SelectField("Decision", validate_choice=False)
    amount = DecimalField(
        "Amount approved (US$)",
        places=2,
        validators=[Optional()],
        description="Funding decisions: defaults to the programme's budget.",
    )
    rationale = TextAreaField("Rationale (minutes)", validators=[Optional(), Length(max=4000)])
    shared_comment = TextAreaField(
        "Comment shared with the applicant",
        validators=[Optional(), Length(max=4000)],
        description="The applicant sees the outcome and this comment, never scores or votes.",
    )


class ProgrammeDocumentForm(FlaskForm):
    summary = TextAreaField("Summary", validators=[InputRequired(), Length(max=6000)])
    starts_on = DateField("Starts", validators=[InputRequired()])
    ends_on = DateField("Ends", validators=[InputRequired()])


class ScenarioForm(FlaskForm):
    class Meta:
        csrf = False

    min_area = StringField(
        "Minimum share per thematic area",
        validators=[Optional()],
        description="e.g. TA1=10, TA2=15 (percent of the funded total)",
    )
    min_region = StringField("Minimum share per region", validators=[Optional()], description="e.g. Africa=25")
