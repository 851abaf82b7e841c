"""Forms: calls, the concept note in sections, screening, attachments, withdrawal.

Shape only (types, lengths, ranges); the eligibility rules are checked by the services.
"""

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from fundapp.concept_notes.models import NARRATIVES, SCOPE_LABELS, AttachmentKind
from fundapp.core.forms import MultiCheckboxField, choices

MONEY = {"places": 2, "validators": [Optional(), NumberRange(min=Decimal("0"), max=Decimal("999999999.99"))]}


class CallForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    opens_on = DateField("Opens on", validators=[InputRequired()])
    closes_on = DateField("Closes on", validators=[Optional()], description="Leave empty for a rolling call.")
    is_rolling = BooleanField("Rolling call (open until a closing date is set)")
    envelope = DecimalField(
        "Indicative envelope (USD)", places=2, validators=[InputRequired(), NumberRange(min=Decimal("0"))]
    )
    thematic_area_ids = MultiCheckboxField("Eligible thematic areas", coerce=int)
    min_organisations = IntegerField(
        "Minimum participating UN organizations", default=2, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    budget_ceiling = DecimalField(
        "Budget ceiling (USD, indirect support costs included)",
        places=2,
        default=Decimal("3000000.00"),
        validators=[InputRequired(), NumberRange(min=Decimal("1"))],
    )
    min_duration_months = IntegerField(
        "Shortest duration (months)", default=12, validators=[InputRequired(), NumberRange(min=1, max=120)]
    )
    max_duration_months = IntegerField(
        "Longest duration (months)", default=36, validators=[InputRequired(), NumberRange(min=1, max=120)]
    )
    endorsement_required = BooleanField("National programmes need a government endorsement letter", default=True)

    def __init__(self, *args, area_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.thematic_area_ids.choices = choices(area_choices)


class NewNoteForm(FlaskForm):
    call_id = SelectField("Call", coerce=int)
    title = StringField("Working title", validators=[Optional(), Length(max=250)])

    def __init__(self, *args, call_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.call_id.choices = choices(call_choices)


class PartnerRow(Form):
    """One other participating organization and its direct costs (a blank row is ignored)."""

    organisation_id = SelectField("Organization", validate_choice=False)
    direct_costs = DecimalField("Direct costs (USD)", **MONEY)


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=250)])
    lead_direct_costs = DecimalField("Direct costs of the lead organization (USD)", **MONEY)
    partners = FieldList(FormField(PartnerRow), min_entries=4)
    thematic_area_id = SelectField("Thematic area", validate_choice=False)
    objective_ids = MultiCheckboxField("GCM objectives", coerce=int, validate_choice=False)
    scope = SelectField(
        "Scope",
        default="",
        choices=choices([("", "— choose —"), *((s.value, label) for s, label in SCOPE_LABELS.items())]),
    )
    country_codes = SelectMultipleField(
        "Countries",
        validate_choice=False,
        description="ISO countries covered; hold Ctrl (or ⌘) to choose several. Not needed for a global programme.",
    )
    government_partners = TextAreaField(
        "Government partners",
        validators=[Optional(), Length(max=4000)],
        description="Ministries and authorities that take part. National programmes attach the endorsement letter.",
    )
    duration_months = IntegerField("Duration (months)", validators=[Optional(), NumberRange(min=1, max=240)])
    gender_budget_share = DecimalField(
        "Share of the budget for gender equality (%)",
        places=2,
        validators=[Optional(), NumberRange(min=Decimal("0"), max=Decimal("100"))],
    )


for _attr, _label, _help in NARRATIVES:
    setattr(
        NoteForm,
        _attr,
        TextAreaField(_label, validators=[Optional(), Length(max=20000)], description=_help),
    )


def note_form_class(principles, markers, levels) -> type[NoteForm]:
    """The note form with one text per guiding principle and one score per marker (both are reference data)."""

    class _NoteForm(NoteForm):
        pass

    level_choices = choices([("", "— not scored —"), *((str(lv.score), f"{lv.score} – {lv.label}") for lv in levels)])
    for principle in principles:
        setattr(
            _NoteForm,
            f"principle_{principle.id}",
            TextAreaField(f"{principle.code}) {principle.name}", validators=[Optional(), Length(max=4000)]),
        )
    for marker in markers:
        setattr(_NoteForm, f"marker_{marker.id}", SelectField(marker.name, choices=level_choices, default=""))
    return _NoteForm


class ScreeningForm(FlaskForm):
    decision = SelectField(
        "Decision",
        choices=choices(
            [
                ("", "— choose —"),
                ("eligible", "Eligible"),
                ("returned", "Return for revision"),
                ("ineligible", "Ineligible"),
            ]
        ),
        validators=[InputRequired(message="Choose a decision.")],
    )
    manual_checks = MultiCheckboxField("Checks by the Fund Management Unit")
    comments = TextAreaField(
        "Comments to the applicant",
        validators=[Optional(), Length(max=8000)],
        description="Required to return a note (what to revise) or to find it ineligible (the reason).",
    )

    def __init__(self, *args, check_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.manual_checks.choices = choices(check_choices)


class AttachmentForm(FlaskForm):
    kind = SelectField(
        "Document", choices=choices([(k.value, k.label) for k in AttachmentKind]), validators=[InputRequired()]
    )
    file = FileField("File (PDF, DOCX or XLSX, 10 MB at most)", validators=[FileRequired("Choose a file.")])


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why is the note withdrawn? (optional)", validators=[Optional(), Length(max=4000)])
