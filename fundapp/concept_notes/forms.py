"""Forms: calls, the concept note in sections, screening, attachments, withdrawal.

Shape only (types, lengths, ranges); the eligibility rules are checked by the services. Each form hands the
services plain values (CallData, NoteData).
"""

from decimal import Decimal
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from fundapp.concept_notes.models import NARRATIVES, SCOPE_LABELS, AttachmentKind, ConceptNote
from fundapp.concept_notes.services import CallData, NewFile, NoteData, NoteFormChoices
from fundapp.concept_notes.workflow import ELIGIBLE, INELIGIBLE, RETURNED
from fundapp.core import uploads
from fundapp.core.forms import DecimalField, IntegerField, MoneyField, MultiCheckboxField, choices, coerce_id

MONEY = {"validators": [Optional(), NumberRange(min=Decimal("0"), max=Decimal("999999999.99"))]}


class CallForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    opens_on = DateField("Opens on", validators=[InputRequired()])
    closes_on = DateField("Closes on", validators=[Optional()], description="Leave empty for a rolling call.")
    is_rolling = BooleanField("Rolling call (open until a closing date is set)")
    envelope = MoneyField("Indicative envelope (USD)", validators=[InputRequired(), NumberRange(min=Decimal("0"))])
    thematic_area_ids = MultiCheckboxField("Eligible thematic areas", coerce=coerce_id)
    min_organisations = IntegerField(
        "Minimum participating UN organizations", default=2, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    budget_ceiling = MoneyField(
        "Budget ceiling (USD, indirect support costs included)",
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

    def call_data(self) -> CallData:
        return CallData(
            title=self.title.data,
            description=self.description.data or "",
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            is_rolling=self.is_rolling.data,
            envelope=self.envelope.data,
            thematic_area_ids=self.thematic_area_ids.data or [],
            min_organisations=self.min_organisations.data,
            budget_ceiling=self.budget_ceiling.data,
            min_duration_months=self.min_duration_months.data,
            max_duration_months=self.max_duration_months.data,
            endorsement_required=self.endorsement_required.data,
        )


class NewNoteForm(FlaskForm):
    call_id = SelectField("Call", coerce=coerce_id)
    title = StringField("Working title", validators=[Optional(), Length(max=250)])

    def __init__(self, *args, call_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.call_id.choices = choices(call_choices)


class PartnerRow(Form):
    """One other participating organization and its direct costs (a blank row is ignored)."""

    organisation_id = SelectField("Organization", validate_choice=False)
    direct_costs = MoneyField("Direct costs (USD)", **MONEY)


class SectionAnchor(Field):
    """Not an input: where the messages about a whole section of the note go (a rule over several fields).

    _section_errors.html shows them at the top of their section; the field itself draws nothing.
    """

    def __call__(self, **kwargs: Any) -> Markup:
        return Markup("")

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None


#: The summary above the form leaves out the problems of single principles, markers and narrative sections:
#: their section's own message already lists them.
NARRATIVE_KEYS = {attr for attr, _label, _help in NARRATIVES}


class NoteForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=250)])
    lead_direct_costs = MoneyField("Direct costs of the lead organization (USD)", **MONEY)
    partners = FieldList(FormField(PartnerRow), min_entries=4)
    thematic_area_id = SelectField("Thematic area", validate_choice=False)
    objective_ids = MultiCheckboxField("GCM objectives", coerce=coerce_id, validate_choice=False)
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
    # Uploading from the edit page sends the whole form: the text typed so far is saved with the file.
    attachment_kind = SelectField(
        "Document",
        default=AttachmentKind.supporting.value,
        choices=choices([(k.value, k.label) for k in AttachmentKind]),
    )
    attachment_file = FileField("File (PDF, DOCX or XLSX, 10 MB at most)", render_kw={"accept": ".pdf,.docx,.xlsx"})
    #: The button pressed (never drawn as a field): save, submit, upload or remove-<attachment id>.
    action = StringField()
    # The sections whose rules span several fields (the services' keys).
    attachments = SectionAnchor()
    call = SectionAnchor()
    organisations = SectionAnchor()
    budget = SectionAnchor()
    endorsement = SectionAnchor()
    narratives = SectionAnchor()
    principles = SectionAnchor()
    markers = SectionAnchor()

    #: The reference data the form was built from (note_form()).
    reference: NoteFormChoices

    def offer(self, reference: NoteFormChoices, rows: int) -> None:
        """Set the choices, with at least `rows` partner rows (the saved partners and two blank ones)."""
        self.reference = reference
        while len(self.partners) < rows:
            self.partners.append_entry()
        for row in self.partners:
            row.organisation_id.choices = choices([("", "— none —"), *reference.partners])
        areas = [(str(a.id), f"{a.code} {a.name}") for a in reference.areas]
        self.thematic_area_id.choices = choices([("", "— choose —"), *areas])
        self.objective_ids.choices = choices(reference.objectives)
        self.country_codes.choices = choices(reference.countries)

    def note_data(self) -> NoteData:
        partners = []
        for row in self.partners:
            org = row.organisation_id.data
            if org and str(org).isdigit():
                partners.append((int(org), row.direct_costs.data))
        area = self.thematic_area_id.data
        return NoteData(
            title=self.title.data or "",
            lead_direct_costs=self.lead_direct_costs.data,
            partners=partners,
            thematic_area_id=int(area) if area and str(area).isdigit() else None,
            objective_ids=self.objective_ids.data or [],
            scope=self.scope.data or None,
            country_codes=self.country_codes.data or [],
            government_partners=self.government_partners.data or "",
            duration_months=self.duration_months.data,
            gender_budget_share=self.gender_budget_share.data,
            narratives={attr: self[attr].data or "" for attr, _l, _h in NARRATIVES},
            principles={p.id: self[f"principle_{p.id}"].data or "" for p in self.reference.principles},
            markers={
                m.id: int(v) if (v := self[f"marker_{m.id}"].data) not in (None, "") else None
                for m in self.reference.markers
            },
        )

    def validate_attachment_file(self, field: FileField) -> None:
        if self.action.data == "upload" and not (field.data and getattr(field.data, "filename", "")):
            raise ValidationError("Choose the file to upload.")

    def save_options(self) -> dict[str, Any]:
        """What the pressed button asks save_note() for besides saving: submit, attach the file, remove one."""
        action = self.action.data or "save"
        if action == "upload":
            upload = self.attachment_file.data
            return {"upload": NewFile(upload.filename, uploads.read_limited(upload.stream), self.attachment_kind.data)}
        if action.startswith("remove-") and action[7:].isdigit():
            return {"remove_attachment_id": int(action[7:])}
        return {"submitting": action == "submit"}

    def show_problems(self, problems: dict[str, list[str]]) -> list[str]:
        """Put each submission problem next to its field or at the top of its section; return the summary."""
        summary = []
        for key, messages in problems.items():
            field = self._fields.get(key, self.title)
            field.errors = [*field.errors, *messages]
            if not key.startswith(("principle_", "marker_")) and key not in NARRATIVE_KEYS:
                summary.extend(messages)
        return summary


