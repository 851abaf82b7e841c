"""The committee's forms. Business rules stay in services; a form turns what was typed into the plain values a
service takes (data_for_service and friends), and checks what concerns the form alone.
"""

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from fundapp.committee import pipeline, services
from fundapp.committee.models import CONSTITUENCY_LABELS, AgendaItem, CommitteeSeat, ItemKind, ScenarioRun
from fundapp.committee.rules import TOTAL_WEIGHT, DecisionConfig
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.errors import ValidationFailed
from fundapp.core.forms import IntegerField, MoneyField, MultiCheckboxField, OnceForm, choices, coerce_id


class SeatForm(FlaskForm):
    constituency = SelectField(
        "Constituency", choices=choices((c.value, label) for c, label in CONSTITUENCY_LABELS.items())
    )
    user_id = SelectField("Member", coerce=coerce_id, validate_choice=True)
    organisation_id = SelectField(
        "Organisation represented",
        coerce=coerce_id,
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

    def show_seat(self, seat: CommitteeSeat) -> None:
        """Show a saved seat (the choice fields take the enum's value and an empty country)."""
        self.constituency.data = seat.constituency.value
        self.country_code.data = seat.country_code or ""

    def data_for_service(self) -> services.SeatInput:
        return services.SeatInput(
            constituency=self.constituency.data,
            user_id=self.user_id.data,
            organisation_id=self.organisation_id.data or None,
            country_code=self.country_code.data or None,
            term_start_on=self.term_start_on.data,
            term_end_on=self.term_end_on.data,
            is_voting=self.is_voting.data,
        )


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
    """The criteria table. Its rules are the service's (check_criteria), shown next to their row or the total."""

    rows = FieldList(FormField(CriterionRowForm), min_entries=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Messages about the set as a whole (the weights' total), shown beside the total.
        self.total_errors: list[str] = []

    def fill(self, rows: Iterable[tuple[str, str, int, str]], spare: int) -> None:
        """Show these criteria, and `spare` empty rows to add new ones."""
        while len(self.rows) > 0:
            self.rows.pop_entry()
        for code, name, weight, description in rows:
            self.rows.append_entry({"code": code, "name": name, "weight": weight, "description": description})
        for _ in range(spare):
            self.rows.append_entry()

    @property
    def total(self) -> int:
        """The sum of the weights as entered (what the page shows beside the total)."""
        return sum(row.weight.data for row in self.rows if isinstance(row.weight.data, int))

    def _filled(self) -> list[tuple[int, FormField]]:
        return [(i, row) for i, row in enumerate(self.rows) if not row.form.is_blank]

    def data_for_service(self) -> list[tuple[str, str, int, str]]:
        """The rows filled in, as the service takes them (an empty row removes a criterion)."""
        return [
            (r.form.code.data, r.form.name.data, r.form.weight.data, r.form.description.data)
            for _i, r in self._filled()
        ]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            if self.total != TOTAL_WEIGHT:
                self.total_errors.append(f"The weights add up to {self.total}; they must add up to {TOTAL_WEIGHT}.")
            return False
        try:
            services.check_criteria(self.data_for_service())
        except ValidationFailed as exc:
            self._show(exc.errors)
            return False
        return True

    def _show(self, errors: dict[str, list[str]]) -> None:
        """Put the service's messages (fields rows-<i>-<name> over the filled rows, and total) in place."""
        filled = self._filled()
        for key, messages in errors.items():
            if key == "total":
                self.total_errors.extend(messages)
                continue
            _rows, index, name = key.split("-")
            field = self.rows[filled[int(index)][0]][name]
            field.errors = [*field.errors, *messages]


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

    @staticmethod
    def data_from(config: DecisionConfig) -> dict[str, Any]:
        """The settings in force, as the form shows them."""
        return {
            "decision_rule": config.rule.value,
            "quorum_requires_chair": config.quorum_requires_chair,
            "quorum": services.threshold_key(config.quorum) or "more_than_half",
            "majority": services.threshold_key(config.majority) or "more_than_half",
            "majority_base": config.majority_base.value,
        }

    def data_for_service(self) -> dict[str, Any]:
        return {
            "rule": self.decision_rule.data,
            "quorum": services.THRESHOLDS[self.quorum.data],
            "quorum_requires_chair": self.quorum_requires_chair.data,
            "majority": services.THRESHOLDS[self.majority.data],
            "majority_base": self.majority_base.data,
        }


# Reviews, meetings and decisions ------------------------------------------------------------------


class ScoreForm(FlaskForm):
    """The comment and CSRF; the scores (score_<code>) are read per criterion, whose set varies per call."""

    comment = TextAreaField(
        "Comment", validators=[Length(max=4000)], description="Shared with the committee once the review closes."
    )

    def scores(self) -> dict[str, str]:
        """criterion code → the score sent (inputs score_<code>, one per criterion of the note's set)."""
        return {k.removeprefix("score_"): v for k, v in request.form.items() if k.startswith("score_")}


class ConflictForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A bare POST with CSRF (open/close a review or a meeting)."""


class OpenReviewForm(FlaskForm):
    """Open a note's review: the day the members' scores are due (blank: the default delay)."""

    closes_on = DateField("Scores due by", validators=[Optional()])


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
    concept_note_id = SelectField("Concept note", coerce=coerce_id, validators=[Optional()], validate_choice=False)
    title = StringField("Title (other business)", validators=[Optional(), Length(max=250)])

    def offer(self, notes: Iterable[tuple[int, str]]) -> "AgendaItemForm":
        """Offer these notes (services.agenda_note_choices)."""
        self.concept_note_id.choices = choices(notes)
        return self


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField("Present", coerce=coerce_id, validate_choice=False)

    @classmethod
    def for_meeting(cls, overview: dict[str, Any]) -> "AttendanceForm":
        """Every seat sitting on the meeting day, those recorded present ticked."""
        form = cls(data={"present": sorted(overview["present"])})
        form.present.choices = choices(
            (s.id, f"{s.user.name} — {s.label} ({s.constituency.label})")
            for s in overview["voting"] + overview["observers"]
        )
        return form

    def data_for_service(self) -> list[int]:
        return [int(s) for s in self.present.data or []]


class VoteForm(OnceForm):
    vote = RadioField(
        "Your vote",
        choices=choices([("approve", "Approve"), ("object", "Object"), ("abstain", "Abstain")]),
        validators=[InputRequired()],
    )
    rationale = TextAreaField("Rationale (optional)", validators=[Optional(), Length(max=2000)])


class DecisionForm(OnceForm):
    outcome = SelectField("Decision", validate_choice=False)
    amount = MoneyField(
        "Amount approved (US$)",
        validators=[Optional()],
        description="Funding decisions: defaults to the programme's budget.",
    )
    starts_on = DateField("New programme start", validators=[Optional()])
    ends_on = DateField("New programme end", validators=[Optional()])
    rationale = TextAreaField("Rationale (minutes)", validators=[Optional(), Length(max=4000)])
    shared_comment = TextAreaField(
        "Comment shared with the applicant",
        validators=[Optional(), Length(max=4000)],
        description="The applicant sees the outcome and this comment, never scores or votes.",
    )
    #: Funding items: whether the programme document's planned start is before the meeting (new dates required).
    needs_new_dates = False

    @classmethod
    def for_item(cls, item: AgendaItem) -> "DecisionForm":
        """The decisions this kind of item may have; an amount and new programme dates only for a funding decision,
        the dates described with the planned ones (and required when those start before the meeting)."""
        form = cls(prefix=f"item{item.id}")
        form.outcome.choices = choices((o.value, o.label) for o in services.OUTCOMES[item.kind])
        if item.kind is not ItemKind.funding:
            del form.amount, form.starts_on, form.ends_on
            return form
        document = services.programme_document(item.concept_note) if item.concept_note else None
        if document is not None:
            held_on = item.meeting.held_on
            form.needs_new_dates = services.planned_dates_past(document, held_on)
            planned = f"Planned: {document.starts_on:%d %b %Y} to {document.ends_on:%d %b %Y}."
            form.starts_on.description = (
                f"{planned} The planned start is before this meeting ({held_on:%d %b %Y}): give new dates, from the "
                "meeting on; the programme runs on them."
                if form.needs_new_dates
                else f"{planned} Leave both empty to keep them."
            )
        return form

    def data_for_service(self) -> services.DecisionInput:
        return services.DecisionInput(
            outcome=self.outcome.data,
            rationale=self.rationale.data or "",
            shared_comment=self.shared_comment.data or "",
            amount=self.amount.data if "amount" in self else None,
            starts_on=self.starts_on.data if "starts_on" in self else None,
            ends_on=self.ends_on.data if "ends_on" in self else None,
        )


class ProgrammeDocumentForm(FlaskForm):
    summary = TextAreaField("Summary", validators=[InputRequired(), Length(max=6000)])
    starts_on = DateField("Starts", validators=[InputRequired()])
    ends_on = DateField("Ends", validators=[InputRequired()])

    def budget(self, note: ConceptNote) -> dict[int, str]:
        """The amount typed per participating organization (inputs budget_<organisation id>)."""
        return {p.organisation_id: request.form.get(f"budget_{p.organisation_id}") or "" for p in note.participants}


class ScenarioForm(FlaskForm):
    """The constraints of a scenario run: minimum shares of the funded amount per thematic area and per region.

    Each share is written NAME=percent (`TA1=10, TA2=15`, `Africa=25`), a plain number from 0 to 100 with at
    most two decimals; names must be the fund's thematic area codes or the pipeline's region names (either
    case); each name once; the shares of one field add up to 100 at most. Every mistake is named next to its
    field: `TA9=10` (unknown area), `TA1=Infinity`, `TA1=150`, `TA1=60, TA2=50` (over 100 %).
    """

    min_area = StringField(
        "Minimum share per thematic area",
        validators=[Optional(), Length(max=500)],
        description="e.g. TA1=10, TA2=15 (percent of the funded total)",
    )
    min_region = StringField(
        "Minimum share per region",
        validators=[Optional(), Length(max=500)],
        description="e.g. Africa=25 (regions: the pipeline's, Multi-regional or Global)",
    )

    def __init__(self, *args: Any, areas: Iterable[str] = (), regions: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._areas = list(areas)
        self._regions = list(regions)

    def validate_min_area(self, field: StringField) -> None:
        _shares(field.data, self._areas, "thematic area")

    def validate_min_region(self, field: StringField) -> None:
        _shares(field.data, self._regions, "region")

    def show_run(self, run: ScenarioRun | None) -> None:
        """Start from the constraints of the person's last run."""
        if run is not None:
            self.min_area.data = run.min_area
            self.min_region.data = run.min_region

    def data_for_service(self) -> pipeline.ScenarioInput:
        return pipeline.ScenarioInput(
            min_area=(self.min_area.data or "").strip(),
            min_region=(self.min_region.data or "").strip(),
            area_shares=_shares(self.min_area.data, self._areas, "thematic area"),
            region_shares=_shares(self.min_region.data, self._regions, "region"),
        )


_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")


def _shares(text: str | None, names: list[str], what: str) -> dict[str, Decimal]:
    """ "TA1=10, TA2=15%" → {"TA1": 10, "TA2": 15}, each name as the fund spells it; ValidationError otherwise."""
    canonical = {name.casefold(): name for name in names}
    shares: dict[str, Decimal] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip().removesuffix("%").strip()
        if not sep or not key:
            raise ValidationError(f"Write each share as NAME=percent, e.g. TA1=10 ({part.strip()!r}).")
        if not _PERCENT.fullmatch(value):
            raise ValidationError(
                f"Write each share as NAME=percent, e.g. TA1=10 ({part.strip()!r}): "
                "a number from 0 to 100 with at most two decimals."
            )
        name = canonical.get(key.casefold())
        if name is None:
            known = ", ".join(names) or "none"
            raise ValidationError(f"Unknown {what} {key!r}; the {what}s are: {known}.")
        if name in shares:
            raise ValidationError(f"{name} is given twice.")
        share = Decimal(value)
        if share > 100:
            raise ValidationError(f"The minimum share for {name} must be a percentage from 0 to 100, not {value}.")
        shares[name] = share
    if sum(shares.values(), Decimal(0)) > 100:
        raise ValidationError(f"The minimum shares per {what} add up to more than 100%.")
    return shares