for _attr, _label, _help in NARRATIVES:
    setattr(
        NoteForm,
        _attr,
        TextAreaField(_label, validators=[Optional(), Length(max=20000)], description=_help),
    )


def _note_form_class(reference: NoteFormChoices) -> type[NoteForm]:
    """The note form with one text per guiding principle and one score per marker (both are reference data)."""

    class _NoteForm(NoteForm):
        pass

    levels = [(str(lv.score), f"{lv.score} – {lv.label}") for lv in reference.levels]
    for principle in reference.principles:
        setattr(
            _NoteForm,
            f"principle_{principle.id}",
            TextAreaField(f"{principle.code}) {principle.name}", validators=[Optional(), Length(max=4000)]),
        )
    for marker in reference.markers:
        field = SelectField(marker.name, choices=choices([("", "— not scored —"), *levels]), default="")
        setattr(_NoteForm, f"marker_{marker.id}", field)
    return _NoteForm


def _saved_data(note: ConceptNote, reference: NoteFormChoices) -> dict[str, Any]:
    """The note as saved, as the form's initial data."""
    lead = next((p for p in note.participants if p.is_lead), None)
    texts = {s.principle_id: s.text for s in note.principles}
    scores = {m.marker_id: m.score for m in note.markers}
    data = {
        "title": note.title,
        "lead_direct_costs": lead.direct_costs if lead and lead.direct_costs else None,
        "partners": [
            {"organisation_id": str(p.organisation_id), "direct_costs": p.direct_costs or None} for p in note.partners
        ],
        "thematic_area_id": str(note.thematic_area_id or ""),
        "objective_ids": [o.id for o in note.objectives],
        "scope": note.scope.value if note.scope else "",
        "country_codes": [c.code for c in note.countries],
        "government_partners": note.government_partners,
        "duration_months": note.duration_months,
        "gender_budget_share": note.gender_budget_share,
    }
    for attr, _label, _help in NARRATIVES:
        data[attr] = getattr(note, attr)
    for p in reference.principles:
        data[f"principle_{p.id}"] = texts.get(p.id, "")
    for m in reference.markers:
        data[f"marker_{m.id}"] = "" if m.id not in scores else str(scores[m.id])
    return data


def note_form(note: ConceptNote, reference: NoteFormChoices) -> NoteForm:
    """The note's form: what was posted, or else the note as saved; with its choices."""
    form_class = _note_form_class(reference)
    form = form_class() if request.method == "POST" else form_class(data=_saved_data(note, reference))
    form.offer(reference, rows=len(note.partners) + 2)
    return form


class ScreeningForm(FlaskForm):
    decision = SelectField(
        "Decision",
        choices=choices(
            [
                ("", "— choose —"),
                (ELIGIBLE, "Eligible"),
                (RETURNED, "Return for revision"),
                (INELIGIBLE, "Ineligible"),
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
